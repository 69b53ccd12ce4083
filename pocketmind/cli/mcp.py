"""`pocketmind mcp`: serve the index to a local AI app over stdio (see :mod:`pocketmind.mcp_server`)."""

from __future__ import annotations

import importlib.util

import pocketmind
from pocketmind.errors import ConfigError

from .output import plain


def cmd_mcp(args, err) -> int:
    if importlib.util.find_spec("mcp") is None:
        raise ConfigError("`pocketmind mcp` needs the MCP SDK: pip install 'pocketmind[mcp]'")
    from pocketmind.mcp_server import serve

    # An encrypted store opens with the key from POCKETMIND_KEY or the keyring: stdin is the protocol, not a terminal.
    with open_backend(args.home) as backend:
        for line in backend.warnings:
            err.print(f"[yellow]warning:[/yellow] {plain(line)}", highlight=False)
        serve(backend)
    return 0


def open_backend(home):
    """The running daemon's warm engine when this build's daemon serves one (``pocketmind.connect``),
    else the engine in-process (models loaded on first use)."""
    connect = getattr(pocketmind, "connect", None)
    if connect is not None:
        return connect(home, fallback=True)
    from pocketmind.engine import Engine

    return Engine(home=home)
