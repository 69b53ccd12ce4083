"""Choosing what the model reads: relevance cut-off and a token budget."""

from __future__ import annotations

from typing import Sequence

from .results import Result

# Below this cosine similarity a passage is noise for all-MiniLM-L6-v2 unless
# full-text search also found it; measured on the bundled sample notes.
MIN_SIMILARITY = 0.25


def relevant(results: Sequence[Result], min_similarity: float = MIN_SIMILARITY) -> list[Result]:
    """Drop a result list that has nothing close to the question.

    A result counts as relevant when its vector similarity is high enough or
    it was found by full-text search too (its fused score then exceeds what
    one list alone can give).
    """
    single_list_max = 1.0 / 61
    keep = [r for r in results if r.similarity >= min_similarity or r.score > single_list_max + 1e-9]
    return keep


def pack_context(results: Sequence[Result], answerer, question: str, budget: int) -> list[Result]:
    """The best results, in rank order, whose text fits in ``budget`` tokens.

    The first result is always kept (clipped to the budget) so a long note
    cannot leave the model with nothing.
    """
    count = getattr(answerer, "count_tokens", None) or (lambda text: len(text) // 4 + 1)
    packed: list[Result] = []
    used = 0
    for result in results:
        text = result.text or result.snippet
        cost = count(text) + 24  # header line and quoting
        if used + cost > budget:
            if not packed:
                keep_chars = max(200, int(len(text) * budget / max(cost, 1)))
                result.text = text[:keep_chars]
                packed.append(result)
            continue
        packed.append(result)
        used += cost
    return packed
