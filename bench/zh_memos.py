"""A Chinese personal-memo benchmark: evidence recall through pocketmind's public API.

    python bench/zh_memos.py [--data bench/zh_memos.json] [--family NAME] [--json PATH] [--misses]

``zh_memos.json`` holds a person's dated one-line phone memos (160, written for this
benchmark: family, a fintech project, travel, health, shopping, plans; mostly Chinese, some
English) and 50 questions asked at a later time, each with the ids of the memos that answer
it. Families: ``relative_time`` (上周三, 前天, 下个月初, 去年国庆, 春节前后: asked at the
question's own time), ``people_place_term`` (表弟阿杰, 成都, 小微企业风控), cross-lingual
``en_question_zh_memo`` and ``zh_question_en_memo``, and ``topic``.

The memos become a notes folder, one Markdown file per memo with a ``date:`` front-matter
property (as a memo app's export), indexed by ``Engine.add_source("notes", ...)`` +
``Engine.index()`` into a fresh temporary home. Each question is searched with
``Engine.search`` while the engine's clock reads the question's ``asked_at``, so relative
time resolves as it would for the person on that day. The evidence ids never reach the
engine; they only score the ranked memo ids: R@k = |top-k ∩ evidence| / |evidence| averaged
over questions, and all@5 = the share of questions with every evidence memo in the top 5.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

DATA = Path(__file__).resolve().with_name("zh_memos.json")
KS = (1, 5, 10)
TARGET_R5 = 85.0  # issue 16


def load(path: Path = DATA) -> tuple[list[dict], list[dict]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["memos"], data["questions"]


def write_notes(folder: Path, memos: Iterable[dict]) -> None:
    """One note per memo, dated by its front matter, named like a memo app's export."""
    folder.mkdir(parents=True, exist_ok=True)
    for memo in memos:
        moment = datetime.fromisoformat(memo["time"])
        text = f"---\ndate: {moment.isoformat()}\n---\n{memo['text']}\n"
        (folder / f"{moment:%Y-%m-%d} memo {memo['id']}.md").write_text(text, encoding="utf-8")


def memo_id(result_id: str) -> str | None:
    """``memos:2025-01-03 memo m001.md`` -> ``m001``."""
    name = result_id.rsplit("/", 1)[-1]
    if " memo " not in name or not name.endswith(".md"):
        return None
    return name.removesuffix(".md").rsplit(" memo ", 1)[1]


def search_all(questions: Sequence[dict], memos: Sequence[dict], k: int = 10) -> tuple[list[list[str]], dict]:
    """Index the memos once, then search every question at its own time; the ranked memo ids."""
    from pocketmind import Engine

    info: dict = {"memos": len(memos), "questions": len(questions)}
    with tempfile.TemporaryDirectory(prefix="pm-zh-memos-") as tmp:
        root = Path(tmp)
        write_notes(root / "memos", memos)
        with Engine(home=root / "home") as engine:
            started = time.perf_counter()
            engine.add_source("notes", root / "memos", name="memos")
            summaries = engine.index()
            info.update(index_seconds=round(time.perf_counter() - started, 1),
                        indexed=sum(s.added for s in summaries), failed=sum(s.failed for s in summaries))
            engine.search("热身", k=1)  # load the models before timing queries
            ranked, seconds = [], []
            for question in questions:
                asked = datetime.fromisoformat(question["asked_at"]).astimezone()
                engine.now = lambda asked=asked: asked
                began = time.perf_counter()
                results = engine.search(question["question"], k=k)
                seconds.append(time.perf_counter() - began)
                ranked.append([i for i in (memo_id(r.id) for r in results) if i is not None])
            info["query_ms_p50"] = round(1000 * statistics.median(seconds), 1)
    return ranked, info


def score(ranked: Sequence[Sequence[str]], questions: Sequence[dict]) -> dict[str, float]:
    row = {}
    for k in KS:
        row[f"R@{k}"] = 100 * statistics.mean(
            len(set(r[:k]) & set(q["evidence"])) / len(q["evidence"]) for r, q in zip(ranked, questions))
    row["all@5"] = 100 * statistics.mean(set(q["evidence"]) <= set(r[:5]) for r, q in zip(ranked, questions))
    return row


def by_family(ranked: Sequence[Sequence[str]], questions: Sequence[dict]) -> dict[str, dict[str, float]]:
    families = sorted({q["family"] for q in questions})
    rows = {}
    for family in families:
        picked = [(r, q) for r, q in zip(ranked, questions) if q["family"] == family]
        rows[f"{family} ({len(picked)})"] = score([r for r, _ in picked], [q for _, q in picked])
    rows[f"all ({len(questions)})"] = score(ranked, questions)
    return rows


def print_table(rows: dict[str, dict[str, float]]) -> None:
    columns = [f"R@{k}" for k in KS] + ["all@5"]
    print(f"{'family':<28}" + "".join(f"{c:>8}" for c in columns))
    for name, row in rows.items():
        print(f"{name:<28}" + "".join(f"{row[c]:>8.1f}" for c in columns))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--family", help="only the questions of this family")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--misses", action="store_true", help="print questions whose evidence is not all in the top 5")
    args = parser.parse_args(argv)
    memos, questions = load(args.data)
    if args.family:
        questions = [q for q in questions if q["family"] == args.family]
    ranked, info = search_all(questions, memos)
    rows = by_family(ranked, questions)
    print(f"zh memos: {info['memos']} memos, {info['questions']} questions; indexed {info['indexed']} notes "
          f"({info['failed']} failed) in {info['index_seconds']} s; search p50 {info['query_ms_p50']} ms")
    print_table(rows)
    print(f"target (issue 16): evidence R@5 >= {TARGET_R5:.0f}")
    if args.misses:
        by_id = {m["id"]: m for m in memos}
        for r, q in zip(ranked, questions):
            if not set(q["evidence"]) <= set(r[:5]):
                print(f"  {q['id']} [{q['asked_at']}] {q['question']}  wants {q['evidence']}, top 5 {r[:5]}")
                for e in q["evidence"]:
                    print(f"      {e} {by_id[e]['time']} {by_id[e]['text']}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, **info}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
