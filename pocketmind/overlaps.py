"""One folder, one source: sources of the same kind must not share or nest their files.

``d``, ``d/``, ``d/../d`` and a symlink to ``d`` are one folder once resolved;
two sources of the same kind over it index every file twice and show every
hit twice. Sources of different kinds may share a folder: each reads its own
files (notes read ``.md``, photos read ``.jpg``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence


def resolved(path: str | Path) -> Path:
    """The real path: ``~`` expanded, ``..`` and symlinks resolved, no trailing slash."""
    return Path(path).expanduser().resolve()


def clash(kind: str, folder: Path, sources: Sequence[dict[str, Any]]) -> str | None:
    """Why ``folder`` (resolved) cannot become a new ``kind`` source, or None if it can."""
    for source in sources:
        if source["kind"] != kind:
            continue
        other = resolved(source["path"])
        name = source["name"]
        if folder == other:
            return f"{folder} is already source {name!r} ({kind}); see `pocketmind sources`"
        if folder.is_relative_to(other):
            return f"{folder} is inside source {name!r} ({kind}) at {other}: its files would be indexed twice"
        if other.is_relative_to(folder):
            return (f"{folder} contains source {name!r} ({kind}) at {other}: its files would be indexed twice; "
                    f"to replace it, first: pocketmind forget {name}")
    return None


def duplicate_groups(sources: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Names of sources of one kind over the same folder (an older version let them in), oldest first."""
    groups: dict[tuple[str, Path], list[dict[str, Any]]] = {}
    for source in sources:
        groups.setdefault((source["kind"], resolved(source["path"])), []).append(source)
    return [[s["name"] for s in sorted(group, key=lambda s: (s["created_at"], s["name"]))]
            for group in groups.values() if len(group) > 1]


def nested_pairs(sources: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(inner, outer) names of same-kind sources where one folder is inside the other."""
    pairs = []
    for inner in sources:
        for outer in sources:
            inner_path, outer_path = resolved(inner["path"]), resolved(outer["path"])
            if inner["kind"] == outer["kind"] and inner_path != outer_path and inner_path.is_relative_to(outer_path):
                pairs.append((inner["name"], outer["name"]))
    return pairs


def overlap_warnings(sources: Sequence[dict[str, Any]]) -> list[str]:
    """One line per group of duplicated or nested sources, with the command that fixes it."""
    by_name = {s["name"]: s for s in sources}
    lines = []
    for names in duplicate_groups(sources):
        first = by_name[names[0]]
        forget = "; ".join(f"pocketmind forget {name}" for name in names[1:])
        lines.append(f"sources {', '.join(names)} are the same folder {resolved(first['path'])} ({first['kind']}): "
                     f"every hit shows {len(names)} times; keep one: {forget}")
    for inner, outer in nested_pairs(sources):
        lines.append(f"source {inner} is inside source {outer} ({by_name[outer]['kind']}) at {resolved(by_name[outer]['path'])}: "
                     f"its files are indexed twice; keep one: pocketmind forget {inner}")
    return lines
