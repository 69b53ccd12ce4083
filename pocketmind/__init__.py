"""pocketmind: a private, on-device personal knowledge engine.

    from pocketmind import Engine
    with Engine() as engine:
        engine.add_source("notes", "~/Notes")
        engine.index()
        for result in engine.search("trip to Kyoto"):
            print(result.title, result.uri)
"""

from . import offline  # noqa: F401  (must run before any model library is imported)
from .documents import Attachment, Document, Section
from .engine import Engine
from .errors import ParseError, PocketmindError
from .hookspecs import hookimpl
from .results import Answer, Result

__all__ = ["Engine", "Document", "Section", "Attachment", "Result", "Answer", "hookimpl", "PocketmindError", "ParseError"]
__version__ = "0.1.0"
