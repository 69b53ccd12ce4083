"""The extractive answerer on real exports: the sentence that answers, chosen by the
question's subject (every form of its verbs, a note's title), a value of the shape
asked for, and shown without cutting the answer off."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone

import pytest

from conftest import REAL
from helpers import engine_over
from pocketmind import Engine
from pocketmind.answer.context import ATTACHMENT
from pocketmind.answer.extractive import best_span, units
from pocketmind.answer.phrase import amount_asked, short_answer
from pocketmind.answer.words import content_words
from pocketmind.results import Result

VAULT = REAL / "notes" / "obsidian" / "kepano_vault"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def note(path) -> Result:
    return Result(id=f"notes:{path.name}", kind="note", source="notes", title=path.stem, snippet="", time=None,
                  uri=None, score=0.0, text=path.read_text(encoding="utf-8"))


def telegram_window(first: int, last: int) -> Result:
    """Messages ``first``..``last`` of the real Telegram export, as the window the pipeline quotes."""
    chat = json.loads((REAL / "messages" / "telegram" / "langchain_personal_chat_result.json").read_text(encoding="utf-8"))
    rows = [m for m in chat["messages"] if m.get("type") == "message"][first : last + 1]
    lines = [f"  {m['from']}: {m['text'] if isinstance(m['text'], str) else ''.join(map(str, m['text']))}" for m in rows]
    return Result(id="messages:telegram:1", kind="message", source="messages", title=f"{rows[0]['from']} in chat",
                  snippet="", time=None, uri=None, score=0.0, text="\n".join(lines), author=rows[0]["from"],
                  conversation=chat.get("name"))


def test_every_form_of_the_questions_verb_matches():
    question = "What did Jimmeny Marvelton say he refuses to do?"
    span = best_span(question, [telegram_window(0, 2)], person="Jimmeny Marvelton")
    assert span.text == "i refuse to converse with you"
    assert span.matched == 1  # "refuses" is "refuse": the span says the subject (else the pipeline abstains)


def test_a_notes_title_says_what_its_lines_are_about():
    question = "Which book did I discuss in my meeting with Steph?"
    passages = [telegram_window(0, 2), note(VAULT / "Notes" / "2023-09-12 Meeting with Steph.md")]
    span = best_span(question, passages)
    assert "Out of Control" in span.text and span.citation == 2  # not Jimmeny's "we meet again"


def test_a_question_asking_for_a_size_is_answered_by_a_sentence_with_a_number():
    question = "What size tart pan with a removable bottom do I need?"
    span = best_span(question, [note(VAULT / "References" / "Brown butter nectarine tart.md")])
    assert "11 inch" in span.text  # not "I highly recommend a tart pan with a removable bottom."


def test_an_opener_before_a_comma_is_not_the_answer():
    question = "Which brand of wool socks does Steph Ango buy?"
    span = best_span(question, [note(VAULT / "Clippings" / "Buy wisely.md")])
    assert "Darn Tough" in short_answer(span.text, content_words(question))
    # Without the subject (a model's answer) the phrase before the comment is still the answer.
    assert short_answer("For example, I buy wool socks from a brand called Darn Tough.") == "For example"
    assert short_answer("Seattle, I'm excited for my game there next month!") == "Seattle"


def test_an_attachment_line_is_never_an_answer():
    text = (REAL / "messages" / "whatsapp" / "langchain_ios_12h_seconds_image_omitted.txt").read_text(encoding="utf-8")
    window = Result(id="messages:whatsapp:1", kind="message", source="messages", title="Dr. Feather in chat", snippet="",
                    time=None, uri=None, score=0.0, author="Dr. Feather",
                    text="\n".join(f"  {line.split('] ', 1)[1].split(': ', 1)[0]}: {ATTACHMENT}" if "omitted" in line
                                   else "  " + line.split("] ", 1)[1] for line in text.splitlines() if "] " in line))
    assert ATTACHMENT in window.text
    assert all(ATTACHMENT not in said for said, _, _ in units(window))
    span = best_span("What research is Dr. Feather working on?", [window], person="Dr. Feather")
    assert span.text != ATTACHMENT


def test_a_phone_talked_about_is_not_a_phone_number_asked_for():
    from pocketmind.answer.typed import question_type

    # These went to the contact cards and came back "Not in your data" (the iMessage says why).
    assert question_type("Why can't my friend play games well on their phone, according to my iMessages?") is None
    assert question_type("Which phone model was mentioned in my iMessage chat?") is None
    for asked in ("What is Simon Perreault's work phone number?", "What is John Doe's cell number?",
                  "What is Simon Perreault's fax number?", "Simon Perreault的手机号码是多少？", "Jungle Jane的电话号码是多少？"):
        assert question_type(asked) == "phone", asked


def test_a_chat_lines_number_in_its_file_supports_no_number():
    from pocketmind.answer.verify import unsupported
    from pocketmind.indexers.whatsapp import WhatsAppIndexer

    path = REAL / "messages" / "whatsapp" / "whatsjson_english_ios_media.txt"
    documents = [d for d in WhatsAppIndexer().parse(path, path.parent) if d.metadata.get("line") == 10]
    assert documents and "10" not in documents[0].text  # the 10th line of the export says no 10
    cited = [Result(id=d.native_id, kind="message", source="messages", title=d.title, snippet="", time=None, uri=None,
                    score=0.0, text=d.text, metadata=d.metadata) for d in documents]
    assert [claim.text for claim in unsupported("10 pages", "How many pages is Dmitry's resume?", cited)] == ["10 pages"]


@pytest.fixture(scope="module")
def photos(tmp_path_factory, warm_models):
    root = tmp_path_factory.mktemp("photos-data")
    for name in ("exiftool_iphone7_gps.jpg", "exifsamples_canon_g9_imagedescription.jpg", "exifsamples_gps_nikon_p6000_1.jpg"):
        shutil.copy(REAL / "photos" / "jpeg" / name, root / name)
    with Engine(home=tmp_path_factory.mktemp("photos-home"), now=lambda: NOW) as engine:
        engine.add_source("photos", root, name="photos")
        engine.index()
        yield engine


def test_nobody_named_in_a_photo_is_not_in_your_data(photos):
    inside = photos.ask("Who is in the photo I took in Sheffield?")
    assert not inside.found and inside.text.startswith("Not in your data")
    taken = photos.ask("Who took the photo in Sheffield?")  # the iPhone photo records no creator
    assert not taken.found and taken.text.startswith("Not in your data")
    assert photos.ask("《Heaven above Berlin》这张照片是谁拍的？").text.startswith("Pilar Flores")


def test_subject_words_drop_a_possessive_and_split_mixed_scripts():
    from pocketmind.answer.words import words_of

    assert content_words("What is Dmitry's email address?") == {"dmitry"}  # was "dmitry'", in no passage
    assert {"steph", "开会", "讨论"} <= content_words("我和Steph开会时讨论了哪本书？")  # "steph开会时讨论了哪本书" was one word
    assert "steph" in words_of(["- Discussed the book with Steph开会"])


def test_an_identifier_the_messages_do_not_say_is_caught():
    from pocketmind.answer.verify import unsupported
    from pocketmind.indexers.imessage import IMessageIndexer

    path = REAL / "messages" / "imessage" / "langchain_imessage_chat.db"
    cited = [Result(id=d.native_id, kind="message", source="messages", title=d.title, snippet="", time=None, uri=None,
                    score=0.0, text=d.text, metadata=d.metadata) for d in IMessageIndexer().parse(path, path.parent)]
    assert any("iphone" in r.text for r in cited)
    question = "Which phone model was mentioned in my iMessage chat?"
    # The model answered with a chat's made-up id; nothing in the chat says it.
    assert [claim.text for claim in unsupported("IMessage_1", question, cited)] == ["IMessage_1"]
    assert unsupported("iPhone [1]", question, cited) == []


def test_an_undated_notes_year_property_is_its_year():
    from pocketmind.answer.grounded import undated_note_answer
    from pocketmind.indexers.notes.markdown import MarkdownNoteIndexer

    path = VAULT / "Notes" / "Minimal Theme.md"
    document = next(MarkdownNoteIndexer().parse(path, VAULT))
    result = Result(id=document.native_id, kind="note", source="notes", title=document.title, snippet="",
                    time="2026-11-30T10:00:00+00:00", uri=None, score=0.0, text=document.text)
    assert undated_note_answer("Which year is my Minimal Theme project from?", result, document.text) == "2020"
    assert undated_note_answer("我的Minimal Theme项目是哪一年的？", result, document.text) == "2020年"


def test_without_a_language_model_the_best_quoted_span_answers(tmp_path):
    # models.answerer = "extractive": the engine never loads a GGUF; what the data cannot answer
    # typed is answered by the line that says the question's subject, or not at all.
    from pocketmind.settings import Settings

    chats = tmp_path / "chats"
    chats.mkdir()
    shutil.copy(REAL / "messages" / "telegram" / "langchain_personal_chat_result.json", chats)
    settings = Settings()
    settings.models.answerer = "extractive"
    with Engine(home=tmp_path / "home", settings=settings, now=lambda: NOW) as engine:
        engine.add_source("messages", chats, name="chats")
        engine.index()
        answer = engine.ask("What did Jimmeny Marvelton say he refuses to do?")
        cited = answer.evidence[0].citation
        assert (answer.text, answer.source, answer.found) == (f"i refuse to converse with you [{cited}]", "extractive", True)
        assert answer.evidence[0].quote == "Jimmeny Marvelton: i refuse to converse with you"
        assert "i refuse to converse with you" in answer.citations[cited - 1].text
        assert not engine.ask("What did Jimmeny say about the weather in Kyoto?").found
        assert type(engine.answerer).__name__ == "ExtractiveOnly"  # no model was loaded to answer


def test_a_value_under_a_title_about_the_subject_and_an_abbreviations_stop():
    # The real photo's caption (EXIF XPComment) says its film's length and price in sentences that
    # do not name the film: its title does. "ca." ends no sentence. The real event beside it says
    # "der" (the film's article) and a number: it is not about the film.
    from pocketmind.indexers.calendar import IcsIndexer
    from pocketmind.indexers.photos import PhotosIndexer

    path = REAL / "photos" / "jpeg" / "exifsamples_xmp_iptc_caption_no_exif.jpg"
    [doc] = PhotosIndexer().parse(path, path.parent)
    photo = Result(id="photo", kind="photo", source="photos", title=doc.title, snippet="", time=None, uri=None,
                   score=0.0, text=doc.text)
    ics = REAL / "calendar" / "ics" / "rie_icalendar-ruby_no_dtend.ics"
    event = next(d for d in IcsIndexer().parse(ics, ics.parent) if "FH" in d.text)
    talk = Result(id="event", kind="event", source="calendar", title=event.title, snippet="", time=None, uri=None,
                  score=0.0, text=event.text)
    length = best_span("How long is the film 'Der Goalie bin ig'?", [talk, photo])
    assert (length.text, length.citation) == ("Schweiz, 2014, 100 Min.", 2)
    price = best_span("How much does the DVD of 'Der Goalie bin ig' cost?", [talk, photo])
    assert price.text == "Auch auf DVD (fr, en, de), ca. CHF 22.–."
    assert short_answer(price.text) == "Auch auf DVD (fr, en, de), ca. CHF 22.–"
    # The amount asked for, not the year before it, nor the full line
    assert amount_asked(f"{short_answer(length.text)} [2]", "How long is the film 'Der Goalie bin ig'?") == "100 Min [2]"
    assert amount_asked(short_answer(price.text), "How much does the DVD of 'Der Goalie bin ig' cost?") == "CHF 22"


def test_a_heading_the_question_points_to_hands_its_match_to_what_is_under_it(tmp_path):
    # The real Tomboy note "TODO Liste": "Später" then "- Weiteres Vorgehen planen". The heading
    # says only words of the question; the list item under it is the answer, without its bullet.
    from pocketmind.settings import Settings

    settings = Settings()
    settings.models.answerer = "extractive"
    with engine_over(tmp_path, {"notes": ["notes/tomboy/obsidianimporter_tomboy1.note"]}, settings=settings,
                     now=lambda: NOW) as engine:
        answer = engine.ask("What is on my TODO Liste under 'Später'?")
    assert (answer.text, answer.source) == ("Weiteres Vorgehen planen [1]", "extractive")
    assert answer.evidence[0].quote == "- Weiteres Vorgehen planen"
