"""The only package that speaks SQL: connection, migrations, documents, vectors, full text."""

from .encryption import is_encrypted
from .store import NO_TIME, ChunkRow, Filters, Store

__all__ = ["Store", "ChunkRow", "Filters", "NO_TIME", "is_encrypted"]
