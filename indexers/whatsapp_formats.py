"""The grammar of WhatsApp "Export chat" text: message lines, dates, clocks, placeholders.

WhatsApp writes timestamps in the phone's locale: any day/month/year order,
12- or 24-hour clocks with localized markers, Arabic-Indic digits, Buddhist or
Japanese-era years, and invisible direction marks around everything. This
module turns raw lines into :class:`RawMessage` entries and resolves their
dates for the whole file at once (day/month order cannot be known per line).
Nothing here knows about documents; :mod:`indexers.whatsapp` builds those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

# Invisible bidi controls WhatsApp sprinkles around dates, names and placeholders.
DIRECTION_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
_STRIP_MARKS = str.maketrans("", "", DIRECTION_MARKS)
# Arabic-Indic and Eastern Arabic-Indic digits -> ASCII; odd spaces -> plain space.
_NORMALIZE = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
    }
)

# Japanese imperial eras: year 1 of the era is this Gregorian year + 1.
JAPANESE_ERAS = {"R": 2018, "令和": 2018, "H": 1988, "平成": 1988, "S": 1925, "昭和": 1925}
BUDDHIST_OFFSET = 543

_STAMP = (
    r"(?P<era>R|H|S|令和|平成|昭和)?"
    r"(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})\.?"
    r"(?:\s?(?P<era_suffix>BE|B\.E\.|พ\.ศ\.))?"
    r"[,،]?\s+"
    r"(?P<pre>[^\W\d]{1,4}\s?)?"
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
)
# iOS: "[18.06.19, 15:58:47] Sender: text"; the marker may contain dots and spaces.
BRACKET_LINE = re.compile(rf"^\[{_STAMP}(?:\s?(?P<post>[^\W\d][^\[\]]{{0,10}}?))?\]\s?(?P<rest>.*)$")
# Android: "18/06/2019, 15:58 - Sender: text"; the marker never contains a dash.
DASH_LINE = re.compile(rf"^{_STAMP}(?:\s?(?P<post>[^\W\d][^\-–]{{0,10}}?))?\s[-–]\s(?P<rest>.*)$")

# Localized "AM"/"PM" markers, compared after lower-casing and removing dots/spaces.
_AM = {"am", "a", "vorm", "ص", "午前", "上午", "오전", "πμ", "ก่อนเที่ยง", "sa", "fm", "de", "قظ"}
_PM = {"pm", "p", "nachm", "م", "午後", "下午", "오후", "μμ", "หลังเที่ยง", "ch", "em", "du", "بظ"}


@dataclass
class RawMessage:
    """One header line of the export plus its continuation lines, dates unresolved."""

    line: int
    date_fields: tuple[str, str, str]
    era: str | None
    era_suffix: str | None
    clock: str
    marker: str | None
    rest: str
    leading_mark: bool  # iOS writes a mark before "[" for media messages
    continuation: list[str] = field(default_factory=list)
    when: datetime | None = None


class FormatProblem(ValueError):
    """A precise description of what is wrong; the caller adds the path."""


def normalize(text: str) -> str:
    """Digits to ASCII and odd spaces to plain ones (direction marks are kept)."""
    return text.translate(_NORMALIZE)


def strip_marks(text: str) -> str:
    return text.translate(_STRIP_MARKS)


def split_lines(text: str) -> list[str]:
    # Not str.splitlines(): it also splits on U+2028 and friends inside messages.
    return re.split(r"\r\n|\r|\n", text)


def match_header(line: str) -> tuple[str, re.Match[str]] | None:
    """("ios"|"android", match) when ``line`` starts a message, else None."""
    clean = line.lstrip(DIRECTION_MARKS + " \ufeff")
    # Only the stamp is normalized (Arabic puts RLM between date fields and uses
    # Arabic-Indic digits); the message text stays as written.
    stamp_end = clean.find("]") if clean.startswith("[") else clean.find(" - ")
    if stamp_end > 0:
        clean = strip_marks(normalize(clean[:stamp_end])) + clean[stamp_end:]
    if clean.startswith("["):
        found = BRACKET_LINE.match(clean)
        return ("ios", found) if found else None
    found = DASH_LINE.match(clean)
    return ("android", found) if found else None


def read_messages(lines: list[str], sniff_limit: int = 50) -> tuple[str, list[RawMessage], list[str]]:
    """Group lines into raw messages; returns (style, messages, lines before the first)."""
    style: str | None = None
    messages: list[RawMessage] = []
    preamble: list[str] = []
    for number, line in enumerate(lines, start=1):
        header = match_header(line)
        # Once the style is known, a line of the other style is quoted text.
        if header and (style is None or header[0] == style):
            style, found = header
            messages.append(_raw_message(number, line, found))
        elif messages:
            messages[-1].continuation.append(line)
        else:
            if number >= sniff_limit:
                raise FormatProblem(f"no WhatsApp message lines found in the first {sniff_limit} lines")
            preamble.append(line)
    if style is None:
        written = len(lines) - (lines[-1] == "")  # a final newline does not start a line
        raise FormatProblem(f"no WhatsApp message lines found in the first {min(written, sniff_limit)} lines")
    return style, messages, preamble


def _raw_message(number: int, line: str, found: re.Match[str]) -> RawMessage:
    first, second, third = re.split(r"[./-]", found["date"])
    marker = found["pre"] or found["post"]
    return RawMessage(
        line=number,
        date_fields=(first, second, third),
        era=found["era"],
        era_suffix=found["era_suffix"],
        clock=found["time"],
        marker=marker.strip() if marker else None,
        rest=found["rest"],
        leading_mark=line[:1] in DIRECTION_MARKS,
    )


# ---- dates -----------------------------------------------------------------


def resolve_dates(messages: list[RawMessage]) -> tuple[str, bool]:
    """Give every message its datetime; returns (date order, whether it was guessed).

    The order is decided for the whole file: a first field > 12 means day-first,
    a second field > 12 month-first; otherwise the order under which times never
    go backwards wins, and day-first is the last resort (flagged as guessed).
    """
    # Japanese-era dates are written year first ("R4/3/18"), like 4-digit years.
    if all(len(m.date_fields[0]) == 4 or m.era for m in messages):
        order, guessed = "YMD", False
    else:
        order, guessed = _day_month_order(messages)
    for message in messages:
        message.when = _timestamp(message, order)
    return order, guessed


def _day_month_order(messages: list[RawMessage]) -> tuple[str, bool]:
    day_first = next((m for m in messages if int(m.date_fields[0]) > 12), None)
    month_first = next((m for m in messages if int(m.date_fields[1]) > 12), None)
    if day_first and month_first:
        _check_order_everywhere(messages, "DMY")  # raises at the line that breaks it
    if day_first:
        return "DMY", False
    if month_first:
        return "MDY", False
    monotonic = [order for order in ("DMY", "MDY") if _non_decreasing(messages, order)]
    if len(monotonic) == 1:
        return monotonic[0], False
    return "DMY", True


def _check_order_everywhere(messages: list[RawMessage], order: str) -> None:
    for message in messages:
        _timestamp(message, order)


def _non_decreasing(messages: list[RawMessage], order: str) -> bool:
    try:
        times = [_timestamp(m, order) for m in messages]
    except FormatProblem:
        return False
    return all(a <= b for a, b in zip(times, times[1:]))


def _timestamp(message: RawMessage, order: str) -> datetime:
    day = _calendar_date(message, order)
    hour, minute, second = _clock(message)
    return datetime(day.year, day.month, day.day, hour, minute, second)


def _calendar_date(message: RawMessage, order: str) -> date:
    first, second, third = message.date_fields
    written = "/".join(message.date_fields)
    if order == "YMD":
        year, month, day = first, second, third
    elif order == "DMY":
        day, month, year = first, second, third
    else:
        month, day, year = first, second, third
    full_year = _gregorian_year(message, year)
    try:
        return date(full_year, int(month), int(day))
    except ValueError:
        if order != "YMD" and not _valid_either_way(first, second, full_year):
            raise FormatProblem(f"line {message.line}: date {written} is not a valid date under any order") from None
        raise FormatProblem(
            f"line {message.line}: date {written} is not a valid date in {order} order, "
            f"which the rest of the file uses"
        ) from None


def _valid_either_way(first: str, second: str, year: int) -> bool:
    for day, month in ((first, second), (second, first)):
        try:
            date(year, int(month), int(day))
            return True
        except ValueError:
            pass
    return False


def _gregorian_year(message: RawMessage, year_text: str) -> int:
    year = int(year_text)
    if message.era:
        return JAPANESE_ERAS[message.era] + year
    if message.era_suffix:
        return year - BUDDHIST_OFFSET
    if len(year_text) == 4 and 2400 <= year <= 2700:
        return year - BUDDHIST_OFFSET  # a Thai Buddhist year written without "BE"
    if len(year_text) <= 2:
        year += 2000
        if year > datetime.now().year + 1:
            raise FormatProblem(
                f"line {message.line}: two-digit year {year_text} lies in the future "
                "(a Buddhist-calendar year?); cannot date this export safely"
            )
        return year
    if len(year_text) != 4:
        raise FormatProblem(f"line {message.line}: year {year_text} has {len(year_text)} digits")
    return year


def _clock(message: RawMessage) -> tuple[int, int, int]:
    parts = [int(p) for p in re.split(r"[:.]", message.clock)]
    hour, minute = parts[0], parts[1]
    second = parts[2] if len(parts) == 3 else 0
    if message.marker:
        half = marker_half(message.marker)
        if half is None:
            raise FormatProblem(f"line {message.line}: unknown time-of-day marker {message.marker!r}")
        if not 0 <= hour <= 12:
            raise FormatProblem(f"line {message.line}: hour {hour} is not valid on a 12-hour clock")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise FormatProblem(f"line {message.line}: time {message.clock} is not a valid time")
    return hour, minute, second


def marker_half(marker: str) -> str | None:
    key = re.sub(r"[\s.]", "", marker).lower()
    if key in _AM:
        return "am"
    if key in _PM:
        return "pm"
    return None


# ---- message bodies --------------------------------------------------------

_SENDER = re.compile(r"^(?P<sender>[^:]{1,80}?):(?: |$)?(?P<text>.*)$", re.DOTALL)


def split_sender(rest: str) -> tuple[str, str] | None:
    """(sender, text) for "Sender: text"; None for system lines without a sender."""
    found = _SENDER.match(rest)
    if not found:
        return None
    sender = " ".join(strip_marks(found["sender"]).split())
    if not sender:
        return None
    return sender, found["text"]


# Beginnings of the encryption notices WhatsApp writes as the chat's first line
# (iOS attributes them to the chat, Android to no one), in the corpus languages.
_NOTICE_STARTS = (
    "messages and calls are end-to-end encrypted",
    "messages to this group are now secured with end-to-end encryption",
    "messages you send to this group are now secured with end-to-end encryption",
    "messages you send to this chat and calls are now secured with end-to-end encryption",
    "zprávy a hovory jsou",
    "berichten en oproepen worden end-to-end",
    "nachrichten und anrufe sind ende-zu-ende",
    "les messages et les appels sont chiffrés de bout en bout",
    "i messaggi e le chiamate sono crittografati end-to-end",
    "los mensajes y las llamadas están cifrados de extremo a extremo",
    "as mensagens e chamadas são encriptadas ponto a ponto",
    "as mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
    "сообщения и звонки защищены сквозным шифрованием",
    "повідомлення й дзвінки захищено наскрізним шифруванням",
    "メッセージと通話はエンドツーエンド暗号化されています",
    "الرسائل والمكالمات مشفرة تمامًا بين الطرفين",
    "मैसेजेस और कॉल्स एंड-टू-एंड एन्क्रिप्टेड हैं",
    "pesan dan panggilan terenkripsi secara end-to-end",
)


def is_system_text(text: str) -> bool:
    """Whether a line that has a "Sender:" part is really a WhatsApp notice.

    iOS writes notices as if the chat itself sent them: the text starts with a
    direction mark, twice for security-code changes, and the encryption notice
    has a known wording.
    """
    if text[:2] and all(ch in DIRECTION_MARKS for ch in text[:2]):
        return True
    plain = " ".join(strip_marks(normalize(text)).split()).lower()
    return plain.startswith(_NOTICE_STARTS)


# English notices that say who did something to the chat: "Alice created group "X"",
# "Loris added Emily", "Bob left", "You changed the subject to "Y"". The actor is the
# words before the verb. The corpus has these notices in English only (other
# locales export just the encryption notice), so no other wording is guessed.
_ACTOR_NOTICE = re.compile(
    r"^(?P<actor>.{1,80}?) (?:created group |added |removed |left$|joined using this group's invite link"
    r"|changed the subject |changed this group's icon|deleted this group's icon|changed the group description"
    r"|deleted the group description|changed this group's settings|changed the group name |pinned a message"
    r"|started a (?:voice |video )?call)"
)
_NOT_AN_ACTOR = re.compile(r"(?:was|were|has been|have been)$")  # "You were added": nobody named


def notice_actor(text: str) -> str | None:
    """Who did what a senderless line says ("Alice" of "Alice added you"), or None.

    "You" is the phone's owner; the caller decides how to name them.
    """
    plain = " ".join(strip_marks(normalize(text)).split())
    found = _ACTOR_NOTICE.match(plain)
    if not found or _NOT_AN_ACTOR.search(found["actor"]):
        return None
    return found["actor"]


# Localized placeholder wordings -> the English kind used as the attachment name.
_OMITTED_KINDS = {
    "image": ("image omitted", "bild weggelassen", "obrázek vynechán", "image absente", "immagine omessa",
              "imagen omitida", "imagem não revelada", "imagem ocultada", "изображение отсутствует",
              "зображення відсутнє", "画像は含まれていません", "لم يتم إدراج الصورة", "फ़ोटो हटाई गई",
              "gambar tidak disertakan", "afbeelding weggelaten"),
    "video": ("video omitted", "video weggelassen", "video vynecháno", "vidéo absente", "video omesso",
              "video omitido", "vídeo não revelado", "vídeo ocultado", "видео отсутствует", "відео відсутнє",
              "ビデオは含まれていません", "لم يتم إدراج الفيديوهات", "वीडियो छोड़ा गया", "video tidak disertakan",
              "video weggelaten"),
    "audio": ("audio omitted", "audio weggelassen", "zvukový soubor vynechán", "audio omis", "audio omesso",
              "audio omitido", "ficheiro de áudio não revelado", "áudio ocultado", "аудиофайл отсутствует",
              "аудіо відсутнє", "音声は含まれていません", "لم يتم إدراج المقاطع الصوتية", "ऑडियो हटाई गयी",
              "audio tidak disertakan", "audio weggelaten"),
    "sticker": ("sticker omitted", "sticker weggelassen", "nálepka vynechána", "sticker omis",
                "sticker non incluso", "sticker omitido", "sticker não revelado", "стикер не добавлен",
                "наклейку не додано", "スタンプは含まれていません", "تم حذف الملصقات", "स्टिकर छोड़ा गया",
                "stiker tidak disertakan", "sticker weggelaten"),
    "GIF": ("gif omitted", "gif weggelassen", "gif vynechán", "gif retiré", "gif esclusa", "gif omitido",
            "gif não revelada", "gif отсутствует", "gif-анімацію пропущено", "gifは含まれていません",
            "لم يتم إدراج صورة gif", "gif छोड़ा गया", "gif tidak disertakan", "gif weggelaten"),
    "contact card": ("contact card omitted", "kontaktkarte ausgelassen", "vizitka vynechána",
                     "fiche contact manquante", "scheda contatto omessa", "tarjeta de contacto omitida",
                     "contacto não revelado", "карточка контакта отсутствует", "картка контакту відсутня",
                     "連絡先カードを省略", "لم يتم إدراج بطاقة جهة اتصال", "कॉन्टैक्ट कार्ड छोड़ा गया",
                     "kartu kontak tidak disertakan"),
    "document": ("document omitted", "dokument weggelassen", "dokument vynechán", "document manquant",
                 "documento omesso", "documento omitido", "documento não revelado", "документ отсутствует",
                 "документ пропущено", "ドキュメントは含まれていません", "لم يتم إدراج المستند",
                 "डॉक्यूमेंट छोड़ा गया", "dokumen tidak disertakan", "document weggelaten"),
}
PLACEHOLDER_KIND = {wording: kind for kind, wordings in _OMITTED_KINDS.items() for wording in wordings}

# Android writes "<Media omitted>" (localized) as the whole first line of the text.
ANDROID_MEDIA_OMITTED = re.compile(r"^<[^<>\d:/]{3,40}>$")
# Android "with media": "IMG-20200614-WA0001.jpg (file attached)" in any language.
ANDROID_FILE_ATTACHED = re.compile(r"^(?P<name>[^()\n]+?\.[A-Za-z0-9]{2,5}) \([^()]{3,40}\)$")
# iOS "with media": "<attached: 00000012-PHOTO-2020-06-14-18-30-38.jpg>" (the word is localized).
IOS_ATTACHED = re.compile(r"<[^<>:]{2,30}: (?P<name>[^<>]+?\.[A-Za-z0-9]{2,5})>")
