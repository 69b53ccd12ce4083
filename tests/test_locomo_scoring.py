"""LoCoMo scoring (hand-computed cases) and the export -> dia_id mapping of the harness."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pocketmind.indexers.whatsapp import WhatsAppIndexer
from pocketmind.results import Result

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import locomo  # noqa: E402
import locomo_data  # noqa: E402
import locomo_scoring as scoring  # noqa: E402

DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "locomo" / "dev"


# ---- normalisation and token F1 ----------------------------------------------------


def test_normalize_drops_articles_and_punctuation_and_collapses_space():
    assert scoring.normalize("The cat, and a   Dog!") == "cat dog"
    assert scoring.normalize("An apple-pie; the END.") == "applepie end"
    assert scoring.normalize(2022) == "2022"


def test_stemming_makes_inflections_match():
    assert scoring.tokens("running runs run") == ["run", "run", "run"]
    assert scoring.token_f1("running", "run") == 1.0
    assert scoring.token_f1("runs", "Run.") == 1.0


def test_token_f1_partial_overlap():
    # "he run daili" vs "run": precision 1/3, recall 1 -> F1 1/2
    assert scoring.token_f1("He runs daily", "run") == pytest.approx(0.5)
    # multiset overlap: "dog dog" vs "dog" -> precision 1/2, recall 1 -> 2/3
    assert scoring.token_f1("dog dog", "dog") == pytest.approx(2 / 3)
    # "in 2022" vs 2022 (an int gold answer, as some files store years)
    assert scoring.score("In 2022", {"category": 2, "answer": 2022}) == pytest.approx(2 / 3)


def test_token_f1_of_disjoint_or_empty_strings_is_zero():
    assert scoring.token_f1("Paris", "London") == 0.0
    assert scoring.token_f1("", "London") == 0.0
    assert scoring.token_f1("the a an", "the") == 0.0


def test_dates_match_despite_commas_and_periods():
    assert scoring.score("7 May 2023.", {"category": 2, "answer": "7 May, 2023"}) == 1.0


# ---- categories ------------------------------------------------------------------


def test_category_1_averages_best_match_over_gold_sub_answers():
    qa = {"category": 1, "answer": "painting, hiking, swimming"}
    # painting -> 1, hiking -> 1, swimming -> 0
    assert scoring.score("hiking, painting", qa) == pytest.approx(2 / 3)
    # one predicted sub-answer "she like hike paint": painting 0.4, hiking 0.4, swimming 0
    assert scoring.score("She likes hiking and painting", qa) == pytest.approx(0.8 / 3)
    assert scoring.score("swimming, painting, hiking", qa) == 1.0


def test_category_3_uses_gold_before_first_semicolon():
    qa = {"category": 3, "answer": "Likely yes; she enjoys reading"}
    assert scoring.gold_answer(qa) == "Likely yes"
    assert scoring.score("likely yes", qa) == 1.0
    assert scoring.score("she enjoys reading", qa) == 0.0


def test_category_4_is_plain_f1_and_ignores_commas_inside():
    qa = {"category": 4, "answer": "Sweden, her home country"}
    # "sweden" vs "sweden her home countri": precision 1, recall 1/4 -> F1 0.4
    assert scoring.score("Sweden", qa) == pytest.approx(0.4)


def test_category_5_scores_abstention_phrases_only():
    qa = {"category": 5, "adversarial_answer": "self-care is important"}
    assert scoring.score("Not mentioned in the conversation.", qa) == 1.0
    assert scoring.score("NO INFORMATION AVAILABLE", qa) == 1.0
    assert scoring.score("self-care is important", qa) == 0.0
    assert scoring.score("I don't know", qa) == 0.0
    assert scoring.abstains("Not mentioned in your data: nothing relevant was found.")


def test_unknown_category_is_an_error():
    with pytest.raises(ValueError, match="unknown LoCoMo category 7"):
        scoring.score("x", {"category": 7, "answer": "x"})


# ---- harness helpers ----------------------------------------------------------------


def test_evidence_ids_are_parsed_and_unknown_ones_set_apart():
    qa = {"evidence": ["D8:6; D9:17", "D30:1", "D8:6"]}
    assert locomo.evidence_turns(qa, {"D8:6", "D9:17"}) == (["D8:6", "D9:17"], ["D30:1"])


def test_limit_spreads_questions_over_the_list():
    assert locomo.select_questions(list(range(10)), 5) == [0, 2, 4, 6, 8]
    assert locomo.select_questions(list(range(3)), 20) == [0, 1, 2]


def _as_result(doc) -> Result:
    return Result(id=f"chat:{doc.native_id}", kind=doc.kind, source="chat", title=doc.title, snippet="",
                  time=doc.occurred_at.isoformat(), uri=doc.uri, score=0.0, text=doc.text, metadata=dict(doc.metadata))


def test_every_turn_of_a_real_conversation_maps_back_to_its_dia_id(tmp_path):
    conv = locomo_data.load(DEV / "26.json")
    export, turns = locomo.write_export(conv, tmp_path / "chats")
    docs = list(WhatsAppIndexer().parse(export.path, export.path.parent))
    photo_turns = [t for t in turns.values() if t.photo_caption]
    assert (len(turns), len(photo_turns), len(docs)) == (419, 116, 535)

    mapped: dict[str, list] = {}
    for doc in docs:
        cited = locomo.cited_turns(_as_result(doc), export)
        assert len(cited) == 1, (doc.metadata["line"], cited)
        dia_id = cited.pop()
        turn = turns[dia_id]
        assert (doc.author, doc.occurred_at) == (turn.speaker, turn.at)
        if doc.attachments:  # the "IMG-... (file attached)" line of a shared photo
            assert doc.attachments[0].name == locomo_data.photo_name(turn)
        else:
            assert doc.text == (turn.text.strip() or "…")
        mapped.setdefault(dia_id, []).append(doc)
    assert set(mapped) == set(turns)
    assert all(len(mapped[t.dia_id]) == 2 for t in photo_turns)
    first = mapped["D1:1"][0]
    assert (first.author, first.text) == ("Caroline", "Hey Mel! Good to see you! How have you been?")


def test_photo_documents_count_for_their_turn(tmp_path):
    conv = locomo_data.load(DEV / "26.json")
    export, turns = locomo.write_export(conv, tmp_path / "chats")
    turn = next(t for t in turns.values() if t.photo_caption)
    name = locomo_data.photo_name(turn)
    # as the photos indexer would cite the JPEG beside the export: by its relative path
    photo = Result(id=f"photos:{name}", kind="photo", source="photos", title=name, snippet="", time=None,
                   uri=(export.path.parent / name).as_uri(), score=0.0, metadata={"has_caption": True})
    assert locomo.cited_turns(photo, export) == {turn.dia_id}
    # a result that names nothing of the export cites no turn
    stranger = Result(id="notes:todo.md", kind="note", source="notes", title="todo", snippet="", time=None, uri=None, score=0.0)
    assert locomo.cited_turns(stranger, export) == set()


def test_citation_markers_are_not_scored_as_words():
    assert scoring.strip_citations("7 May 2023 [1]") == "7 May 2023"
    assert scoring.strip_citations("Paris [2, 3] and Rome [4]; more") == "Paris and Rome; more"
    assert scoring.score(scoring.strip_citations("7 May 2023 [1]"), {"category": 2, "answer": "7 May 2023"}) == 1.0
    assert scoring.strip_citations("[1]") == ""


def test_gold_contained_is_a_whole_normalised_match():
    qa = {"category": 2, "answer": "7 May 2023", "question": "When?"}
    assert scoring.contains_gold("She went on 7 May, 2023.", qa)
    assert not scoring.contains_gold("17 May 2023", qa)
    assert scoring.contains_gold("Not mentioned", {"category": 5, "adversarial_answer": "x", "question": "q"}) is None
