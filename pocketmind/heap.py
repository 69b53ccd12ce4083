"""Giving released memory back to the operating system.

After the models are released (the idle daemon) their memory is free inside
the process, but glibc keeps freed heap pages in its arenas, so the process
stays as large as it was. ``malloc_trim(0)`` returns them.
"""

from __future__ import annotations

import ctypes
import gc
import sys


def give_back() -> None:
    """Collect unreachable objects (model wrappers sit in reference cycles), then trim the C heap."""
    gc.collect()
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc; musl has none
    except (OSError, AttributeError):
        return
    trim(0)
