"""The workbench plays a transcribed recording and corrects it while listening.

Over HTTP: the recording is served whole and in byte ranges (how browsers seek). In Debian's
Chromium: clicking a turn's time moves the player there, and a turn corrected in the page keeps
its coding on the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qualframe.coding.manual import add_coding, list_codings
from qualframe.store.models import Segment, Source
from qualframe.store.study import Study
from qualframe.web import create_app
from tests.transcription.conftest import Template

TOKEN = "transcription-test-token"
LOCAL = "http://127.0.0.1"  # the server answers only to its own host names


@pytest.fixture
def client(transcribed: Study) -> Iterator[TestClient]:
    with TestClient(create_app(transcribed.path, token=TOKEN), base_url=LOCAL, follow_redirects=False) as c:
        assert c.get(f"/?token={TOKEN}").status_code == 303
        yield c


def _source_id(study: Study) -> int:
    with study.read() as session:
        return int(session.execute(select(Source.id)).scalar_one())


def test_the_recording_is_served_whole_and_in_ranges(
    client: TestClient, transcribed: Study, template: Template
) -> None:
    audio = template.clip.path.read_bytes()
    sid = _source_id(transcribed)
    whole = client.get(f"/sources/{sid}/audio")
    assert whole.status_code == 200 and whole.content == audio
    assert whole.headers["content-type"] == "audio/mpeg" and whole.headers["accept-ranges"] == "bytes"
    part = client.get(f"/sources/{sid}/audio", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == audio[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(audio)}"
    tail = client.get(f"/sources/{sid}/audio", headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == audio[-50:]
    assert client.get(f"/sources/{sid}/audio", headers={"Range": f"bytes={len(audio)}-"}).status_code == 416
    page = client.get(f"/sources/{sid}", headers={"accept": "text/html"}).text
    assert f'<audio id="player" controls preload="metadata" src="/sources/{sid}/audio">' in page
    assert re.search(r'<button type="button" class="time play" data-ms="\d+"', page)
    assert "media-src 'self'" in whole.headers["content-security-policy"]


def test_a_transcript_imported_from_text_has_no_recording(
    client: TestClient, transcribed: Study, tmp_path: Path
) -> None:
    from qualframe.imports import import_files

    (tmp_path / "P02.txt").write_text("Interviewer: Hello?\n\nP02: Hi.\n", encoding="utf-8")
    import_files(transcribed, [tmp_path / "P02.txt"])
    with transcribed.read() as session:
        sid = session.execute(select(Source.id).where(Source.name == "P02")).scalar_one()
    assert client.get(f"/sources/{sid}/audio").status_code == 404
    assert "<audio" not in client.get(f"/sources/{sid}", headers={"accept": "text/html"}).text


def test_correcting_a_turn_needs_the_csrf_token(client: TestClient, transcribed: Study) -> None:
    sid = _source_id(transcribed)
    refused = client.post(f"/api/sources/{sid}/turns/0", json={"text": "Hello?"})
    assert refused.status_code == 403


# --- in a real browser ---------------------------------------------------------------------------


@pytest.fixture
def browser_page(transcribed: Study) -> Iterator[Any]:
    from tests.web.live import CHROMIUM, chromium_tab, live_server

    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with (
        live_server(create_app(transcribed.path, token=TOKEN)) as base,
        chromium_tab(playwright_api, base, TOKEN, width=1300) as tab,
    ):
        yield tab


def test_play_from_a_turn_and_correct_it_while_listening(browser_page: Any, transcribed: Study) -> None:
    page = browser_page
    with transcribed.read() as session:
        text = session.execute(select(Source.text)).scalar_one()
        turns = session.execute(select(Segment).order_by(Segment.position)).scalars().all()
        third = (turns[2].start, turns[2].end, turns[2].time_start_ms)
        second = text[turns[1].start : turns[1].end]
    coded = second[second.index("We all buy") : second.index("same lad") + len("same lad")]
    add_coding(transcribed, source="P01", code="Self-censorship", quote=coded, coder="tester")
    page.goto(f"/sources/{_source_id(transcribed)}")
    page.wait_for_selector("#player[data-ready]")
    page.locator("#t2 button.time").click()
    page.wait_for_function(
        "(ms) => Math.abs(document.getElementById('player').currentTime * 1000 - ms) < 300", arg=third[2]
    )
    page.wait_for_selector("#t2.playing")
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
    artifacts.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artifacts / "transcript-playing.png"))
    page.evaluate("document.getElementById('player').pause()")
    # Correct the second turn: a word before the coding and one inside it.
    page.locator("#t1 button.edit").click()
    area = page.locator("#t1 textarea.correct")
    corrected = second.replace("Mostly", "Mostly Gaz and", 1).replace("We all", "We, we all", 1)
    area.fill(corrected)
    page.screenshot(path=str(artifacts / "transcript-correcting.png"))
    area.press("Control+Enter")
    page.wait_for_selector("#notice:has-text('Corrected turn 2')")
    assert page.locator("#t1 .tx").inner_text() == corrected
    codings = list_codings(transcribed, source="P01")
    assert [c.text for c in codings] == [coded.replace("We all", "We, we all")]
    assert page.locator("#t1 mark.h").inner_text() == coded.replace("We all", "We, we all")
