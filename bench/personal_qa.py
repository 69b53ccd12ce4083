"""Everyday questions about one's own data, asked through the public API.

    python bench/personal_qa.py [--home DIR [--reuse]] [--now ISO] [--limit N] [--lang en|zh]
                                [--type when] [--show] [--json out.json]
    python bench/personal_qa.py --rescore out.json   # score saved answers again, no engine
    python bench/personal_qa.py --json out.json --resume [--home DIR --reuse]   # go on after an interruption

The questions (bench/personal_qa.json) were written by reading the real export
files of /work/shared/corpus/real/ (chats, calendars incl. holiday-cn,
vCards, photos with EXIF/XMP/IPTC, Obsidian/Evernote/Keep/Tomboy/SiYuan
notes); every item names the files its answer comes from and where in them.

The script copies the union of those files (always all of them, whatever the
filters, so every run searches the same home) into per-kind folders of a home
(notes/, messages/, photos/, calendar/, contacts/ under <home>/data), adds one
source per kind with ``Engine.add_source``, indexes with ``Engine.index`` and
asks each question with ``Engine.ask`` under a fixed clock (``--now``,
default 2026-12-01 12:00 UTC) so "last year" always means 2025. Truths never
reach the engine.

Item format: ``{"id", "question", "lang": "en"|"zh", "type", "truths", "files",
"note"}`` plus optional ``"match": "all"``. A truth string may hold
alternatives separated by " | ". Scoring (``score``):

- answerable (type != "absent"): right when the answer text contains a truth
  (default: any one; with ``"match": "all"``: every truth, each by one of its
  alternatives). Containment is after normalisation: NFKC, lower case, every
  run of non-word characters becomes one space. A truth that is a phone number
  (type "phone", or it starts with "+") is compared as digits: it is found when
  its digits appear inside the digits of a phone-like span of the answer.
  An answer naming more than max(4, 2 x the truths it needs) distinct dates is
  a listing, not an answer, and is never right (``is_dump``).
- absent (truths []): right when the engine abstained.
- abstained: ``answer.found`` is False, or the text says so
  (``ABSTENTION_PHRASES``).
- unsupported claim: a non-abstained answer holding a "specific" (see
  ``specifics``: URL, e-mail, phone number, date, clock time, number of 2+
  digits, capitalised name not in the question) that none of the cited
  passages' text/title/time/author/place (nor ``Answer.evidence`` quotes, when
  the engine has them) contains after normalisation.

Printed per type, per language, per source kind and overall: right %,
unsupported-claim % of non-abstained answers, abstention on absent
questions, false abstention on answerable ones, seconds per answer
(median, p95).
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

BENCH = Path(__file__).resolve().parent
QUESTIONS = BENCH / "personal_qa.json"
CORPUS = BENCH.parent.parent / "shared" / "corpus" / "real"
KINDS = ("notes", "messages", "photos", "calendar", "contacts")
TYPES = ("phone", "email", "address", "birthday", "when", "where", "who", "list", "fact", "summary", "absent")
DEFAULT_NOW = "2026-12-01T12:00:00+00:00"
MANIFEST = "personal_qa_home.json"  # marks a home built by this script (and what it holds)

ABSTENTION_PHRASES = (
    "not mentioned", "no information", "not found", "nothing relevant", "don't know", "do not know",
    "can't find", "cannot find", "couldn't find", "could not find", "not in your data", "no record",
    "未提及", "没有提到", "没有找到", "找不到", "不知道", "没有相关", "无相关", "数据里没有",
)


# ---- normalisation and matching ----------------------------------------------------------


def norm(text: object) -> str:
    """NFKC, lower case, every run of non-word characters -> one space, digits split from letters ("425F" -> "425 f")."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    text = re.sub(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)", " ", text)
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def contains(haystack: str, needle: str) -> bool:
    """``needle`` inside ``haystack`` (both normalised) and not glued to a Latin letter or digit on either side.

    So "4 august 2011" is not found in "14 august 2011", nor "oak" in "soak"; a
    CJK truth such as 覆盖 is found inside 进行覆盖.
    """
    return bool(needle) and re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", haystack) is not None


_CITATION_MARK = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
_PHONE_SPAN = re.compile(r"[+(]?\d[\d\s().\-]{5,}\d")


def strip_marks(text: str) -> str:
    """The answer without its excerpt markers ("12 May [1]" -> "12 May")."""
    return _CITATION_MARK.sub("", text).strip()


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def phone_like(span: str) -> bool:
    """7+ digits in at most one single-digit group ("+1 418 262 6501" yes; "1. 2. 3. 4." or a date no)."""
    groups = re.findall(r"\d+", span)
    return len(digits(span)) >= 7 and sum(len(g) == 1 for g in groups) <= 1 and not dates_in(span)


def phone_spans(text: str) -> list[str]:
    return [m[0].strip() for m in _PHONE_SPAN.finditer(text) if phone_like(m[0])]


def is_phone_truth(truth: str, qtype: str) -> bool:
    return len(digits(truth)) >= 7 and (qtype == "phone" or truth.strip().startswith("+"))


def truth_found(truth: str, answer: str, qtype: str) -> bool:
    """One truth (alternatives split on " | ") contained in the answer."""
    for form in (t.strip() for t in truth.split(" | ")):
        if not form:
            continue
        if is_phone_truth(form, qtype):
            if any(digits(form) in digits(span) for span in phone_spans(answer)):
                return True
        elif contains(norm(answer), norm(form)):
            return True
    return False


def is_dump(item: dict, answer: str) -> bool:
    """An answer naming more dates than the question could need (a listing of everything) earns nothing."""
    needed = len(item["truths"]) if item.get("match") == "all" else 1
    return len(dates_in(answer)) > max(4, 2 * needed)


def is_right_text(item: dict, answer: str) -> bool:
    """Truth containment (see the module docstring)."""
    truths = item["truths"]
    if not truths or is_dump(item, answer):
        return False
    found = [truth_found(t, answer, item["type"]) for t in truths]
    return all(found) if item.get("match") == "all" else any(found)


def abstained(text: str, found: bool = True) -> bool:
    lowered = text.lower()
    return found is False or any(p in lowered for p in ABSTENTION_PHRASES)


# ---- unsupported-claim checker -------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_ORD = r"(?:st|nd|rd|th)?"
_DATE_PATTERNS = [  # each reads a match as a list of (year or None, month, day)
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})"), lambda m: [(int(m[1]), int(m[2]), int(m[3]))]),
    (re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), lambda m: [(int(m[1]) if m[1] else None, int(m[2]), int(m[3]))]),
    (re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?\b", re.I),
     lambda m: [(int(m[3]) if m[3] else None, _MONTHS[m[2].lower().rstrip(".")], int(m[1]))]),
    (re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}){_ORD}\b(?:,?\s+(\d{{4}}))?", re.I),
     lambda m: [(int(m[3]) if m[3] else None, _MONTHS[m[1].lower().rstrip(".")], int(m[2]))]),
    (re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b"),  # 31.10.2016 or 10/31/2016: both readings
     lambda m: [(int(m[3]), int(m[2]), int(m[1])), (int(m[3]), int(m[1]), int(m[2]))]),
    (re.compile(r"\b(\d{4})(\d{2})(\d{2})(?:T\d{4,6}Z?)?\b"), lambda m: [(int(m[1]), int(m[2]), int(m[3]))]),  # 20190228 (iCalendar)
    (re.compile(r"--(\d{2})-?(\d{2})\b"), lambda m: [(None, int(m[1]), int(m[2]))]),  # --02-03 (vCard date without year)
]
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})(?::\d{2})?\s*(am|pm|a\.m\.|p\.m\.)?", re.I)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Z][\w'’.-]*[a-zA-Z0-9](?:\s+[A-Z][\w'’.-]*[a-zA-Z0-9])*")  # a capital inside a word (macOS) starts no name
# Capitalised words that start sentences or name days and months: not proper names to check.
_NOT_NAMES = set("""
a an the and but or so yes no not it its it's he she they them their we you your i i'm i've me my mine our this that these
those there here then when where who what which why how on in at by for from to of with about after before during since until
according based as if also however note answer sorry unfortunately both each all some none one two three first last
monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun am pm ok okay hi hello dear
whatsapp telegram imessage sms mms discord messenger facebook instagram signal slack evernote keep tomboy siyuan
exif xmp iptc gps vcard ics pdf
see check here please maybe perhaps probably likely sure thanks thank let just only call text email ask visit
""".split()) | set(_MONTHS)


def dates_in(text: str) -> set[tuple[int | None, int, int]]:
    found = set()
    for pattern, read in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            try:
                readings = read(m)
            except (KeyError, TypeError, ValueError):
                continue
            found.update((y, mo, d) for y, mo, d in readings if 1 <= mo <= 12 and 1 <= d <= 31)
    return found


def specifics(answer: str, question: str) -> list[tuple[str, str]]:
    """(kind, text) of every checkable specific in the answer that the question does not already hold."""
    out: list[tuple[str, str]] = []
    rest = answer
    for kind, pattern in (("url", _URL), ("email", _EMAIL)):
        for m in pattern.finditer(rest):
            out.append((kind, m[0].rstrip(".,;")))
        rest = pattern.sub(" ", rest)
    for span in phone_spans(rest):
        out.append(("phone", span))
    rest = _PHONE_SPAN.sub(lambda m: " " if phone_like(m[0]) else m[0], rest)
    for pattern, _ in _DATE_PATTERNS:
        for m in pattern.finditer(rest):
            if dates_in(m[0]):
                out.append(("date", m[0].strip()))
        rest = pattern.sub(lambda m: " " if dates_in(m[0]) else m[0], rest)
    for m in _TIME.finditer(rest):
        out.append(("time", m[0].strip()))
    rest = _TIME.sub(" ", rest)
    for m in re.finditer(r"\d{2,}", rest):
        out.append(("number", m[0]))
    question_words = set(norm(question).split())
    for m in _NAME.finditer(rest):
        words = [w for w in m[0].split() if w.lower().strip(".'’") not in _NOT_NAMES]
        if words and not all(norm(w) in question_words for w in words):
            out.append(("name", " ".join(words)))
    asked_dates, asked = dates_in(question), norm(question)
    return [(k, t) for k, t in out
            if not (dates_in(t) <= asked_dates if k == "date" else contains(asked, norm(t)))]


def supported(kind: str, text: str, sources: str) -> bool:
    """Whether one specific appears in the cited text (``sources``: the raw joined citation text)."""
    plain = norm(sources)
    if kind == "phone":
        return digits(text) in digits(sources)
    if kind == "date":  # same month and day; same year too when both name one
        cited = dates_in(sources)
        return all(any((mo, d) == (mo2, d2) and (y is None or y2 is None or y == y2) for y2, mo2, d2 in cited)
                   for y, mo, d in dates_in(text))
    if kind == "time":  # the same clock time, 12- or 24-hour
        m = _TIME.match(text)
        hour, minute = int(m[1]), m[2]
        hours = {hour % 12, hour % 12 + 12} if m[3] else {hour, hour + 12, hour - 12}
        return any(contains(plain, f"{h} {minute}") or contains(plain, f"{h:02d} {minute}") for h in hours if 0 <= h < 24)
    return contains(plain, norm(text))


def resolved_days(text: str, written: str | None) -> list[str]:
    """The days a citation's relative dates name, resolved against when it was written
    ("I saw it yesterday", sent 15 Aug 2023 -> 2023-08-14), as issue 13 asks the check to."""
    if not written:
        return []
    from pocketmind.timeexpr import resolve_mentions

    mentions = resolve_mentions(text, datetime.fromisoformat(written))
    return [m.start.isoformat() for m in mentions if m.granularity == "day" and m.start == m.end]


def citation_text(answer: Any) -> str:
    """Everything the answer cites: each citation's text, snippet, title, time, author, place, and any evidence quotes."""
    parts = []
    for c in getattr(answer, "citations", []) or []:
        parts += [getattr(c, name, None) for name in ("text", "snippet", "title", "time", "author", "place")]
        parts += resolved_days(getattr(c, "snippet", None) or "", getattr(c, "time", None))
    for quote in getattr(answer, "evidence", []) or []:
        parts.append(quote if isinstance(quote, str) else getattr(quote, "text", None) or getattr(quote, "quote", None) or str(quote))
    return "\n".join(str(p) for p in parts if p)


def unsupported_specifics(answer_text: str, sources: str, question: str) -> list[str]:
    """The answer's specifics (``kind:text``) that the cited text ``sources`` does not hold."""
    text = strip_marks(answer_text)
    return [f"{kind}:{value}" for kind, value in specifics(text, question) if not supported(kind, value, sources)]


# ---- the home ----------------------------------------------------------------------------------


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    items = json.loads(path.read_text(encoding="utf-8"))
    for item in items:
        if item["type"] not in TYPES or item["lang"] not in ("en", "zh"):
            raise ValueError(f"{item['id']}: bad type or lang")
        if (item["type"] == "absent") != (not item["truths"]):
            raise ValueError(f"{item['id']}: absent questions (and only they) have no truths")
        for name in item["files"]:
            if name.split("/", 1)[0] not in KINDS:
                raise ValueError(f"{item['id']}: {name} is not under one of {KINDS}")
    return items


def select(items: list[dict], lang: str | None, qtype: str | None, limit: int | None) -> list[dict]:
    chosen = [i for i in items if (not lang or i["lang"] == lang) and (not qtype or i["type"] == qtype)]
    if limit and limit < len(chosen):  # spread over the list so every type stays represented
        chosen = [chosen[int(k * len(chosen) / limit)] for k in range(limit)]
    return chosen


def home_files(items: list[dict]) -> list[str]:
    return sorted({name for item in items for name in item["files"]})


def prepare_home(home: Path, files: list[str], corpus: Path, reuse: bool) -> bool:
    """Copy the files into <home>/data/<kind>/...; True when an existing index can be reused as is."""
    manifest = home / MANIFEST
    if manifest.exists():
        held = json.loads(manifest.read_text(encoding="utf-8"))
        if reuse and held.get("files") == files and held.get("indexed"):
            return True
        shutil.rmtree(home)  # built by this script before: start again
    elif home.exists() and any(home.iterdir()):
        raise SystemExit(f"{home} is not empty and was not built by this script; give an empty or new folder")
    for name in files:
        source = corpus / name
        if not source.is_file():
            raise SystemExit(f"missing corpus file {source}")
        target = home / "data" / name  # name starts with its kind: notes/, messages/, ...
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    manifest.write_text(json.dumps({"files": files, "indexed": False}, indent=1), encoding="utf-8")
    return False


def open_engine(home: Path, now: datetime, answerer: str = "llama"):
    for attempt in range(5):  # the package may be mid-restructure in a working tree
        try:
            from pocketmind import Engine
            break
        except ImportError as error:
            if attempt == 4:
                raise
            print(f"pocketmind import failed ({error}); retrying in 60 s", file=sys.stderr)
            time.sleep(60)
    if answerer == "llama":
        return Engine(home=home / "pm", now=lambda: now)
    from pocketmind.settings import Settings

    settings = Settings()
    settings.models.answerer = answerer
    return Engine(home=home / "pm", now=lambda: now, settings=settings)


def build_index(engine, home: Path, files: list[str]) -> dict:
    kinds = sorted({name.split("/", 1)[0] for name in files})
    present = {s.get("name") for s in engine.sources()}
    for kind in kinds:
        if kind not in present:
            engine.add_source(kind, home / "data" / kind, name=kind)
    started = time.perf_counter()
    summaries = engine.index()
    seconds = time.perf_counter() - started
    info = {"index_s": round(seconds, 1), "files": len(files)}
    for name in ("added", "updated", "deleted", "unchanged", "failed", "embedded"):
        info[name] = sum(getattr(s, name, 0) or 0 for s in summaries)
    manifest = home / MANIFEST
    manifest.write_text(json.dumps({"files": files, "indexed": True, "index": info}, indent=1), encoding="utf-8")
    return info


# ---- asking ------------------------------------------------------------------------------------


@dataclass
class Row:
    id: str
    question: str
    lang: str
    type: str
    kind: str  # source kind of the item's first file
    truths: list[str]
    match: str
    answer: str = ""
    found: bool = True
    abstained: bool = False
    right: bool = False
    unsupported: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cited: str = ""  # the citations' text as checked for unsupported claims (kept for --rescore)


def ask(engine, item: dict) -> Row:
    row = Row(item["id"], item["question"], item["lang"], item["type"], item["files"][0].split("/", 1)[0],
              item["truths"], item.get("match", "any"))
    started = time.perf_counter()
    answer = engine.ask(item["question"])
    row.seconds = time.perf_counter() - started
    row.answer = str(answer.text)
    row.found = bool(getattr(answer, "found", True))
    row.cited = citation_text(answer)
    row.citations = [f"{c.kind} {c.id}" for c in answer.citations]
    return score(row, item)


def score(row: Row, item: dict) -> Row:
    """Fill the verdicts of ``row`` from its answer and cited text (also used by --rescore)."""
    row.abstained = abstained(row.answer, row.found)
    row.right = row.abstained if item["type"] == "absent" else is_right_text(item, strip_marks(row.answer))
    row.unsupported = [] if row.abstained else unsupported_specifics(row.answer, row.cited, item["question"])
    return row


def rescore(path: Path, questions: Path) -> None:
    """Score the answers saved by an earlier --json run again with the current rules and truths (no engine)."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    items = {item["id"]: item for item in load_questions(questions)}
    rows = []
    for data in saved["rows"]:
        row = Row(**data)
        if row.id in items:
            item = items[row.id]
            row.question, row.type, row.lang, row.truths, row.match = (item["question"], item["type"], item["lang"],
                                                                        item["truths"], item.get("match", "any"))
            rows.append(score(row, item))
    print_report(summarize(rows), saved["index"], datetime.fromisoformat(saved["now"]), saved["elapsed_s"], saved.get("warmup_s"))


# ---- summary -----------------------------------------------------------------------------------


def _percentile(values: Sequence[float], q: float) -> float | None:
    values = sorted(values)
    if not values:
        return None
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _share(flags: Iterable[bool]) -> float | None:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else None


def figures(rows: list[Row]) -> dict[str, Any]:
    answerable = [r for r in rows if r.type != "absent"]
    absent = [r for r in rows if r.type == "absent"]
    spoke = [r for r in rows if not r.abstained]
    return {
        "questions": len(rows),
        "right": _share(r.right for r in rows),
        "right_answerable": _share(r.right for r in answerable),
        "unsupported": _share(bool(r.unsupported) for r in spoke),
        "answered": len(spoke),
        "abstention_right": _share(r.abstained for r in absent),
        "false_abstention": _share(r.abstained for r in answerable),
        "seconds_p50": statistics.median([r.seconds for r in rows]) if rows else None,
        "seconds_p95": _percentile([r.seconds for r in rows], 0.95),
    }


def summarize(rows: list[Row]) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for axis, key, order in (("type", lambda r: r.type, TYPES), ("lang", lambda r: r.lang, ("en", "zh")),
                             ("kind", lambda r: r.kind, KINDS)):
        out[axis] = {name: figures([r for r in rows if key(r) == name]) for name in order if any(key(r) == name for r in rows)}
    out["overall"] = {"all": figures(rows)}
    return out


def print_report(summary: dict, info: dict, now: datetime, elapsed: float, warmup: float | None) -> None:
    pct = lambda v: "-" if v is None else f"{100 * v:.1f}"  # noqa: E731
    sec = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    print(f"\npersonal QA: {info.get('files')} corpus files, index {info.get('index_s', 'reused')} s "
          f"(added {info.get('added', '-')}, failed {info.get('failed', '-')}, embedded {info.get('embedded', '-')}); "
          f"now = {now.isoformat()}")
    header = f"{'':<10}{'n':>5}{'right%':>8}{'unsupp%':>9}{'answered':>9}{'abst ok%':>10}{'false abst%':>12}{'s p50':>7}{'s p95':>7}"
    titles = {"type": "per type", "lang": "per language", "kind": "per source kind (first file)", "overall": "overall"}
    for axis in ("type", "lang", "kind", "overall"):
        print(f"\n{titles[axis]}")
        print(header)
        for name, f in summary[axis].items():
            print(f"{name:<10}{f['questions']:>5}{pct(f['right']):>8}{pct(f['unsupported']):>9}{f['answered']:>9}"
                  f"{pct(f['abstention_right']):>10}{pct(f['false_abstention']):>12}{sec(f['seconds_p50']):>7}{sec(f['seconds_p95']):>7}")
    print("\nright% = truth contained (answerable) or abstained (absent); unsupp% = share of the answers that did not abstain "
          "('answered') with a specific found in no citation; abst ok% = absent questions abstained; false abst% = answerable "
          "questions abstained; seconds per ask")
    overall = summary["overall"]["all"]
    print(f"answerable right {pct(overall['right_answerable'])}%; "
          f"warm-up ask {sec(warmup)} s (not counted); total wall time {elapsed:.0f} s")


def show(row: Row) -> None:
    verdict = "RIGHT" if row.right else "wrong"
    flags = (" [abstained]" if row.abstained else "") + (f" [unsupported: {', '.join(row.unsupported)}]" if row.unsupported else "")
    print(f"\n{row.id} ({row.lang}, {row.type}) {row.question}\n  answer: {row.answer.strip()}\n  truths ({row.match}): "
          f"{row.truths or '(absent: should abstain)'}\n  {verdict}{flags}  {row.seconds:.2f} s; cites {row.citations[:3]}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=None, help="home folder to build (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="reuse the index under --home when it holds the same files")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the real corpus folder")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--now", default=DEFAULT_NOW, help="the engine's clock (ISO 8601 with offset)")
    parser.add_argument("--limit", type=int, default=None, help="ask N questions spread over the (filtered) list")
    parser.add_argument("--lang", choices=("en", "zh"), default=None)
    parser.add_argument("--type", choices=TYPES, default=None)
    parser.add_argument("--show", action="store_true", help="print each question, answer, truths and verdict")
    parser.add_argument("--json", type=Path, default=None, help="write summary and per-question rows here")
    parser.add_argument("--rescore", type=Path, default=None, help="score the rows of an earlier --json run again (no engine)")
    parser.add_argument("--resume", action="store_true", help="keep the answers already in the --json file of an interrupted run")
    parser.add_argument("--answerer", default="llama",
                        help="models.answerer: 'llama' (the bundled model) or 'extractive' (no model: the best quoted span)")
    args = parser.parse_args(argv)
    if args.rescore:
        rescore(args.rescore, args.questions)
        return

    now = datetime.fromisoformat(args.now)
    if now.tzinfo is None:
        raise SystemExit("--now needs an offset, e.g. 2026-12-01T12:00:00+00:00")
    items = load_questions(args.questions)
    chosen = select(items, args.lang, args.type, args.limit)
    files = home_files(items)

    done: dict[str, Row] = {}
    if args.resume:  # rows of an interrupted --json run with the same clock
        if not (args.json and args.json.exists()):
            raise SystemExit("--resume needs the --json file of the interrupted run")
        saved = json.loads(args.json.read_text(encoding="utf-8"))
        if saved.get("now") == now.isoformat():
            done = {data["id"]: Row(**data) for data in saved["rows"]}

    holder = None
    if args.home is None:
        holder = tempfile.TemporaryDirectory(prefix="personal-qa-")
        home = Path(holder.name)
    else:
        home = args.home.expanduser().resolve()
    started = time.perf_counter()

    def save(rows: list[Row], complete: bool) -> None:
        if args.json:
            payload = {
                "questions_file": str(args.questions), "now": now.isoformat(),
                "filters": {"lang": args.lang, "type": args.type, "limit": args.limit}, "complete": complete,
                "files": files, "index": info, "elapsed_s": round(time.perf_counter() - started, 1), "warmup_s": round(warmup, 2),
                "summary": summarize(rows) if complete else None, "rows": [asdict(r) for r in rows],
            }
            args.json.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")

    try:
        reuse = prepare_home(home, files, args.corpus, args.reuse)
        with open_engine(home, now, args.answerer) as engine:
            if reuse:
                info = json.loads((home / MANIFEST).read_text(encoding="utf-8"))["index"] | {"index_s": "reused"}
            else:
                info = build_index(engine, home, files)
            print(f"home {home}: {len(files)} files; {info}", file=sys.stderr)
            warm = time.perf_counter()
            engine.ask("What did I note about my trip?")  # loads the models; not counted
            warmup = time.perf_counter() - warm
            rows = []
            for number, item in enumerate(chosen, 1):
                row = score(done[item["id"]], item) if item["id"] in done else ask(engine, item)
                rows.append(row)
                save(rows, complete=False)  # an interrupted run can go on with --resume
                if args.show:
                    show(row)
                else:
                    print(f"\r{number}/{len(chosen)} asked", end="", file=sys.stderr, flush=True)
            print(file=sys.stderr)
    finally:
        if holder is not None:
            holder.cleanup()
    elapsed = time.perf_counter() - started
    summary = summarize(rows)
    print_report(summary, info, now, elapsed, warmup)
    save(rows, complete=True)


if __name__ == "__main__":
    main()
