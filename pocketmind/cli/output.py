"""Printing for the command line: results with highlighted matches, and JSON.

Everything a user or a file wrote (names, paths, titles, snippets, answers,
error messages) reaches the terminal through :func:`plain` or :func:`plain_block`:
shown literally, never read as rich markup (``Notes [old]`` keeps its ``[old]``),
and with no control character a terminal would act on (indexed text could
otherwise set colours, rewrite the screen or split a line). JSON output stays
the exact data; ``json.dumps`` escapes control characters itself.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from pocketmind.results import Answer, Quote, Result
from pocketmind.text import one_line, printable

from .textout import OneLineRecords, print_json  # noqa: F401  (rich-free: the piped search prints without rich)


def plain(text: object) -> str:
    """User text as markup that prints literally, on one line (control characters escaped)."""
    return escape(one_line(str(text)))


def plain_block(text: str) -> str:
    """A body of user text as markup that prints literally, line breaks kept, controls removed."""
    return escape(printable(text))


UNSUPPORTED_SHOWN = 3  # a photo folder in a notes source must not flood the terminal; --json lists all


def print_index_summary(out: Console, s) -> None:
    """One line per source ("...; 3 skipped: 1 unreadable, 1 empty, 1 unsupported"), then every
    problem and note on its own line, and a few of the unsupported files."""
    from pocketmind.indexing.files import UNSUPPORTED

    skipped = "".join(f", {count} {reason}" for reason, count in s.skipped_by_reason.items())
    skipped = f"; {len(s.skipped)} skipped: {skipped[2:]}" if skipped else ""
    out.print(
        f"[bold]{plain(s.source)}[/bold]: {s.added} added, {s.updated} updated, {s.deleted} deleted, "
        f"{s.unchanged} unchanged; {s.embedded} chunks embedded ({s.seconds:.1f} s){skipped}", highlight=False, soft_wrap=True
    )
    for problem in s.errors:
        out.print(f"  [yellow]skipped[/yellow] {plain(problem)}", highlight=False, soft_wrap=True)
    for note in s.warnings:
        out.print(f"  [yellow]warning[/yellow] {plain(note)}", highlight=False, soft_wrap=True)
    unsupported = [item["path"] for item in s.skipped if item["reason"] == UNSUPPORTED]
    if unsupported:
        shown = ", ".join(unsupported[:UNSUPPORTED_SHOWN])
        out.print(f"  {len(unsupported)} unsupported files not indexed, e.g. {plain(shown)} "
                  "(`pocketmind index --json` lists all)", highlight=False, soft_wrap=True)


def print_result(out: Console, n: int, r: Result) -> None:
    when = f" · {r.time[:16].replace('T', ' ')}" if r.time else ""
    who = f" · {plain(r.author)}" if r.author else ""
    out.print(f"[bold cyan][{n}][/bold cyan] [bold]{plain(r.title or r.id)}[/bold] [dim]{plain(r.kind)} · {plain(r.source)}{who}{when}[/dim]")
    out.print(f"    {_highlight(r)}", highlight=False)
    out.print(f"    [dim]{plain(r.uri or r.id)}[/dim]", highlight=False)


def _highlight(r: Result) -> str:
    text, pieces, last = r.snippet, [], 0
    for start, end in r.highlights:
        pieces.append(plain_block(text[last:start]) + f"[bold yellow]{plain_block(text[start:end])}[/bold yellow]")
        last = end
    return "".join(pieces) + plain_block(text[last:])


def print_answer_card(out: Console, answer: Answer) -> None:
    """After the (already printed) answer: its note, the quoted evidence with kind, who,
    when and where, then every source ("closest passages" when the data does not answer)."""
    if answer.note:
        out.print(f"[dim]{plain_block(answer.note)}[/dim]", highlight=False)
    if answer.evidence:
        out.print("\n[bold]Evidence[/bold]")
        for quote in answer.evidence:
            cited = answer.citations[quote.citation - 1]
            out.print(f"  [bold cyan][{quote.citation}][/bold cyan] “{plain_block(quote.quote)}”", highlight=False)
            out.print(f"      [dim]{plain(describe_source(cited, quote.said_by(cited)))}[/dim]", highlight=False)
    if answer.citations:
        out.print("\n[bold]Sources[/bold]" if answer.found else "\n[bold]Closest passages[/bold]")
        for n, r in enumerate(answer.citations, 1):
            print_result(out, n, r)


def print_passages_read(err: Console, quotes: list[Quote], passages: list[Result]) -> None:
    """While the model answers (seconds): the passages it reads, each by its line closest to
    the question. On stderr, so the answer card alone goes where stdout is sent."""
    err.print(f"[dim]Reading {len(passages)} passages while the model answers:[/dim]", highlight=False)
    for quote in quotes:
        err.print(f"  [cyan][{quote.citation}][/cyan] “{plain_block(quote.quote)}”  "
                  f"[dim]{plain(describe_source(passages[quote.citation - 1], quote.said_by(passages[quote.citation - 1])))}[/dim]",
                  highlight=False)


def describe_source(r: Result, author: str | None = None) -> str:
    """Kind, who, when and where of a cited passage, in one line (``author``: who wrote the
    quoted line, when not the passage's author)."""
    parts = [r.kind]
    if author or r.author:
        parts.append(author or r.author)
    if r.conversation and r.kind == "message":
        parts.append(f"in {r.conversation}")
    elif r.title:
        parts.append(r.title)
    if r.time:
        parts.append(r.time[:16].replace("T", " "))
    if r.place:
        parts.append(r.place)
    return " · ".join(parts)
