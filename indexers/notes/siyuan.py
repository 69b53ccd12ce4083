"""SiYuan notes (``.sy``): one JSON block tree per document.

A ``.sy`` file is a ``NodeDocument`` whose children are blocks (headings,
paragraphs, lists, super blocks, callouts, tables...); text sits in
``NodeText`` ``Data`` and in ``NodeTextMark`` spans (bold, code, links, tags,
block references). Headings become sections, as in Markdown notes.

A block reference points at another block by id. A dynamic one (subtype
``d``) shows the referenced block's current text, so it is resolved against
the blocks of the same notebook (the folder holding ``.siyuan/``, else the
file's folder); a static one (``s``) keeps the anchor the user wrote. The
note's time is its ``updated`` property, else the time in its id
(``20210110175347-2xrwoiq``), both local wall-clock times.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from pocketmind.documents import Document, Section
from pocketmind.errors import ParseError
from pocketmind.indexers.base import relative_id
from pocketmind.indexers.chat_common import load_json
from pocketmind.indexers.notes.common import NOTE_KIND, SOURCE_KIND, file_uri, is_hidden, unique
from pocketmind.indexers.notes.properties import property_lines, property_time

SY_SUFFIX = ".sy"
STAMP = re.compile(r"^(\d{14})")
# Kramdown block references written inside text: ((20200813004931-q4cu8na "anchor")) or ((id))
TEXT_REF = re.compile(r"\(\((\d{14}-[0-9a-z]{7})(?:\s+[\"'](.*?)[\"'])?\)\)")
# Nodes whose Data is text a reader sees; markers ("{{{", IAL) are not.
TEXT_NODES = {"NodeText", "NodeCodeBlockCode", "NodeMathBlockContent", "NodeInlineMathContent",
              "NodeCodeSpanContent", "NodeLinkText", "NodeBlockRefText", "NodeBlockRefDynamicText",
              "NodeFileAnnotationRefText"}
SILENT_NODES = {"NodeKramdownBlockIAL", "NodeKramdownSpanIAL", "NodeThematicBreak", "NodeHeadingC8hMarker",
                "NodeSuperBlockOpenMarker", "NodeSuperBlockLayoutMarker", "NodeSuperBlockCloseMarker",
                "NodeBlockRefID", "NodeCodeBlockFenceOpenMarker", "NodeCodeBlockFenceCloseMarker",
                "NodeCodeBlockFenceInfoMarker"}
# Blocks whose text is one line of the note; other blocks hold blocks.
LEAF_BLOCKS = {"NodeParagraph", "NodeHeading", "NodeCodeBlock", "NodeMathBlock", "NodeHTMLBlock",
               "NodeTableCell", "NodeBlockQueryEmbed", "NodeVideo", "NodeAudio", "NodeIFrame", "NodeWidget"}
# A block tree whose values have unexpected types (a list where an id or a level should be)
# or that nests past Python's recursion limit: the file is reported, not the run stopped.
SHAPE_ERRORS = (TypeError, ValueError, AttributeError, RecursionError)
# Document properties that are SiYuan's bookkeeping, not what the user wrote.
BOOKKEEPING = {"id", "title", "type", "updated", "icon", "scroll", "title-img", "fold", "heading-fold", "style"}


def stamp_time(value: Any) -> datetime | None:
    """"20240504123000" (SiYuan's local wall-clock stamp, also an id's prefix) as a naive datetime."""
    match = STAMP.match(str(value or ""))
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d%H%M%S")
    except ValueError:
        return None


def load_tree(path: Path) -> dict[str, Any]:
    tree = load_json(path)
    if not isinstance(tree, dict) or tree.get("Type") != "NodeDocument":
        raise ParseError(path, "not a SiYuan document: no NodeDocument at the top")
    return tree


def children(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [child for child in node.get("Children") or [] if isinstance(child, dict)]


def flow(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The blocks in reading order; super blocks only lay blocks out side by side, so their headings count."""
    for child in children(node):
        if child.get("Type") == "NodeSuperBlock":
            yield from flow(child)
        else:
            yield child


def clean(text: str) -> str:
    """One line: SiYuan pads marks with zero-width spaces and escapes <, >, & in text."""
    return " ".join(text.replace("\u200b", "").split())


def notebook_folder(path: Path, root: Path) -> Path:
    """The notebook (box) a document belongs to: the folder holding ``.siyuan/``, else its own folder."""
    for folder in path.parents:
        if (folder / ".siyuan").is_dir():
            return folder
        if folder == root or folder == folder.parent:
            break
    return path.parent


class BlockText:
    """Reads block text; block references are looked up in ``blocks`` (id -> text)."""

    def __init__(self, blocks: dict[str, str]):
        self.blocks = blocks
        self.referenced: list[str] = []  # ids of the blocks referenced and found

    def resolve(self, block_id: str, anchor: str, dynamic: bool) -> str:
        target = self.blocks.get(block_id)
        if target is not None:
            self.referenced.append(block_id)
        if target is not None and (dynamic or not anchor.strip()):
            return target
        return anchor or block_id

    def inline(self, node: dict[str, Any]) -> str:
        kind = node.get("Type")
        if kind == "NodeTextMark":
            return self.mark(node)
        if kind == "NodeBlockRef":
            return self.old_ref(node)
        if kind in TEXT_NODES:
            data = html.unescape(str(node.get("Data") or ""))
            return TEXT_REF.sub(lambda m: self.resolve(m.group(1), m.group(2) or "", m.group(2) is None), data)
        if kind in SILENT_NODES:
            return ""
        return "".join(self.inline(child) for child in children(node))

    def mark(self, node: dict[str, Any]) -> str:
        content = html.unescape(str(node.get("TextMarkTextContent") or ""))
        types = str(node.get("TextMarkType") or "").split()
        if "block-ref" in types:
            dynamic = node.get("TextMarkBlockRefSubtype") == "d"
            return self.resolve(str(node.get("TextMarkBlockRefID") or ""), content, dynamic)
        if "inline-math" in types:
            return str(node.get("TextMarkInlineMathContent") or content)
        return content

    def old_ref(self, node: dict[str, Any]) -> str:
        """The pre-2.x form: NodeBlockRef > NodeBlockRefID + NodeBlockRef(Dynamic)Text."""
        parts = children(node)
        block_id = next((str(p.get("Data") or "") for p in parts if p.get("Type") == "NodeBlockRefID"), "")
        anchor = next((str(p.get("Data") or "") for p in parts if p.get("Type") == "NodeBlockRefText"), "")
        return self.resolve(block_id, anchor, dynamic=not anchor)

    def lines(self, node: dict[str, Any], depth: int = 0) -> list[str]:
        """A block as the lines a reader sees; list items are "- " lines, indented by depth."""
        kind = node.get("Type")
        if kind in SILENT_NODES:
            return []
        if kind in LEAF_BLOCKS:
            text = clean(self.inline(node))
            return [text] if text else []
        if kind == "NodeList":
            return [line for item in children(node) for line in self.item_lines(item, depth)]
        if kind in ("NodeTableHead", "NodeTableRow"):
            cells = [clean(self.inline(cell)) for cell in children(node)]
            return [" | ".join(cells)] if any(cells) else []
        return [line for child in children(node) for line in self.lines(child, depth)]

    def item_lines(self, item: dict[str, Any], depth: int) -> list[str]:
        inner = [line for child in children(item) for line in self.lines(child, depth + 1)]
        if not inner:
            return []
        check = (item.get("ListData") or {}).get("Checked")
        bullet = "- [x] " if check is True else "- "
        return ["  " * depth + bullet + inner[0], *inner[1:]]


def block_texts(tree: dict[str, Any]) -> dict[str, str]:
    """Every block of a document by id: the text a dynamic reference to it shows."""
    found: dict[str, str] = {}
    reader = BlockText({})

    def visit(node: dict[str, Any]) -> None:
        block_id = node.get("ID")
        if block_id and node.get("Type") == "NodeDocument":
            found[block_id] = str((node.get("Properties") or {}).get("title") or "")
        elif block_id:
            lines = reader.lines(node)
            if lines:
                found[block_id] = lines[0].lstrip(" -").strip()
        for child in children(node):
            visit(child)

    visit(tree)
    return found


class SiYuanNoteIndexer:
    """SiYuan ``.sy`` documents; references resolve within the notebook."""

    source_kind = SOURCE_KIND
    name = "siyuan"

    def __init__(self) -> None:
        # notebook folder -> {block id: (text, document title or "" for a block inside one)}, read once per run
        self._notebooks: dict[Path, dict[str, tuple[str, bool]]] = {}

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() == SY_SUFFIX and not is_hidden(path)

    def notebook_blocks(self, folder: Path) -> dict[str, tuple[str, bool]]:
        """Every block of the notebook: id -> (its text, whether it is a whole document)."""
        if folder not in self._notebooks:
            blocks: dict[str, tuple[str, bool]] = {}
            for other in sorted(folder.rglob(f"*{SY_SUFFIX}")):
                if is_hidden(other.relative_to(folder)):
                    continue
                try:
                    tree = load_tree(other)
                    texts = block_texts(tree)
                except (ParseError, OSError, *SHAPE_ERRORS):
                    continue  # reported when that file itself is parsed
                blocks.update((block_id, (text, block_id == tree.get("ID"))) for block_id, text in texts.items())
            self._notebooks[folder] = blocks
        return self._notebooks[folder]

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        tree = load_tree(path)
        try:
            document = self.document(path, root, tree)
        except SHAPE_ERRORS as error:
            raise ParseError(path, f"not a SiYuan block tree of the expected shape ({type(error).__name__}: {error})") from None
        yield document

    def document(self, path: Path, root: Path, tree: dict[str, Any]) -> Document:
        properties = {str(k): v for k, v in (tree.get("Properties") or {}).items()}
        notebook = self.notebook_blocks(notebook_folder(path, root))
        blocks = {block_id: text for block_id, (text, _) in notebook.items()}
        blocks.update(block_texts(tree))  # this file as it is now, even if not yet in the cache
        reader = BlockText(blocks)
        title = str(properties.get("title") or "").strip() or path.stem

        own = {key.removeprefix("custom-"): value for key, value in properties.items()
               if key not in BOOKKEEPING and key != "tags"}
        property_text = property_lines(own.items())
        sections = self.sections(tree, reader, property_text)
        tags = [tag.strip() for tag in str(properties.get("tags") or "").split(",")]
        tags += [str(node.get("TextMarkTextContent") or "") for node in self.marks(tree, "tag")]

        created = stamp_time(tree.get("ID") or properties.get("id"))
        updated = stamp_time(properties.get("updated"))
        own_time = property_time(own)
        metadata: dict[str, Any] = {key: value for key, value in own.items() if isinstance(value, str)}
        if created:
            metadata["created"] = created.isoformat()
        if updated:
            metadata["updated"] = updated.isoformat()
        metadata["time_source"] = "properties" if own_time else "siyuan updated" if updated else "siyuan id"
        # the notes it references, by title, like a Markdown note's [[links]]
        metadata["links"] = unique(notebook[b][0] for b in reader.referenced if b in notebook and notebook[b][1])
        return Document(
            native_id=relative_id(path, root),
            kind=NOTE_KIND,
            text="\n\n".join(f"{s.heading}\n{s.text}" if s.heading else s.text for s in sections),
            title=title,
            uri=file_uri(path),
            occurred_at=own_time.start if own_time else updated or created,
            ended_at=own_time.end if own_time else None,
            tags=unique(tags),
            metadata=metadata,
            sections=sections,
        )

    @staticmethod
    def marks(node: dict[str, Any], mark_type: str) -> Iterator[dict[str, Any]]:
        if node.get("Type") == "NodeTextMark" and mark_type in str(node.get("TextMarkType") or "").split():
            yield node
        for child in children(node):
            yield from SiYuanNoteIndexer.marks(child, mark_type)

    @staticmethod
    def sections(tree: dict[str, Any], reader: BlockText, property_text: str) -> list[Section]:
        """One section per heading ("Guide > Daily notes"), as Markdown notes are split."""
        sections: list[Section] = []
        stack: list[tuple[int, str]] = []
        heading, lines = "", [property_text] if property_text else []

        def close() -> None:
            text = "\n".join(lines).strip()
            if text:
                sections.append(Section(heading=heading, text=text))

        for block in flow(tree):
            if block.get("Type") == "NodeHeading":
                close()
                level = int(block.get("HeadingLevel") or 1)
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, clean(reader.inline(block))))
                heading, lines = " > ".join(text for _, text in stack if text), []
            else:
                lines.extend(reader.lines(block))
        close()
        return sections
