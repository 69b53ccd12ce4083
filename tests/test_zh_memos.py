"""A slice of the Chinese personal-memo benchmark (bench/zh_memos.py), run for real: memos
indexed as dated notes through the public API, questions asked at their own time."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import zh_memos  # noqa: E402

# Relative time (去年国庆, 下个月初, 这周四下午, 春节前后, 上周三) and a person's name.
QUESTIONS = ("q03", "q05", "q11", "q13", "q14", "q24")
# Memos that say 今年 (all of 2025) compete with every window inside the year.
WHOLE_YEAR = ("m001", "m013", "m145")


def test_relative_time_questions_find_their_memos():
    memos, questions = zh_memos.load()
    questions = [q for q in questions if q["id"] in QUESTIONS]
    wanted = {e for q in questions for e in q["evidence"]} | set(WHOLE_YEAR)
    picked = [m for m in memos if m["id"] in wanted or int(m["id"][1:]) % 4 == 0]
    ranked, info = zh_memos.search_all(questions, picked)
    assert (info["indexed"], info["failed"]) == (len(picked), 0)
    missed = {q["id"]: r[:5] for r, q in zip(ranked, questions) if not set(q["evidence"]) <= set(r[:5])}
    assert missed == {}
    assert zh_memos.score(ranked, questions)["R@5"] == 100.0
