"""Note properties as content: readable property lines and the note's own time.

A note's properties (Obsidian front-matter, Dataview ``key:: value`` fields,
org property drawers, Evernote attributes) are what the user wrote about the
note, so they are indexed as text ("start: 12 September 2023"), not only kept
as metadata. Their dates date the note; without one a date in the file name
or title does; the file's mtime is only a last resort, marked as such
(``time_source = "file modified"``) so it is never offered as "when".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable

from dateutil import parser as date_parser

from pocketmind.indexers.notes.common import as_datetime

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
# Keys whose date is when the note happened, best first; start/end pairs give a range.
START_KEYS = ("start", "start date", "start_date", "startdate", "begin", "from", "date", "day", "when",
              "created", "created_at", "creation_date", "creation date", "created on")
END_KEYS = ("end", "end date", "end_date", "enddate", "until", "to")
# 2024-05-04, 2024_05_04, 2024.05.04 (daily notes); a lone year like "2023 Japan Trip".
DAY_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.](\d\d)[-_.](\d\d)(?!\d)")
YEAR_IN_NAME = re.compile(r"(?<![\d.,:/-])((?:19|20)\d\d)(?![\d.,:/-])")
# Dataview inline fields: "mood:: happy" at the start of a line.
INLINE_FIELD = re.compile(r"^[ \t]*([\w][\w -]{0,40}?)::[ \t]*(.*?)[ \t]*$", re.MULTILINE)


@dataclass
class NoteTime:
    start: datetime
    end: datetime | None
    source: str  # "properties", "file name", "title"


def spoken(value: date | datetime) -> str:
    """"12 September 2023", with the clock when there is one ("5 March 2022 10:30")."""
    day = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if isinstance(value, datetime) and (value.hour or value.minute):
        return f"{day} {value:%H:%M}"
    return day


def readable(value: Any, render: Any = str) -> str:
    """A property value as a reader would say it; ``render`` turns link syntax into names."""
    if isinstance(value, (date, datetime)):
        return spoken(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(part for part in (readable(item, render) for item in value) if part)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {readable(item, render)}" for key, item in value.items() if readable(item, render))
    if value is None:
        return ""
    text = str(value).strip()
    parsed = parse_date(text)
    return spoken(parsed) if parsed is not None else render(text).strip()


def property_lines(properties: Iterable[tuple[str, Any]], render: Any = str) -> str:
    """"key: value" lines for the properties that have a value."""
    lines = []
    for key, value in properties:
        text = readable(value, render)
        if text and "{{" not in text:  # template placeholders are not content
            lines.append(f"{key}: {text}")
    return "\n".join(lines)


def parse_date(value: Any) -> datetime | None:
    """A date written as a property value (YAML date or ISO text), or None."""
    if isinstance(value, (date, datetime)):
        return as_datetime(value)
    if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d", value.strip()):
        try:
            return date_parser.isoparse(value.strip())
        except ValueError:
            return None
    return None


def day_end(value: Any, moment: datetime) -> datetime:
    """A date-only end covers its whole day: exclusive, like an all-day event's end."""
    is_bare_date = isinstance(value, date) and not isinstance(value, datetime)
    if is_bare_date or (isinstance(value, str) and len(value.strip()) == 10):
        return moment + timedelta(days=1)
    return moment


def property_time(properties: dict[str, Any]) -> NoteTime | None:
    """The time the properties give: a named date key first, else any date-valued property."""
    lowered = {key.lower().strip(): value for key, value in properties.items()}
    start_key = next((key for key in START_KEYS if parse_date(lowered.get(key)) is not None), None)
    if start_key is None:
        start_key = next((key for key, value in lowered.items() if key not in END_KEYS and parse_date(value)), None)
    if start_key is None:
        return None
    start = parse_date(lowered[start_key])
    assert start is not None
    end_key = next((key for key in END_KEYS if parse_date(lowered.get(key)) is not None), None)
    end = None
    if end_key is not None:
        end = day_end(lowered[end_key], parse_date(lowered[end_key]))  # type: ignore[arg-type]
        if (end.tzinfo is None) != (start.tzinfo is None) or end <= start:
            end = None  # an end before its start (or of another kind) is a typo, not a range
    return NoteTime(start, end, "properties")


def name_time(*names: tuple[str, str]) -> NoteTime | None:
    """A day ("2024-05-04.md") or a lone year ("2023 Japan Trip": the whole year) in a name.

    ``names``: (text, what it is) pairs, e.g. (file stem, "file name"), (title, "title").
    """
    for text, source in names:
        if match := DAY_IN_NAME.search(text):
            try:
                return NoteTime(datetime(*map(int, match.groups())), None, source)
            except ValueError:
                continue  # 2023-13-45 is not a day
    for text, source in names:
        if match := YEAR_IN_NAME.search(text):
            year = int(match.group(1))
            return NoteTime(datetime(year, 1, 1), datetime(year + 1, 1, 1), source)
    return None


def inline_fields(text: str) -> list[tuple[str, str]]:
    """Dataview ``key:: value`` fields, in order."""
    return [(key.strip(), value) for key, value in INLINE_FIELD.findall(text) if value]
