"""Time expressions: index-time mentions, annotation, query windows."""

from __future__ import annotations

import timeit
from datetime import date, datetime, timedelta, timezone

import pytest

from pocketmind.timeexpr import (
    annotate,
    apply_relation,
    is_temporal_question,
    parse_query_time,
    resolve_mentions,
)

REF = datetime(2023, 5, 8, 14, 0)  # a Monday
NOW = datetime(2026, 11, 23, 9, 30)  # a Monday


def only(text: str, ref: datetime = REF):
    mentions = resolve_mentions(text, ref)
    assert len(mentions) == 1, mentions
    return mentions[0]


def window(question: str, now: datetime = NOW) -> tuple[datetime | None, datetime | None]:
    parsed = parse_query_time(question, now)
    assert parsed is not None, question
    return parsed.since, parsed.until


# ---------------------------------------------------------------- index time: English


@pytest.mark.parametrize(
    ("text", "start", "end", "granularity", "label"),
    [
        ("I went to the support group yesterday", date(2023, 5, 7), date(2023, 5, 7), "day", "2023-05-07"),
        ("back home today", date(2023, 5, 8), date(2023, 5, 8), "day", "2023-05-08"),
        ("dinner tonight?", date(2023, 5, 8), date(2023, 5, 8), "day", "2023-05-08"),
        ("ran 5k this morning", date(2023, 5, 8), date(2023, 5, 8), "day", "2023-05-08"),
        ("see you tomorrow", date(2023, 5, 9), date(2023, 5, 9), "day", "2023-05-09"),
        ("the day before yesterday it rained", date(2023, 5, 6), date(2023, 5, 6), "day", "2023-05-06"),
        ("slept badly last night", date(2023, 5, 7), date(2023, 5, 7), "day", "2023-05-07"),
        ("last Saturday was fun", date(2023, 5, 6), date(2023, 5, 6), "day", "2023-05-06"),
        ("we met on Saturday", date(2023, 5, 6), date(2023, 5, 6), "day", "2023-05-06"),
        ("Monday was long", date(2023, 5, 1), date(2023, 5, 1), "day", "2023-05-01"),
        ("this Saturday works", date(2023, 5, 13), date(2023, 5, 13), "day", "2023-05-13"),
        ("this coming Friday", date(2023, 5, 12), date(2023, 5, 12), "day", "2023-05-12"),
        ("next Saturday then", date(2023, 5, 20), date(2023, 5, 20), "day", "2023-05-20"),
        ("last week was busy", date(2023, 5, 1), date(2023, 5, 7), "week", "week of 2023-05-01"),
        ("this week", date(2023, 5, 8), date(2023, 5, 14), "week", "week of 2023-05-08"),
        ("next week", date(2023, 5, 15), date(2023, 5, 21), "week", "week of 2023-05-15"),
        ("the week before, nothing", date(2023, 5, 1), date(2023, 5, 7), "week", "week of 2023-05-01"),
        ("the week before last", date(2023, 4, 24), date(2023, 4, 30), "week", "week of 2023-04-24"),
        ("last month", date(2023, 4, 1), date(2023, 4, 30), "month", "April 2023"),
        ("next month", date(2023, 6, 1), date(2023, 6, 30), "month", "June 2023"),
        ("last year", date(2022, 1, 1), date(2022, 12, 31), "year", "2022"),
        ("next year", date(2024, 1, 1), date(2024, 12, 31), "year", "2024"),
        ("last summer", date(2022, 6, 1), date(2022, 8, 31), "season", "summer 2022"),
        ("last winter", date(2022, 12, 1), date(2023, 2, 28), "season", "winter 2022-2023"),
        ("last spring", date(2022, 3, 1), date(2022, 5, 31), "season", "spring 2022"),
        ("last fall", date(2022, 9, 1), date(2022, 11, 30), "season", "fall 2022"),
        ("the summer of 2019", date(2019, 6, 1), date(2019, 8, 31), "season", "summer 2019"),
        ("two weeks ago", date(2023, 4, 24), date(2023, 4, 30), "week", "week of 2023-04-24"),
        ("3 days ago", date(2023, 5, 5), date(2023, 5, 5), "day", "2023-05-05"),
        ("a few days ago", date(2023, 5, 3), date(2023, 5, 6), "week", "2023-05-03 to 2023-05-06"),
        ("a couple of days ago", date(2023, 5, 5), date(2023, 5, 6), "week", "2023-05-05 to 2023-05-06"),
        ("a month ago", date(2023, 4, 1), date(2023, 4, 30), "month", "April 2023"),
        ("in two weeks", date(2023, 5, 22), date(2023, 5, 28), "week", "week of 2023-05-22"),
        ("in 3 days", date(2023, 5, 11), date(2023, 5, 11), "day", "2023-05-11"),
        ("over the past two weeks", date(2023, 4, 24), date(2023, 5, 8), "week", "2023-04-24 to 2023-05-08"),
        ("last weekend", date(2023, 5, 6), date(2023, 5, 7), "week", "weekend of 2023-05-06"),
        ("this weekend", date(2023, 5, 13), date(2023, 5, 14), "week", "weekend of 2023-05-13"),
        ("next weekend", date(2023, 5, 20), date(2023, 5, 21), "week", "weekend of 2023-05-20"),
        ("on May 7, 2023", date(2023, 5, 7), date(2023, 5, 7), "day", "2023-05-07"),
        ("7 May 2023", date(2023, 5, 7), date(2023, 5, 7), "day", "2023-05-07"),
        ("the 7th of May 2023", date(2023, 5, 7), date(2023, 5, 7), "day", "2023-05-07"),
        ("2023-05-07", date(2023, 5, 7), date(2023, 5, 7), "day", "2023-05-07"),
        ("at 2023-05-07T10:00", date(2023, 5, 7), date(2023, 5, 7), "day", "2023-05-07"),
        ("May 2023", date(2023, 5, 1), date(2023, 5, 31), "month", "May 2023"),
        ("in 2022", date(2022, 1, 1), date(2022, 12, 31), "year", "2022"),
        ("I was born in 1990", date(1990, 1, 1), date(1990, 12, 31), "year", "1990"),
        ("in March", date(2023, 3, 1), date(2023, 3, 31), "month", "March 2023"),
        ("last December", date(2022, 12, 1), date(2022, 12, 31), "month", "December 2022"),
        ("meet on 12 May", date(2023, 5, 12), date(2023, 5, 12), "day", "2023-05-12"),
        ("June 3rd", date(2023, 6, 3), date(2023, 6, 3), "day", "2023-06-03"),
        ("I'll see you on the 15th", date(2023, 5, 15), date(2023, 5, 15), "day", "2023-05-15"),
        ("Sunday, 17 December 2023", date(2023, 12, 17), date(2023, 12, 17), "day", "2023-12-17"),
        ("Saturday, May 6, 2023", date(2023, 5, 6), date(2023, 5, 6), "day", "2023-05-06"),
        ("OPTION: Friday 16 afternoon", date(2023, 6, 16), date(2023, 6, 16), "day", "2023-06-16"),
        ("on Friday the 12th", date(2023, 5, 12), date(2023, 5, 12), "day", "2023-05-12"),
    ],
)
def test_english_mentions(text, start, end, granularity, label):
    mention = only(text)
    assert (mention.start, mention.end, mention.granularity, mention.label) == (start, end, granularity, label)


def test_mention_span_and_phrase():
    text = "I'll see you on the 15th, ok?"
    mention = only(text)
    assert mention.span == (13, 24)
    assert mention.phrase == "on the 15th"
    assert text[slice(*mention.span)] == mention.phrase
    assert only("It happens in May.").phrase == "in May"  # the full stop stays in the text
    assert only("Sept. 5, 2022").phrase == "Sept. 5, 2022"


def test_season_and_weekday_edges():
    sunday = datetime(2023, 5, 7, 20, 0)
    assert only("last Sunday", sunday).start == date(2023, 4, 30)  # never today
    assert only("this Sunday", sunday).start == date(2023, 5, 7)
    july = datetime(2026, 7, 15)
    assert only("last summer", july).start == date(2025, 6, 1)
    assert only("this summer", july).start == date(2026, 6, 1)
    assert only("next summer", july).start == date(2027, 6, 1)
    january = datetime(2024, 1, 20)
    assert (only("this winter", january).start, only("this winter", january).end) == (date(2023, 12, 1), date(2024, 2, 29))
    assert only("last winter", january).start == date(2022, 12, 1)


def test_aware_ref_uses_its_local_date():
    late_evening = datetime(2023, 5, 8, 23, 30, tzinfo=timezone(timedelta(hours=-7)))
    assert only("yesterday", late_evening).start == date(2023, 5, 7)


@pytest.mark.parametrize(
    "text",
    [
        "May I ask you something?",
        "she may come later",
        "They march on the capital",
        "the second time was better",
        "I need a second opinion",
        "on the 5th floor",
        "If you are willing to go to the 7th source, you will see",
        "my 2nd attempt",
        "I have 2022 photos",
        "in 5 minutes",
        "we may 7 times",
        "Hello there, I hope you are well",
        "以前天气很好",
        "坐3号线",
        "早上好",
        "每周六去游泳",
        "Germany: Good Friday",
        "DESCRIPTION:Monday after Easter Sunday.",
        "the first Sunday of the month",
        "every Monday",
    ],
)
def test_non_time_text_has_no_mentions(text):
    assert resolve_mentions(text, REF) == []


def test_multiple_mentions_in_order_without_overlap():
    mentions = resolve_mentions("Flew out last Saturday, back in May 2023 and again next month", REF)
    assert [(m.phrase, m.label) for m in mentions] == [
        ("last Saturday", "2023-05-06"),
        ("in May 2023", "May 2023"),
        ("next month", "June 2023"),
    ]


# ---------------------------------------------------------------- index time: Chinese


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("昨天去了医院", date(2023, 5, 7), date(2023, 5, 7), "2023-05-07"),
        ("今天", date(2023, 5, 8), date(2023, 5, 8), "2023-05-08"),
        ("明天见", date(2023, 5, 9), date(2023, 5, 9), "2023-05-09"),
        ("前天", date(2023, 5, 6), date(2023, 5, 6), "2023-05-06"),
        ("后天", date(2023, 5, 10), date(2023, 5, 10), "2023-05-10"),
        ("大前天", date(2023, 5, 5), date(2023, 5, 5), "2023-05-05"),
        ("上周六", date(2023, 5, 6), date(2023, 5, 6), "2023-05-06"),
        ("上星期六", date(2023, 5, 6), date(2023, 5, 6), "2023-05-06"),
        ("上礼拜六", date(2023, 5, 6), date(2023, 5, 6), "2023-05-06"),
        ("这周六", date(2023, 5, 13), date(2023, 5, 13), "2023-05-13"),
        ("本周六", date(2023, 5, 13), date(2023, 5, 13), "2023-05-13"),
        ("下周六", date(2023, 5, 20), date(2023, 5, 20), "2023-05-20"),
        ("周六去爬山了", date(2023, 5, 6), date(2023, 5, 6), "2023-05-06"),
        ("星期天", date(2023, 5, 7), date(2023, 5, 7), "2023-05-07"),
        ("上周", date(2023, 5, 1), date(2023, 5, 7), "week of 2023-05-01"),
        ("上周天气很好", date(2023, 5, 1), date(2023, 5, 7), "week of 2023-05-01"),
        ("本周", date(2023, 5, 8), date(2023, 5, 14), "week of 2023-05-08"),
        ("下周", date(2023, 5, 15), date(2023, 5, 21), "week of 2023-05-15"),
        ("上个月", date(2023, 4, 1), date(2023, 4, 30), "April 2023"),
        ("这个月", date(2023, 5, 1), date(2023, 5, 31), "May 2023"),
        ("下个月", date(2023, 6, 1), date(2023, 6, 30), "June 2023"),
        ("去年", date(2022, 1, 1), date(2022, 12, 31), "2022"),
        ("今年", date(2023, 1, 1), date(2023, 12, 31), "2023"),
        ("明年", date(2024, 1, 1), date(2024, 12, 31), "2024"),
        ("前年", date(2021, 1, 1), date(2021, 12, 31), "2021"),
        ("去年夏天", date(2022, 6, 1), date(2022, 8, 31), "summer 2022"),
        ("去年冬天", date(2022, 12, 1), date(2023, 2, 28), "winter 2022-2023"),
        ("三天前", date(2023, 5, 5), date(2023, 5, 5), "2023-05-05"),
        ("两周前", date(2023, 4, 24), date(2023, 4, 30), "week of 2023-04-24"),
        ("两个星期前", date(2023, 4, 24), date(2023, 4, 30), "week of 2023-04-24"),
        ("一个月前", date(2023, 4, 1), date(2023, 4, 30), "April 2023"),
        ("十天后", date(2023, 5, 18), date(2023, 5, 18), "2023-05-18"),
        ("2023年5月7日", date(2023, 5, 7), date(2023, 5, 7), "2023-05-07"),
        ("5月7日", date(2023, 5, 7), date(2023, 5, 7), "2023-05-07"),
        ("十二月五号", date(2023, 12, 5), date(2023, 12, 5), "2023-12-05"),
        ("2023年5月", date(2023, 5, 1), date(2023, 5, 31), "May 2023"),
        ("15号见", date(2023, 5, 15), date(2023, 5, 15), "2023-05-15"),
    ],
)
def test_chinese_mentions(text, start, end, label):
    mention = only(text)
    assert (mention.start, mention.end, mention.label) == (start, end, label)


# ---------------------------------------------------------------- annotate


def test_annotate_exact_strings():
    assert annotate("I went to the support group yesterday", REF) == (
        "I went to the support group yesterday [Sunday 7 May 2023, 2023-05-07]"
    )
    assert annotate("Paris last week, Rome next month, Oslo last summer.", REF) == (
        "Paris last week [1-7 May 2023], Rome next month [June 2023], "
        "Oslo last summer [summer 2022, June to August 2022]."
    )
    assert annotate("last weekend and two weeks ago", datetime(2023, 5, 1)) == (
        "last weekend [weekend 29-30 April 2023] and two weeks ago [17-23 April 2023]"
    )
    assert annotate("next week", datetime(2023, 5, 24)) == "next week [29 May - 4 June 2023]"
    assert annotate("上周六去了医院", REF) == "上周六 [Saturday 6 May 2023, 2023-05-06]去了医院"
    assert annotate("nothing to see here", REF) == "nothing to see here"


# ---------------------------------------------------------------- query time


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("what's on my calendar next week", datetime(2026, 11, 30), datetime(2026, 12, 7)),
        ("what did I do last week", datetime(2026, 11, 16), datetime(2026, 11, 23)),
        ("meetings this week", datetime(2026, 11, 23), datetime(2026, 11, 30)),
        ("tomorrow", datetime(2026, 11, 24), datetime(2026, 11, 25)),
        ("yesterday's notes", datetime(2026, 11, 22), datetime(2026, 11, 23)),
        ("photos from last summer", datetime(2026, 6, 1), datetime(2026, 9, 1)),
        ("photos from this summer", datetime(2026, 6, 1), datetime(2026, 9, 1)),
        ("notes in March 2023", datetime(2023, 3, 1), datetime(2023, 4, 1)),
        ("in 2022", datetime(2022, 1, 1), datetime(2023, 1, 1)),
        ("last year", datetime(2025, 1, 1), datetime(2026, 1, 1)),
        ("this month", datetime(2026, 11, 1), datetime(2026, 12, 1)),
        ("next month", datetime(2026, 12, 1), datetime(2027, 1, 1)),
        ("last month", datetime(2026, 10, 1), datetime(2026, 11, 1)),
        ("on May 7, 2023", datetime(2023, 5, 7), datetime(2023, 5, 8)),
        ("the week of May 1", datetime(2026, 4, 27), datetime(2026, 5, 4)),
        ("between May 1 and May 10", datetime(2026, 5, 1), datetime(2026, 5, 11)),
        ("since March", datetime(2026, 3, 1), None),
        ("before 2020", None, datetime(2020, 1, 1)),
        ("after June 2021", datetime(2021, 7, 1), None),
        ("the week after May 7, 2023", datetime(2023, 5, 8), datetime(2023, 5, 15)),
        ("5 days ago", datetime(2026, 11, 18), datetime(2026, 11, 19)),
        ("明天", datetime(2026, 11, 24), datetime(2026, 11, 25)),
        ("昨天", datetime(2026, 11, 22), datetime(2026, 11, 23)),
        ("今天", datetime(2026, 11, 23), datetime(2026, 11, 24)),
        ("上周", datetime(2026, 11, 16), datetime(2026, 11, 23)),
        ("下周有什么安排", datetime(2026, 11, 30), datetime(2026, 12, 7)),
        ("本周", datetime(2026, 11, 23), datetime(2026, 11, 30)),
        ("上个月", datetime(2026, 10, 1), datetime(2026, 11, 1)),
        ("下个月", datetime(2026, 12, 1), datetime(2027, 1, 1)),
        ("这个月", datetime(2026, 11, 1), datetime(2026, 12, 1)),
        ("去年", datetime(2025, 1, 1), datetime(2026, 1, 1)),
        ("今年", datetime(2026, 1, 1), datetime(2027, 1, 1)),
        ("去年夏天的照片", datetime(2025, 6, 1), datetime(2025, 9, 1)),
        ("10月", datetime(2026, 10, 1), datetime(2026, 11, 1)),
        ("2020年以来", datetime(2020, 1, 1), None),
        ("去年以前", None, datetime(2025, 1, 1)),
        ("from 2020 to 2022", datetime(2020, 1, 1), datetime(2023, 1, 1)),
        ("from May 1 to May 10", datetime(2026, 5, 1), datetime(2026, 5, 11)),
        ("从5月1日到5月10日的消息", datetime(2026, 5, 1), datetime(2026, 5, 11)),
        ("2023-05-01 – 2023-05-03 trip", datetime(2023, 5, 1), datetime(2023, 5, 4)),
        ("until June", None, datetime(2026, 7, 1)),
        ("what happened in May?", datetime(2026, 5, 1), datetime(2026, 6, 1)),
        ("what did I do on Saturday", datetime(2026, 11, 21), datetime(2026, 11, 22)),
        ("What did I do in the last 3 days", datetime(2026, 11, 20), datetime(2026, 11, 24)),
        ("what did I do the week before last", datetime(2026, 11, 9), datetime(2026, 11, 16)),
    ],
)
def test_query_windows(question, since, until):
    assert window(question) == (since, until)


def test_last_summer_in_july_is_previous_year():
    assert window("photos from last summer", datetime(2026, 7, 10)) == (datetime(2025, 6, 1), datetime(2025, 9, 1))


def test_query_remaining_text_and_phrase():
    parsed = parse_query_time("what holidays are in October 2025?", NOW)
    assert (parsed.since, parsed.until) == (datetime(2025, 10, 1), datetime(2025, 11, 1))
    assert parsed.phrase == "in October 2025"
    assert parsed.remaining_text == "what holidays are?"
    assert parsed.label == "October 2025"
    assert parsed.granularity == "month"
    chinese = parse_query_time("2025年10月有什么节日", NOW)
    assert (chinese.since, chinese.until) == (datetime(2025, 10, 1), datetime(2025, 11, 1))
    assert chinese.remaining_text == "有什么节日"
    nxt = parse_query_time("what's on my calendar next week", NOW)
    assert (nxt.phrase, nxt.span, nxt.remaining_text) == ("next week", (22, 31), "what's on my calendar")


def test_query_aware_now_keeps_tzinfo():
    shanghai = timezone(timedelta(hours=8))
    parsed = parse_query_time("明天", datetime(2026, 11, 23, 23, 0, tzinfo=shanghai))
    assert parsed.since == datetime(2026, 11, 24, tzinfo=shanghai)
    assert parsed.until == datetime(2026, 11, 25, tzinfo=shanghai)


def test_event_anchor_is_left_to_the_engine():
    parsed = parse_query_time("what did I do the week after the conference?", NOW)
    assert (parsed.since, parsed.until) == (None, None)
    assert parsed.anchor_text == "the conference"
    assert parsed.relation == "week_after"
    assert parsed.remaining_text == "what did I do?"
    after = parse_query_time("what did we discuss after the meeting with Tom", NOW)
    assert (after.anchor_text, after.relation, after.remaining_text) == ("the meeting", "after", "what did we discuss with Tom")
    wedding = parse_query_time("photos from the week before the wedding", NOW)
    assert (wedding.anchor_text, wedding.relation, wedding.remaining_text) == ("the wedding", "week_before", "photos from")
    christmas = parse_query_time("what did I eat the day after Christmas", NOW)
    assert (christmas.anchor_text, christmas.relation) == ("Christmas", "day_after")
    conference = (date(2026, 9, 14), date(2026, 9, 16))
    assert apply_relation("week_after", *conference, NOW) == (datetime(2026, 9, 17), datetime(2026, 9, 24))
    assert apply_relation("week_before", *conference, NOW) == (datetime(2026, 9, 7), datetime(2026, 9, 14))
    assert apply_relation("after", *conference, NOW) == (datetime(2026, 9, 17), None)


@pytest.mark.parametrize(
    "question",
    ["who is Anna", "May I ask where Anna lives?", "she may come to the party", "will they march downtown",
     "what was the second book she recommended", "谁是安娜"],
)
def test_questions_without_time(question):
    assert parse_query_time(question, NOW) is None


def test_temporal_questions():
    for question in ["When did I go to Paris?", "what date is the party", "which year did we move",
                     "how long ago was the trip", "我们什么时候去的", "生日是几号", "哪天开会"]:
        assert is_temporal_question(question), question
    for question in ["who is Anna", "where is the key", "她叫什么名字",
                     # LoCoMo: "when" opens a clause of a question asking something else
                     "What does Nate want to do when he goes over to Joanna's place?",
                     "How did Joanna feel when someone wrote her a letter after reading her blog post?",
                     "What hobby is a therapy for John when away from the court?"]:
        assert not is_temporal_question(question), question
    assert is_temporal_question("Do you remember when Anna moved?")
    assert is_temporal_question("What year did John start surfing, and when did he stop?")


def test_no_match_is_fast():
    message = "Hello there, I hope you are well. Let's grab coffee soon and talk about the plan, ok? Cheers!!"
    assert len(message) <= 100 and resolve_mentions(message, REF) == []
    runs = 2000
    per_call = min(timeit.repeat(lambda: resolve_mentions(message, REF), number=runs, repeat=3)) / runs
    assert per_call < 50e-6
