"""Hypothesis strategies that turn a real export file into a hostile variant of it.

Four families, from blind to format-aware:

* bytes: flips, truncation, insertions of awkward bytes (NUL, lone UTF-8 lead
  bytes, BOMs, terminal escapes), deletions, duplications, splices with another file;
* lines: for text formats, lines dropped, repeated, swapped, cut, digits in them
  replaced (month 13, year 0, hour 99), awkward lines inserted;
* JSON: the parsed tree changed at one place: a value of the wrong type, a
  missing key, a list for an object, NaN, huge numbers and strings, deep nesting;
* XML: attributes and elements dropped, duplicated or given odd values, and the
  document re-encoded as UTF-16.

Every strategy draws its choices from Hypothesis, so a failing case shrinks to
a small change of a real file.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from typing import Any, Callable

from hypothesis import strategies as st

AWKWARD_BYTES = [
    b"\x00", b"\xff", b"\xc3", b"\xe2\x80", b"\xef\xbb\xbf", b"\xff\xfe", b"\r", b"\n", b"\r\n",
    b"\x1b[31m", b"[/red]", b"{", b"}", b"[", b"]", b"<", b">", b'"', b"\\", b":", b",", b"-",
    b"-1", b"0", b"99999999999999999999999", b"NaN", b"\xf0\x9f\x98", b"\t", b"%s", b"\xed\xa0\x80",
]

AWKWARD_LINES = [
    "", "\x00", " ", "\ufeff", "\x1b[2J\x1b[31m[/red]", "x" * 5000,
    # chat lines with impossible dates and times
    "31/02/2020, 25:61 - Anna: hi", "[99/99/99, 99:99:99] Anna: hi", "1/1/00, 0:00 - : ",
    "[2020-13-45, 12:00] Anna: hi", "12/31/1, 12:00 PM - x", "0/0/0, 00:00 - Anna: hello",
    # calendar and contact lines
    "BEGIN:VEVENT", "END:VEVENT", "BEGIN:VCALENDAR", "END:VCALENDAR", "DTSTART:99999999T999999Z",
    "DTSTART;VALUE=DATE:00000000", "RRULE:FREQ=DAILY;COUNT=3", "RRULE:FREQ=YEARLY;BYMONTH=13",
    "DURATION:P999999999D", "EXDATE:garbage", "RECURRENCE-ID:20200101T000000Z", "UID:",
    "BEGIN:VCARD", "END:VCARD", "VERSION:4.0", "BDAY:--0231", "N:;;;;;;;;", "TEL;TYPE=:", "PHOTO;ENCODING=b:%%%",
    "ADR:;;;;;;;;;;", "GEO:geo:999,999",
    # notes
    "---", "title: [unclosed", "tags: {a: 1}", "date: 2020-13-45", "* TODO", "#+BEGIN_SRC", "SCHEDULED: <0000-00-00>",
    ":PROPERTIES:", ":END:", "# ", "[[", "![[x.png]]",
]

JSON_ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["", "\x00", "\x1b[31m", "2020-13-45T99:99:99", "-1", "1e400", "../../etc/hostname",
                     "x" * 100_000, "(File not included. Change data exporting settings to download.)"]),
    st.just([]), st.just({}), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["text", "date", "id", "name", "type"]), st.integers(), max_size=2),
)

_DEEP = "\x00DEEP\x00"  # replaced by deeply nested brackets after serialising


def _region(draw, size: int) -> tuple[int, int]:
    start = draw(st.integers(0, size))
    end = draw(st.integers(start, min(size, start + 4096)))
    return start, end


@st.composite
def mutated_bytes(draw, data: bytes, others: list[bytes] = (), window: int | None = None) -> bytes:
    """One to four blind edits of ``data``; ``window`` keeps them in the first bytes (image metadata)."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate", "splice"]))
        size = len(buf) if window is None else min(len(buf), window)
        if op == "flip" and buf:
            at = draw(st.integers(0, max(size - 1, 0)))
            buf[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del buf[draw(st.integers(0, size)):]
        elif op == "insert":
            at = draw(st.integers(0, size))
            buf[at:at] = draw(st.sampled_from(AWKWARD_BYTES)) * draw(st.sampled_from([1, 1, 2, 100]))
        elif op == "delete":
            start, end = _region(draw, size)
            del buf[start:end]
        elif op == "duplicate":
            start, end = _region(draw, size)
            buf[end:end] = buf[start:end]
        elif op == "splice" and others:
            other = draw(st.sampled_from(list(others)))
            buf = buf[: draw(st.integers(0, size))] + other[draw(st.integers(0, len(other))):]
    return bytes(buf)


@st.composite
def mutated_lines(draw, text: str) -> str:
    """One to four line-level edits of a text file."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["drop", "repeat", "swap", "cut", "digits", "insert", "char"]))
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            lines = [draw(st.sampled_from(AWKWARD_LINES))]
        elif op == "drop":
            del lines[at]
        elif op == "repeat":
            lines.insert(at, lines[at])
        elif op == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif op == "cut":
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
        elif op == "digits":
            runs = list(re.finditer(r"\d+", lines[at]))
            if runs:
                run = draw(st.sampled_from(runs))
                number = draw(st.sampled_from(["0", "00", "13", "29", "31", "32", "60", "99", "9999", "99999999999"]))
                lines[at] = lines[at][: run.start()] + number + lines[at][run.end():]
        elif op == "insert":
            lines.insert(at, draw(st.sampled_from(AWKWARD_LINES)))
        elif op == "char" and lines[at]:
            pos = draw(st.integers(0, len(lines[at]) - 1))
            odd = draw(st.sampled_from(["\x00", "\u202e", "\ud800", ":", "[", "]", "/", ",", "-", " ", "\t", ";", "="]))
            lines[at] = lines[at][:pos] + odd + lines[at][pos + 1:]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


def encode_text(draw, text: str) -> bytes:
    """Mostly UTF-8; sometimes UTF-16 or Latin-1, as some exporters write."""
    encoding = draw(st.sampled_from(["utf-8"] * 6 + ["utf-16", "latin-1"]))
    return text.encode(encoding, errors="surrogatepass" if encoding != "latin-1" else "replace")


@st.composite
def mutated_text_file(draw, data: bytes, others: list[bytes] = ()) -> bytes:
    """A text file changed line by line (and re-encoded), or blindly byte by byte."""
    if draw(st.booleans()):
        return draw(mutated_bytes(data, others))
    text = data.decode("utf-8-sig", errors="replace")
    return encode_text(draw, draw(mutated_lines(text)))


# --- JSON -------------------------------------------------------------------

def _json_paths(value: Any, prefix: tuple = (), limit: int = 400) -> list[tuple]:
    """Paths (keys and indexes) to the nodes of a JSON tree, breadth first, at most ``limit``."""
    found, queue = [prefix], [(prefix, value)]
    while queue and len(found) < limit:
        path, node = queue.pop(0)
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            found.append(path + (key,))
            queue.append((path + (key,), child))
    return found[:limit]


def _get(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def _replace(root: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    _get(root, path[:-1])[path[-1]] = new
    return root


@st.composite
def mutated_json_value(draw, value: Any) -> Any:
    """One to three structural edits of a parsed JSON tree (edited in place)."""
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_json_paths(value)))
        node = _get(value, path)
        op = draw(st.sampled_from(["odd", "odd", "delete", "wrap", "unwrap", "listify", "deep", "rename", "generated"]))
        if op == "odd":
            value = _replace(value, path, draw(JSON_ODD_VALUES))
        elif op == "delete" and path:
            parent = _get(value, path[:-1])
            del parent[path[-1]]
        elif op == "wrap":
            value = _replace(value, path, [node])
        elif op == "unwrap" and isinstance(node, list) and node:
            value = _replace(value, path, node[0])
        elif op == "listify" and isinstance(node, dict):
            value = _replace(value, path, list(node.values()))
        elif op == "deep":
            value = _replace(value, path, _DEEP)
        elif op == "rename" and isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            node[key + draw(st.sampled_from(["_", " ", "\x00"]))] = node.pop(key)
        elif op == "generated":
            value = _replace(value, path, draw(st.recursive(JSON_ODD_VALUES, lambda inner: st.one_of(
                st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=8)))
    return value


@st.composite
def mutated_json(draw, data: bytes, others: list[bytes] = ()) -> bytes:
    """A JSON file with its tree changed and re-serialised, or changed blindly."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except ValueError:
        value = None
    if value is None or draw(st.integers(0, 4)) == 0:
        return draw(mutated_bytes(data, others))
    value = draw(mutated_json_value(value))
    text = json.dumps(value, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1])))
    depth = draw(st.sampled_from([50, 1000, 100_000]))
    text = text.replace(json.dumps(_DEEP), "[" * depth + "]" * depth)
    return encode_text(draw, text)


# --- XML --------------------------------------------------------------------

XML_ODD_TEXT = st.sampled_from([
    "", "-1", "0", "99999999999999999999", "NaN", "2020-13-45", "abc", "\x1b[31m[/red]", "null", "x" * 100_000,
    "../../etc/hostname", "20201301T250000Z", "<b>", "&amp;", "\u202e", "1.5",
])


@st.composite
def mutated_xml(draw, data: bytes, others: list[bytes] = ()) -> bytes:
    """An XML file with elements and attributes changed, maybe re-encoded as UTF-16; or changed blindly."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        root = None
    if root is None or draw(st.integers(0, 4)) == 0:
        return draw(mutated_bytes(data, others))
    elements = list(root.iter())[:400]
    for _ in range(draw(st.integers(1, 4))):
        element = draw(st.sampled_from(elements))
        op = draw(st.sampled_from(["attr-drop", "attr-odd", "text-odd", "child-drop", "child-repeat", "nest", "rename"]))
        if op == "attr-drop" and element.attrib:
            del element.attrib[draw(st.sampled_from(sorted(element.attrib)))]
        elif op == "attr-odd" and element.attrib:
            element.set(draw(st.sampled_from(sorted(element.attrib))), draw(XML_ODD_TEXT))
        elif op == "text-odd":
            element.text = draw(XML_ODD_TEXT)
        elif op == "child-drop" and len(element):
            element.remove(element[draw(st.integers(0, len(element) - 1))])
        elif op == "child-repeat" and len(element):
            element.append(element[draw(st.integers(0, len(element) - 1))])
        elif op == "nest":
            inner = element
            for _ in range(draw(st.sampled_from([10, 150]))):  # serialising recurses per level
                inner = ET.SubElement(inner, element.tag)
        elif op == "rename":
            element.tag = draw(st.sampled_from(["x", element.tag.upper(), "{urn:other}" + element.tag.split("}")[-1]]))
    text = ET.tostring(root, encoding="unicode")
    if draw(st.integers(0, 3)) == 0:
        return ('<?xml version="1.0" encoding="UTF-16"?>\n' + text).encode("utf-16")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("utf-8")


# --- archives -----------------------------------------------------------------

@st.composite
def mutated_zip(draw, data: bytes, member_mutation: Callable[[str], Callable] | None = None) -> bytes:
    """A zip with one member changed (by its own format's mutation), dropped, renamed or added;
    or the archive's bytes changed blindly."""
    if draw(st.integers(0, 3)) == 0:
        return draw(mutated_bytes(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    op = draw(st.sampled_from(["member", "member", "drop", "rename", "add"]))
    if members:
        at = draw(st.integers(0, len(members) - 1))
        name, body = members[at]
        if op == "member":
            mutate = (member_mutation or (lambda _name: mutated_bytes))(name)
            members[at] = (name, draw(mutate(body)))
        elif op == "drop":
            del members[at]
        elif op == "rename":
            members[at] = (draw(st.sampled_from(["../" + name, "/" + name, name + "\x00", name.upper(), "a/" * 30 + name])), body)
    if op == "add" or not members:
        members.append((draw(st.sampled_from(["../../evil.txt", "_chat.txt", "channels.json", "x/info.json", ""])),
                        draw(st.sampled_from([b"", b"\x00" * 10, b"[]", b"{}", b"not json"]))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in members:
            archive.writestr(name or "noname", body)
    return out.getvalue()


def by_suffix(name: str) -> Callable:
    """The mutation for an archive member, chosen by its name."""
    lowered = name.lower()
    if lowered.endswith(".json"):
        return mutated_json
    if lowered.endswith((".txt", ".md", ".markdown")):
        return mutated_text_file
    if lowered.endswith(".xml"):
        return mutated_xml
    return mutated_bytes
