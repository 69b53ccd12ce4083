"""Hybrid retrieval: vector KNN and FTS5 ranks fused, best passage per document.

Reciprocal rank fusion (RRF) needs no score calibration between the two
lists: a chunk's fused score is the sum over lists of ``weight / (60 + rank)``.
Filters (kind, source, time) are applied inside both searches; the person
filter, which the vector table cannot express, is applied to the candidates.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pocketmind.store import Filters, Store

from pocketmind.results import Result
from pocketmind.text import CJK_CHAR

from .fulltext import match_expression, query_terms

# One long-lived worker: its SQLite connection (one per thread) stays open between searches.
_CANDIDATES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pocketmind-knn")

RRF_K = 10  # measured on LoCoMo dev: 60 -> 10 lifts evidence recall@10 from 66.8 to 71.2
SNIPPET_CHARS = 220


@dataclass
class Weights:
    vector: float = 1.0
    fulltext: float = 1.2  # LoCoMo dev with reply 0.5: 1.0 -> 1.2 lifts recall@10 74.9 -> 75.6
    place: float = 1.0  # the list of documents at a place named in the question
    boost: float = 0.5  # per matched place / kind, in units of a first-rank RRF score
    person: float = 1.0  # for the person named first (the speaker of a message); same unit
    reply: float = 0.5  # share of a message hit's score passed to the message after it (0.3 -> 0.5: R@10 73.9 -> 74.9)
    # The multilingual (USE) list for every passage; a Chinese passage's USE rank also
    # counts with ``vector`` (it stands in for MiniLM there). LoCoMo dev (English):
    # 0.5 -> 0.0 keeps evidence recall@10 at 74.9 (0.5: 74.1); a CJK query sets 1.0.
    multilingual: float = 0.0
    # A conversation's latest turn, searched as one more multilingual list, in units of
    # that list's weight. MADial zh R@5 / nDCG@5: 0 59.7 / 66.9, 0.5 62.9 / 71.0,
    # 1.0 63.6 / 72.1, 1.5 62.7 / 70.9, 2.0 60.9 / 69.7.
    latest_turn: float = 1.0


@dataclass
class Boost:
    """Soft preferences read from the question (see :mod:`pocketmind.query`)."""

    people: Sequence[str] = ()  # every spelling of the people the question names
    speaker: Sequence[str] = ()  # spellings of the first one named, usually its subject
    places: Sequence = ()  # gazetteer PlaceMatch
    kinds: Sequence[str] = ()

    def __bool__(self) -> bool:
        return bool(self.people or self.places or self.kinds)

    def score(self, hit: dict, weights: Weights) -> float:
        """The boost a hit earns, in units of a first-rank RRF score."""
        return weights.person * self.person_matches(hit) + weights.boost * self.other_matches(hit)

    def person_matches(self, hit: dict) -> bool:
        if not self.people:
            return False
        if hit["author"]:
            # Everyone in a chat is among its messages' (and shared photos') people:
            # what tells a message apart is who wrote it. Measured on LoCoMo dev:
            # boosting the author named first lifts evidence recall@5 from 61 to 67.
            speakers = self.speaker or self.people
            return hit["author"].casefold() in {p.casefold() for p in speakers}
        names = {p.casefold() for p in hit["people"]}
        return any(p.casefold() in names for p in self.people)

    def other_matches(self, hit: dict) -> int:
        n = 0
        if self.places and at_place(hit, self.places):
            n += 1
        if self.kinds and hit["kind"] in self.kinds:
            n += 1
        return n


def at_place(hit: dict, places: Sequence) -> bool:
    place = (hit.get("place") or "").casefold()
    meta = hit.get("metadata") or {}
    lat, lon = meta.get("lat"), meta.get("lon")
    for match in places:
        if match.name.casefold() in place:
            return True
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
            south, west, north, east = match.bbox
            if south <= lat <= north and west <= lon <= east:
                return True
    return False


def hybrid_search(store: Store, query_vector: np.ndarray | None, query: str, k: int, filters: Filters,
                  candidates: int = 60, weights: Weights = Weights(), boost: Boost = Boost(),
                  mentioned: tuple[int | None, int | None] | None = None, depth: int | None = None,
                  multilingual_vector: np.ndarray | None = None,
                  latest_turn_vector: np.ndarray | None = None) -> list[Result]:
    """``mentioned``: a [since, until) window; passages that talk about a date in
    it join the fusion even when they were written outside it. ``depth`` (>= k)
    returns more results than ``k`` without changing how the first ``k`` rank, for
    a caller that also reads further down (the answer's abstention check); each
    result's ``base_score`` is its score before the question's boosts.
    ``multilingual_vector``: the query by the multilingual embedder, searched in
    the multilingual vector list (see :mod:`pocketmind.store.multilingual`).
    ``latest_turn_vector``: for a conversation sent as the query, its latest turn
    by the multilingual embedder (see :func:`pocketmind.search.question.latest_turn`),
    searched in the same list and fused beside it."""
    vec_filters = Filters(filters.kinds, filters.sources, filters.since, filters.until)
    # The vector table cannot filter by person: look further, then filter.
    vec_k = candidates * (4 if filters.by_person else 1)
    # The two lists are independent: the vector search runs on a worker thread
    # (its own SQLite connection; apsw and numpy release the GIL) while the
    # full-text search runs here, so a search costs about the slower of the two.
    vector_job = _CANDIDATES.submit(store.knn, query_vector, vec_k, vec_filters) if query_vector is not None else None
    multilingual_job = (_CANDIDATES.submit(store.multilingual_knn, multilingual_vector, vec_k, vec_filters)
                        if multilingual_vector is not None else None)
    latest_job = (_CANDIDATES.submit(store.multilingual_knn, latest_turn_vector, vec_k, vec_filters)
                  if latest_turn_vector is not None and multilingual_job is not None else None)
    text_hits = store.fulltext(match_expression(query), candidates, filters)
    vector_hits = vector_job.result() if vector_job is not None else []
    multilingual_hits = multilingual_job.result() if multilingual_job is not None else []
    latest_hits = latest_job.result() if latest_job is not None else []
    cjk: set[int] = set()
    if multilingual_job is not None:
        # The main embedder is English-only (else there is no second list): its
        # ranks of Chinese passages are noise. The multilingual list stands in for
        # it there: a Chinese passage's multilingual rank counts with both weights.
        texts = store.chunk_texts([cid for cid, _ in vector_hits + multilingual_hits + latest_hits])
        cjk = {cid for cid, text in texts.items() if mostly_cjk(text)}
        vector_hits = [(cid, d) for cid, d in vector_hits if cid not in cjk]
    if filters.by_person:
        allowed = store.filter_chunk_ids([cid for cid, _ in vector_hits + multilingual_hits + latest_hits], filters)
        vector_hits = [(cid, d) for cid, d in vector_hits if cid in allowed][:candidates]
        multilingual_hits = [(cid, d) for cid, d in multilingual_hits if cid in allowed][:candidates]
        latest_hits = [(cid, d) for cid, d in latest_hits if cid in allowed][:candidates]

    fused: dict[int, float] = {}
    similarity: dict[int, float] = {}
    cjk_query = mostly_cjk(query)
    for rank, (cid, distance) in enumerate(vector_hits):
        fused[cid] = fused.get(cid, 0.0) + weights.vector / (RRF_K + rank + 1)
        similarity[cid] = 0.0 if distance is None else 1.0 - float(distance)  # NULL for a zero vector
    for rank, (cid, distance) in enumerate(multilingual_hits):
        weight = weights.multilingual + (weights.vector if cid in cjk else 0.0)
        if not weight:
            continue
        fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + rank + 1)
        # What the answer's relevance cut-off reads where the main embedder gave nothing
        # (a Chinese passage or question): USE puts related zh/en text at 0.4-0.5, unrelated below 0.25.
        # For a Chinese question the English embedder's cosine is noise even on an English passage.
        use_similarity = 0.0 if distance is None else 1.0 - float(distance)
        if cjk_query:
            similarity[cid] = max(similarity.get(cid, 0.0), use_similarity)
        else:
            similarity.setdefault(cid, use_similarity)
    for rank, (cid, _distance) in enumerate(latest_hits):
        weight = weights.latest_turn * (weights.multilingual + (weights.vector if cid in cjk else 0.0))
        if weight:
            fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + rank + 1)
    for rank, (cid, _score) in enumerate(text_hits):
        fused[cid] = fused.get(cid, 0.0) + weights.fulltext / (RRF_K + rank + 1)
    if mentioned is not None:
        for rank, cid in enumerate(store.mention_candidates(mentioned[0], mentioned[1], candidates, filters)):
            fused[cid] = fused.get(cid, 0.0) + weights.fulltext / (RRF_K + rank + 1)
    if boost.places:
        names = [p.name for p in boost.places]
        boxes = [p.bbox for p in boost.places]
        for rank, cid in enumerate(store.place_candidates(names, boxes, candidates, filters)):
            fused[cid] = fused.get(cid, 0.0) + weights.place / (RRF_K + rank + 1)

    if weights.reply:
        pass_on_to_replies(store, fused, k, filters, weights.reply)

    lexical = {cid for cid, _ in text_hits}
    ranked = sorted(fused, key=fused.__getitem__, reverse=True)
    hits = store.chunk_hits(ranked[: max(k * 4, 40)])
    base = {cid: fused[cid] for cid in hits}
    if boost:
        unit = 1.0 / (RRF_K + 1)
        for cid, hit in hits.items():
            fused[cid] += unit * boost.score(hit, weights)
        ranked = sorted(hits, key=fused.__getitem__, reverse=True)
    if query_vector is not None and not cjk_query:
        # A passage found by the date it talks about, its place or as a reply was not among the
        # vector hits (a date window filters those): its similarity is read from its stored
        # vector, else the answer's relevance cut-off drops it ("Who did Maria have dinner with
        # on May 3?" -> "My mom and I made some dinner together last night!", sent on 4 May).
        unscored = [cid for cid in hits if cid not in similarity]
        similarity.update(store.similarities(query_vector, unscored))
    terms = query_terms(query)
    results: list[Result] = []
    seen_docs: set[str] = set()
    for cid in ranked:
        hit = hits.get(cid)
        if hit is None:
            continue
        key = same_moment(hit)
        if key in seen_docs:
            continue  # one result per document (its best passage), a shared photo counts as its message
        seen_docs.add(key)
        result = to_result(hit, fused[cid], similarity.get(cid, 0.0), terms)
        result.lexical = cid in lexical
        result.base_score = base[cid]
        results.append(result)
        if len(results) >= max(k, depth or 0):
            break
    return results


def pass_on_to_replies(store: Store, fused: dict[int, float], k: int, filters: Filters, share: float) -> None:
    """An answer often comes right after the message that matches the question: the
    message after each top hit gets ``share`` of the hit's score (a run of replies
    passes it on down the run).

    What a reply inherits never lifts it above the message it came from, unless it
    matched better on its own: "When did Anna sell the piano?" ranked "The movers
    come on the 27th" above "Yesterday I sold the piano", the first hit of both
    lists, and her move to Berlin (two messages after "I have news") above both.
    LoCoMo dev: evidence recall@5 66.6 -> 67.1, @10 74.6 -> 74.7."""
    own = dict(fused)  # what each passage matched by itself
    top = sorted(own, key=own.__getitem__, reverse=True)[: max(k, 10)]
    replies = store.next_messages(top)
    allowed = store.filter_chunk_ids(list(replies.values()), filters)  # a reply must pass the filters too
    replies = {cid: next_cid for cid, next_cid in replies.items() if next_cid in allowed}
    for cid, next_cid in replies.items():
        fused[next_cid] = fused.get(next_cid, 0.0) + share * fused[cid]
    for cid, next_cid in replies.items():
        if own.get(next_cid, 0.0) < own[cid] and fused[next_cid] >= fused[cid]:
            fused[next_cid] = fused[cid] * (1 - 1e-9)  # just below the message it answers


def mostly_cjk(text: str) -> bool:
    """Whether a passage is mostly Chinese, Japanese or Korean (a CJK character
    counted as a word, three Latin letters to a word)."""
    cjk = len(CJK_CHAR.findall(text))
    return cjk > 0 and 3 * cjk >= sum(ch.isascii() and ch.isalpha() for ch in text)


def same_moment(hit: dict) -> str:
    """The document a hit stands for: a photo shared in a chat is its message."""
    message_id = (hit.get("metadata") or {}).get("message_id")
    if hit["kind"] == "photo" and message_id:
        return f"{hit['source']}:{message_id}"
    return hit["id"]


def to_result(hit: dict, score: float, similarity: float, terms: Sequence[str]) -> Result:
    snippet, spans = make_snippet(hit["chunk_text"], terms)
    return Result(
        id=hit["id"], kind=hit["kind"], source=hit["source"], title=hit["title"], snippet=snippet,
        time=hit["occurred_local"], uri=hit["uri"], score=score, text=hit["chunk_text"], heading=hit["heading"],
        author=hit["author"], conversation=hit["conversation"], people=hit["people"], place=hit["place"],
        metadata=hit["metadata"], highlights=spans, similarity=similarity, chunk_id=hit["chunk_id"],
        occurred_at=hit["occurred_at"], ended_at=hit["ended_at"],
    )


def make_snippet(text: str, terms: Sequence[str], width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """The window of ``text`` with the most query terms, and where they are in it."""
    flat = " ".join(text.split())
    if not terms:
        return _clip(flat, 0, width), []
    pattern = re.compile("|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True)), re.IGNORECASE)
    matches = list(pattern.finditer(flat))
    if not matches:
        return _clip(flat, 0, width), []
    best_start, best_count = 0, -1
    for m in matches:
        start = max(0, m.start() - width // 4)
        count = sum(1 for other in matches if start <= other.start() < start + width)
        if count > best_count:
            best_start, best_count = start, count
    if best_start > 0:
        space = flat.find(" ", best_start)
        best_start = space + 1 if 0 <= space < best_start + 20 else best_start
    snippet = _clip(flat, best_start, width)
    offset = 1 if best_start > 0 else 0  # the leading ellipsis
    spans = [(m.start() - best_start + offset, m.end() - best_start + offset)
             for m in matches if best_start <= m.start() and m.end() <= best_start + width]
    return snippet, spans


def _clip(flat: str, start: int, width: int) -> str:
    piece = flat[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(flat) else ""
    return prefix + piece + suffix
