"""Printing for the command line: results with highlighted matches, and JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

from pocketmind.results import Result


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


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
