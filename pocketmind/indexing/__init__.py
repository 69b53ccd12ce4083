"""Turning sources into stored documents, chunks and vectors.

- :mod:`.runs`: one pass over a source (a full walk, or the paths the daemon saw changed);
- :mod:`.files`: which files are user data, their names within a source, their digests;
- :mod:`.rows`: a document's stored row, full-text body, time annotations and embedding inputs;
- :mod:`.chunking`: cutting documents into retrieval units.
"""

from .runs import IndexSummary, SourceRun, Stopped

__all__ = ["IndexSummary", "SourceRun", "Stopped"]
