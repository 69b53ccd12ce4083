"""Print the document text of every photo of the real corpus, to compare indexer changes.

    python bench/photo_texts.py > before.txt   # then change the photo indexer
    python bench/photo_texts.py > after.txt && diff before.txt after.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from pocketmind.errors import ParseError
from pocketmind.indexers.photos import PhotosIndexer

PHOTOS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real" / "photos"


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else PHOTOS
    indexer = PhotosIndexer()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and indexer.accepts(p)):
        try:
            for document in indexer.parse(path, root):
                print(f"===== {path.relative_to(root)} (caption from {document.metadata.get('caption_source')})")
                print(document.text)
        except ParseError as error:
            print(f"===== {path.relative_to(root)}: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
