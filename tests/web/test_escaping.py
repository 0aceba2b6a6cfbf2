"""Transcripts, names, definitions and memos can hold markup: the workbench shows it as text."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from qualframe.codebook.service import create_code
from qualframe.coding.manual import add_coding
from qualframe.imports import import_files
from qualframe.memos import add_memo
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from tests.web.conftest import source_id

EVIL = "<script>alert('pwned')</script>"
EVIL_TAG = '<img src=x onerror="alert(1)">'
BREAKOUT = "</script><script>alert(2)</script>"
# A code name cannot hold '/' or ':' today (the services read them as path separators).
EVIL_NAME = "<svg onload=alert(3)> <b>bold"
HOSTILE = f"""Interviewer: What did he write? {EVIL}

P02: He wrote {EVIL_TAG} on the wall, and then {BREAKOUT} &amp; more.
"""


@pytest.fixture
def hostile(web_study: Study, tmp_path) -> Study:  # type: ignore[no-untyped-def]
    path = tmp_path / "P02.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    import_files(web_study, [path])
    with web_study.write() as session:
        create_code(session, "study", EVIL_NAME, resolve_user(session, "tester"), definition=EVIL_TAG)
    add_coding(
        web_study, source="P02", code=f"study:{EVIL_NAME}", quote=f"He wrote {EVIL_TAG}", memo=BREAKOUT
    )
    add_memo(web_study, "source:P02", BREAKOUT, title=EVIL)
    return web_study


def _assert_inert(body: str) -> None:
    assert "<script>alert" not in body
    assert "<img src=x" not in body and "<svg" not in body and "<b>" not in body
    assert re.search(r"<script(?![^>]*\bsrc=\"/static/)(?![^>]*type=\"application/json\")", body) is None


def test_every_page_shows_markup_from_the_study_as_text(hostile: Study, client: TestClient) -> None:
    sid = source_id(client, "P02")
    pages = [
        "/",
        f"/sources/{sid}",
        "/codebook",
        "/codebook/history",
        "/quotes",
        "/quotes?code=study:" + EVIL_NAME,
        "/search?q=script",
        "/search?q=" + EVIL,
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_inert(response.text)
    page = client.get(f"/sources/{sid}").text
    assert (
        html.escape(EVIL, quote=False) in page
        or "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page
    )
    code_id = re.search(r'data-code="(\d+)"\s+data-search="[^"]*svg', page)
    assert code_id is not None
    _assert_inert(client.get(f"/codebook/codes/{code_id.group(1)}").text)


def test_the_data_island_cannot_be_closed_by_a_memo(hostile: Study, client: TestClient) -> None:
    page = client.get(f"/sources/{source_id(client, 'P02')}").text
    island = re.search(r'<script type="application/json" id="source-data">(.*?)</script>', page, re.S)
    assert island is not None
    assert "<" not in island.group(1) and ">" not in island.group(1)
    assert "\\u003c/script\\u003e" in island.group(1)


def test_the_transcript_text_comes_back_exactly(hostile: Study, client: TestClient) -> None:
    page = client.get(f"/sources/{source_id(client, 'P02')}").text
    pieces = re.findall(r'<(?:span|mark)[^>]* data-o="(\d+)"[^>]*>(.*?)</(?:span|mark)>', page, re.S)
    with hostile.read() as session:
        from qualframe.sources import get_source

        text = get_source(session, "P02").text
    for offset, body in pieces:
        plain = html.unescape(body)
        assert text[int(offset) : int(offset) + len(plain)] == plain
    assert any(EVIL in html.unescape(body) for _, body in pieces)


def test_error_messages_with_user_input_are_escaped(client: TestClient) -> None:
    response = client.get("/quotes?code=" + EVIL)
    assert response.status_code == 200
    _assert_inert(response.text)
    assert "there is no code" in response.text
