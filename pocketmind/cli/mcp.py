"""`pocketmind mcp`: serve the engine to a local AI app over stdio (see :mod:`pocketmind.mcp_server`)."""

from __future__ import annotations

import importlib.util

from pocketmind.engine import Engine
from pocketmind.errors import ConfigError

from .output import plain


def cmd_mcp(args, err) -> int:
    if importlib.util.find_spec("mcp") is None:
        raise ConfigError("`pocketmind mcp` needs the MCP SDK: pip install 'pocketmind[mcp]'")
    from pocketmind.mcp_server import serve

    # An encrypted store opens with the key from POCKETMIND_KEY or the keyring: stdin is the protocol, not a terminal.
    with Engine(home=args.home) as engine:
        for line in engine.warnings:
            err.print(f"[yellow]warning:[/yellow] {plain(line)}", highlight=False)
        serve(engine)
    return 0
