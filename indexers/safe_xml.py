"""XML for every indexer, parsed with defusedxml.

A file's DTD may declare entities that expand a few hundred bytes into gigabytes
(billion laughs) or pull in another file (XXE, ``SYSTEM "file:///etc/..."``).
defusedxml refuses any entity declaration; :func:`refused` turns that into the
one error the run reports for the file. ``Element`` is the standard library's
type, for annotations only: nothing here parses with the standard library.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring, iterparse, parse

from pocketmind.errors import ParseError as FileParseError

__all__ = ["DefusedXmlException", "Element", "ParseError", "fromstring", "iterparse", "parse", "refused"]

REFUSED = "declares XML entities, which are never expanded (XXE or billion laughs); not indexed"


def refused(path: str | Path, error: DefusedXmlException) -> FileParseError:
    """The error for a file whose XML declares entities or external references."""
    return FileParseError(path, REFUSED)
