"""`search` through the daemon without rich, when its output goes to a pipe or a file.

A search the daemon answers takes tens of milliseconds; importing rich to print it
took about as long again. Printed to a pipe, rich adds no colour and wraps no line,
so the lines it would write are plain text and are written here instead, the same
bytes (tests/test_daemon_socket.py compares them). To a terminal, or when anything else is to be
said (a warning, an error, no daemon), the rich path in :mod:`.commands` prints as always.
"""

from __future__ import annotations

import sys
from typing import Any

from pocketmind.errors import PocketmindError
from pocketmind.results import Result
from pocketmind.text import one_line, printable

from .textout import print_json


def search_filters(args) -> dict[str, Any]:
    return {"kinds": args.kind or (), "sources": args.source or (), "since": args.since, "until": args.until, "person": args.person,
            "chat_with": args.chat_with}


def piped_search(args) -> int | None:
    """Print the daemon's results for ``args`` and return 0; None when the rich path must do it."""
    if args.command != "search" or (sys.stdout.isatty() and not args.json):
        return None
    from pocketmind.client import connect

    try:
        client = connect(args.home)
    except PocketmindError:
        return None  # no daemon (or another version): the rich path opens the engine or says why
    with client:
        if client.warnings:
            return None
        try:
            results = client.search(args.query, k=args.k, **search_filters(args))
        except PocketmindError:
            return None
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\n")
            return 130
    if args.json:
        print_json({"results": [r.to_json() for r in results]})
        return 0
    lines = [line for n, r in enumerate(results, 1) for line in result_lines(n, r)] if results else ["no results"]
    text = "\n".join(lines) + "\n"
    if "\t" in text:
        return None  # rich expands tabs by the width of what comes before them: let it
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def result_lines(n: int, r: Result) -> list[str]:
    """:func:`.output.print_result` as plain text."""
    when = f" · {r.time[:16].replace('T', ' ')}" if r.time else ""
    who = f" · {one_line(r.author)}" if r.author else ""
    head = f"[{n}] {one_line(r.title or r.id)} {one_line(r.kind)} · {one_line(r.source)}{who}{when}"
    return [head, f"    {printable(r.snippet)}", f"    {one_line(r.uri or r.id)}"]
