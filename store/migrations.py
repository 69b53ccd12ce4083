"""Schema migrations, applied in order and recorded by name in ``_migrations``.

Add a migration by appending to :data:`MIGRATIONS`; never edit one that has
shipped. The vector table is not here: its dimension depends on the embedder,
so :mod:`pocketmind.store.vectors` creates it when the embedder is known.
"""

from __future__ import annotations

import time

import apsw

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_core",
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE sources (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            path TEXT NOT NULL,
            options TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL,
            last_indexed_at REAL,
            cursor TEXT
        );

        -- One row per input file seen: its signature lets a rescan skip unchanged
        -- files without reading them; error holds the last problem reported.
        CREATE TABLE files (
            source TEXT NOT NULL REFERENCES sources(name) ON DELETE CASCADE,
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            indexed_at REAL NOT NULL,
            error TEXT,
            PRIMARY KEY (source, path)
        ) WITHOUT ROWID;

        CREATE TABLE documents (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,              -- <source>:<native id>
            source TEXT NOT NULL REFERENCES sources(name) ON DELETE CASCADE,
            origin TEXT,                          -- file (relative to the source) it came from
            kind TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            uri TEXT,
            occurred_at INTEGER,                  -- wall-clock seconds: local time as written, offset ignored
            occurred_offset INTEGER,              -- minutes east of UTC as recorded; NULL = unknown
            occurred_local TEXT,                  -- ISO time as the source wrote it
            ended_at INTEGER,
            author TEXT,
            conversation TEXT,
            people TEXT NOT NULL DEFAULT '[]',
            place TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            metadata TEXT NOT NULL DEFAULT '{}',
            attachments TEXT NOT NULL DEFAULT '[]',
            content_hash TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX documents_source_origin ON documents(source, origin);
        CREATE INDEX documents_kind_time ON documents(kind, occurred_at);
        CREATE INDEX documents_conversation_time ON documents(conversation, occurred_at);

        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            doc INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            heading TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            hash TEXT NOT NULL                    -- hash of the exact text given to the embedder
        );
        CREATE INDEX chunks_doc ON chunks(doc);
        CREATE INDEX chunks_hash ON chunks(hash);

        -- Contentless: the indexed form (CJK split into bigrams) differs from the
        -- display text, which lives in chunks.text.
        CREATE VIRTUAL TABLE chunks_fts USING fts5(
            body, content='', contentless_delete=1,
            tokenize='porter unicode61 remove_diacritics 2'
        );
        """,
    ),
    (
        "0002_chunk_mentions",
        """
        -- Dates a passage talks about ("yesterday" in a message sent on 8 May
        -- 2023 -> 7 May), as wall-clock seconds [start, end), so a question about
        -- a day finds what was said about it, not only what was said on it.
        CREATE TABLE chunk_mentions (
            chunk INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
            start_at INTEGER NOT NULL,
            end_at INTEGER NOT NULL
        );
        CREATE INDEX chunk_mentions_start ON chunk_mentions(start_at);
        CREATE INDEX chunk_mentions_chunk ON chunk_mentions(chunk);
        """,
    ),
    (
        "0003_quantized_vectors",
        """
        -- Coarse k-means centroids (IVF cells) of the embeddings: a large store
        -- scans only the bit vectors of the cells nearest a query. The bit table
        -- itself (chunk_bits, dimension-dependent) is made by
        -- store.vectors.create_tables, or back-filled on first open of an older store.
        CREATE TABLE IF NOT EXISTS vector_cells (cell INTEGER PRIMARY KEY, centroid BLOB NOT NULL);
        -- Float32 embeddings by chunk id, read to re-score the bit-vector candidates.
        CREATE TABLE IF NOT EXISTS chunk_embeddings (chunk_id INTEGER PRIMARY KEY, vector BLOB NOT NULL);
        """,
    ),
    (
        "0004_file_digest",
        """
        -- Hash of a file's bytes when it was last parsed: a file whose mtime moved
        -- but whose bytes did not (a sync tool, a restored backup) is not parsed again.
        ALTER TABLE files ADD COLUMN digest TEXT;
        """,
    ),
    (
        "0005_recurrence_windows",
        """
        -- The last day a calendar file's repeating events were expanded to: the
        -- file is expanded again when time has moved that window, bytes unchanged.
        ALTER TABLE files ADD COLUMN window_end TEXT;
        -- The text all occurrences of a repeating event share (no date in it):
        -- embedded once for the whole series, so a weekly event costs one vector.
        ALTER TABLE documents ADD COLUMN series_text TEXT;
        """,
    ),
    (
        "0006_multilingual_vectors",
        """
        -- A second embedding of every chunk by the multilingual Universal Sentence
        -- Encoder (512-d, Chinese and 15 more languages), fused with the main
        -- vectors' list: Chinese text, and questions across languages, have a
        -- meaningful vector list whatever the main embedder. Filled after each
        -- index flush and on first search (store.multilingual).
        CREATE VIRTUAL TABLE chunk_vectors_multilingual USING vec0(
            chunk_id INTEGER PRIMARY KEY, embedding float[512] distance_metric=cosine,
            kind TEXT, source TEXT, occurred_at INTEGER
        );
        """,
    ),
]


def apply_migrations(conn: apsw.Connection) -> list[str]:
    """Apply pending migrations in one transaction each; return their names."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        with conn:
            conn.execute(sql)
            conn.execute("INSERT INTO _migrations(name, applied_at) VALUES (?, ?)", (name, time.time()))
        applied.append(name)
    return applied
