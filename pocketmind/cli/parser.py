"""The command line's grammar: every command, argument and option."""

from __future__ import annotations

import argparse
from datetime import datetime, time as dtime, timedelta

from pocketmind.documents import KINDS as DOC_KINDS


def global_options(parser: argparse.ArgumentParser, *, after_command: bool = False) -> argparse.ArgumentParser:
    """Options every command takes, before or after its name. The copy after the command
    defaults to SUPPRESS: when absent there, the value given before the command stays."""
    absent = argparse.SUPPRESS if after_command else None
    parser.add_argument("--home", default=absent, help="keep everything under this folder (also POCKETMIND_HOME)")
    parser.add_argument("--debug", action="store_true", default=absent if after_command else False,
                        help="show tracebacks and debug logs")
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = global_options(argparse.ArgumentParser(
        prog="pocketmind", description="Your chats, photos, notes and calendars, searchable and answerable on this device."))
    common = global_options(argparse.ArgumentParser(add_help=False), after_command=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], **kwargs)  # every command takes the global options

    p = command("add", help="add a source folder or file")
    p.add_argument("kind", help="notes, messages, photos, calendar, contacts (plugins add more)")
    p.add_argument("path")
    p.add_argument("--name", help="source name (default: the folder name)")
    p.add_argument("--follow-links", action="store_true",
                   help="also index what links inside the source point to outside it (not followed by default)")

    p = command("sources", help="list sources")
    p.add_argument("--json", action="store_true")

    p = command("index", help="bring sources up to date")
    p.add_argument("--source", help="only this source")
    p.add_argument("--json", action="store_true")

    for name, helptext in (("search", "search without the LLM"), ("ask", "answer a question with citations")):
        p = command(name, help=helptext)
        p.add_argument("query", metavar="QUESTION" if name == "ask" else "QUERY")
        if name == "search":
            p.add_argument("--k", type=int, help="how many results")
        p.add_argument("--kind", action="append", metavar="KIND", help=f"only this document kind (repeatable): {', '.join(DOC_KINDS)} or a plugin's kind")
        p.add_argument("--source", action="append", help="only this source (repeatable)")
        p.add_argument("--person", help="only what this person wrote (messages) or where they appear (photos, events, contacts)")
        p.add_argument("--chat-with", metavar="PERSON", help="only conversations with this person: their messages and everyone else's")
        p.add_argument("--since", type=_date, help="from this date (YYYY-MM-DD or ISO time)")
        p.add_argument("--until", type=_date_end, help="up to and including this date")
        p.add_argument("--json", action="store_true")

    p = command("status", help="what is indexed, and recent errors")
    p.add_argument("--json", action="store_true")

    p = command("doctor", help="check the whole database (pages, full text, vectors) and say how to fix it")
    p.add_argument("--repair", action="store_true",
                   help="rebuild full text and vectors from the stored chunks, re-index sources that lost documents")
    p.add_argument("--json", action="store_true")

    p = command("forget", help="remove a source and everything indexed from it")
    p.add_argument("name")

    p = command("plugins", help="list installed plugins")
    p.add_argument("--json", action="store_true")

    p = command("config", help="show settings, or set one: config models.llm_path /path/model.gguf")
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")

    p = command("prepare-embedder", help="build a faster embedding backend from the bundled model, offline: onnx-int8")
    p.add_argument("backend", choices=("onnx-int8",))
    p.add_argument("--force", action="store_true", help="build it again even if it exists")
    p.add_argument("--use", action="store_true", help="also set models.embedding_backend to it (the index is re-embedded on next use)")

    p = command("reembed", help="move the stored vectors to the configured embedder (or the one given); resumable")
    p.add_argument("--embedder", help="embedder plugin to move to (also sets models.embedder)")
    p.add_argument("--backend", choices=("onnx-int8", "torch"), help="how minilm runs (also sets models.embedding_backend)")
    p.add_argument("--json", action="store_true")

    p = command("encrypt", help="encrypt the database at rest; the key from POCKETMIND_KEY or a prompt, kept in the OS keyring")
    p.add_argument("--no-keyring", action="store_true", help="do not keep the key in the OS keyring")
    p = command("rekey", help="change the key of the encrypted database (new key from POCKETMIND_NEW_KEY or a prompt)")
    p.add_argument("--no-keyring", action="store_true", help="do not keep the new key in the OS keyring")
    command("decrypt", help="turn the encrypted database back into a plain file")

    command("demo", help="index the bundled sample data into a demo home and answer a question")
    command("tui", help="open the terminal UI")
    command("mcp", help="serve search, ask and cited documents to a local AI app over stdio (Model Context Protocol); read-only")

    p = command("daemon", help="keep the index up to date in the background: run, start, stop, status, install")
    p.add_argument("action", choices=("run", "start", "stop", "status", "install"))
    p.add_argument("--quiet", type=float, metavar="SECONDS", help="a changed file is indexed once unchanged this long (daemon.quiet_seconds)")
    p.add_argument("--rescan", type=float, metavar="MINUTES", help="full rescan interval, catches missed changes (daemon.rescan_minutes)")
    p.add_argument("--poll", type=float, metavar="SECONDS", help="how often database sources (chat.db) are checked (daemon.poll_seconds)")
    p.add_argument("--json", action="store_true")
    return parser


def _date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _date_end(text: str) -> datetime:
    moment = _date(text)
    # A bare date means the whole day: up to the next midnight.
    return moment + timedelta(days=1) if moment.time() == dtime(0) and len(text) <= 10 else moment
