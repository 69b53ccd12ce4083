"""LoCoMo answer quality and evidence recall of pocketmind, through the public API.

    python bench/locomo.py [--files F.json ...] [--retrieval-only] [--limit N] [--json PATH] [--homes DIR]
                           [--answerer extractive]

Each conversation is written as a real WhatsApp export (bench/locomo_data.py)
and indexed in a fresh temporary home by ``Engine.add_source`` +
``Engine.index``; every question is then asked through ``Engine.search``
(evidence recall) and ``Engine.ask`` (answers), with the engine's clock set
just after the conversation's last session. Answers, evidence and categories
never reach the engine: they are only used here, to score what came back.

Scoring follows /work/shared/corpus/locomo/README.md (see locomo_scoring.py).
``--limit N`` takes N questions per conversation spread evenly over its
question list, so every category stays represented in quick runs.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

import locomo_data  # noqa: E402
import locomo_scoring as scoring  # noqa: E402

RECALL_KS = (5, 10)
_DIA_ID = re.compile(r"D\d+:\d+")
_PHOTO_NAME = re.compile(r"IMG-\d{8}-WA\d+\.jpg", re.IGNORECASE)
_URI_LINE = re.compile(r"#L(\d+)$")
_ISO_MINUTE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?")

# Published reference and target per reported figure (README of the corpus, the issue).
REFERENCE = {
    "recall@10": ("66.2 (DRAGON)", ">= 85"),
    "recall@5": ("56.7 (DRAGON)", ">= 75"),
    "f1": ("18.7", ">= 30"),
    "contained": ("-", "-"),
    "abstention": ("-", ">= 50%"),
    "false_abstention": ("-", "<= 10%"),
    "retrieval_p50": ("148 ms (Mem0)", "<= 50 ms"),
}


# ---- export -> turn mapping ------------------------------------------------------


@dataclass
class ExportMap:
    """Which LoCoMo turn each part of a written export belongs to."""

    path: Path
    turn_at_line: dict[int, str] = field(default_factory=dict)  # 1-based export line -> dia_id (every line of a message)
    turns_with_photo: dict[str, list[str]] = field(default_factory=dict)  # photo file name -> dia_ids
    turn_at_minute: dict[str, str] = field(default_factory=dict)  # "YYYY-MM-DDTHH:MM" -> dia_id


def write_export(conv: dict, folder: Path) -> tuple[ExportMap, dict[str, locomo_data.Turn]]:
    """Write the conversation with locomo_data and map its lines back to dia_ids."""
    path, turns = locomo_data.write_whatsapp_export(conv, folder)
    return map_export(path, list(turns.values())), turns


def map_export(path: Path, turns: Sequence[locomo_data.Turn]) -> ExportMap:
    """Replay the writer's layout (a photo's file line, then the text's lines) and check it against the file.

    The check makes a change in locomo_data's layout fail loudly here instead
    of silently mis-scoring recall.
    """
    lines = re.split(r"\r\n|\r|\n", path.read_text(encoding="utf-8"))
    export = ExportMap(path)
    number = 1
    for turn in turns:
        header = f"{turn.at:%d/%m/%Y, %H:%M} - {turn.speaker}: "
        export.turn_at_minute.setdefault(turn.at.strftime("%Y-%m-%dT%H:%M"), turn.dia_id)
        text = turn.text.replace("\r", "").strip() or "…"
        height = text.count("\n") + 1
        if turn.photo_caption:  # the file line, then the text as continuation lines
            name = locomo_data.photo_name(turn)
            export.turns_with_photo.setdefault(name.lower(), []).append(turn.dia_id)
            _expect(lines, number, header + name, path, turn.dia_id)
            height += 1
        else:
            _expect(lines, number, header, path, turn.dia_id)
        for offset in range(height):
            export.turn_at_line[number + offset] = turn.dia_id
        number += height
    return export


def _expect(lines: list[str], number: int, prefix: str, path: Path, dia_id: str) -> None:
    if number > len(lines) or not lines[number - 1].startswith(prefix):
        raise ValueError(f"{path}: line {number} should start turn {dia_id} with {prefix!r}")


def cited_turns(result: Any, export: ExportMap) -> set[str]:
    """The dia_ids whose message (or shared photo) is the document ``result`` cites."""
    metadata = getattr(result, "metadata", None) or {}
    line = metadata.get("line")
    if isinstance(line, int) and line in export.turn_at_line:
        return {export.turn_at_line[line]}
    # A photo document points at its message (uri "...#L<line>") or names its file.
    uri = getattr(result, "uri", None) or ""
    found = _URI_LINE.search(uri)
    if found and uri.split("#")[0].endswith(export.path.name.replace(" ", "%20")):
        line = int(found[1])
        if line in export.turn_at_line:
            return {export.turn_at_line[line]}
    names = " ".join(str(v) for v in (result.id, getattr(result, "title", ""), uri, *metadata.values()))
    photos = {d for name in _PHOTO_NAME.findall(names) for d in export.turns_with_photo.get(name.lower(), [])}
    if photos:
        return photos
    # Last resort: a message id built from the turn's timestamp (each turn has its own minute).
    for stamp in _ISO_MINUTE.findall(str(metadata.get("message_id", ""))):
        if stamp[:16] in export.turn_at_minute:
            return {export.turn_at_minute[stamp[:16]]}
    return set()


def turns_in(results: Iterable[Any], export: ExportMap) -> set[str]:
    return set().union(*(cited_turns(r, export) for r in results))


def evidence_turns(qa: dict, known: set[str]) -> tuple[list[str], list[str]]:
    """(evidence dia_ids present in the conversation, malformed or unknown ones)."""
    ids = list(dict.fromkeys(d for item in qa.get("evidence", []) for d in _DIA_ID.findall(str(item))))
    return [d for d in ids if d in known], [d for d in ids if d not in known]


def select_questions(qas: list[dict], limit: int | None) -> list[int]:
    """Indexes of the questions to ask: all, or ``limit`` spread evenly over the list."""
    if not limit or limit >= len(qas):
        return list(range(len(qas)))
    return sorted({int(i * len(qas) / limit) for i in range(limit)})


# ---- running -----------------------------------------------------------------------


@dataclass
class Row:
    conversation: str
    index: int
    category: int
    question: str
    gold: str
    evidence: list[str]
    unknown_evidence: list[str]
    retrieved_turns: list[list[str]]  # per rank, top 10
    recall: dict[str, float | None]
    retrieval_ms: float
    prediction: str | None = None
    score: float | None = None
    contained: bool | None = None  # the normalised gold answer appears in the answer
    abstained: bool | None = None
    context_recall: float | None = None
    context_turns: list[str] = field(default_factory=list)
    answer_ms: float | None = None
    prompt_tokens: int | None = None
    source: str | None = None  # where the answer came from: model, extractive, data, none
    note: str | None = None  # why the model's answer was not shown, when it was not


def run_conversation(path: Path, retrieval_only: bool, limit: int | None, keep: list,
                     backend: str = "onnx-int8", homes: Path | None = None, answerer: str = "llama",
                     replies: dict | None = None) -> tuple[list[Row], dict]:
    from pocketmind import Engine
    from pocketmind.settings import Settings

    conv = locomo_data.load(path)
    with tempfile.TemporaryDirectory(prefix="locomo-") as tmp:
        if homes:  # indexed once, asked again by later runs (only answering changed)
            tmp = homes / path.stem
            written = tmp / "chats" / f"WhatsApp Chat with {conv['speaker_b']}.txt"
            if written.exists():
                turns = {t.dia_id: t for t in locomo_data.turns(conv)}
                export = map_export(written, list(turns.values()))
            else:
                export, turns = write_export(conv, Path(tmp) / "chats")
        else:
            export, turns = write_export(conv, Path(tmp) / "chats")
        now = locomo_data.last_session_time(conv)  # naive local, like the export's timestamps
        settings = Settings()
        settings.models.embedding_backend = backend  # onnx-int8: the export scripts/setup.sh made
        settings.models.answerer = answerer
        with Engine(home=Path(tmp) / "home", now=lambda: now, settings=settings) as engine:
            if not engine.store.sources():
                engine.add_source("messages", export.path.parent, name="chat")
            started = time.perf_counter()
            summaries = engine.index()
            info = {
                "conversation": path.stem,
                "turns": len(turns),
                "documents": sum(s.added for s in summaries),
                "index_s": round(time.perf_counter() - started, 2),
            }
            _hold_models(engine, keep, retrieval_only)
            if replies is not None and not retrieval_only:
                _replay(engine.answerer, replies)
            rows = [
                _ask_one(engine, export, set(turns), path.stem, i, conv["qa"][i], retrieval_only)
                for i in select_questions(conv["qa"], limit)
            ]
    return rows, info


def _hold_models(engine, keep: list, retrieval_only: bool) -> None:
    """Keep the loaded models referenced so the next conversation's engine reuses them."""
    if not keep:
        keep.append(getattr(engine.embedder, "model", engine.embedder))
    if not retrieval_only and len(keep) < 2:
        keep.append(getattr(engine.answerer, "llm", engine.answerer))


def _replay(answerer, replies: dict) -> None:
    """Serve the model's reply to a prompt it has answered before (greedy decoding: the same
    prompt gives the same reply), so a change to the rules around the model is measured on
    all 999 questions in minutes. Development only: the figures to report come from a run
    without it."""
    stream = getattr(answerer, "_stream", None)
    if stream is None:
        return

    def cached(prompt, on_token, cancel):
        key = json.dumps(prompt, ensure_ascii=False, sort_keys=True)
        if key not in replies:
            replies[key] = "".join(stream(prompt, None, cancel))
        if on_token is not None and replies[key]:
            on_token(replies[key])
        yield from [replies[key]] if replies[key] else []

    answerer._stream = cached


def _ask_one(engine, export: ExportMap, known: set[str], name: str, index: int, qa: dict, retrieval_only: bool) -> Row:
    evidence, unknown = evidence_turns(qa, known)
    started = time.perf_counter()
    results = engine.search(qa["question"], k=max(RECALL_KS))
    retrieval_ms = 1000 * (time.perf_counter() - started)
    per_rank = [sorted(cited_turns(r, export)) for r in results]
    recall = {f"@{k}": _share(evidence, {d for turns in per_rank[:k] for d in turns}) for k in RECALL_KS}
    row = Row(name, index, qa["category"], qa["question"], scoring.gold_answer(qa), evidence, unknown, per_rank, recall, retrieval_ms)
    if retrieval_only:
        return row
    started = time.perf_counter()
    answer = engine.ask(qa["question"])
    row.answer_ms = 1000 * (time.perf_counter() - started)
    row.prediction = answer.text
    scored = scoring.strip_citations(answer.text)  # raw text kept in row.prediction
    row.score = scoring.score(scored, qa)
    row.contained = scoring.contains_gold(scored, qa)
    row.abstained = scoring.abstains(scored)
    context = turns_in(answer.citations, export)
    row.context_turns = sorted(context)
    row.context_recall = _share(evidence, context)
    row.prompt_tokens = answer.prompt_tokens
    row.source, row.note = answer.source, answer.note
    return row


def _share(evidence: list[str], found: set[str]) -> float | None:
    return sum(d in found for d in evidence) / len(evidence) if evidence else None


# ---- summary -----------------------------------------------------------------------


def _mean(values: Iterable[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def summarize(rows: list[Row]) -> dict[str, dict[str, Any]]:
    """Figures per category ("1".."5"), for "1-4" (question-weighted) and "all"."""
    groups = {str(c): [r for r in rows if r.category == c] for c in (*scoring.ANSWERABLE_CATEGORIES, scoring.ADVERSARIAL_CATEGORY)}
    groups["1-4"] = [r for r in rows if r.category in scoring.ANSWERABLE_CATEGORIES]
    groups["all"] = rows
    out = {}
    for name, group in groups.items():
        answerable = [r for r in group if r.category in scoring.ANSWERABLE_CATEGORIES]
        adversarial = [r for r in group if r.category == scoring.ADVERSARIAL_CATEGORY]
        with_evidence = [r for r in answerable if r.evidence]
        out[name] = {
            "questions": len(group),
            "f1": _mean(r.score for r in answerable),
            "contained": _mean(float(r.contained) for r in answerable if r.contained is not None),
            "recall@5": _mean(r.recall["@5"] for r in with_evidence),
            "recall@10": _mean(r.recall["@10"] for r in with_evidence),
            "context_recall": _mean(r.context_recall for r in with_evidence),
            "abstention": _mean(float(r.abstained) for r in adversarial if r.abstained is not None),
            "false_abstention": _mean(float(r.abstained) for r in answerable if r.abstained is not None),
            "retrieval_p50_ms": _percentile([r.retrieval_ms for r in group], 0.5),
            "retrieval_p95_ms": _percentile([r.retrieval_ms for r in group], 0.95),
            "answer_p50_ms": _percentile([r.answer_ms for r in group], 0.5),
            "answer_p95_ms": _percentile([r.answer_ms for r in group], 0.95),
            "prompt_tokens": _mean(r.prompt_tokens for r in group),
        }
    return out


def print_report(summary: dict, infos: list[dict], retrieval_only: bool, elapsed: float) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=150)  # wide enough for every column even when piped
    indexed = ", ".join(f"{i['conversation']}: {i['turns']} turns -> {i['documents']} docs in {i['index_s']} s" for i in infos)
    console.print(f"[bold]LoCoMo[/bold] {indexed}")

    pct = lambda v: "-" if v is None else f"{100 * v:.1f}"  # noqa: E731
    ms = lambda v: "-" if v is None else f"{v:.0f}"  # noqa: E731
    table = Table(title="Per category (1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop, 5 adversarial)")
    columns = ["questions", "recall@5", "recall@10", "in context", "F1", "abstain", "ret p50", "ret p95", "ans p50", "ans p95", "ctx tokens"]
    table.add_column("category")
    for column in columns:
        table.add_column(column, justify="right")
    for name, s in summary.items():
        table.add_row(name, str(s["questions"]), pct(s["recall@5"]), pct(s["recall@10"]), pct(s["context_recall"]), pct(s["f1"]),
                      pct(s["abstention"] if name == "5" else s["false_abstention"]),
                      ms(s["retrieval_p50_ms"]), ms(s["retrieval_p95_ms"]), ms(s["answer_p50_ms"]), ms(s["answer_p95_ms"]),
                      "-" if s["prompt_tokens"] is None else f"{s['prompt_tokens']:.0f}")
    console.print(table)
    console.print("abstain = abstention rate on category 5, false abstention on 1-4; latencies in ms; recall and F1 in %")

    answerable, adversarial, everything = summary["1-4"], summary["5"], summary["all"]
    headline = Table(title="Against the published reference")
    for column in ("figure", "measured", "reference", "target"):
        headline.add_column(column, justify="right" if column != "figure" else "left")
    figures = [
        ("recall@10", "evidence recall@10, cats 1-4", pct(answerable["recall@10"])),
        ("recall@5", "evidence recall@5, cats 1-4", pct(answerable["recall@5"])),
        ("f1", "F1, cats 1-4 (question mean)", pct(answerable["f1"])),
        ("contained", "gold answer contained in the answer, cats 1-4", pct(answerable["contained"])),
        ("abstention", "abstention, cat 5", pct(adversarial["abstention"])),
        ("false_abstention", "false abstention, cats 1-4", pct(answerable["false_abstention"])),
        ("retrieval_p50", "retrieval p50 (ms)", ms(everything["retrieval_p50_ms"])),
    ]
    for key, label, measured in figures:
        if retrieval_only and key in ("f1", "contained", "abstention", "false_abstention"):
            measured = "(skipped)"
        headline.add_row(label, measured, *REFERENCE[key])
    console.print(headline)
    console.print(f"total wall time {elapsed:.0f} s")


def rescore(path: Path) -> None:
    """Print the tables for the answers saved by an earlier run, scored with the current rules."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    rows = [Row(**row) for row in saved["rows"]]
    for row in rows:
        if row.prediction is not None:
            scored = scoring.strip_citations(row.prediction)
            qa = {"category": row.category, "answer": row.gold}  # row.gold is already the scored form
            row.score, row.abstained = scoring.score(scored, qa), scoring.abstains(scored)
            row.contained = scoring.contains_gold(scored, qa)
    print_report(summarize(rows), saved["conversations"], saved["retrieval_only"], saved["elapsed_s"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=Path, nargs="+", default=sorted(locomo_data.LOCOMO_DIR.glob("*.json")))
    parser.add_argument("--retrieval-only", action="store_true", help="search only; skip the LLM answers")
    parser.add_argument("--limit", type=int, default=None, help="questions per conversation (spread evenly)")
    parser.add_argument("--json", type=Path, default=None, help="write summary and per-question rows here")
    parser.add_argument("--rescore", type=Path, default=None, help="score the rows of an earlier --json run again (no engine)")
    parser.add_argument("--homes", type=Path, default=None,
                        help="keep each conversation's export and index in DIR/<name> and reuse them on later runs")
    parser.add_argument("--embedding-backend", choices=("torch", "onnx-int8"), default="onnx-int8",
                        help="how MiniLM runs (models.embedding_backend; default the product's default)")
    parser.add_argument("--answerer", default="llama",
                        help="models.answerer: 'llama' (the bundled model) or 'extractive' (no model: the best quoted span)")
    parser.add_argument("--replay", type=Path, default=None,
                        help="development: keep the model's replies in this file and reuse them for the same prompt")
    args = parser.parse_args(argv)
    if args.rescore:
        rescore(args.rescore)
        return
    started = time.perf_counter()
    rows: list[Row] = []
    infos = []
    keep: list = []
    replies = None
    if args.replay:
        replies = json.loads(args.replay.read_text(encoding="utf-8")) if args.replay.exists() else {}
    for path in args.files:
        got, info = run_conversation(path, args.retrieval_only, args.limit, keep, args.embedding_backend, args.homes,
                                     args.answerer, replies)
        if replies is not None:
            args.replay.write_text(json.dumps(replies, ensure_ascii=False), encoding="utf-8")
        rows += got
        infos.append(info)
        print(f"{path.stem}: {len(got)} questions, indexed {info['documents']} documents in {info['index_s']} s", file=sys.stderr)
    elapsed = time.perf_counter() - started
    summary = summarize(rows)
    print_report(summary, infos, args.retrieval_only, elapsed)
    if args.json:
        payload = {
            "files": [str(p) for p in args.files],
            "retrieval_only": args.retrieval_only,
            "limit": args.limit,
            "elapsed_s": round(elapsed, 1),
            "conversations": infos,
            "summary": summary,
            "reference": REFERENCE,
            "rows": [asdict(r) for r in rows],
        }
        args.json.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
