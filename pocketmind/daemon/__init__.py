"""The background daemon that keeps the index current.

- :mod:`.loop`: the daemon's one loop thread (scan, watch, poll, rescan, release models);
- :mod:`.server`: the engine's read methods served on a Unix socket to clients (:mod:`pocketmind.client`);
- :mod:`.watch`: watchdog events and the stability tracker (a path is indexed once it stops changing);
- :mod:`.service`: its footprint on disk (lock, pid, state, requests) and OS service units.
"""

from .loop import Daemon, is_polled

__all__ = ["Daemon", "is_polled"]
