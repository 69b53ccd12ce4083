"""Calendar indexers: iCalendar (.ics) files and the holiday-cn JSON format.

Parsing is left to ``icalendar``; Google's ``X-WR-TIMEZONE`` is applied with
``x-wr-timezone`` and recurrences (RRULE, RDATE, EXDATE, moved and cancelled
occurrences) are expanded by ``recurring-ical-events``. Each occurrence becomes
one document, so "what did I do on 3 March" finds the 3 March instance of a
weekly meeting.

Times keep the event's own zone (an aware datetime in Europe/Berlin stays in
Europe/Berlin); all-day entries get a naive midnight datetime, an exclusive end
and ``metadata["all_day"] = True``.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote

import icalendar
import recurring_ical_events
import x_wr_timezone

from pocketmind.documents import Document
from pocketmind.errors import ParseError
from pocketmind.inputs import limits, months_later, notice

from .base import relative_id

ICS_SUFFIXES = (".ics", ".ical", ".icalendar")
COMPONENT_KINDS = {"VEVENT": "event", "VTODO": "task", "VJOURNAL": "journal"}
DEFAULT_MAX_OCCURRENCES = 1000
MONTHS_AHEAD = 12  # the default of setting index.calendar_months_ahead


# --------------------------------------------------------------------------- ICS


@dataclass
class _SeriesInfo:
    """What the raw file says about one UID, before expansion."""

    uid: str | None  # None when the file gave none (a synthetic key is used)
    key: str  # the UID, or a stable synthetic one
    rrule: str | None
    recurring: bool
    components: list[icalendar.Component]  # the raw entries, used if expansion fails


class IcsIndexer:
    """iCalendar files (.ics) from Google, Outlook/Exchange, Thunderbird, DAVx5...

    ``window_start``/``window_end`` (dates, the end exclusive) bound recurrence
    expansion. By default the window runs from the earliest start in the file (a
    series' whole past is kept) to the run's ``recurrence_until``
    (:func:`pocketmind.inputs.limits`: ``index.calendar_months_ahead`` after the run's
    today), or 12 months from today outside a run, or past the file's last start,
    whichever is later, so old exports are covered in full. Runs record the end and
    expand the file again when time has moved it (``uses_recurrence_window``).
    Every occurrence of a repeating series carries the series' shared text
    (``Document.series_text``), so the series is embedded once.

    A series yields at most ``max_occurrences`` documents (its first
    ones), expanded a span at a time so an endless FREQ=SECONDLY rule costs no more than a weekly one;
    capped ones carry ``metadata["truncated_recurrence"] = True`` and the file gets one notice
    naming the series ("event 'Tick' repeats every second; kept its first 1000 occurrences").
    """

    source_kind = "calendar"
    name = "ics"
    uses_recurrence_window = True  # what it yields depends on the run's today, not only on the file's bytes

    def __init__(
        self,
        window_start: date | None = None,
        window_end: date | None = None,
        max_occurrences: int = DEFAULT_MAX_OCCURRENCES,
    ) -> None:
        self.window_start = window_start
        self.window_end = window_end
        self.max_occurrences = max_occurrences

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() in ICS_SUFFIXES

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        calendar = read_calendar(path)
        components = [c for c in calendar.walk() if c.name in COMPONENT_KINDS]
        _check_dates(path, components)
        series_info = _collect_series(components)
        start, end = self._window(components)
        calendar_name = _text(calendar.get("X-WR-CALNAME")) or _text(calendar.get("NAME")) or path.stem
        context = _FileContext(
            rel=relative_id(path, root),
            uri=path.resolve().as_uri(),
            calendar_name=calendar_name,
        )
        for component in components:
            if not _has_start(component) and component in calendar.subcomponents:
                # Undated entries cannot be expanded; keep them when they say something.
                calendar.subcomponents.remove(component)
                if any(_text(component.get(p)) for p in ("SUMMARY", "DESCRIPTION", "LOCATION")):
                    yield _occurrence_document(component, series_info[_text(component.get("UID"))], context, False)
        try:
            query = recurring_ical_events.of(calendar, components=tuple(COMPONENT_KINDS))
            for series in query.series:
                yield from self._series_documents(series, series_info[str(series.uid)], context, start, end)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, icalendar.InvalidCalendar) as error:
            raise ParseError(path, f"cannot read the calendar's events: {error}") from error
        if context.cut_series:
            notice(path, _cut_message(context.cut_series, self.max_occurrences))

    def _series_documents(
        self, series: Any, info: _SeriesInfo, context: _FileContext, start: datetime, end: datetime
    ) -> Iterator[Document]:
        """One document per occurrence of a series inside the window, at most ``max_occurrences``."""
        try:
            occurrences = _first_occurrences(series, info, start, end, self.max_occurrences + 1)
        except (ValueError, TypeError) as error:
            # A recurrence rule the library cannot expand (e.g. RDATE;VALUE=TIME):
            # keep the series' own entries rather than losing the whole file.
            for component in info.components:
                yield _occurrence_document(component, info, context, False, expansion_error=str(error))
            return
        truncated = len(occurrences) > self.max_occurrences
        if truncated:
            context.cut_series.append(info)
        ruled: _Details | None = None  # what the series' rule repeats, read from its first occurrence
        for occurrence in occurrences[: self.max_occurrences]:
            from_rule = occurrence.id.recurrence_id is None and occurrence.component_name() == "VEVENT"
            if from_rule and ruled is not None:
                # Copying the component for each of a weekly event's hundreds of occurrences
                # took most of a calendar's parse: only the time differs (DTEND is the end).
                yield _dated(ruled, occurrence.start, occurrence.end, occurrence.start)
                continue
            component = occurrence.as_component(False)
            if info.recurring and _is_cancelled(component):
                continue  # a cancelled instance of a series did not happen
            details = _details(component, info, context, truncated)
            if from_rule:
                ruled = details
            yield _dated(details, *_times(component))

    def _window(self, components: list[icalendar.Component]) -> tuple[datetime, datetime]:
        """The expansion window as naive datetimes (what recurring-ical-events expects)."""
        starts = [d for d in (_component_date(c) for c in components) if d is not None]
        today = date.today()
        default_end = limits().recurrence_until or months_later(today, MONTHS_AHEAD)
        if starts:
            default_end = max(default_end, max(starts) + timedelta(days=1))
        first = self.window_start or (min(starts) if starts else today)
        last = self.window_end or default_end
        return datetime.combine(first, time()), datetime.combine(last, time())


# dateutil's rrule.between() builds the whole list for the span it is asked about
# (63 million datetimes for FREQ=SECONDLY over two years), so a series is expanded
# a span at a time: spans double while they hold few occurrences and halve while
# they hold many, which keeps each list to a few thousand whatever the frequency.
FIRST_SPAN = timedelta(hours=1)
SHORTEST_SPAN = timedelta(minutes=1)
FEW_PER_SPAN, MANY_PER_SPAN = 64, 1024


def _first_occurrences(series: Any, info: _SeriesInfo, start: datetime, end: datetime, wanted: int) -> list[Any]:
    """The first ``wanted`` occurrences of a series between ``start`` and ``end``, in time order."""
    if info.rrule is None:  # single events and RDATE lists: bounded by the file's own size
        return sorted(series.between(start, end), key=lambda o: _sort_key(o.start))[:wanted]
    found: dict[Any, Any] = {}
    span, cursor = FIRST_SPAN, start
    while cursor < end and len(found) < wanted:
        stop = min(cursor + span, end)
        batch = list(series.between(cursor, stop))
        for occurrence in sorted(batch, key=lambda o: _sort_key(o.start)):
            found.setdefault(occurrence.id, occurrence)  # a long event overlaps two spans
        if len(batch) < FEW_PER_SPAN:
            span *= 2
        elif len(batch) > MANY_PER_SPAN:
            span = max(span / 2, SHORTEST_SPAN)
        cursor = stop
    return list(found.values())[:wanted]


_FREQUENCY_UNITS = {
    "SECONDLY": "second", "MINUTELY": "minute", "HOURLY": "hour", "DAILY": "day",
    "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year",
}


def _cut_message(cut: list[_SeriesInfo], kept: int) -> str:
    """'event 'Tick' repeats every second; kept its first 1000 occurrences' (one line per file)."""
    first = cut[0]
    component = first.components[0]
    label = _text(component.get("SUMMARY")) or first.key
    message = f"{COMPONENT_KINDS[component.name]} {label!r} repeats {_every(first.rrule)}"
    if len(cut) == 1:
        return f"{message}; kept its first {kept} occurrences"
    return f"{message} and {len(cut) - 1} more series repeat past the limit; kept the first {kept} occurrences of each"


def _every(rrule: str | None) -> str:
    parts = dict(p.split("=", 1) for p in (rrule or "").upper().split(";") if "=" in p)
    unit = _FREQUENCY_UNITS.get(parts.get("FREQ", ""))
    if unit is None:
        return "without end"
    interval = parts.get("INTERVAL", "1")
    return f"every {unit}" if interval == "1" else f"every {interval} {unit}s"


def read_calendar(path: Path) -> icalendar.Calendar:
    """Parse an .ics file (BOM tolerated) and apply X-WR-TIMEZONE; ParseError otherwise."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ParseError(path, f"cannot read the file: {error.strerror or error}") from error
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not data.upper().startswith(b"BEGIN:VCALENDAR"):
        first_line = data.split(b"\n", 1)[0][:60].decode("utf-8", "replace").strip()
        raise ParseError(path, f"not an iCalendar file: expected BEGIN:VCALENDAR, found {first_line!r}")
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError) as error:  # icalendar's own on odd values
        raise ParseError(path, f"invalid iCalendar data: {error}") from error
    if not calendars:
        raise ParseError(path, "no VCALENDAR found")
    calendar = calendars[0]
    for extra in calendars[1:]:  # some tools concatenate calendars; merge them
        for sub in extra.subcomponents:
            calendar.add_component(sub)
    try:
        return x_wr_timezone.to_standard(calendar)
    except Exception as error:  # noqa: BLE001 - an unknown X-WR-TIMEZONE is the file's fault
        raise ParseError(path, f"cannot apply X-WR-TIMEZONE: {error}") from error


@dataclass
class _FileContext:
    rel: str
    uri: str
    calendar_name: str
    cut_series: list[_SeriesInfo] = field(default_factory=list)  # series that hit max_occurrences


def _check_dates(path: Path, components: list[icalendar.Component]) -> None:
    """Fail with a precise message on an unreadable date (icalendar reports them lazily)."""
    for component in components:
        for name in ("DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "DURATION"):
            if name not in component:
                continue
            try:
                _dt(component, name)
            except (ValueError, icalendar.InvalidCalendar) as error:
                label = _text(component.get("SUMMARY")) or _text(component.get("UID")) or "without summary"
                raise ParseError(path, f"{component.name} {label!r}: unreadable {name}: {error}") from error


def _collect_series(components: list[icalendar.Component]) -> dict[str, _SeriesInfo]:
    """Give every component a UID (synthetic if missing) and note what each series is."""
    by_uid: dict[str, list[icalendar.Component]] = defaultdict(list)
    synthetic: set[str] = set()
    for ordinal, component in enumerate(components):
        uid = _text(component.get("UID"))
        if not uid:
            # No UID: derive one from content so it is stable across runs.
            seed = f"{component.name}|{_text(component.get('SUMMARY'))}|{_raw(component, 'DTSTART')}|{ordinal}"
            uid = "nouid-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:16]
            component["UID"] = uid
            synthetic.add(uid)
        by_uid[uid].append(component)
    infos = {}
    for uid, parts in by_uid.items():
        master = next((c for c in parts if "RECURRENCE-ID" not in c), parts[0])
        rrule = master.get("RRULE")
        if isinstance(rrule, list):
            rrule = rrule[0]
        recurring = any(("RRULE" in c or "RDATE" in c or "RECURRENCE-ID" in c) for c in parts)
        infos[uid] = _SeriesInfo(
            uid=None if uid in synthetic else uid,
            key=uid,
            rrule=rrule.to_ical().decode() if rrule is not None else None,
            recurring=recurring,
            components=parts,
        )
    return infos


def _occurrence_document(
    component: icalendar.Component,
    info: _SeriesInfo,
    context: _FileContext,
    truncated: bool,
    expansion_error: str | None = None,
) -> Document:
    return _dated(_details(component, info, context, truncated, expansion_error), *_times(component))


def _times(component: icalendar.Component) -> tuple[date | None, date | None, date | None]:
    """(start, end, recurrence id) as the entry gives them."""
    start = _dt(component, "DTSTART")
    end = _dt(component, "DTEND") or _dt(component, "DUE")
    duration = _dt(component, "DURATION")
    if end is None and start is not None and isinstance(duration, timedelta):
        end = start + duration
    if start is None:  # a task with only a due date
        start = end
    return start, end, _dt(component, "RECURRENCE-ID")


@dataclass
class _Details:
    """What an entry says besides its time: read once per series, shared by its occurrences."""

    info: _SeriesInfo
    context: _FileContext
    kind: str
    summary: str
    location: str | None
    organizer: _Person | None
    people: list[str]
    categories: list[str]
    metadata: dict[str, Any]
    text_after_when: Callable[[str | None], str]  # the entry's text, given its When line
    series_text: str | None
    due: date | None


def _details(
    component: icalendar.Component, info: _SeriesInfo, context: _FileContext, truncated: bool,
    expansion_error: str | None = None,
) -> _Details:
    kind = COMPONENT_KINDS[component.name]
    summary = _text(component.get("SUMMARY"))
    location = _text(component.get("LOCATION"))
    status = _text(component.get("STATUS"))
    organizer = _person(component.get("ORGANIZER"))
    attendees = [_person(a) for a in _as_list(component.get("ATTENDEE"))]
    attendees = [a for a in attendees if a is not None]
    categories = _categories(component)
    metadata: dict[str, Any] = {
        "uid": info.uid,
        "rrule": info.rrule,
        "status": status,
        "categories": categories,
        "attendees": [a.email for a in attendees if a.email],
        "organizer": organizer.email if organizer else None,
        "calendar_component": component.name,
    }
    tzid = getattr(component.get("DTSTART"), "params", {}).get("TZID")
    if tzid:
        metadata["tzid"] = str(tzid)
    if truncated:
        metadata["truncated_recurrence"] = True
    if expansion_error:
        metadata["expansion_error"] = expansion_error
    parts = (component, summary, location, organizer, attendees, categories, status)
    return _Details(
        info=info,
        context=context,
        kind=kind,
        summary=summary,
        location=location,
        organizer=organizer,
        people=_unique([p.label for p in ([organizer] if organizer else []) + attendees]),
        categories=categories,
        metadata=metadata,
        text_after_when=lambda when: _event_text(when, *parts),
        # Occurrences share the series' text (its rule instead of their date): one embedding for the series.
        series_text=_event_text(_repeats(info), *parts) if info.recurring else None,
        due=_dt(component, "DUE"),
    )


def _dated(details: _Details, start: date | None, end: date | None, recurrence_id: date | None) -> Document:
    """One occurrence: the entry's details at this start and end."""
    info, context = details.info, details.context
    all_day = isinstance(start, date) and not isinstance(start, datetime)
    if all_day and (not isinstance(end, date) or end <= start):
        end = start + timedelta(days=1)  # a dated entry without a length covers that day
    anchor = recurrence_id if recurrence_id is not None else start
    metadata = {
        **details.metadata,
        "recurrence_id": _iso(recurrence_id) if info.recurring and recurrence_id is not None else None,
        "all_day": all_day,
        "tzid": details.metadata.get("tzid") or _zone_name(start),
    }
    if details.kind == "task":
        metadata["due"] = _iso(details.due)
    when = f"When: {describe_when(start, end, all_day)}" if start is not None else None
    return Document(
        native_id=f"{context.rel}#{info.key}@{_iso(anchor) or 'undated'}",
        kind=details.kind,
        text=details.text_after_when(when),
        title=details.summary,
        uri=f"{context.uri}#{quote(info.key, safe='@')}",
        occurred_at=_as_datetime(start),
        ended_at=_as_datetime(end),
        author=details.organizer.label if details.organizer else None,
        conversation=context.calendar_name,
        people=details.people,
        place=details.location,
        tags=details.categories,
        metadata=metadata,
        series_text=details.series_text,
    )


def _event_text(
    when: str | None,
    component: icalendar.Component,
    summary: str,
    location: str | None,
    organizer: _Person | None,
    attendees: list[_Person],
    categories: list[str],
    status: str | None,
) -> str:
    lines = [summary or "(untitled)"]
    if when:
        lines.append(when)
    if location:
        lines.append(f"Where: {location}")
    if organizer:
        lines.append(f"Organizer: {organizer.full}")
    if attendees:
        lines.append("Attendees: " + ", ".join(a.full for a in attendees))
    if categories:
        lines.append("Categories: " + ", ".join(categories))
    if status and status.upper() not in ("CONFIRMED", "NEEDS-ACTION"):
        lines.append(f"Status: {status.lower()}")
    description = _text(component.get("DESCRIPTION"))
    if description:
        lines.append("")
        lines.append(description)
    return "\n".join(lines)


def _repeats(info: _SeriesInfo) -> str:
    """The series' line in place of an occurrence's date: 'Repeats every week on Thursday, since Thu 29 Jun 2017'."""
    master = next((c for c in info.components if "RECURRENCE-ID" not in c), info.components[0])
    first = _component_date(master)
    since = f", since {_day(first)}" if first is not None else ""
    if info.rrule is None:
        return f"Repeats on several dates{since}"
    return f"Repeats {_every(info.rrule)}{_on_days(info.rrule)}{since}"


_WEEKDAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
             "SA": "Saturday", "SU": "Sunday"}


def _on_days(rrule: str) -> str:
    """' on Monday and Wednesday' for BYDAY=MO,WE; nothing for ordinals such as -1SA (last Saturday)."""
    parts = dict(p.split("=", 1) for p in rrule.upper().split(";") if "=" in p)
    codes = [d.strip() for d in parts.get("BYDAY", "").split(",")]
    if not codes or not all(c in _WEEKDAYS for c in codes):
        return ""
    return " on " + " and ".join(_WEEKDAYS[c] for c in codes)


def describe_when(start: date, end: date | None, all_day: bool) -> str:
    """A human-readable range: 'Wed 1 Oct 2025 – Wed 8 Oct 2025 (all day)'."""
    if all_day:
        # iCalendar all-day ends are exclusive; people read the last day inclusive.
        last = end - timedelta(days=1) if isinstance(end, date) and end > start else start
        if last == start:
            return f"{_day(start)} (all day)"
        return f"{_day(start)} – {_day(last)} (all day)"
    assert isinstance(start, datetime)
    zone = _zone_label(start)
    if not isinstance(end, datetime) or end == start:
        return f"{_day(start)}, {start:%H:%M}{zone}"
    if end.date() == start.date():
        return f"{_day(start)}, {start:%H:%M}–{end:%H:%M}{zone}"
    return f"{_day(start)}, {start:%H:%M} – {_day(end)}, {end:%H:%M}{zone}"


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def _zone_label(value: datetime) -> str:
    if value.tzinfo is None:
        return ""
    offset = value.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    key = getattr(value.tzinfo, "key", None)
    return f" ({key}, UTC{offset})" if key and key != "UTC" else f" (UTC{offset})"


@dataclass
class _Person:
    name: str | None
    email: str | None

    @property
    def label(self) -> str:
        return self.name or self.email or ""

    @property
    def full(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.label


def _person(value: Any) -> _Person | None:
    if value is None:
        return None
    address = str(value).strip()
    if address.lower().startswith("mailto:"):
        address = address[len("mailto:") :]
    name = getattr(value, "params", {}).get("CN")
    person = _Person(name=str(name).strip() or None if name else None, email=address.lower() or None)
    return person if person.label else None


def _categories(component: icalendar.Component) -> list[str]:
    names: list[str] = []
    for value in _as_list(component.get("CATEGORIES")):
        cats = getattr(value, "cats", None)
        names.extend(str(c).strip() for c in (cats if cats is not None else str(value).split(",")))
    return _unique([n for n in names if n])


def _has_start(component: icalendar.Component) -> bool:
    """Whether recurring-ical-events can place the component in time."""
    if "DTSTART" in component:
        return True
    return component.name == "VTODO" and "DUE" in component


def _is_cancelled(component: icalendar.Component) -> bool:
    return (_text(component.get("STATUS")) or "").upper() == "CANCELLED"


def _dt(component: icalendar.Component, name: str) -> date | None:
    value = component.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return getattr(value, "dt", None)


def _raw(component: icalendar.Component, name: str) -> str:
    value = component.get(name)
    try:
        return value.to_ical().decode() if value is not None else ""
    except AttributeError:
        return str(value)


def _component_date(component: icalendar.Component) -> date | None:
    value = _dt(component, "DTSTART") or _dt(component, "DUE")
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _zone_name(start: date | None) -> str | None:
    if isinstance(start, datetime) and start.tzinfo is not None:
        return getattr(start.tzinfo, "key", None) or start.tzname()
    return None


def _as_datetime(value: date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time())


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _sort_key(value: date) -> datetime:
    """Order aware, naive and all-day starts together (aware ones by their UTC instant)."""
    if isinstance(value, datetime):
        offset = value.utcoffset()
        return (value - offset).replace(tzinfo=None) if offset is not None else value.replace(tzinfo=None)
    return datetime.combine(value, time())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


# ------------------------------------------------------------------ holiday-cn JSON


class HolidayCnJsonIndexer:
    """NateScarlet/holiday-cn yearly files: {"year", "days": [{"name", "date", "isOffDay"}]}.

    Each listed day becomes an all-day event: a statutory day off, or a
    make-up working day (调休) that falls on a weekend.
    """

    source_kind = "calendar"
    name = "holiday-cn-json"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() != ".json":
            return False
        try:
            with path.open("rb") as handle:
                head = handle.read(4096)
        except OSError:
            return False
        return b'"isOffDay"' in head and b'"days"' in head

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as error:
            raise ParseError(path, f"cannot read the file: {error}") from error
        except json.JSONDecodeError as error:
            raise ParseError(path, f"not valid JSON: {error}") from error
        except RecursionError:
            raise ParseError(path, "not readable JSON: nested too deeply") from None
        if not isinstance(data, dict) or not isinstance(data.get("days"), list):
            raise ParseError(path, 'not a holiday-cn file: no "days" list')
        year = data.get("year")
        rel = relative_id(path, root)
        for index, entry in enumerate(data["days"]):
            yield _holiday_document(path, rel, year, index, entry)


def _holiday_document(path: Path, rel: str, year: Any, index: int, entry: Any) -> Document:
    try:
        name = str(entry["name"]).strip()
        day = date.fromisoformat(str(entry["date"]))
        off = bool(entry["isOffDay"])
    except (KeyError, TypeError, ValueError) as error:
        raise ParseError(path, f'days[{index}]: needs "name", an ISO "date" and "isOffDay" ({error})') from error
    status = "day off (休息日)" if off else "working day (调休上班)"
    start = datetime.combine(day, time())
    return Document(
        native_id=f"{rel}#{day.isoformat()}",
        kind="event",
        title=f"{name}: {'day off' if off else 'working day'}",
        text=f"{name}\nWhen: {_day(day)} (all day)\n{day.isoformat()} is a {status} for {name}.",
        uri=f"{path.resolve().as_uri()}#{day.isoformat()}",
        occurred_at=start,
        ended_at=start + timedelta(days=1),
        conversation=f"holiday-cn {year}" if year else "holiday-cn",
        tags=[name],
        metadata={"all_day": True, "is_off_day": off, "holiday": name, "year": year},
    )
