"""Rescanning a 100k-document home: nothing changed, every file touched, one file edited.

    python bench/rescan.py [--keep] [--home DIR] [--embedder minilm|hash]
                           [--notes 4000] [--chats 4] [--messages 20000] [--telegram-messages 17000]

Writes a realistic home of real-format files built from real text (the
shared corpus sentences and LoCoMo turns): thousands of Markdown notes in
dated folders, WhatsApp "Export chat" .txt files and a Telegram result.json
with tens of thousands of messages each, >= 100k documents in all. Indexes
it once through the public API (Engine.add_source / Engine.index), then
times fresh-process-style rescans (a new Engine each, as `pocketmind index`
would open one):

  a. nothing touched         (file signatures: size + mtime)
  b. every file touched      (mtime changed, content same: a sync tool or a
                              restored backup; every file parsed, hashes compared)
  c1. one note edited        (only its changed passages embedded)
  c2. one chat re-exported   (10 new messages at the end of a 20k-message export)

and prints seconds, documents seen, embedded count (from the summary and from
a counter around the embedder) and the load average. Target: < 10 s, 0 embedded.

The first index embeds every passage with the configured embedder (the real
bundled MiniLM by default: ~7+ min on 2 cores). ``--embedder hash`` builds
with a deterministic 384-d hashing embedder instead (vectors are noise; the
rescan path is identical, and the choice is printed on every row). ``--keep``
keeps the built home under ``--home`` and reuses it on the next run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import real_texts  # noqa: E402  (real corpus sentences + LoCoMo turns, distinct)

from pocketmind import Engine  # noqa: E402
from pocketmind.hookspecs import hookimpl  # noqa: E402

LOCOMO = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "locomo" / "dev"
TARGET_SECONDS = 10.0
FORMAT_VERSION = 2  # bump when the generated home or the store format changes, so a kept home is rebuilt


# -- a fast deterministic embedder for the first build only (clearly labelled) --------


class HashEmbedder:
    """384-d unit vectors from a hash of each word: no model, same text -> same vector."""

    name = "bench-hash"
    dimension = 384

    def encode(self, texts) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dimension] += 1.0 if (h >> 32) & 1 else -1.0
            out[row] /= max(float(np.linalg.norm(out[row])), 1e-12)
        return out


class HashEmbedderPlugin:
    @hookimpl
    def register_embedders(self, register):
        register(HashEmbedder.name, HashEmbedder)


class CountingEmbedder:
    """Wraps the configured embedder: texts encoded and seconds spent in it (a lazy model's load included)."""

    def __init__(self, factory):
        started = time.perf_counter()
        self.inner = factory()
        self.seconds = time.perf_counter() - started
        self.texts = 0

    def encode(self, texts):
        started = time.perf_counter()
        self.texts += len(texts)
        try:
            return self.inner.encode(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def open_engine(home: Path, embedder: str) -> tuple[Engine, dict[str, CountingEmbedder]]:
    engine = Engine(home=home, plugins=[HashEmbedderPlugin()], load_entry_points=False)
    if engine.settings.models.embedder != embedder:
        engine.settings.models.embedder = embedder
        engine.save_settings()
    factories = engine.plugins.embedders()
    made: dict[str, CountingEmbedder] = {}
    inner = factories[embedder]

    def counted():
        made["embedder"] = CountingEmbedder(inner)
        return made["embedder"]

    factories[embedder] = counted
    return engine, made


# -- the generated home ---------------------------------------------------------------


def speakers() -> list[tuple[str, str]]:
    pairs = []
    for path in sorted(LOCOMO.glob("*.json")):
        data = json.loads(path.read_text())
        pairs.append((data["speaker_a"], data["speaker_b"]))
    return pairs


def message_texts(pool: list[str], n: int, rng: random.Random) -> list[str]:
    """Chat messages from real text: mostly one sentence, sometimes two."""
    out = []
    for _ in range(n):
        text = rng.choice(pool)
        if rng.random() < 0.3:
            text = f"{text} {rng.choice(pool)}"
        out.append(text)
    return out


def write_whatsapp(path: Path, me: str, other: str, texts: list[str], start: datetime, rng: random.Random) -> None:
    """Android "Export chat" text: 'dd/mm/yyyy, HH:MM - Name: text'."""
    path.parent.mkdir(parents=True, exist_ok=True)
    when, lines = start, []
    for text in texts:
        when += timedelta(minutes=rng.randint(1, 300))
        sender = me if rng.random() < 0.5 else other
        lines.append(f"{when:%d/%m/%Y, %H:%M} - {sender}: {text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_telegram(path: Path, me: str, other: str, texts: list[str], start: datetime, rng: random.Random) -> None:
    """Telegram Desktop "Export chat history" (JSON) of one personal chat."""
    path.parent.mkdir(parents=True, exist_ok=True)
    when, messages = start, []
    for number, text in enumerate(texts, 1):
        when += timedelta(minutes=rng.randint(1, 300))
        sender, sender_id = (me, "user1001") if rng.random() < 0.5 else (other, "user2002")
        messages.append({"id": number, "type": "message", "date": when.isoformat(timespec="seconds"),
                         "date_unixtime": str(int(when.timestamp())), "from": sender, "from_id": sender_id, "text": text})
    chat = {"name": other, "type": "personal_chat", "id": 2002, "messages": messages}
    path.write_text(json.dumps(chat, ensure_ascii=False, indent=1), encoding="utf-8")


def write_note(path: Path, pool: list[str], day: datetime, rng: random.Random) -> None:
    """An Obsidian-style note: front matter, a title, a few sections of real sentences."""
    path.parent.mkdir(parents=True, exist_ok=True)
    title = " ".join(rng.choice(pool).split()[:6]).strip(".,;:!?")
    tags = rng.sample(["journal", "work", "travel", "books", "health", "family", "ideas", "recipes"], 2)
    parts = [f"---\ndate: {day:%Y-%m-%d}\ntags: [{', '.join(tags)}]\n---\n", f"# {title}\n"]
    for section in range(rng.randint(1, 3)):
        if section:
            parts.append(f"## {' '.join(rng.choice(pool).split()[:4]).strip('.,;:!?')}\n")
        parts.append(" ".join(rng.choice(pool) for _ in range(rng.randint(2, 5))) + "\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def generate(data: Path, args: argparse.Namespace) -> dict[str, Path]:
    """Write the notes and chats; return the two source folders."""
    rng = random.Random(7)
    pool = [" ".join(t.split()) for t in real_texts(10**9)]
    pool = [t for t in pool if t]
    pairs = speakers()
    notes, chats = data / "notes", data / "chats"
    start = datetime(2019, 1, 1, 8, 0)
    for n in range(args.notes):
        day = start + timedelta(days=n * 2555 // max(args.notes, 1))
        write_note(notes / f"{day:%Y}" / f"{day:%m}" / f"{day:%Y-%m-%d} note {n:05d}.md", pool, day, rng)
    for c in range(args.chats):
        me, other = pairs[c % len(pairs)]
        write_whatsapp(chats / f"whatsapp-{c}" / f"WhatsApp Chat with {other}.txt", me, other,
                       message_texts(pool, args.messages, rng), start, rng)
    if args.telegram_messages:
        me, other = pairs[-1]
        write_telegram(chats / "telegram" / "result.json", me, other, message_texts(pool, args.telegram_messages, rng), start, rng)
    return {"notes": notes, "chats": chats}


# -- measuring ------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    seconds: float
    files: int
    seen: int
    written: int
    embedded: int
    encoded: int
    embedder_seconds: float
    load: float


def index_once(home: Path, embedder: str, label: str) -> Row:
    """A fresh engine and one index() of every source, timed end to end (open included)."""
    started = time.perf_counter()
    engine, made = open_engine(home, embedder)
    try:
        summaries = engine.index()
    finally:
        engine.close()
    seconds = time.perf_counter() - started
    errors = [e for s in summaries for e in s.errors]
    if errors:
        raise SystemExit(f"{label}: indexing reported errors: {errors[:3]}")
    counter = made.get("embedder")
    return Row(label, seconds, sum(s.files for s in summaries),
               sum(s.unchanged + s.added + s.updated for s in summaries),
               sum(s.added + s.updated + s.deleted for s in summaries), sum(s.embedded for s in summaries),
               counter.texts if counter else 0, counter.seconds if counter else 0.0, os.getloadavg()[0])


def touch_all(root: Path) -> int:
    now = time.time_ns()
    count = 0
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(now, now))
            count += 1
    return count


def append_messages(path: Path, n: int) -> None:
    """A re-export of the chat with ``n`` new messages after the last one."""
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    last = datetime.strptime(lines[-1][:17], "%d/%m/%Y, %H:%M")
    sender = lines[-1][20:].split(":", 1)[0]
    new = [f"{last + timedelta(minutes=5 * (i + 1)):%d/%m/%Y, %H:%M} - {sender}: new message {i} about the trip to Lisbon next week"
           for i in range(n)]
    path.write_text("\n".join(lines + new) + "\n", encoding="utf-8")


def build(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    sources = generate(root / "data", args)
    written = time.perf_counter() - started
    engine, _ = open_engine(root / "home", args.embedder)
    try:
        engine.add_source("notes", sources["notes"], name="notes")
        engine.add_source("messages", sources["chats"], name="chats")
    finally:
        engine.close()
    row = index_once(root / "home", args.embedder, "first index")
    info = {"params": params(args), "files_seconds": written, "first_index": row.__dict__}
    (root / "build.json").write_text(json.dumps(info, indent=1))
    return info


def params(args: argparse.Namespace) -> dict[str, Any]:
    return {"version": FORMAT_VERSION, "embedder": args.embedder, "notes": args.notes, "chats": args.chats,
            "messages": args.messages, "telegram_messages": args.telegram_messages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path(tempfile.gettempdir()) / "pocketmind-rescan")
    parser.add_argument("--keep", action="store_true", help="keep the built home and reuse it next time")
    parser.add_argument("--embedder", choices=["minilm", "hash"], default="minilm",
                        help="embedder of the first build (hash: fast deterministic stand-in, labelled)")
    parser.add_argument("--notes", type=int, default=4000)
    parser.add_argument("--chats", type=int, default=4, help="WhatsApp exports")
    parser.add_argument("--messages", type=int, default=20000, help="messages per WhatsApp export")
    parser.add_argument("--telegram-messages", type=int, default=17000)
    args = parser.parse_args()
    args.embedder = HashEmbedder.name if args.embedder == "hash" else "minilm"

    root = args.home / args.embedder
    info_path = root / "build.json"
    kept = info_path.exists() and json.loads(info_path.read_text()).get("params") == params(args)
    info = json.loads(info_path.read_text()) if kept else build(root, args)
    home, data = root / "home", root / "data"
    first = info["first_index"]
    print(f"home: {root} ({'reused' if kept else 'built now'}); first-build embedder: {args.embedder}"
          + ("  ** hash stand-in, not the real model **" if args.embedder != "minilm" else ""))
    print(f"first index: {first['seconds']:.1f} s, {first['files']} files, {first['seen']} documents, "
          f"{first['embedded']} embedded (load avg {first['load']:.2f})")

    note = sorted((data / "notes").rglob("*.md"))[len(list((data / "notes").rglob("*.md"))) // 2]
    chat = sorted((data / "chats").rglob("WhatsApp Chat with *.txt"))[0]
    originals = {note: note.read_bytes(), chat: chat.read_bytes()}
    rows = [index_once(home, args.embedder, "a. nothing touched")]
    touch_all(data)
    rows.append(index_once(home, args.embedder, "b. every file touched"))
    rows.append(index_once(home, args.embedder, "b'. nothing touched again"))
    try:
        with note.open("a", encoding="utf-8") as handle:
            handle.write("\nAdded later: remember to book the train to Porto before Friday.\n")
        rows.append(index_once(home, args.embedder, "c1. one note edited"))
        append_messages(chat, 10)
        rows.append(index_once(home, args.embedder, "c2. one chat +10 messages"))
    finally:
        for path, content in originals.items():
            path.write_bytes(content)
        restored = index_once(home, args.embedder, "(restore c1+c2)")
    print_table(rows + [restored])
    if args.embedder != "minilm":
        print(f"\nhash stand-in: rows that embed (c1, c2) would also load the real model on a MiniLM-built home;"
              f"\nloading it here now takes {minilm_load_seconds():.2f} s (load avg {os.getloadavg()[0]:.2f})."
              f" Rows that embed nothing never load it (embedders load lazily).")
    if not args.keep:
        shutil.rmtree(root)


def minilm_load_seconds() -> float:
    from pocketmind.embeddings import MiniLMEmbedder

    started = time.perf_counter()
    MiniLMEmbedder().encode(["load the model"])
    return time.perf_counter() - started


def print_table(rows: list[Row]) -> None:
    print(f"\n{'rescan':28} {'seconds':>8} {'files':>6} {'docs seen':>10} {'written':>8} {'embedded':>9}"
          f" {'encoded':>8} {'embedder s':>10} {'load avg':>8}  target < {TARGET_SECONDS:.0f} s")
    for r in rows:
        verdict = "ok" if r.seconds < TARGET_SECONDS else "SLOW"
        print(f"{r.label:28} {r.seconds:8.2f} {r.files:6d} {r.seen:10d} {r.written:8d} {r.embedded:9d}"
              f" {r.encoded:8d} {r.embedder_seconds:9.2f}s {r.load:8.2f}  {verdict}")
    print("\nseconds: new Engine + index() of both sources; docs seen: unchanged + added + updated;"
          "\nwritten: documents added/updated/deleted; embedded: summary count; encoded: texts given to the embedder;"
          "\nembedder s: part of seconds spent making and calling the embedder (a lazy model's load included).")


if __name__ == "__main__":
    main()
