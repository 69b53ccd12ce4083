"""Printing for the command line: results with highlighted matches, and JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

from pocketmind.indexing.files import UNSUPPORTED
from pocketmind.results import Answer, Result

UNSUPPORTED_SHOWN = 3  # a photo folder in a notes source must not flood the terminal; --json lists all


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def print_index_summary(out: Console, s) -> None:
    """One line per source ("...; 3 skipped: 1 unreadable, 1 empty, 1 unsupported"), then every
    problem and note on its own line, and a few of the unsupported files."""
    skipped = "".join(f", {count} {reason}" for reason, count in s.skipped_by_reason.items())
    skipped = f"; {len(s.skipped)} skipped: {skipped[2:]}" if skipped else ""
    out.print(
        f"[bold]{escape(s.source)}[/bold]: {s.added} added, {s.updated} updated, {s.deleted} deleted, "
        f"{s.unchanged} unchanged; {s.embedded} chunks embedded ({s.seconds:.1f} s){skipped}", highlight=False, soft_wrap=True
    )
    for problem in s.errors:
        out.print(f"  [yellow]skipped[/yellow] {escape(problem)}", highlight=False, soft_wrap=True)
    for note in s.warnings:
        out.print(f"  [yellow]note[/yellow] {escape(note)}", highlight=False, soft_wrap=True)
    unsupported = [item["path"] for item in s.skipped if item["reason"] == UNSUPPORTED]
    if unsupported:
        shown = ", ".join(unsupported[:UNSUPPORTED_SHOWN])
        out.print(f"  {len(unsupported)} unsupported files not indexed, e.g. {escape(shown)} "
                  "(`pocketmind index --json` lists all)", highlight=False, soft_wrap=True)


def print_result(out: Console, n: int, r: Result) -> None:
    when = f" · {r.time[:16].replace('T', ' ')}" if r.time else ""
    who = f" · {escape(r.author)}" if r.author else ""
    out.print(f"[bold cyan][{n}][/bold cyan] [bold]{escape(r.title or r.id)}[/bold] [dim]{r.kind} · {escape(r.source)}{who}{when}[/dim]")
    out.print(f"    {_highlight(r)}", highlight=False)
    out.print(f"    [dim]{escape(r.uri or r.id)}[/dim]", highlight=False)


def _highlight(r: Result) -> str:
    text, pieces, last = r.snippet, [], 0
    for start, end in r.highlights:
        pieces.append(escape(text[last:start]) + f"[bold yellow]{escape(text[start:end])}[/bold yellow]")
        last = end
    return "".join(pieces) + escape(text[last:])


def print_answer_card(out: Console, answer: Answer) -> None:
    """After the (already printed) answer: its note, the quoted evidence with kind, who,
    when and where, then every source ("closest passages" when the data does not answer)."""
    if answer.note:
        out.print(f"[dim]{escape(answer.note)}[/dim]", highlight=False)
    if answer.evidence:
        out.print("\n[bold]Evidence[/bold]")
        for quote in answer.evidence:
            cited = answer.citations[quote.citation - 1]
            out.print(f"  [bold cyan][{quote.citation}][/bold cyan] “{escape(quote.quote)}”", highlight=False)
            out.print(f"      [dim]{escape(describe_source(cited))}[/dim]", highlight=False)
    if answer.citations:
        out.print("\n[bold]Sources[/bold]" if answer.found else "\n[bold]Closest passages[/bold]")
        for n, r in enumerate(answer.citations, 1):
            print_result(out, n, r)


def describe_source(r: Result) -> str:
    """Kind, who, when and where of a cited passage, in one line."""
    parts = [r.kind]
    if r.author:
        parts.append(r.author)
    if r.conversation and r.kind == "message":
        parts.append(f"in {r.conversation}")
    elif r.title:
        parts.append(r.title)
    if r.time:
        parts.append(r.time[:16].replace("T", " "))
    if r.place:
        parts.append(r.place)
    return " · ".join(parts)
