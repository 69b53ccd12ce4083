"""Notes indexers against the real exports in corpus/real/notes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pocketmind.errors import ParseError
from pocketmind.indexers.base import Indexer
from pocketmind.indexers.notes import (
    EnexNoteIndexer,
    KeepNoteIndexer,
    MarkdownNoteIndexer,
    OrgNoteIndexer,
    TextBundleNoteIndexer,
    TextNoteIndexer,
    TomboyNoteIndexer,
    note_indexers,
)

UTC = timezone.utc


def only(documents):
    documents = list(documents)
    assert len(documents) == 1
    return documents[0]


@pytest.fixture
def kepano(real: Path) -> Path:
    return real / "notes" / "obsidian" / "kepano_vault"


@pytest.fixture
def langchain_vault(real: Path) -> Path:
    return real / "notes" / "obsidian" / "langchain_vault"


@pytest.fixture
def evernote(real: Path) -> Path:
    return real / "notes" / "evernote"


@pytest.fixture
def keep(real: Path) -> Path:
    return real / "notes" / "google_keep"


@pytest.fixture
def org(real: Path) -> Path:
    return real / "notes" / "orgmode"


def test_every_indexer_follows_the_protocol():
    indexers = note_indexers()
    assert [indexer.name for indexer in indexers] == ["markdown", "org", "enex", "keep", "textbundle", "tomboy", "siyuan", "text"]
    for indexer in indexers:
        assert isinstance(indexer, Indexer)
        assert indexer.source_kind == "notes"


# -- Markdown / Obsidian ---------------------------------------------------------


def test_whole_kepano_vault_parses_without_errors(kepano: Path):
    indexer = MarkdownNoteIndexer()
    files = sorted(path for path in kepano.rglob("*") if path.is_file() and indexer.accepts(path))
    documents = [document for path in files for document in indexer.parse(path, kepano)]
    assert len(documents) == 103  # every .md, Templates/ included, nothing from .obsidian/
    assert sum(1 for document in documents if document.native_id.startswith("Templates/")) == 52
    assert len({document.native_id for document in documents}) == 103
    assert all(document.kind == "note" and document.occurred_at is not None for document in documents)


def test_dot_folders_and_non_markdown_are_refused(kepano: Path):
    indexer = MarkdownNoteIndexer()
    assert not indexer.accepts(kepano / ".obsidian" / "app.json")
    assert not indexer.accepts(kepano / ".obsidian" / "notes.md")
    assert not indexer.accepts(kepano / "Templates" / "Bases" / "Trips.base")
    assert indexer.accepts(kepano / "Templates" / "Trip Template.md")


def test_meeting_note_frontmatter_links_and_people(kepano: Path):
    note = only(MarkdownNoteIndexer().parse(kepano / "Notes" / "2023-09-12 Meeting with Steph.md", kepano))
    assert note.native_id == "Notes/2023-09-12 Meeting with Steph.md"
    assert note.uri == (kepano / "Notes" / "2023-09-12 Meeting with Steph.md").resolve().as_uri()
    assert note.title == "2023-09-12 Meeting with Steph"
    # properties are text too (issue 15), ahead of the body
    assert note.text.endswith("\n\n- Discussed the book Out of Control on the topic of Emergence")
    assert "people: Steph Ango" in note.text and "date: 12 September 2023" in note.text
    assert note.occurred_at == datetime(2023, 9, 12)  # a bare date: naive, local
    assert note.people == ["Steph Ango"]
    assert note.place == "Remote"
    assert note.metadata["links"] == ["Out of Control", "Emergence", "Meetings", "Obsidian", "Steph Ango"]
    assert note.metadata["categories"] == ["Meetings"]
    assert note.metadata["topics"] == ["Emergence"]


def test_aliased_wikilink_reads_as_its_alias_and_tags_come_from_frontmatter(kepano: Path):
    note = only(MarkdownNoteIndexer().parse(kepano / "Categories" / "Evergreen.md", kepano))
    assert note.title == "Evergreen"
    assert note.tags == ["categories"]
    assert "but something is composable. In a way" in note.text
    assert "[[" not in note.text and "Evergreen.base" not in note.text
    assert note.metadata["links"] == ["Composability"]
    assert note.metadata["embeds"] == ["Evergreen.base"]


def test_heading_sections_and_frontmatter_scalars(kepano: Path):
    note = only(MarkdownNoteIndexer().parse(kepano / "Readme.md", kepano))
    assert [section.heading for section in note.sections] == ["", "Get started"]
    assert note.sections[1].text.startswith("1. [Download this vault]")
    assert note.sections[1].text.endswith("create a new vault pointing to that folder")

    kyoto = only(MarkdownNoteIndexer().parse(kepano / "References" / "Kyoto.md", kepano))
    assert kyoto.metadata["rating"] == 7
    assert kyoto.metadata["coordinates"] == ["35.021041", "135.7556075"]
    assert kyoto.metadata["created"] == "2023-09-12"
    assert kyoto.occurred_at == datetime(2023, 9, 12)
    assert kyoto.text.startswith("categories: Places\ntype: Cities\nloc: Japan\n")
    assert kyoto.text.endswith("created: 12 September 2023\n\n## Trips\n\n## Places")


def test_template_placeholders_fall_back_to_file_time(kepano: Path):
    path = kepano / "Templates" / "Recipe Template.md"
    note = only(MarkdownNoteIndexer().parse(path, kepano))
    assert note.metadata["created"] == "{{date}}"
    assert note.occurred_at == datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    assert note.occurred_at.tzinfo is not None
    assert [section.heading for section in note.sections] == ["", "Ingredients", "Directions", "Notes"]
    assert note.sections[0].text == "categories: Recipes"  # empty and placeholder properties say nothing


def test_inline_tags_follow_obsidian_rules(langchain_vault: Path):
    note = only(MarkdownNoteIndexer().parse(langchain_vault / "tags_and_frontmatter.md", langchain_vault))
    assert note.tags == [
        "onetag", "twotag", "read", "tagWithCases", "tag-with-dash", "tag_with_underscore", "tag/with/nesting",
    ]
    assert note.title == "Tags"  # the first H1
    assert [section.heading for section in note.sections] == ["", "Tags", "Dataview", "Text content"]
    assert note.metadata["aFloat"] == 13.12345
    assert note.metadata["aBool"] is True
    assert note.metadata["anArray"] == ["one", "two", "three"]
    assert "aDict" not in note.metadata
    assert not note.text.startswith("---")


def test_comma_separated_tags_and_broken_frontmatter(langchain_vault: Path):
    indexer = MarkdownNoteIndexer()
    tagged = only(indexer.parse(langchain_vault / "frontmatter.md", langchain_vault))
    assert tagged.tags == ["journal/entry", "obsidian"]
    assert tagged.text.endswith("\n\nNo other content than the frontmatter.")

    broken = only(indexer.parse(langchain_vault / "bad_frontmatter.md", langchain_vault))
    assert broken.text == "A document with frontmatter that isn't valid."
    assert broken.tags == []
    assert broken.metadata["frontmatter_error"] == "while parsing a block mapping"

    template = only(indexer.parse(langchain_vault / "template_var_frontmatter.md", langchain_vault))
    assert template.tags == ["tag"]
    assert template.metadata["aString"] == "{{var}}"


def test_horizontal_rules_are_not_frontmatter(langchain_vault: Path):
    note = only(MarkdownNoteIndexer().parse(langchain_vault / "no_frontmatter.md", langchain_vault))
    assert note.title == "no_frontmatter"
    assert note.tags == ["recipes", "dessert", "cookies"]
    assert [section.heading for section in note.sections] == ["Description", "Ingredients"]
    assert "**unsalted butter**" in note.sections[1].text


# -- plain text ------------------------------------------------------------------


def test_plain_text_note(org: Path):
    # the Emacs diary file is plain text: a handy real sample for the .txt reader
    indexer = TextNoteIndexer()
    assert not indexer.accepts(org / "orgmode_diary-file")
    note = only(indexer.parse(org / "orgmode_diary-file", org))
    assert note.title == "2019-01-08 test code: f0bcf0cd8bad93c1451bb6e1b2aaedef5cce7cbb"
    assert note.text == "2019-01-08 test code: f0bcf0cd8bad93c1451bb6e1b2aaedef5cce7cbb"
    assert note.native_id == "orgmode_diary-file"
    assert len(note.sections) == 1


# -- org-mode --------------------------------------------------------------------


def test_org_title_headings_and_sections(org: Path):
    note = only(OrgNoteIndexer().parse(org / "orgmode_normal.org", org))
    assert note.title == "Example file"
    assert note.native_id == "orgmode_normal.org"
    assert [section.heading for section in note.sections] == [
        "", "top > code block", "accumulating properties in drawers",
    ]
    assert note.sections[0].text == "This is an example file for use by the Org mode tests."
    assert note.sections[1].text.startswith("Here are a couple of code blocks.")
    assert "#+TITLE" not in note.text and ":PROPERTIES:" not in note.text
    assert "* top\n\n** code block\nHere are a couple of code blocks." in note.text


def test_org_timestamps_ignore_quoted_examples(org: Path):
    note = only(OrgNoteIndexer().parse(org / "orgmode_agenda-file.org", org))
    assert note.occurred_at == datetime(2017, 3, 10)
    assert note.metadata["timestamps"] == [
        {"heading": "Test Agenda", "kind": "active", "at": "2017-03-10T00:00:00"},
        {"heading": "test agenda", "kind": "scheduled", "at": "2017-07-19T00:00:00"},
        {"heading": "test code 216bc1ff1d862e78183e38ee9a4da504919b9878", "kind": "active", "at": "2019-01-08T00:00:00"},
    ]  # the SCHEDULED lines inside src/example blocks and ': ' lines are not dates


def test_org_links_render_as_their_descriptions(org: Path):
    note = only(OrgNoteIndexer().parse(org / "orgmode_links.org", org))
    assert note.title == "Testing various links types"
    assert "- Org mode website" in note.sections[0].text
    assert note.sections[0].heading == "Plain links"
    assert OrgNoteIndexer().accepts(org / "orgmode_links.org")
    assert not OrgNoteIndexer().accepts(org / "orgmode_diary-file")


# -- Evernote --------------------------------------------------------------------


def test_enex_notes_title_dates_author(evernote: Path):
    notes = list(EnexNoteIndexer().parse(evernote / "langchain_sample_notebook.enex", evernote))
    assert [note.title for note in notes] == ["Test", "Summer Training Program"]
    first = notes[0]
    assert first.occurred_at == datetime(2023, 5, 11, 1, 12, 17, tzinfo=UTC)
    assert first.metadata["updated"] == "2024-07-14T01:12:28+00:00"
    assert first.author == "Michael McGarry"
    assert first.text == (  # attributes are text too (issue 15)
        "created: 11 May 2023 01:12\nupdated: 14 July 2024 01:12\nauthor: Michael McGarry\n\nabc"
    )
    assert first.native_id.startswith("langchain_sample_notebook.enex#")
    assert notes[1].text.endswith("\n\nJan - March 2022")
    assert notes[1].metadata["source"] == "mobile.iphone"
    again = list(EnexNoteIndexer().parse(evernote / "langchain_sample_notebook.enex", evernote))
    assert [note.native_id for note in again] == [note.native_id for note in notes]
    assert notes[0].native_id != notes[1].native_id


def test_enex_tags_and_note_attributes(evernote: Path):
    note = only(EnexNoteIndexer().parse(evernote / "obsidianimporter_test-note-attributes.enex", evernote))
    assert note.title == "\\\\Test//"
    assert note.tags == ["test", "note-attributes"]
    assert note.occurred_at == datetime(2024, 12, 21, 12, 51, tzinfo=UTC)  # its subject date, not its creation
    assert note.place == "Reichstag Building, Berlin"
    assert note.author == "author@example.com"
    assert note.metadata["latitude"] == 52.518654
    assert note.metadata["longitude"] == 13.376102
    assert note.metadata["source-url"] == "https://github.com/akosbalasko/yarle/tree/master/test/data/test-note-attributes.enex"
    assert note.metadata["reminder-time"] == "2025-01-01T00:00:00+00:00"
    assert note.metadata["application-data:priority"] == "high"
    assert note.text.endswith("\n\nSlartibartfast")
    assert "tags: test, note-attributes\n" in note.text and "place-name: Reichstag Building, Berlin\n" in note.text
    assert "source-url: https://github.com/akosbalasko/yarle/tree/master/test/data/test-note-attributes.enex\n" in note.text


def test_enex_checklists(evernote: Path):
    note = only(EnexNoteIndexer().parse(evernote / "obsidianimporter_test-task-lists.enex", evernote))
    assert note.text.split("\n\n", 1)[1] == (
        "A checklist\n[ ] Open task\n[x] Done task\n"
        "A numbered checklist\n[ ] Open task\n[x] Done task\n"
        "A checkbox on a bulleted item\n- [ ] Open task\n- [x] Done task\n"
        "A checkbox on a numbered item\n1. [ ] Open task\n2. [x] Done task\n"
        "An ordinary numbered list\n1. One\n2. Two"
    )
    nested = only(EnexNoteIndexer().parse(evernote / "obsidianimporter_test-checklist.enex", evernote))
    assert nested.text.split("\n\n", 1)[1].startswith("[ ] Checklist item 1\n  [ ] Nested item 1a\n  [x] Nested checked item\n")
    assert "[ ] Checklist bold and & link" in nested.text


def test_enex_tables_tasks_and_reminders(evernote: Path):
    table = only(EnexNoteIndexer().parse(evernote / "obsidianimporter_test-table.enex", evernote))
    assert table.text.split("\n\n", 1)[1] == "c1r1 | c2r1 | c3r1\nc1r2 | c2r2 | C3r2"

    todo = only(EnexNoteIndexer().parse(evernote / "obsidianimporter_test-things-to-do.enex", evernote))
    assert todo.metadata["tasks"] == [
        "[ ] Simple task", "[x] Done", "[ ] Task with due date (due 28 May 2022)", "[ ] Task with a flag",
        "[ ] Task with a reminder (reminder 22 May 2022 07:00)",
    ]
    assert todo.kind == "note"

    reminder = only(EnexNoteIndexer().parse(evernote / "obsidianimporter_test-reminder.enex", evernote))
    assert reminder.title == "reminders title"
    assert reminder.occurred_at == datetime(2022, 1, 19, 19, 39, 59, tzinfo=UTC)
    assert reminder.metadata["reminder-time"] == "2022-01-20T07:00:00+00:00"
    assert reminder.text == (  # no body: its attributes are all it says
        "created: 19 January 2022 19:39\nupdated: 19 January 2022 19:40\nauthor: author\n"
        "reminder-time: 20 January 2022 07:00\nreminder-done-time: 19 January 2022 20:01"
    )


def test_enex_resources_become_attachments(evernote: Path):
    note = only(EnexNoteIndexer().parse(evernote / "langchain_sample_notebook_with_media.enex", evernote))
    assert note.title == "Tea Mug Design"
    assert [(item.name, item.mime) for item in note.attachments] == [("IMG_4686v3.JPG", "image/jpeg")]
    assert note.text.split("\n\n", 1)[1].startswith("[IMG_4686v3.JPG]\n\nWhen you pick this mug up")
    assert note.metadata["latitude"] == 43.777825

    pdf = only(EnexNoteIndexer().parse(evernote / "obsidianimporter_test-pdfAttachment.enex", evernote))
    assert [(item.name, item.mime) for item in pdf.attachments] == [("sample.pdf", "application/pdf")]
    assert pdf.text.split("\n\n", 1)[1] == "Note with PDF attachment\n\n[sample.pdf]"


def test_enex_encrypted_empty_and_bare_notes(evernote: Path):
    indexer = EnexNoteIndexer()
    secret = only(indexer.parse(evernote / "obsidianimporter_test-encryption.enex", evernote))
    assert secret.text.split("\n\n", 1)[1] == (
        "This is NOT an encrypted test\n[encrypted content (hint: this is a hint)]\nThis is NOT an encrypted test again"
    )
    assert secret.metadata["encrypted"] is True
    assert "RU5DMCR2" not in secret.text

    assert list(indexer.parse(evernote / "langchain_empty_export.enex", evernote)) == []
    bare = only(indexer.parse(evernote / "langchain_sample_notebook_missingmetadata.enex", evernote))
    assert bare.title == "Untitled"
    assert bare.text == "I only have content, no metadata"  # no attributes, no property lines
    assert bare.occurred_at is None
    old = only(indexer.parse(evernote / "obsidianimporter_test-old-note.enex", evernote))
    assert old.occurred_at == datetime(1969, 10, 6, 8, 44, 13, tzinfo=UTC)
    assert indexer.accepts(evernote / "langchain_empty_export.enex")


def test_enex_refuses_entity_declarations(tmp_path: Path):
    bomb = tmp_path / "bomb.enex"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><en-export>&a;</en-export>')
    with pytest.raises(ParseError, match="bomb.enex: declares XML entities"):
        list(EnexNoteIndexer().parse(bomb, tmp_path))


# -- Google Keep -----------------------------------------------------------------


def test_keep_note_labels_and_timestamps(keep: Path):
    path = keep / "obsidianimporter_Labelled_note.json"
    note = only(KeepNoteIndexer().parse(path, keep))
    assert note.title == "Labelled note"
    assert note.tags == [
        "label with !'@:$\" Symbols", "Underscored_Label", "hyphenated-label", "label with spaces", "label",
        "camelCaseLabel",
    ]
    assert note.occurred_at == datetime(2023, 7, 27, 2, 45, 37, 272000, tzinfo=UTC)
    assert note.metadata["edited"] == "2023-08-01T05:04:33.284000+00:00"
    assert note.text.startswith("created: 27 July 2023 02:45\nedited: 1 August 2023 05:04\nlabels: label with !'@:$\" Symbols, ")
    assert note.text.split("\n\n", 1)[1].startswith("This is a plain text note with various labels.\nLabels should include:")
    assert note.native_id == "obsidianimporter_Labelled_note.json"


def test_keep_untitled_note_with_drawing(keep: Path):
    note = only(KeepNoteIndexer().parse(keep / "obsidianimporter_2023-08-01T14_29_43.842+10_00.json", keep))
    assert note.title == "This note has a drawing but no title"
    # the Takeout file name is the edit time in the exporter's zone (+10:00)
    assert note.metadata["edited"] == "2023-08-01T04:29:43.842000+00:00"
    assert datetime.fromisoformat(note.metadata["edited"]).astimezone(timezone(timedelta(hours=10))).hour == 14
    assert [(item.name, item.mime) for item in note.attachments] == [("1690514441523.1361766539.png", "image/png")]


def test_keep_flags_trash_and_multiline_titles(keep: Path):
    indexer = KeepNoteIndexer()
    assert list(indexer.parse(keep / "obsidianimporter_Deleted_note.json", keep)) == []
    pinned = only(indexer.parse(keep / "obsidianimporter_Pinned_text_note.json", keep))
    assert pinned.metadata["isPinned"] is True and pinned.metadata["isArchived"] is False
    archived = only(indexer.parse(keep / "obsidianimporter_Archived_note.json", keep))
    assert archived.metadata["isArchived"] is True
    multiline = only(indexer.parse(keep / "obsidianimporter_Multiline_title_note_Second_line.json", keep))
    assert multiline.title == "Multiline title note Second line"


def test_keep_malformed_files_raise_parse_errors(keep: Path):
    indexer = KeepNoteIndexer()
    broken = keep / "obsidianimporter_broken-json-note.json"
    assert indexer.accepts(broken)
    with pytest.raises(ParseError) as error:
        list(indexer.parse(broken, keep))
    assert str(error.value) == f"{broken}: not valid JSON: Expecting ',' delimiter at line 8 column 5"

    invalid = keep / "obsidianimporter_invalid-keep-json-note.json"
    with pytest.raises(ParseError) as error:
        list(indexer.parse(invalid, keep))
    assert "obsidianimporter_invalid-keep-json-note.json" in str(error.value)
    assert error.value.problem == "not a Google Keep note: no userEditedTimestampUsec"


def test_keep_sniffing_leaves_other_json_alone(real: Path, kepano: Path):
    indexer = KeepNoteIndexer()
    assert not indexer.accepts(kepano / ".obsidian" / "app.json")
    assert not indexer.accepts(real / "notes" / "roam" / "obsidianimporter_small-test-graph.json")
    assert not indexer.accepts(real / "notes" / "siyuan" / "siyuan_zh_guide_box_conf.json")
    assert indexer.accepts(real / "notes" / "google_keep" / "obsidianimporter_Voice_recording.json")


# -- TextBundle / Bear -----------------------------------------------------------


def test_textpack_note_and_its_asset(real: Path):
    notes = real / "notes"
    note = only(TextBundleNoteIndexer().parse(notes / "textbundle" / "obsidianimporter_example.textpack", notes))
    assert note.native_id == "textbundle/obsidianimporter_example.textpack#Textbundle Example"
    assert note.title == "Textbundle Example"
    assert [section.heading for section in note.sections] == ["Textbundle Example"]
    assert [(item.name, item.mime) for item in note.attachments] == [("textbundle.png", "image/png")]


def test_bear_backup_skips_trash_and_keeps_encrypted_notes(real: Path):
    notes = real / "notes"
    documents = list(TextBundleNoteIndexer().parse(notes / "bear" / "obsidianimporter_backup.bear2bk", notes))
    titles = [document.title for document in documents]
    assert titles == [
        "2023-10-11T081102Z", "Archived File", "Encrypted File", "File with asset, content, and a tag",
        "File with heading only, no content",
    ]  # "Trashed file" is gone
    tagged = documents[3]
    assert tagged.tags == ["Test-Tag"]
    assert tagged.occurred_at == datetime(2023, 10, 11, 5, 43, 33, tzinfo=UTC)
    assert [(item.name, item.mime) for item in tagged.attachments] == [("acorn.jpeg", "image/jpeg")]
    assert tagged.metadata["bear_uniqueIdentifier"] == "C4FFAFCB-F102-4FDE-84AF-4A1B21C60672"
    encrypted = documents[2]
    assert encrypted.metadata["bear_encrypted"] == 1
    assert "[encrypted note: its text is only readable in Bear]" in encrypted.text


def test_bear_tag_forms(real: Path):
    notes = real / "notes"
    first, second = TextBundleNoteIndexer().parse(notes / "bear" / "obsidianimporter_tags.bear2bk", notes)
    assert first.tags == ["two words", "项目 计划", "中文", "bad"]
    assert second.tags == ["中文", "标签/子标签", "仕事", "일정", "Ελλάδα", "русский"]


def test_whole_notes_corpus_each_file_has_at_most_one_indexer(real: Path):
    notes = real / "notes"
    indexers = note_indexers()
    counts: dict[str, int] = {}
    failures = []
    for path in sorted(notes.rglob("*")):
        claimed = [indexer for indexer in indexers if path.is_file() and indexer.accepts(path)]
        assert len(claimed) <= 1, path
        if not claimed:
            continue
        try:
            counts[claimed[0].name] = counts.get(claimed[0].name, 0) + len(list(claimed[0].parse(path, notes)))
        except ParseError as error:
            failures.append(Path(error.path).name)
    assert counts == {"markdown": 109, "enex": 21, "keep": 11, "textbundle": 8, "org": 6, "tomboy": 1, "siyuan": 4}
    assert failures == ["obsidianimporter_broken-json-note.json", "obsidianimporter_invalid-keep-json-note.json"]


def test_tomboy_note_keeps_its_offset_and_lists(real: Path):
    folder = real / "notes" / "tomboy"
    path = folder / "obsidianimporter_tomboy1.note"
    assert TomboyNoteIndexer().accepts(path)
    note = only(TomboyNoteIndexer().parse(path, folder))
    assert note.title == "TODO Liste"
    assert note.occurred_at == datetime(2025, 9, 4, 22, 54, 2, 563018, tzinfo=timezone(timedelta(hours=2)))
    assert note.occurred_at.utcoffset() == timedelta(hours=2)
    assert note.text.startswith("TODO Liste\n\n- Erst das erledigen\n- dann das\n- und dann das\n\nSpäter")
    assert note.text.endswith("- Das hier sollte dann vermutlich keine TODO-Liste mehr sein")
    assert note.metadata["last-change-date"] == "2025-09-04T22:56:53.9751960+02:00"


def test_a_date_that_is_no_date_stays_text_and_the_note_is_kept(kepano: Path, tmp_path: Path):
    # Found by the fuzz suite: Blade Runner.md with "last: 2023-00-14" made PyYAML raise ValueError
    # (month 0) and the note was lost; the rest of its front-matter still counts.
    original = (kepano / "References" / "Blade Runner.md").read_text(encoding="utf-8")
    assert "\nyear: 1982\n" in original and "\nlast: " in original
    broken = tmp_path / "Blade Runner.md"
    broken.write_text(re.sub(r"\nlast: [^\n]*", "\nlast: 2023-00-14", original), encoding="utf-8")
    note = only(MarkdownNoteIndexer().parse(broken, tmp_path))
    assert note.metadata["last"] == "2023-00-14" and note.metadata["year"] == 1982
    assert note.metadata["director"] == ["Ridley Scott"]


def test_keep_attachment_name_too_long_for_the_os_keeps_the_note(keep: Path, tmp_path: Path):
    # Found by the fuzz suite: a Keep note listing an attachment whose name no file system
    # holds made Path.is_file() raise ENAMETOOLONG and the note was lost.
    import json

    data = json.loads((keep / "obsidianimporter_Labelled_note.json").read_text(encoding="utf-8"))
    data["attachments"] = [{"filePath": "[" * 5000 + ".png", "mimetype": "image/png"}]
    path = tmp_path / "Labelled note.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    note = only(KeepNoteIndexer().parse(path, tmp_path))
    assert note.title == data["title"] and note.attachments[0].path is None
