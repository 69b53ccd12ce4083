"""Contacts indexers: vCard (.vcf 2.1/3.0/4.0), jCard (RFC 7095) and xCard (RFC 6351).

vCard text is parsed by ``vobject``. Real exports trip it up in two ways that
are repaired first, line by line, without writing a vCard parser of our own:
vCard 2.1 QUOTED-PRINTABLE values continue on unindented lines after a soft
break ("=" at the end of a line), and inline photos/keys arrive as huge base64
blocks (sometimes unindented). Photos are not text, so those properties are
dropped before parsing; QUOTED-PRINTABLE values are decoded with their CHARSET.

Every card becomes one ``Document(kind="contact")``. :func:`normalize_phone`
and :func:`phone_keys` are shared with the engine to match chat senders to
contacts.
"""

from __future__ import annotations

import hashlib
import json
import quopri
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

import vobject

from pocketmind.documents import Document
from pocketmind.errors import ParseError

from . import safe_xml as ElementTree

from .base import relative_id

# ------------------------------------------------------------------ phone numbers

_EXTENSION = re.compile(r"(?i)\s*(;|ext\.?|extension|x\s*\d|#).*$")


def normalize_phone(raw: str) -> str:
    """A phone number reduced to digits with an optional leading "+".

    The rule, kept simple on purpose: drop a ``tel:`` prefix and anything from
    an extension marker on (``;ext=``, ``ext``, ``x``, ``#``), turn an
    international ``00`` prefix into ``+``, then keep only the digits and a
    leading ``+``. ``"+1 (555) 123-4567"`` -> ``"+15551234567"``. Returns ""
    when no digits are left (e.g. Outlook's placeholder "BusinessPhone").
    """
    text = raw.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    text = _EXTENSION.sub("", text).strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return ""
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00") and len(digits) > 4:
        return "+" + digits[2:]
    return digits


def phone_keys(raw: str) -> list[str]:
    """Keys under which a number should match another spelling of itself.

    The normalized number, its digits without "+", and its last 9 digits (so
    "+44 7911 123456" matches a locally written "07911 123456").
    """
    normalized = normalize_phone(raw)
    if not normalized:
        return []
    digits = normalized.lstrip("+")
    keys = [normalized, digits]
    if len(digits) > 9:
        keys.append(digits[-9:])
    return list(dict.fromkeys(keys))


# ------------------------------------------------------------------ common card model


@dataclass
class Card:
    """The parts of a contact that are worth indexing, whatever the syntax."""

    uid: str | None = None
    formatted_name: str | None = None
    name_parts: list[str] = field(default_factory=list)  # prefix, given, additional, family, suffix
    nicknames: list[str] = field(default_factory=list)
    org: str | None = None
    job_title: str | None = None
    role: str | None = None
    phones: list[tuple[str, list[str]]] = field(default_factory=list)  # (number as written, types)
    emails: list[str] = field(default_factory=list)
    addresses: list[tuple[str, list[str]]] = field(default_factory=list)  # (address, types: home, work...)
    birthday: str | None = None
    notes: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def display_name(self) -> str:
        if self.formatted_name:
            return self.formatted_name
        assembled = " ".join(p for p in self.name_parts if p)
        if assembled:
            return assembled
        if self.org:
            return self.org
        if self.emails:
            return self.emails[0]
        return self.phones[0][0] if self.phones else ""


def card_document(card: Card, rel: str, uri: str, ordinal: int, seen: set[str]) -> Document:
    """Turn a card into a contact document with a stable, unique id."""
    name = card.display_name()
    first_contact = card.emails[0] if card.emails else (card.phones[0][0] if card.phones else "")
    key = card.uid or "h" + hashlib.sha1(f"{name}|{first_contact}".encode("utf-8")).hexdigest()[:16]
    native_id = f"{rel}#{key}"
    if native_id in seen:  # two identical cards in one file: keep both, apart
        native_id = f"{native_id}~{ordinal}"
    seen.add(native_id)
    phones = [p for p in (normalize_phone(number) for number, _ in card.phones) if p]
    return Document(
        native_id=native_id,
        kind="contact",
        text=_card_text(card, name),
        title=name,
        uri=f"{uri}#{key}",
        people=[name] if name else [],
        tags=card.categories,
        metadata={
            "uid": card.uid,
            "phones": list(dict.fromkeys(phones)),
            "emails": list(dict.fromkeys(e.lower() for e in card.emails)),
            "handles": list(dict.fromkeys(card.handles)),
            "nicknames": card.nicknames,
            "org": card.org,
            "title": card.job_title,
            "birthday": card.birthday,
            "urls": list(dict.fromkeys(card.urls)),
        },
    )


def _card_text(card: Card, name: str) -> str:
    lines = [name or "(no name)"]
    full_name = " ".join(p for p in card.name_parts if p)
    if full_name and full_name != name:
        lines.append(f"Full name: {full_name}")
    if card.nicknames:
        lines.append("Nickname: " + ", ".join(card.nicknames))
    work = ", ".join(x for x in (card.job_title, card.role, card.org) if x)
    if work:
        lines.append(f"Work: {work}")
    for number, types in card.phones:
        label = f" ({', '.join(types)})" if types else ""
        lines.append(f"Phone{label}: {number}")
    lines.extend(f"Email: {email}" for email in card.emails)
    for address, types in card.addresses:  # "Address (home)": the card's home and work addresses apart
        label = f" ({', '.join(types)})" if types else ""
        lines.append(f"Address{label}: {address}")
    if card.birthday:
        lines.append(f"Birthday: {card.birthday}")
    lines.extend(f"Chat: {handle}" for handle in card.handles)
    lines.extend(f"Web: {url}" for url in dict.fromkeys(card.urls))
    if card.categories:
        lines.append("Groups: " + ", ".join(card.categories))
    for note in card.notes:
        lines.append("")
        lines.append(note)
    return "\n".join(lines)


def iso_birthday(raw: str) -> str:
    """vCard birthdays as ISO: 19800322 -> 1980-03-22; --0203 -> --02-03 (no year)."""
    text = raw.strip()
    compact = text.split("T")[0].replace("-", "") if not text.startswith("--") else text
    if re.fullmatch(r"\d{8}", compact):
        try:
            return date(int(compact[:4]), int(compact[4:6]), int(compact[6:])).isoformat()
        except ValueError:
            return text
    match = re.fullmatch(r"--(\d{2})-?(\d{2})", text)
    if match:
        return f"--{match.group(1)}-{match.group(2)}"
    return text


# Properties that carry chat identities, with the URI scheme their handles get.
HANDLE_PROPERTIES = {
    "IMPP": "", "X-JABBER": "xmpp", "X-GOOGLE-TALK": "xmpp", "X-SKYPE": "skype",
    "X-SKYPE-USERNAME": "skype", "X-AIM": "aim", "X-ICQ": "icq", "X-MSN": "msnim",
    "X-YAHOO": "ymsgr", "X-GADUGADU": "gg", "X-QQ": "qq", "X-MS-IMADDRESS": "im",
    "X-TWITTER": "twitter", "X-TELEGRAM": "telegram", "X-WHATSAPP": "whatsapp",
    "X-SIGNAL": "signal", "X-MATRIX": "matrix",
}  # fmt: skip


def _add_handle(card: Card, name: str, value: str) -> None:
    value = value.strip()
    if not value:
        return
    scheme = HANDLE_PROPERTIES[name]
    if not scheme or value.lower().startswith(f"{scheme}:"):
        card.handles.append(value)  # IMPP values are already "scheme:id"
    else:
        card.handles.append(f"{scheme}:{value}")


# ------------------------------------------------------------------ vCard text


BINARY_PROPERTIES = {"PHOTO", "LOGO", "SOUND", "KEY"}
_PROPERTY_LINE = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)([;:])")


class VCardIndexer:
    """vCard files (.vcf/.vcard): Android, iPhone, macOS, Outlook, Gmail, Thunderbird..."""

    source_kind = "contacts"
    name = "vcard"

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() in (".vcf", ".vcard")

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        text = repair_vcard_text(_read_text(path))
        if "BEGIN:VCARD" not in text.upper():
            raise ParseError(path, "not a vCard file: no BEGIN:VCARD line")
        try:
            components = list(vobject.readComponents(text, validate=False, ignoreUnreadable=True))
        except Exception as error:  # noqa: BLE001 - vobject raises many types on bad input
            raise ParseError(path, f"invalid vCard data: {error}") from error
        cards = [c for c in components if c.name == "VCARD"]
        if not cards:
            raise ParseError(path, "no complete vCard (BEGIN:VCARD without END:VCARD?)")
        rel, uri, seen = relative_id(path, root), path.resolve().as_uri(), set()
        for ordinal, component in enumerate(cards, start=1):
            try:
                card = card_from_vobject(component)
            except (AttributeError, TypeError, ValueError) as error:  # vobject decodes values lazily
                raise ParseError(path, f"card {ordinal}: a property cannot be read ({type(error).__name__}: {error})") from None
            yield card_document(card, rel, uri, ordinal, seen)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ParseError(path, f"cannot read the file: {error.strerror or error}") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # old Outlook exports


def repair_vcard_text(text: str) -> str:
    """Make real-world vCard text digestible for vobject.

    Unfolds continuation lines, joins QUOTED-PRINTABLE soft line breaks and
    decodes those values (honouring CHARSET), and drops inline binary
    properties (PHOTO, LOGO, SOUND, KEY) together with their base64 lines.
    """
    lines = re.sub(r"\r+\n|\r", "\n", text).split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        match = _PROPERTY_LINE.match(line)
        if not match:
            if line[:1] in (" ", "\t") and out:
                out[-1] += line[1:]  # RFC folding: a continuation of the previous line
            continue  # blank lines and stray base64 of a dropped property
        if match.group(1).upper() in BINARY_PROPERTIES:
            # Skip the value's continuation lines (indented or bare base64).
            while index < len(lines) and lines[index] and not _PROPERTY_LINE.match(lines[index]):
                index += 1
            continue
        head, _, value = line.partition(":")
        if _is_quoted_printable(head):
            while value.endswith("=") and index < len(lines):
                value = value[:-1] + lines[index]  # soft line break
                index += 1
            head, value = _decode_quoted_printable(head, value)
        out.append(f"{head}:{value}")
    return "\n".join(out) + "\n"


def _is_quoted_printable(head: str) -> bool:
    params = [p.strip().upper() for p in head.split(";")[1:]]
    return "ENCODING=QUOTED-PRINTABLE" in params or "QUOTED-PRINTABLE" in params


def _decode_quoted_printable(head: str, value: str) -> tuple[str, str]:
    """Decode a QP value and drop the ENCODING/CHARSET parameters it needed."""
    params = head.split(";")
    charset = "utf-8"
    kept = [params[0]]
    for param in params[1:]:
        upper = param.strip().upper()
        if upper.startswith("CHARSET="):
            charset = param.split("=", 1)[1].strip().strip('"')
        elif upper not in ("ENCODING=QUOTED-PRINTABLE", "QUOTED-PRINTABLE"):
            kept.append(param)
    raw = quopri.decodestring(value.encode("utf-8"))
    try:
        decoded = raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        decoded = raw.decode("cp1252", errors="replace")
    # Line breaks inside a value must be escaped in unfolded vCard text.
    decoded = re.sub(r"\r\n|\r|\n", r"\\n", decoded)
    return ";".join(kept), decoded


def card_from_vobject(component: Any) -> Card:
    card = Card()
    for prop in component.getChildren():
        name = prop.name.upper()
        value = prop.value
        if name == "UID":
            card.uid = _clean(value) or None
        elif name == "FN":
            card.formatted_name = card.formatted_name or _clean(value) or None
        elif name == "N" and not card.name_parts:
            card.name_parts = _vobject_name(value)
        elif name == "NICKNAME":
            card.nicknames.extend(_split_list(value))
        elif name == "ORG" and not card.org:
            card.org = ", ".join(_flatten(value)) or None
        elif name == "TITLE" and not card.job_title:
            card.job_title = _clean(value) or None
        elif name == "ROLE" and not card.role:
            card.role = _clean(value) or None
        elif name == "TEL" and _clean(value):
            card.phones.append((_clean(value), _types(prop)))
        elif name == "EMAIL" and _clean(value):
            card.emails.append(_clean(value))
        elif name == "ADR":
            address = _vobject_address(value)
            if address:
                card.addresses.append((address, _types(prop)))
        elif name == "BDAY" and not card.birthday and _clean(value):
            card.birthday = iso_birthday(_clean(value))
        elif name == "NOTE" and _clean(value):
            card.notes.append(_clean(value))
        elif name == "URL" and _clean(value):
            card.urls.append(_clean(value).replace("\\:", ":"))
        elif name == "CATEGORIES":
            card.categories.extend(_split_list(value))
        elif name in HANDLE_PROPERTIES:
            _add_handle(card, name, _clean(value))
    return card


def _types(prop: Any) -> list[str]:
    """TEL and ADR types from TYPE=... and from vCard 2.1 bare parameters (TEL;CELL;PREF)."""
    found: list[str] = []
    for key, values in prop.params.items():
        if key.upper() == "TYPE":
            for value in values:
                found.extend(v.strip().lower() for v in value.split(","))
    found.extend(v.lower() for v in getattr(prop, "singletonparams", []))  # vCard 2.1 TEL;WORK;FAX
    return [t for t in dict.fromkeys(found) if t and t not in ("pref", "voice")]


def _vobject_name(value: Any) -> list[str]:
    parts = [getattr(value, a, "") for a in ("prefix", "given", "additional", "family", "suffix")]
    return [" ".join(_flatten(p)) for p in parts if _flatten(p)]


def _vobject_address(value: Any) -> str:
    parts = [getattr(value, a, "") for a in ("box", "extended", "street", "city", "region", "code", "country")]
    if not any(hasattr(value, a) for a in ("street", "city")):
        parts = [value]
    return ", ".join(" ".join(_flatten(p)).replace("\n", ", ") for p in parts if _flatten(p))


def _flatten(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _flatten(v)]
    text = _clean(value)
    return [text] if text else []


def _split_list(value: Any) -> list[str]:
    return [s.strip() for v in _flatten(value) for s in v.split(",") if s.strip()]


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return ""  # binary data is not text
    if isinstance(value, (list, tuple)):
        return ", ".join(_flatten(value))
    return str(value).strip()


# ------------------------------------------------------------------ jCard (JSON)


class JCardIndexer:
    """jCard files (RFC 7095): ["vcard", [[name, params, type, value...], ...]]."""

    source_kind = "contacts"
    name = "jcard"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() not in (".json", ".jcard"):
            return False
        try:
            with path.open("rb") as handle:
                head = handle.read(256).lstrip(b"\xef\xbb\xbf \t\r\n[")
        except OSError:
            return False
        return head.lower().startswith(b'"vcard"')

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        try:
            data = json.loads(_read_text(path))
        except json.JSONDecodeError as error:
            raise ParseError(path, f"not valid JSON: {error}") from error
        except RecursionError:
            raise ParseError(path, "not readable JSON: nested too deeply") from None
        if isinstance(data, list) and data and data[0] == "vcard":
            data = [data]  # one card, not a list of cards
        if not isinstance(data, list) or not all(_is_jcard(c) for c in data):
            raise ParseError(path, 'not a jCard: expected ["vcard", [properties...]]')
        rel, uri, seen = relative_id(path, root), path.resolve().as_uri(), set()
        for ordinal, entry in enumerate(data, start=1):
            properties = [(p[0], p[1] if isinstance(p[1], dict) else {}, p[3:])
                          for p in entry[1] if isinstance(p, list) and len(p) >= 4]
            try:
                card = card_from_properties(properties)
            except RecursionError:
                raise ParseError(path, f"card {ordinal}: a value is nested too deeply") from None
            yield card_document(card, rel, uri, ordinal, seen)


def _is_jcard(entry: Any) -> bool:
    return isinstance(entry, list) and len(entry) == 2 and entry[0] == "vcard" and isinstance(entry[1], list)


# ------------------------------------------------------------------ xCard (XML)

XCARD_NS = "{urn:ietf:params:xml:ns:vcard-4.0}"
# The order of structured parts, as in the vCard text form.
XCARD_PARTS = {
    "n": ("surname", "given", "additional", "prefix", "suffix"),
    "adr": ("pobox", "ext", "street", "locality", "region", "code", "country"),
}


class XCardIndexer:
    """xCard files (RFC 6351): <vcards xmlns="urn:ietf:params:xml:ns:vcard-4.0">."""

    source_kind = "contacts"
    name = "xcard"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() not in (".xml", ".xcard"):
            return False
        try:
            with path.open("rb") as handle:
                return b"urn:ietf:params:xml:ns:vcard-4.0" in handle.read(1024)
        except OSError:
            return False

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        try:
            tree = ElementTree.parse(path)
        except ElementTree.DefusedXmlException as error:
            raise ElementTree.refused(path, error) from None
        except (ElementTree.ParseError, LookupError) as error:  # LookupError: an encoding Python does not know
            raise ParseError(path, f"not well-formed XML: {error}") from error
        except OSError as error:
            raise ParseError(path, f"cannot read the file: {error.strerror or error}") from error
        vcards = tree.getroot().findall(f"{XCARD_NS}vcard")
        if tree.getroot().tag == f"{XCARD_NS}vcard":
            vcards = [tree.getroot()]
        if not vcards:
            raise ParseError(path, "no <vcard> element in the vCard 4.0 namespace")
        rel, uri, seen = relative_id(path, root), path.resolve().as_uri(), set()
        for ordinal, vcard in enumerate(vcards, start=1):
            properties = [_xcard_property(element) for element in vcard]
            yield card_document(card_from_properties(properties), rel, uri, ordinal, seen)


def _xcard_property(element: ElementTree.Element) -> tuple[str, dict, list]:
    name = element.tag.removeprefix(XCARD_NS)
    params: dict[str, list[str]] = {}
    values: list[Any] = []
    for child in element:
        tag = child.tag.removeprefix(XCARD_NS)
        if tag == "parameters":
            for param in child:
                params[param.tag.removeprefix(XCARD_NS)] = [(v.text or "").strip() for v in param]
        elif name in XCARD_PARTS:
            continue
        else:
            values.append((child.text or "").strip())
    if name in XCARD_PARTS:
        structured = []
        for part in XCARD_PARTS[name]:
            texts = [(e.text or "").strip() for e in element.findall(f"{XCARD_NS}{part}")]
            structured.append([t for t in texts if t] if len(texts) > 1 else (texts[0] if texts else ""))
        values = [structured]
    return name, params, values


# ------------------------------------------------------------------ jCard/xCard properties


def card_from_properties(properties: Iterable[tuple[str, dict, list]]) -> Card:
    """Fill a card from (name, params, values) triples, the shape jCard and xCard share."""
    card = Card()
    for raw_name, params, values in properties:
        name = str(raw_name).upper()
        first = values[0] if values else ""
        text = ", ".join(_flatten(values))
        if name == "UID":
            card.uid = text or None
        elif name == "FN":
            card.formatted_name = card.formatted_name or text or None
        elif name == "N" and isinstance(first, list):
            # Structured order is family, given, additional, prefix, suffix.
            family, given, additional, prefix, suffix = (list(first) + [""] * 5)[:5]
            card.name_parts = [" ".join(_flatten(p)) for p in (prefix, given, additional, family, suffix) if _flatten(p)]
        elif name == "NICKNAME":
            card.nicknames.extend(_split_list(values))
        elif name == "ORG" and not card.org:
            card.org = text or None
        elif name == "TITLE" and not card.job_title:
            card.job_title = text or None
        elif name == "ROLE" and not card.role:
            card.role = text or None
        elif name == "TEL" and text:
            types = _flatten(params.get("type", []))
            card.phones.append((text, [t.lower() for t in types if t.lower() not in ("voice", "pref")]))
        elif name == "EMAIL" and text:
            card.emails.append(text)
        elif name == "ADR":
            address = ", ".join(" ".join(_flatten(p)) for p in (first if isinstance(first, list) else values) if _flatten(p))
            if address:
                types = _flatten(params.get("type", []))
                card.addresses.append((address, [t.lower() for t in types if t.lower() != "pref"]))
        elif name == "BDAY" and text and not card.birthday:
            card.birthday = iso_birthday(text)
        elif name == "NOTE" and text:
            card.notes.append(text)
        elif name == "URL" and text:
            card.urls.append(text)
        elif name == "CATEGORIES":
            card.categories.extend(_split_list(values))
        elif name in HANDLE_PROPERTIES:
            _add_handle(card, name, text)
    return card
