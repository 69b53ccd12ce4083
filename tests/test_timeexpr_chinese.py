"""Chinese time as phone apps and people write it (issue 16): dates with weekday and clock,
parts of the day, parts of a month or year, Chinese-numeral years, lunar dates and festivals,
resolved against a fixed reference time; and the date filters Chinese questions become."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pocketmind.timeexpr import annotate, parse_query_time, resolve_mentions

REF = datetime(2024, 4, 3, 10, 0)  # a Wednesday
NOW = datetime(2026, 12, 1, 10, 0)  # a Tuesday


def only(text: str, ref: datetime = REF):
    mentions = resolve_mentions(text, ref)
    assert len(mentions) == 1, mentions
    return mentions[0]


def window(question: str, now: datetime = NOW) -> tuple[datetime | None, datetime | None]:
    parsed = parse_query_time(question, now)
    assert parsed is not None, question
    return parsed.since, parsed.until


# ---------------------------------------------------------------- dates with weekday and time of day


@pytest.mark.parametrize(
    ("text", "phrase", "day", "clock"),
    [
        ("2024年04月01日 周一 08:30 晨会", "2024年04月01日 周一 08:30", date(2024, 4, 1), "08:30"),
        ("2024年4月1日（星期一）", "2024年4月1日（星期一）", date(2024, 4, 1), ""),
        ("4月1日下午3点去医院", "4月1日下午3点", date(2024, 4, 1), "15:00"),
        ("明天晚上8点半看电影", "明天晚上8点半", date(2024, 4, 4), "20:30"),
        ("昨天凌晨两点才睡", "昨天凌晨两点", date(2024, 4, 2), "02:00"),
        ("今晚八点开会", "今晚八点", date(2024, 4, 3), "20:00"),
        ("今天中午十二点半吃饭", "今天中午十二点半", date(2024, 4, 3), "12:30"),
        ("前天下午在公司", "前天下午", date(2024, 4, 1), "afternoon"),
        ("大前天晚上十点一刻", "大前天晚上十点一刻", date(2024, 3, 31), "22:15"),
        ("15号上午9点45分体检", "15号上午9点45分", date(2024, 4, 15), "09:45"),
        ("周五下午三点半开会", "周五下午三点半", date(2024, 3, 29), "15:30"),
        ("今晚早点睡", "今晚", date(2024, 4, 3), "evening"),
    ],
)
def test_dates_with_weekday_and_time_of_day(text, phrase, day, clock):
    mention = only(text)
    assert (mention.phrase, mention.start, mention.end, mention.clock) == (phrase, day, day, clock)


def test_clock_is_written_into_the_annotation():
    assert annotate("明天晚上8点半看电影", REF) == "明天晚上8点半 [Thursday 4 April 2024, 2024-04-04 20:30]看电影"


@pytest.mark.parametrize("text", ["三千人参加了马拉松", "十二点半了", "下午3点开会", "凌晨才睡", "两点一线"])
def test_numbers_and_bare_times_are_not_dates(text):
    assert resolve_mentions(text, REF) == []


# ---------------------------------------------------------------- relative days, weeks, parts of months and years


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("大前天", date(2024, 3, 31), date(2024, 3, 31)),
        ("上周三", date(2024, 3, 27), date(2024, 3, 27)),
        ("本周末", date(2024, 4, 6), date(2024, 4, 7)),
        ("三天前", date(2024, 3, 31), date(2024, 3, 31)),
        ("两周后", date(2024, 4, 15), date(2024, 4, 21)),
        ("下个月初", date(2024, 5, 1), date(2024, 5, 10)),
        ("上个月底", date(2024, 3, 21), date(2024, 3, 31)),
        ("下个月十六号年会", date(2024, 5, 16), date(2024, 5, 16)),
        ("这个月中旬", date(2024, 4, 11), date(2024, 4, 20)),
        ("月底交房租", date(2024, 4, 21), date(2024, 4, 30)),
        ("月初", date(2024, 4, 1), date(2024, 4, 10)),
        ("3月初", date(2024, 3, 1), date(2024, 3, 10)),
        ("五月下旬", date(2024, 5, 21), date(2024, 5, 31)),
        ("2月底", date(2024, 2, 21), date(2024, 2, 29)),
        ("年初", date(2024, 1, 1), date(2024, 2, 29)),
        ("年底前", date(2024, 11, 1), date(2024, 12, 31)),
        ("去年年底", date(2023, 11, 1), date(2023, 12, 31)),
        ("去年底", date(2023, 11, 1), date(2023, 12, 31)),
        ("明年初", date(2025, 1, 1), date(2025, 2, 28)),
        ("2023年底", date(2023, 11, 1), date(2023, 12, 31)),
        ("前年", date(2022, 1, 1), date(2022, 12, 31)),
    ],
)
def test_relative_and_partial_ranges(text, start, end):
    mention = only(text)
    assert (mention.start, mention.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("二〇二四年三月五日", date(2024, 3, 5), date(2024, 3, 5)),
        ("二零二三年", date(2023, 1, 1), date(2023, 12, 31)),
        ("二〇二二年十月", date(2022, 10, 1), date(2022, 10, 31)),
    ],
)
def test_chinese_numeral_years(text, start, end):
    mention = only(text)
    assert (mention.start, mention.end) == (start, end)


# ---------------------------------------------------------------- festivals and lunar dates


@pytest.mark.parametrize(
    ("text", "start", "end", "name"),
    [
        ("春节回老家", date(2024, 2, 9), date(2024, 2, 15), "Spring Festival"),
        ("过年回老家", date(2024, 2, 9), date(2024, 2, 15), "Spring Festival"),
        ("除夕夜", date(2024, 2, 9), date(2024, 2, 9), "Chinese New Year's Eve"),
        ("元宵节吃汤圆", date(2024, 2, 24), date(2024, 2, 24), "Lantern Festival"),
        ("清明节扫墓", date(2024, 4, 4), date(2024, 4, 4), "Qingming Festival"),
        ("端午节划龙舟", date(2024, 6, 10), date(2024, 6, 10), "Dragon Boat Festival"),
        ("七夕", date(2024, 8, 10), date(2024, 8, 10), "Qixi Festival"),
        ("中秋节回家", date(2024, 9, 17), date(2024, 9, 17), "Mid-Autumn Festival"),
        ("重阳节", date(2024, 10, 11), date(2024, 10, 11), "Double Ninth Festival"),
        ("国庆去了杭州", date(2024, 10, 1), date(2024, 10, 7), "National Day holiday"),
        ("去年国庆", date(2023, 10, 1), date(2023, 10, 7), "National Day holiday"),
        ("2025年春节", date(2025, 1, 28), date(2025, 2, 3), "Spring Festival"),
        ("明年中秋", date(2025, 10, 6), date(2025, 10, 6), "Mid-Autumn Festival"),
        ("五一假期去爬山", date(2024, 5, 1), date(2024, 5, 5), "Labour Day holiday"),
        ("元旦", date(2024, 1, 1), date(2024, 1, 1), "New Year's Day"),
        ("去年双十一买的", date(2023, 11, 11), date(2023, 11, 11), "Singles' Day"),
        ("春节前后", date(2024, 2, 2), date(2024, 2, 22), "Spring Festival"),
        ("农历八月十五", date(2024, 9, 17), date(2024, 9, 17), ""),
        ("正月初三去拜年", date(2024, 2, 12), date(2024, 2, 12), ""),
        ("腊月二十三", date(2024, 2, 2), date(2024, 2, 2), ""),
        # Western festivals as Chinese writes them: moving ones by their rule
        ("2020年的复活节", date(2020, 4, 12), date(2020, 4, 12), "Easter Sunday"),
        ("复活节彩蛋", date(2024, 3, 31), date(2024, 3, 31), "Easter Sunday"),
        ("去年母亲节", date(2023, 5, 14), date(2023, 5, 14), "Mother's Day"),
        ("父亲节礼物", date(2024, 6, 16), date(2024, 6, 16), "Father's Day"),
        ("感恩节火鸡", date(2024, 11, 28), date(2024, 11, 28), "Thanksgiving"),
        ("情人节", date(2024, 2, 14), date(2024, 2, 14), "Valentine's Day"),
        ("万圣节派对", date(2024, 10, 31), date(2024, 10, 31), "Halloween"),
    ],
)
def test_festivals_and_lunar_dates(text, start, end, name):
    mention = only(text)
    assert (mention.start, mention.end, mention.name) == (start, end, name)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("home for Chinese New Year", date(2024, 2, 9), date(2024, 2, 15)),
        ("the Mid-Autumn Festival 2023", date(2023, 9, 29), date(2023, 9, 29)),
        ("last Dragon Boat Festival", date(2023, 6, 22), date(2023, 6, 22)),
        ("mooncakes for the moon festival", date(2024, 9, 17), date(2024, 9, 17)),
    ],
)
def test_festivals_by_english_name(text, start, end):
    mention = only(text)
    assert (mention.start, mention.end) == (start, end)


def test_festival_annotation_names_the_holiday_in_english():
    assert annotate("中秋节回家", REF) == "中秋节 [Mid-Autumn Festival, Tuesday 17 September 2024, 2024-09-17]回家"
    assert annotate("春节回老家", REF) == "春节 [Spring Festival, 9-15 February 2024]回老家"


@pytest.mark.parametrize("text", ["清明上河图", "五一路的店", "坐五一广场站"])
def test_festival_lookalikes_are_not_dates(text):
    assert resolve_mentions(text, REF) == []


# ---------------------------------------------------------------- questions become date filters


@pytest.mark.parametrize(
    ("question", "since", "until", "remaining"),
    [
        ("上周三我记了什么", datetime(2026, 11, 25), datetime(2026, 11, 26), "我记了什么"),
        ("下个月初有什么安排", datetime(2027, 1, 1), datetime(2027, 1, 11), "有什么安排"),
        ("春节前后的照片", datetime(2026, 2, 9), datetime(2026, 3, 2), "的照片"),
        ("去年国庆去了哪里", datetime(2025, 10, 1), datetime(2025, 10, 8), "去了哪里"),
        ("月底有什么要交的", datetime(2026, 12, 21), datetime(2027, 1, 1), "有什么要交的"),
        ("前天晚上8点半我在干嘛", datetime(2026, 11, 29), datetime(2026, 11, 30), "我在干嘛"),
        ("二〇二五年三月的笔记", datetime(2025, 3, 1), datetime(2025, 4, 1), "的笔记"),
        ("中秋节吃了什么", datetime(2026, 9, 25), datetime(2026, 9, 26), "吃了什么"),
        ("年初定的目标", datetime(2026, 1, 1), datetime(2026, 3, 1), "定的目标"),
        ("国庆之后", datetime(2026, 10, 8), None, ""),
    ],
)
def test_chinese_questions_become_date_filters(question, since, until, remaining):
    parsed = parse_query_time(question, NOW)
    assert parsed is not None, question
    assert (parsed.since, parsed.until, parsed.remaining_text) == (since, until, remaining)
