"""The background daemon that keeps the index current.

- :mod:`.loop`: the daemon's one loop thread (scan, watch, poll, rescan, release models);
- :mod:`.server`: the engine's read methods served on a Unix socket to clients (:mod:`pocketmind.client`);
- :mod:`.watch`: watchdog events and the stability tracker (a path is indexed once it stops changing);
- :mod:`.service`: its footprint on disk (lock, pid, state, requests) and OS service units.
"""

__all__ = ["Daemon", "is_polled"]


def __getattr__(name: str):
    # Loaded on first use: `pocketmind search` checks the lock in .service without loading the loop.
    if name in __all__:
        from . import loop

        return getattr(loop, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
