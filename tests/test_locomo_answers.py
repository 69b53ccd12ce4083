"""Answers to LoCoMo-style questions over a real conversation (the first sessions of
LoCoMo dev 26, written as the WhatsApp export a user would have): relative dates told
the way they were said, short answers, abstaining on what someone else did, and a model
that does not know abstaining."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from conftest import CORPUS
from pocketmind import Engine
from pocketmind.answer.extractive import best_span
from pocketmind.answer.phrase import amount_asked, declines, short_answer, without_restated_tail, without_restatement
from pocketmind.answer.said_when import said_when
from pocketmind.timeexpr import resolve_mentions

SESSIONS = 3


def write_export(conversation: dict, folder, other: str = "Melanie", sessions: range = range(1, SESSIONS + 1)) -> None:
    """``sessions`` (1..SESSIONS) as an Android WhatsApp export, one minute per turn."""
    lines = []
    for n in sessions:
        start = datetime.strptime(conversation[f"session_{n}_date_time"], "%I:%M %p on %d %B, %Y")
        for i, turn in enumerate(conversation[f"session_{n}"]):
            lines.append(f"{start + timedelta(minutes=i):%d/%m/%Y, %H:%M} - {turn['speaker']}: {turn['text']}")
    folder.mkdir()
    (folder / f"WhatsApp Chat with {other}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    conversation = json.loads((CORPUS / "locomo" / "dev" / "26.json").read_text(encoding="utf-8"))
    root = tmp_path_factory.mktemp("locomo-26")
    write_export(conversation, root / "chats")
    now = datetime(2023, 6, 10, 12, 0)
    with Engine(home=root / "home", now=lambda: now) as engine:
        engine.add_source("messages", root / "chats", name="chat")
        engine.index()
        yield engine


def test_last_week_is_told_as_the_week_before_the_day_it_was_said(engine):
    # Caroline on 9 June 2023: "I wanted to tell you about my school event last week."
    answer = engine.ask("When did Caroline give a speech at a school?")
    assert answer.text == "the week before 9 June 2023 [1]" and answer.source == "data"


def test_last_saturday_is_told_as_the_saturday_before_the_day_it_was_said(engine):
    # Melanie on Thursday 25 May 2023: "I ran a charity race for mental health last Saturday"
    answer = engine.ask("When did Melanie run a charity race?")
    assert answer.text == "the Saturday before 25 May 2023 [1]"


def test_yesterday_keeps_its_date(engine):
    # Caroline on 8 May 2023: "I went to a LGBTQ support group yesterday"
    assert engine.ask("When did Caroline go to the LGBTQ support group?").text == "7 May 2023 [2]"


def test_the_message_saying_when_is_read_even_when_the_prompt_budget_left_it_out(engine):
    # With room for one passage only, the line saying "yesterday" is not among the model's
    # excerpts; the date is still read from it (and it is cited), not from the best hit's day.
    budget = engine.settings.search.context_tokens
    engine.settings.search.context_tokens = 100
    try:
        answer = engine.ask("When did Caroline go to the LGBTQ support group?")
    finally:
        engine.settings.search.context_tokens = budget
    assert answer.text.startswith("7 May 2023 [")
    cited = answer.citations[int(answer.text.split("[")[1].rstrip("]")) - 1]
    assert "support group yesterday" in cited.text


@pytest.fixture(scope="module")
def summer(tmp_path_factory):
    """Sessions 5-14 of LoCoMo dev 26 (3 July - 25 August 2023)."""
    conversation = json.loads((CORPUS / "locomo" / "dev" / "26.json").read_text(encoding="utf-8"))
    root = tmp_path_factory.mktemp("locomo-26-summer")
    write_export(conversation, root / "chats", sessions=range(5, 15))
    now = datetime(2023, 8, 26, 12, 0)
    with Engine(home=root / "home", now=lambda: now) as engine:
        engine.add_source("messages", root / "chats", name="chat")
        engine.index()
        yield engine


def test_the_line_saying_most_of_what_was_asked_dates_it(summer):
    # 3 July: "I just signed up for a pottery class yesterday" (a line of the best hit's window);
    # 25 August: "I made it in pottery class yesterday" (another hit) says less of the question.
    answer = summer.ask("When did Melanie sign up for a pottery class?")
    assert answer.text.startswith("2 July 2023 [") and answer.source == "data"


def test_two_days_ago_names_its_day(summer):
    # Caroline on 12 July 2023: "I went to an LGBTQ conference two days ago"
    assert summer.ask("When did Caroline go to the LGBTQ conference?").text.startswith("10 July 2023 [")


def test_last_tues_is_a_tuesday(summer):
    # Caroline on Thursday 20 July 2023: "I just joined a new LGBTQ activist group last Tues."
    answer = summer.ask("When did Caroline join a new activist group?")
    assert answer.text.startswith("the Tuesday before 20 July 2023 [")


@pytest.mark.parametrize("text, said", [
    ("I went to an LGBTQ conference two days ago", "10 July 2023"),
    ("I got my tattoo 3 days ago", "9 July 2023"),
    ("We met a few days ago", "a few days before 12 July 2023"),  # a few: no one day
    ("I adopted her two weeks ago", "two weeks before 12 July 2023"),
    ("I first watched it 3 years ago", "2020"),  # LoCoMo 42: "3 years ago" on 21 January 2022 is 2019
    ("I quit 5 months ago", "February 2023"),
    ("It started a few months ago", "a few months before 12 July 2023"),  # a few: no one month
    ("a few years ago I got it", "a few years before 12 July 2023"),
    ("See you next Fri!", "21 July 2023"),
    ("I called her last Thurs about it", "the Thursday before 12 July 2023"),
])
def test_days_months_years_ago_and_short_weekdays(text, said):
    at = datetime(2023, 7, 12, 16, 33)  # a Wednesday
    [mention] = resolve_mentions(text, at)
    assert said_when(mention, at.date()) == said


@pytest.mark.parametrize("text", ["We sat in the sun all day long", "The sun sat low", "Wed them next to each other"])
def test_short_weekday_words_alone_are_not_dates(text):
    assert not [m for m in resolve_mentions(text, datetime(2023, 7, 12)) if m.granularity == "day"]


def test_the_message_sharing_a_photo_dates_it():
    # LoCoMo dev 42: the photo's caption says "purple hair"; Nate's message two minutes before it
    # says "Dyed my hair last week" (one subject word): it dates the photo's subject.
    from pocketmind.answer.said_when import message_saying_when
    from pocketmind.results import Result

    photo = Result("chat:p", "photo", "chat", "", "", "2022-04-15T19:39:00", None, 1.0, author="Nate", conversation="Nate",
                   text="a photography of a man with purple hair and glasses taking a selfie\nI'm so stoked about it! Check it out!")
    message = Result("chat:m", "message", "chat", "", "", "2022-04-15T19:37:00", None, 0.9, author="Nate", conversation="Nate",
                     text="» Nate: Hey Jo, guess what I did? Dyed my hair last week - come see!\n  Joanna: Wow, Nate!")
    hit, line = message_saying_when([photo, message], {"nate", "purple", "hair"})
    assert hit is message and said_when(resolve_mentions(line, datetime(2022, 4, 15, 19, 37))[0],
                                        datetime(2022, 4, 15).date()) == "the week before 15 April 2022"


def test_what_was_just_done_is_dated_by_its_own_day():
    # LoCoMo dev 30, 8 February 2023: Gina "just teamed up with a local artist"; a later hit
    # saying "yesterday" about her designs must not date it.
    from pocketmind.answer.said_when import message_saying_when
    from pocketmind.results import Result

    best = Result("chat:a", "message", "chat", "", "", "2023-02-08T09:38:00", None, 1.0, author="Gina", conversation="Jon",
                  text="» Gina: I've been working hard on my online store and just teamed up with a local artist for some cool designs.")
    later = Result("chat:b", "message", "chat", "", "", "2023-05-11T15:27:00", None, 0.9, author="Gina", conversation="Jon",
                   text="» Gina: Yesterday the local artist sent me new designs for the store.")
    assert message_saying_when([best, later], {"local", "artist"}) is None
    assert message_saying_when([Result(**{**best.__dict__, "text": "» Gina: I love working with artists."}), later],
                               {"artist", "designs", "local"}) == (later, "Yesterday the local artist sent me new designs for the store.")


def test_this_weekend_is_told_as_a_weekend():
    # Nate on Monday 22 August 2022 (LoCoMo 42): "I'm taking some time off this weekend"
    said = datetime(2022, 8, 22, 11, 5)
    [mention] = resolve_mentions("I'm taking some time off this weekend to chill with my pets.", said)
    assert said_when(mention, said.date()) == "the weekend of 27 August 2022"


def test_a_question_about_what_the_other_person_did_abstains(engine):
    # Caroline chose the agency ("I chose them 'cause they help LGBTQ+ folks"); Melanie only asked
    # her "What made you pick it?", which matches the question best.
    assert engine.ask("Why did Melanie choose the adoption agency?").text.startswith("Not mentioned by Melanie")
    assert engine.ask("What did Caroline realize after her charity race?").text.startswith("Not mentioned by Caroline")


def test_a_reply_that_praises_what_they_did_does_not_make_it_someone_elses(engine):
    # Caroline's "That charity race sounds great, Mel! ... proud of you" outranks Melanie's own message.
    assert not engine.ask("What did Melanie realize after the charity race?").text.startswith("Not mentioned")


@pytest.mark.parametrize("said, shown", [
    # answers the bundled model gave on LoCoMo dev, and what the card shows
    ("Seattle, I'm excited for my game there next month! It's one of my favorite cities to explore - super vibrant!",
     "Seattle"),
    ("I want to improve my shooting percentage. Been practicing hard and gonna make it happen.",
     "I want to improve my shooting percentage"),
    ("A painting of a castle [1]", "A painting of a castle [1]"),
    ("Pottery, camping, painting [2]", "Pottery, camping, painting [2]"),
    ("Hey Nate! [1]", "[1]"),
    ("Wow! A trophy. [3]", "A trophy [3]"),
    ("She joined a church and it was really nice", "She joined a church"),
    ("Sounds great, Mel! [2]", "[2]"),
    ("Bye Nate! [3]", "[3]"),
    ("Wow, that's cool, Caroline! She paints sunsets [1]", "She paints sunsets [1]"),
    ("Seattle, Washington [1]", "Seattle, Washington [1]"),
])
def test_the_short_answer_is_the_phrase_that_answers(said, shown):
    assert short_answer(said) == shown


# Answers the bundled model gave on LoCoMo dev: the words that only say the question again go,
# what answers stays; a negation, a yes, a quotation or a subject-less "It was" are left whole.
@pytest.mark.parametrize("question, said, shown", [
    ("How long was Max a part of John's family?", "He was a part of our family for 10 years [1]", "10 years [1]"),
    ("What was the setting for John and his wife's first dance?", "The setting was a cozy restaurant", "a cozy restaurant"),
    ("What instruments does Tim play?", "He plays the violin, piano and recorder [2]", "the violin, piano and recorder [2]"),
    ("How long has Tim been playing the piano for, as of December 2023?", "I've been playing for about four months now",
     "about four months now"),
    ("What did Joanna make and share with her vegan diet group?", "A vegan ice cream cake with a chocolate frosting",
     "ice cream cake with a chocolate frosting"),
    ("Which episode of the Well Made podcast had Kevin Kelly as a guest?", "Episode 145", "Episode 145"),
    ("How did Joanna describe the classic movie he watched?", "It was a romantic drama", "It was a romantic drama"),
    ("Is it likely that Nate has friends besides Joanna?", "Yes, he has friends", "Yes, he has friends"),
    ("Did John go to the party?", "John did not go to the party", "John did not go to the party"),
    ("What movie did Nate recently watch and enjoy?", '"Little Women"', '"Little Women"'),
    ("What did Caroline make?", "Caroline made a painting", "made a painting"),
    ("Did Jon go to Paris?", "Jon didn't go to Paris", "Jon didn't go to Paris"),
])
def test_a_model_answer_says_what_answers_not_the_question_again(question, said, shown):
    assert without_restatement(said, question) == shown


# Answers the bundled model gave on LoCoMo dev: a closing run of words that only says the question
# again goes (from a preposition, three words or more); what it would leave meaningless stays.
@pytest.mark.parametrize("question, said, shown", [
    ("What did Joanna make for one of the ladies at her writing club?",
     "A cute little bookmark for one of the ladies at her writing club [1]", "A cute little bookmark [1]"),
    ("What did John host for the veterans in May 2023 as part of the project?",
     "a small party for the veterans in May 2023 as part of the project", "a small party"),
    ("Where will Tim be going for a semester abroad?", "Ireland for a semester", "Ireland"),
    ("What activity did Caroline used to do with her dad?", "go horseback riding with her dad", "go horseback riding"),
    ("What area was hit by a flood?", "Maria's car was hit by a flood", "Maria's car was hit by a flood"),  # not from "by"
    ("What events for veterans has John participated in?", "a lot of events for veterans", "a lot of events for veterans"),
    ("Would Caroline want to move back to her home country soon?", "Yes, she'd love to move back to her home country",
     "Yes, she'd love to move back to her home country"),
    ("What did she do in May?", "She went to the party in May", "She went to the party in May"),  # two words only
    ("Where did Tim go in May 2023?", "Paris, not in May 2023", "Paris, not in May 2023"),
    ("What did Tim do in Paris in May?", "went to Paris in May", "went to Paris in May"),  # nothing new would stay
])
def test_a_model_answer_does_not_end_with_the_question_again(question, said, shown):
    assert without_restated_tail(said, question) == shown


@pytest.mark.parametrize("question, said, shown", [
    ("How long has John been surfing?", "I started surfing five years ago [1]", "five years [1]"),
    ("How many people attended the gaming party hosted by Nate in June 2022?",
     "There were 7 people that attended, and 6 of them said they'd want to do it again next month [1]", "7 people [1]"),
    ("How long does John usually hold the yoga pose he shared with Tim?", "I typically hold it for 30-60 seconds [1]",
     "30-60 seconds [1]"),
    ("How much did User 1 first offer for the bag?", "Hi! Im interested in your bag. Im offering $50. [1]", "$50 [1]"),
    # no amount of the kind asked: the answer as it was
    ("How many times has Joanna found new hiking trails?", "I've been hiking for a long time", "I've been hiking for a long time"),
    ("How long did it take for Jon to open his studio?", "The official opening night is tomorrow [1]",
     "The official opening night is tomorrow [1]"),
])
def test_how_many_and_how_long_are_answered_with_the_amount(question, said, shown):
    assert amount_asked(said, question) == shown


def test_how_many_pages_reads_the_pages_of_a_real_note_not_its_isbn():
    note = (CORPUS / "real" / "notes" / "obsidian" / "kepano_vault" / "References" / "Out of Control.md").read_text(encoding="utf-8")
    front = " ".join(line for line in note.split("---")[1].splitlines() if line.strip())
    assert amount_asked(f"{front} [1]", "How many pages does Out of Control have?") == "528 [1]"


def test_a_line_that_only_addresses_someone_is_never_the_extracted_answer(engine):
    # "That's great, Caroline!" says both names and nothing about the adoption plan.
    question = "How does Melanie feel about Caroline's plan to adopt?"
    span = best_span(question, engine.search(question, k=5))
    assert span is not None and span.text == "Loving the inclusivity and support."


def test_a_model_that_does_not_know_has_not_answered():
    assert declines("I'm not sure.") and declines("I don't know [1]") and declines("John: I'm not sure")
    assert not declines("Unknown Pleasures, the Joy Division album [1]") and not declines("She is sure it was Paris")


def test_what_year_is_answered_with_the_year(engine):
    # "What year did John start surfing?" -> 2018 (LoCoMo gold), not "five years before 16 July 2023"
    year = engine.ask("What year did Caroline go to the LGBTQ support group?")
    assert year.text.split(" [")[0] == "2023" and "support group" in year.evidence[0].quote
    month = engine.ask("Which month did Melanie run a charity race?")
    assert month.text.split(" [")[0] == "May 2023" and "charity race" in month.evidence[0].quote


def test_which_month_is_the_month_of_the_time_said_that_lies_in_one():
    # LoCoMo dev 43, John on 16 July 2023: "in the last month" spans June and July; "Last week"
    # (of the 40 points asked about) lies in July. The range is never shown in ISO form.
    from pocketmind.answer.grounded import date_answer
    from pocketmind.answer.said_when import said_when
    from pocketmind.results import Result

    conversation = json.loads((CORPUS / "locomo" / "dev" / "43.json").read_text(encoding="utf-8"))
    text = next(t["text"] for n in range(1, 40) for t in conversation.get(f"session_{n}", []) if "40 points" in t["text"])
    assert "in the last month" in text and "Last week I scored 40 points" in text
    said = Result(id="m", kind="message", source="chat", title="", snippet="", time="2023-07-16T16:21:00", uri=None,
                  score=0.0, text=text, author="John")
    question = "In which month's game did John achieve a career-high score in points?"
    assert date_answer(question, True, said, text) == "July 2023"
    [last_month, _] = resolve_mentions(text, datetime(2023, 7, 16, 16, 21))
    assert said_when(last_month, datetime(2023, 7, 16).date()) == "the month before 16 July 2023"


def test_when_inside_a_what_question_is_not_a_date_question(engine):
    # "How did she feel when ...": the date of the message is not how she felt
    answer = engine.ask("How did Melanie feel when she ran the charity race?")
    assert answer.source != "data" and "2023" not in answer.text


def test_a_message_found_by_the_day_it_talks_about_is_read(engine):
    # Melanie on Thursday 25 May 2023: "I ran a charity race for mental health last Saturday" (20 May).
    # It is found by the date it talks about, outside the question's day: its similarity is read
    # from its stored vector, so the answer's relevance cut-off keeps it.
    question = "What did Melanie do on 20 May 2023?"
    best = engine.search(question)[0]
    assert "charity race" in best.snippet and best.time.startswith("2023-05-25") and best.similarity > 0.25
    answer = engine.ask(question)
    assert answer.found and "charity race" in answer.text.lower() + answer.evidence[0].quote.lower()


def test_a_name_no_passage_says_is_not_answered(engine):
    # LoCoMo's adversarial questions change a detail ("a trip to France" of a trip to England): the
    # passages are about something else, and the model would answer from them anyway.
    answer = engine.ask("What did Melanie paint on her trip to France?")
    assert not answer.found and answer.text.startswith("Not in your data: France is not mentioned")
    assert answer.citations  # the closest passages are still shown
    painted = engine.ask("What did Melanie paint recently?")
    assert painted.found and "sunrise" in painted.text


def test_the_source_of_a_passage_names_it_too():
    # "...on Discord?" is said by where the passage comes from, not its text
    from pocketmind.answer.abstain import unnamed_in_passages
    from pocketmind.results import Result

    call = Result(id="m:1", kind="message", source="discord", title="general", snippet="Started a call that lasted 113 minutes.",
                  time="2023-03-02T10:00:00", uri="file:///data/chats/discord/general.json", score=1.0, author="mlomb")
    assert unnamed_in_passages("How long was the Discord call mlomb started?", ["mlomb"], [call]) is None
    assert unnamed_in_passages("How long was the Zoom call mlomb started?", ["mlomb"], [call]) == "Zoom"


def test_the_reply_to_a_question_like_the_one_asked_answers_it(engine):
    # Melanie asked "Anything you're excited for in the adoption process?"; Caroline's reply is
    # the answer, not the question that says the same words (LoCoMo gold: "creating a family
    # for kids who need one").
    from pocketmind.answer.context import with_conversation_context

    question = "What is Caroline excited about in the adoption process?"
    passages = with_conversation_context(engine.search(question, k=5), engine.store, engine.people.display_name)
    span = best_span(question, passages, person="Caroline", names=["Caroline"])
    assert span is not None and span.text == "I'm thrilled to make a family for kids who need one."
    assert span.matched  # it says what its question said: not "nothing about the question"


@pytest.fixture(scope="module")
def dancers(tmp_path_factory):
    """The first sessions of LoCoMo dev 30 (Jon and Gina), indexed."""
    conversation = json.loads((CORPUS / "locomo" / "dev" / "30.json").read_text(encoding="utf-8"))
    root = tmp_path_factory.mktemp("locomo-30")
    write_export(conversation, root / "chats", other="Gina")
    now = datetime(2023, 2, 10, 12, 0)
    with Engine(home=root / "home", now=lambda: now) as engine:
        engine.add_source("messages", root / "chats", name="chat")
        engine.index()
        yield engine


def _said_by_someone_else(engine, question: str):
    from pocketmind.answer.abstain import said_by_someone_else
    from pocketmind.answer.words import content_words

    reading = engine.read_question(question)
    results = engine.search(question, k=8, reading=reading, depth=20)
    return said_by_someone_else(results, reading.people, engine.people, content_words(question))


def test_a_message_ending_in_a_question_on_the_subject_asks_the_other_one():
    from pocketmind.answer.abstain import about_whom

    turns = {t["dia_id"]: t["text"] for t in json.loads((CORPUS / "locomo" / "dev" / "30.json").read_text(encoding="utf-8"))["session_1"]}
    # Jon: "Wow! Winning first place is amazing! What dance were you doing?" is about Gina's dance
    assert about_whom(turns["D1:18"], {"danc"}) == (False, True)
    # Gina: "...my go-to for stress relief. Got any fave styles?": her own statement says the subject
    assert about_whom(turns["D1:7"], {"danc", "styl"}) == (True, False)
    # ...but about "styles" alone only her question speaks: it asks Jon
    assert about_whom(turns["D1:7"], {"styl"}) == (False, True)


def test_the_one_who_said_it_answers_and_the_other_abstains(dancers):
    # Jon looks for Marley flooring for his dance studio (LoCoMo 30, D2:8); asked of Gina it is category 5.
    assert _said_by_someone_else(dancers, "What kind of flooring is Jon looking for in his dance studio?") is None
    assert _said_by_someone_else(dancers, "What kind of flooring is Gina looking for in her dance studio?") == "Gina"


def test_the_sentence_talking_about_the_day_asked_is_the_extracted_answer(engine):
    # "What did Melanie do on 20 May 2023?" says no word of the answer: Melanie's "I ran a charity
    # race for mental health last Saturday", sent on Thursday 25 May, talks about that day.
    from datetime import date

    from pocketmind.answer.context import with_conversation_context

    question = "What did Melanie do on 20 May 2023?"
    passages = with_conversation_context(engine.search(question, k=5), engine.store, engine.people.display_name)
    span = best_span(question, passages, person="Melanie", names=["Melanie"], asked_days=(date(2023, 5, 20), date(2023, 5, 20)))
    assert span is not None and span.text.startswith("I ran a charity race for mental health last Saturday")
    assert span.matched  # the day counts as said: the pipeline does not abstain on it


def test_a_question_copied_as_the_answer_answers_nothing():
    from pocketmind.answer.phrase import is_question

    # The bundled model on "How long has John been surfing?" (LoCoMo 43) copied Tim's question.
    assert is_question("How long have you been surfing? [2]") and is_question("你去过哪里？")
    assert not is_question("Five years [2]") and not is_question('"Who Moved My Cheese?" by Spencer Johnson [1]')
