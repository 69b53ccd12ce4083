"""What each CLI command does, printed with rich (or as JSON with --json)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .cli import print_json
from .engine import Engine
from .errors import ConfigError
from .results import Result

DEMO_QUESTION = "When is Anna moving to Berlin?"


def run(args, out: Console, err: Console) -> int:
    if args.command == "demo":
        return demo(args, out, err)
    if args.command == "tui":
        from pocketmind.tui.app import run_tui

        return run_tui(home=args.home)
    with Engine(home=args.home) as engine:
        handler = globals()[f"cmd_{args.command}"]
        return handler(engine, args, out, err) or 0


def cmd_add(engine: Engine, args, out: Console, err: Console) -> int:
    source = engine.add_source(args.kind, args.path, name=args.name)
    out.print(f"added [bold]{escape(source['name'])}[/bold] ({source['kind']}) at {escape(source['path'])}; run `pocketmind index` next")
    return 0


def cmd_sources(engine: Engine, args, out: Console, err: Console) -> int:
    sources = engine.sources()
    if args.json:
        print_json({"sources": sources})
        return 0
    table = Table("name", "kind", "path", "documents", "errors", "last indexed")
    for s in sources:
        when = datetime.fromtimestamp(s["last_indexed_at"]).strftime("%Y-%m-%d %H:%M") if s["last_indexed_at"] else "never"
        table.add_row(s["name"], s["kind"], s["path"], str(s["documents"]), str(s["errors"]), when)
    out.print(table if sources else "no sources yet: pocketmind add notes ~/Notes")
    return 0


def cmd_index(engine: Engine, args, out: Console, err: Console) -> int:
    from .daemon_service import hand_off_index, running_daemon_pid

    daemon_pid = running_daemon_pid(engine.paths.state_dir)
    if daemon_pid is not None:  # one writer at a time: the daemon does it
        hand_off_index(engine.paths.state_dir, args.source)
        if args.json:
            print_json({"handed_to_daemon": daemon_pid, "source": args.source})
        else:
            out.print(f"the daemon (pid {daemon_pid}) is indexing; your request was handed to it")
        return 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("indexing", total=None)

        def report(done: int, total: int, path: str) -> None:
            progress.update(task, completed=done, total=total, description=f"indexing {path[-40:]}")

        summaries = engine.index(args.source, progress=report)
    if args.json:
        total = {k: sum(getattr(s, k) for s in summaries) for k in ("added", "updated", "deleted", "unchanged", "failed", "embedded")}
        print_json({**total, "sources": [s.to_json() for s in summaries]})
        return 0
    for s in summaries:
        err_list = "".join(f"\n  [yellow]skipped[/yellow] {escape(e)}" for e in s.errors)
        out.print(
            f"[bold]{escape(s.source)}[/bold]: {s.added} added, {s.updated} updated, {s.deleted} deleted, "
            f"{s.unchanged} unchanged, {s.failed} failed; {s.embedded} chunks embedded ({s.seconds:.1f} s){err_list}"
        )
    return 0


def _filters(args) -> dict[str, Any]:
    return {"kinds": args.kind or (), "sources": args.source or (), "since": args.since, "until": args.until, "person": args.person}


def cmd_search(engine: Engine, args, out: Console, err: Console) -> int:
    results = engine.search(args.query, k=args.k, **_filters(args))
    if args.json:
        print_json({"results": [r.to_json() for r in results]})
        return 0
    if not results:
        out.print("no results")
    for n, r in enumerate(results, 1):
        print_result(out, n, r)
    return 0


def cmd_ask(engine: Engine, args, out: Console, err: Console) -> int:
    if args.json:
        answer = engine.ask(args.query, **_filters(args))
        print_json(answer.to_json())
        return 0
    answer = engine.ask(args.query, on_token=lambda t: out.print(t, end="", highlight=False, markup=False), **_filters(args))
    out.print()
    if answer.citations:
        out.print("\n[bold]Sources[/bold]")
        for n, r in enumerate(answer.citations, 1):
            print_result(out, n, r)
    return 0


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


def cmd_status(engine: Engine, args, out: Console, err: Console) -> int:
    status = engine.status()
    if args.json:
        print_json(status)
        return 0
    out.print(f"database {status['database']} ({status['database_bytes'] / 1e6:.1f} MB)")
    out.print(f"{status['documents']} documents, {status['chunks']} chunks; embedder {status['embedder']}")
    for kind, count in sorted(status["by_kind"].items()):
        out.print(f"  {kind}: {count}")
    for e in status["recent_errors"][:10]:
        out.print(f"[yellow]error[/yellow] {escape(e['source'])}/{escape(e['path'])}: {escape(e['error'])}")
    return 0


def cmd_daemon(engine: Engine, args, out: Console, err: Console) -> int:
    from .daemon import run_cli

    return run_cli(engine, args, out, err)


def cmd_forget(engine: Engine, args, out: Console, err: Console) -> int:
    removed = engine.forget(args.name)
    out.print(f"forgot {escape(args.name)}: {removed} documents removed")
    return 0


def cmd_plugins(engine: Engine, args, out: Console, err: Console) -> int:
    rows = engine.plugins.describe()
    if args.json:
        print_json({"plugins": rows})
        return 0
    for row in rows:
        out.print(f"[bold]{escape(row['name'])}[/bold] ({escape(row['module'])} {row['version']})")
        for key in ("indexers", "embedders", "answerers"):
            if row.get(key):
                out.print(f"  {key}: {escape(', '.join(row[key]))}")
        other = [h for h in row["hooks"] if not h.startswith("register_")]
        if other:
            out.print(f"  hooks: {', '.join(other)}")
    return 0


def cmd_config(engine: Engine, args, out: Console, err: Console) -> int:
    if args.key and args.value is None:
        raise ConfigError("give a value: pocketmind config section.name VALUE")
    if args.key:
        engine.settings.set(args.key, args.value)
        engine.save_settings()
        out.print(f"{args.key} = {args.value!r} written to {engine.paths.config_file}")
        return 0
    out.print(f"[dim]{engine.paths.config_file}[/dim]")
    for name, value, doc in engine.settings.describe():
        out.print(f"[bold]{name}[/bold] = {value!r}\n    [dim]{escape(doc)}[/dim]")
    return 0


def demo(args, out: Console, err: Console) -> int:
    """Index the bundled samples in their own home and answer one question, streamed."""
    import os

    import platformdirs

    samples = Path(__file__).parent / "samples"
    home = args.home or os.environ.get("POCKETMIND_HOME") or platformdirs.user_cache_dir("pocketmind-demo")
    out.print(f"[dim]demo home: {home}[/dim]")
    with Engine(home=home) as engine:
        have = {s["name"] for s in engine.sources()}
        for kind in ("notes", "messages", "calendar", "contacts"):
            if (samples / kind).is_dir() and f"sample-{kind}" not in have:
                engine.add_source(kind, samples / kind, name=f"sample-{kind}")
        started = time.perf_counter()
        summaries = engine.index()
        docs = sum(s.added + s.updated + s.unchanged for s in summaries)
        out.print(f"indexed {docs} documents from {len(summaries)} sample sources in {time.perf_counter() - started:.1f} s")
        out.print(f"\n[bold]Q:[/bold] {DEMO_QUESTION}\n[bold]A:[/bold] ", end="")
        answer = engine.ask(DEMO_QUESTION, on_token=lambda t: out.print(t, end="", highlight=False, markup=False))
        out.print("\n\n[bold]Sources[/bold]")
        for n, r in enumerate(answer.citations, 1):
            print_result(out, n, r)
    return 0
