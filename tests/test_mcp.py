"""`pocketmind mcp`: the MCP server over stdio, driven by the official SDK's client.

The server runs as a real child process (``python -m pocketmind mcp``) over a
home indexed from real export files: a WhatsApp chat and an Obsidian vault.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from conftest import REAL
from pocketmind import Engine

CHAT = (REAL / "messages" / "whatsapp" / "whatsjson_english_android.txt").resolve()  # uris name the real path
VAULT = (REAL / "notes" / "obsidian" / "langchain_vault").resolve()
PIMLICO = "wa:whatsapp:whatsjson_english_android:2022-03-27T21:46:00:c268d8e4:0"  # "Pimlico Gardens / London, United Kingdom"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("mcp") / "home"
    with Engine(home=home) as engine:
        engine.add_source("messages", CHAT, name="wa")
        engine.add_source("notes", VAULT, name="vault")
        engine.index()
    return home


def call(home: Path, work, *options: str, errlog: Path = Path(os.devnull)):
    """Start `pocketmind mcp` on ``home``, run ``work(session)`` against it, return what it returns."""

    async def run():
        server = StdioServerParameters(command=sys.executable, args=["-m", "pocketmind", "--home", str(home), *options, "mcp"],
                                       env={"POCKETMIND_HOME": str(home)})
        with open(errlog, "w") as stderr:  # the server's logs (and llama.cpp's load log)
            async with stdio_client(server, errlog=stderr) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                return await work(session)

    return asyncio.run(run())


def server_pid() -> int:
    """The `pocketmind mcp` child of this test process."""
    children = {int(pid) for task in Path("/proc/self/task").iterdir() for pid in (task / "children").read_text().split()}
    return next(pid for pid in children if b"mcp" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"))


def network_sockets(pid: int) -> set[str]:
    """The process's open sockets that are TCP or UDP (IPv4 or IPv6) ones."""
    inodes = {os.readlink(fd)[len("socket:["):-1] for fd in Path(f"/proc/{pid}/fd").iterdir()
              if os.readlink(fd).startswith("socket:[")}
    network = {line.split()[9] for table in ("tcp", "tcp6", "udp", "udp6")
               for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]}
    return inodes & network


def test_only_read_tools_are_offered(home):
    async def work(session):
        tools = (await session.list_tools()).tools
        missing = await session.call_tool("get_document", {"ref": "wa:no-such-message"})
        return tools, missing

    tools, missing = call(home, work)
    tools = {tool.name: tool for tool in tools}
    assert sorted(tools) == ["ask", "get_document", "search", "sources"]  # nothing adds, indexes, forgets or configures
    assert all(tool.annotations.read_only_hint and not tool.annotations.destructive_hint for tool in tools.values())
    assert set(tools["search"].input_schema["properties"]) == {"query", "k", "kind", "since", "until", "person"}
    assert tools["search"].input_schema["required"] == ["query"]
    # An unknown id is one clear line (the SDK names the tool), not a traceback.
    assert missing.is_error
    assert missing.content[0].text == ("Error executing tool get_document: no document with id or uri "
                                       "'wa:no-such-message' (use an id or uri from search or ask)")


def test_search_then_get_document_by_id_and_uri(home):
    async def work(session):
        found = await session.call_tool("search", {"query": "Pimlico Gardens", "k": 3})
        first = found.structured_content["results"][0]
        by_id = await session.call_tool("get_document", {"ref": first["id"]})
        by_uri = await session.call_tool("get_document", {"ref": first["uri"]})
        notes = await session.call_tool("search", {"query": "unsalted butter", "kind": "note"})
        before = await session.call_tool("search", {"query": "Hello World", "until": "2022-03-18"})
        bad = await session.call_tool("search", {"query": "Hello", "since": "last spring"})
        return found, by_id, by_uri, notes, before, bad

    found, by_id, by_uri, notes, before, bad = call(home, work)
    assert not found.is_error
    first = found.structured_content["results"][0]
    assert first["id"] == PIMLICO
    assert first["kind"] == "message" and first["who"] == "Dmitry S" and first["when"] == "2022-03-27T21:46:00"
    assert first["uri"] == f"{CHAT.as_uri()}#L39"
    assert first["title"] == "Dmitry S in whatsjson_english_android"
    document = by_id.structured_content
    # The exact text, line breaks and URL as written, no markup.
    assert document["text"] == "Pimlico Gardens\nLondon, United Kingdom\nhttps://foursquare.com/v/4e89af95e5fa82ad4c0aa03b"
    assert document["id"] == PIMLICO and document["conversation"] == "whatsjson_english_android"
    assert not document["truncated"]
    assert by_uri.structured_content == document
    # Filters: a kind; a bare date as `until` takes that whole day (the "Hello World"s are from the 27th).
    assert [r["id"] for r in notes.structured_content["results"]][:1] == ["vault:no_frontmatter.md"]
    assert {r["kind"] for r in notes.structured_content["results"]} == {"note"}
    assert {r["when"][:10] for r in before.structured_content["results"]} == {"2022-03-18"}
    assert bad.is_error
    assert bad.content[0].text == "Error executing tool search: since: not a date: 'last spring' (use YYYY-MM-DD or an ISO time)"


def test_ask_answers_with_a_cited_real_document_and_no_network_socket(home):
    async def work(session):
        answer = await session.call_tool("ask", {"question": "Where is Pimlico Gardens?"})
        cited = answer.structured_content["citations"][0]
        document = await session.call_tool("get_document", {"ref": cited["id"]})
        return answer, document, network_sockets(server_pid())  # embedder, LLM and store all loaded now

    answer, document, sockets = call(home, work)
    reply = answer.structured_content
    # The 270M model's wording moves with the passages' order: the place the message names, or
    # the location it shared (both in the cited window); the transport is what is tested here.
    assert reply["found"] and ("London" in reply["answer"] or "maps.google.com/?q=51.50214569326172" in reply["answer"])
    assert reply["citations"][0]["id"] == PIMLICO
    assert reply["evidence"][0]["citation"] == 1 and reply["evidence"][0]["id"] == PIMLICO
    assert "Pimlico Gardens" in reply["evidence"][0]["quote"]
    assert "London, United Kingdom" in document.structured_content["text"]
    assert sockets == set()  # stdio only: nothing listens or connects


def test_a_cancelled_ask_is_stopped_and_the_server_goes_on(home, tmp_path):
    log = tmp_path / "server.log"

    async def work(session):
        async def give_up_once_asked(scope):  # the client gives up: the SDK sends notifications/cancelled
            while "ask started" not in log.read_text():  # not before the server has the question (a loaded machine)
                await anyio.sleep(0.05)
            await anyio.sleep(0.2)
            scope.cancel()

        async with anyio.create_task_group() as group:
            group.start_soon(give_up_once_asked, group.cancel_scope)
            await session.call_tool("ask", {"question": "Where is Pimlico Gardens?"})
        return await session.call_tool("sources", {})

    listed = call(home, work, "--debug", errlog=log)
    assert [(s["name"], s["kind"], s["documents"]) for s in listed.structured_content["sources"]] == [
        ("vault", "notes", 6), ("wa", "messages", 59)]
    assert "ask cancelled by the client" in log.read_text()


def test_engine_document_by_id_and_uri(home):
    with Engine(home=home) as engine:
        note = engine.document("vault:no_frontmatter.md")
        assert note["title"] == "no_frontmatter" and note["kind"] == "note" and note["source"] == "vault"
        assert "1 and 1/2 cups\xa0(180g) **confectioners’\xa0sugar**" in note["text"]  # the file's no-break spaces kept
        assert engine.document((VAULT / "no_frontmatter.md").as_uri()) == note
        assert engine.document(f"{CHAT.as_uri()}#L39")["id"] == PIMLICO
        assert engine.document("vault:nothing.md") is None
