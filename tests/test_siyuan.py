"""SiYuan ``.sy`` notes on the real guide documents (issue 15, point 3)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from pocketmind import Engine
from pocketmind.errors import ParseError
from pocketmind.indexers.notes import SiYuanNoteIndexer, note_indexers


@pytest.fixture
def siyuan(real: Path) -> Path:
    return real / "notes" / "siyuan"


def parse(path: Path, root: Path, indexer: SiYuanNoteIndexer | None = None):
    documents = list((indexer or SiYuanNoteIndexer()).parse(path, root))
    assert len(documents) == 1
    return documents[0]


def test_sy_files_are_claimed_by_the_siyuan_indexer_only(siyuan: Path):
    claims = [type(i).__name__ for i in note_indexers() if i.accepts(siyuan / "siyuan_zh_日记.sy")]
    assert claims == ["SiYuanNoteIndexer"]
    assert not any(i.accepts(siyuan / "siyuan_zh_guide_box_conf.json") for i in note_indexers())


def test_titles_headings_as_sections_and_times(siyuan: Path):
    diary = parse(siyuan / "siyuan_zh_日记.sy", siyuan)
    assert diary.title == "日记"
    assert [s.heading for s in diary.sections] == ["概述", "概述 > 创建和打开", "概述 > 配置", "概述 > 使用技巧"]
    assert diary.sections[0].text == "日记是一种按日期快速创建和定位文档的方式。可用于记录每日生活、工作日志、每日待办等。"
    # list items as lines, nested ones indented; inline code and bold spans kept, zero-width padding dropped
    assert "- 入口：顶部主菜单中点击「日记」按钮，或使用快捷键 Alt+5（macOS 上 ⌃5）" in diary.sections[1].text
    assert '    - /日记/{{now | date "2006-01-02"}} — 所有日记放一个文件夹' in diary.sections[2].text
    assert diary.occurred_at == datetime(2026, 6, 14, 20, 50, 4)  # its "updated" property
    assert diary.metadata["created"] == "2021-01-10T17:53:47"  # the time in its id
    assert diary.metadata["time_source"] == "siyuan updated"

    tags = parse(siyuan / "siyuan_zh_书签和标签.sy", siyuan)
    assert [s.heading for s in tags.sections] == ["书签", "标签", "注意"]
    assert "&lt;" not in tags.text and "`、<、>、&、~" in tags.text  # SiYuan's escapes read as written
    assert tags.tags == ["注意"]

    # headings inside super blocks (side-by-side layout) are sections too
    start = parse(siyuan / "siyuan_zh_请从这里开始.sy", siyuan)
    assert start.title == "请从这里开始"
    assert "🍔 开始食用" in [s.heading for s in start.sections]
    assert "👑 会员特权 > 云端服务" in [s.heading for s in start.sections]


def test_dynamic_references_show_the_referenced_block_as_it_is_now(siyuan: Path, tmp_path: Path):
    start = parse(siyuan / "siyuan_zh_请从这里开始.sy", siyuan)
    assert start.metadata["links"] == ["导入和导出", "日记", "书签和标签"]  # found in the notebook folder

    # Rename the diary document in a copy of the notebook: the reference follows the new title.
    for name in ("siyuan_zh_请从这里开始.sy", "siyuan_zh_日记.sy"):
        shutil.copy(siyuan / name, tmp_path / name)
    diary = json.loads((tmp_path / "siyuan_zh_日记.sy").read_text())
    diary["Properties"]["title"] = "每日笔记"
    (tmp_path / "siyuan_zh_日记.sy").write_text(json.dumps(diary, ensure_ascii=False))
    renamed = parse(tmp_path / "siyuan_zh_请从这里开始.sy", tmp_path)
    section = next(s for s in renamed.sections if s.heading == "🚌 通用操作")
    assert "每日笔记" in section.text.splitlines() and "日记" not in section.text.splitlines()
    assert renamed.metadata["links"] == ["每日笔记"]


def test_old_style_references_in_text_and_static_anchors(siyuan: Path, tmp_path: Path):
    shutil.copy(siyuan / "siyuan_zh_日记.sy", tmp_path / "日记.sy")
    note = {
        "ID": "20240504123000-abcdefg", "Type": "NodeDocument",
        "Properties": {"id": "20240504123000-abcdefg", "title": "Trip notes", "custom-loc": "Kyoto"},
        "Children": [
            {"ID": "20240504123001-aaaaaaa", "Type": "NodeParagraph", "Children": [
                {"Type": "NodeText", "Data": 'See ((20210110175347-2xrwoiq)) and ((20260613180438-q02mnqc "the overview")).'},
                {"Type": "NodeTextMark", "TextMarkType": "block-ref", "TextMarkBlockRefID": "20260613180438-m5s8d4s",
                 "TextMarkBlockRefSubtype": "d", "TextMarkTextContent": "stale anchor"},
            ]},
        ],
    }
    (tmp_path / "trip.sy").write_text(json.dumps(note))
    doc = parse(tmp_path / "trip.sy", tmp_path)
    assert doc.sections[0].text.startswith("loc: Kyoto\nSee 日记 and the overview.日记是一种按日期")
    assert doc.occurred_at == datetime(2024, 5, 4, 12, 30)  # no "updated": the time in its id
    assert doc.metadata["time_source"] == "siyuan id"


def test_a_broken_sy_file_is_one_clear_error(tmp_path: Path):
    bad = tmp_path / "broken.sy"
    bad.write_text('{"ID": "x", "Type": ')
    with pytest.raises(ParseError) as error:
        parse(bad, tmp_path)
    assert str(error.value).startswith(f"{bad}: not valid JSON")
    other = tmp_path / "other.sy"
    other.write_text('{"name": "notebook"}')
    with pytest.raises(ParseError, match="not a SiYuan document"):
        parse(other, tmp_path)


def test_a_siyuan_folder_indexes_and_is_searchable(siyuan: Path, tmp_path: Path):
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("notes", siyuan, name="siyuan")
        [summary] = engine.index()
        results = engine.search("日记 模板", kinds=("note",))
    # the issue: this folder gave "0 added, 0 failed"; the notebook's conf.json is reported as skipped
    assert (summary.added, summary.failed) == (4, 0)
    assert [Path(s["path"]).name for s in summary.skipped] == ["siyuan_zh_guide_box_conf.json"]
    assert "日记" in [r.title for r in results]
