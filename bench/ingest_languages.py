"""Index and query speed on Chinese text against English, on the same number of chunks.

    python bench/ingest_languages.py [--memos N] [--queries Q]

Chinese: the MADial-Bench zh memories and dialogue lines (one chat line each);
English: LoCoMo dev conversation turns. Each line is written as a dated
one-line memo (a notes folder) and indexed into its own fresh home through
the public API (the models are loaded first, so neither run pays for it);
then Q questions in the same language are searched (MADial dialogue openings,
LoCoMo questions). Prints memos/s, search p50 and the Chinese/English ratios
(issue 16 target: within 1.5x).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import locomo_data  # noqa: E402
from madial import CORPUS as MADIAL, load_dialogues, load_memories  # noqa: E402

from pocketmind import Engine  # noqa: E402


def chinese_lines() -> list[str]:
    lines = [m["event"] for m in load_memories(MADIAL)]
    for dialogue in load_dialogues(MADIAL):
        lines += [t.split(":", 1)[-1].strip().strip('"') for t in dialogue["dialogue"] if ":" in t]
    return list(dict.fromkeys(line for line in lines if len(line) >= 8))


def english_lines() -> list[str]:
    lines = [t.text for path in sorted(locomo_data.LOCOMO_DIR.glob("*.json")) for t in locomo_data.turns(locomo_data.load(path))]
    return list(dict.fromkeys(line for line in lines if len(line) >= 8))


def chinese_questions() -> list[str]:
    return [d["dialogue"][1].split(":", 1)[-1].strip().strip('"\n') for d in load_dialogues(MADIAL)]


def english_questions() -> list[str]:
    return [q["question"] for path in sorted(locomo_data.LOCOMO_DIR.glob("*.json")) for q in locomo_data.load(path)["qa"]]


def write_memos(folder: Path, lines: list[str]) -> None:
    folder.mkdir(parents=True)
    start = date(2023, 1, 1)
    for i, line in enumerate(lines):
        day = start + timedelta(days=i // 4)
        (folder / f"{day} memo {i}.md").write_text(f"---\ndate: {day}\n---\n{line}\n", encoding="utf-8")


def run(root: Path, name: str, lines: list[str], questions: list[str]) -> dict:
    write_memos(root / name, lines)
    with Engine(home=root / f"home-{name}") as engine:
        warm = root / f"warm-{name}"
        write_memos(warm, [lines[0] + " (warm)"])
        engine.add_source("notes", warm, name="warm")
        engine.index()
        engine.search(questions[0], k=1)  # every model loaded (and jieba's dictionary for Chinese)
        engine.add_source("notes", root / name, name=name)
        began = time.perf_counter()
        [summary] = engine.index(name)
        seconds = time.perf_counter() - began
        timings = []
        for question in questions:
            began = time.perf_counter()
            engine.search(question, k=10)
            timings.append(time.perf_counter() - began)
    return {"memos": summary.added, "index_s": seconds, "memos_per_s": summary.added / seconds,
            "search_p50_ms": 1000 * statistics.median(timings)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memos", type=int, default=800)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    zh, en = chinese_lines()[: args.memos], english_lines()[: args.memos]
    n = min(len(zh), len(en))
    with tempfile.TemporaryDirectory(prefix="pm-ingest-lang-") as tmp:
        rows = {"zh": run(Path(tmp), "zh", zh[:n], chinese_questions()[: args.queries]),
                "en": run(Path(tmp), "en", en[:n], english_questions()[: args.queries])}
    print(f"{n} one-line memos per language, {args.queries} questions each")
    for lang, row in rows.items():
        print(f"  {lang}: index {row['index_s']:.1f} s ({row['memos_per_s']:.1f} memos/s), search p50 {row['search_p50_ms']:.1f} ms")
    index_ratio = rows["zh"]["index_s"] / rows["en"]["index_s"]
    search_ratio = rows["zh"]["search_p50_ms"] / rows["en"]["search_p50_ms"]
    print(f"  zh/en: index time {index_ratio:.2f}x, search p50 {search_ratio:.2f}x (target <= 1.5x)")
    if args.json:
        args.json.write_text(json.dumps({**rows, "index_ratio": index_ratio, "search_ratio": search_ratio}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
