"""The ``pocketmind`` command line: a thin face over :class:`~pocketmind.Engine`.

- :mod:`.parser`: commands and options;
- :mod:`.commands`: what each command does;
- :mod:`.daemon`: the `daemon ...` commands;
- :mod:`.output`: printing results and JSON;
- :mod:`.piped`: `search` through the daemon to a pipe, printed without importing rich.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Sequence

from pocketmind import offline  # noqa: F401
from pocketmind.errors import ConfigError, PocketmindError
from pocketmind.permissions import PRIVATE_UMASK

from .parser import build_parser
from .piped import piped_search
from .textout import OneLineRecords


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.addFilter(OneLineRecords())
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR, format="%(levelname)s %(name)s: %(message)s",
                        handlers=[handler])
    if (done := piped_search(args)) is not None:  # through the daemon to a pipe: no rich to import
        return done
    from rich.console import Console

    from .output import plain

    # No ":emoji:" codes and no highlighting of numbers or quotes in it either: user text is
    # printed as written (the highlighter's regexes were also a third of a daemon search's client time).
    # A pipe or file gets whole lines (rich would wrap at 80 columns and split URIs);
    # a terminal wraps them itself.
    out = Console(emoji=False, highlight=False, soft_wrap=not sys.stdout.isatty())
    err = Console(stderr=True, soft_wrap=True, emoji=False, highlight=False)  # an error stays one line
    # A command owns its process, so the private umask holds for its whole run: files that SQLite,
    # torch or a plugin create at any time (and those of the daemon and TUI run from here) are
    # private too. Restored on return, for callers that run main() in-process (tests).
    umask_before = os.umask(PRIVATE_UMASK)
    try:
        from .commands import run

        return run(args, out, err)
    except PocketmindError as exc:
        if args.debug:
            err.print_exception()
        err.print(f"[red]error:[/red] {plain(exc)}", highlight=False)
        return 2 if isinstance(exc, ConfigError) else 1
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    finally:
        os.umask(umask_before)

