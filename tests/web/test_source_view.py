"""The source view and its coding calls: what a researcher sees and does on a transcript."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from qualframe.coding.manual import add_coding, list_codings
from qualframe.imports import import_files
from qualframe.memos import list_memos
from qualframe.sources import get_source
from qualframe.store.study import Study
from tests.web.conftest import source_id


def _code_id(page: str, name: str) -> int:
    match = re.search(rf'data-code="(\d+)"[^>]*>(?:(?!</button>).)*{re.escape(name)}<', page, re.S)
    assert match, name
    return int(match.group(1))


def _text(study: Study, name: str = "P01") -> str:
    with study.read() as session:
        return get_source(session, name).text


def test_the_page_shows_turns_speakers_timestamps_and_codings(client: TestClient, web_study: Study) -> None:
    page = client.get(f"/sources/{source_id(client)}").text
    assert page.count('<section class="turn') == 5
    assert '<span class="time">00:00:09</span><span class="spk">P01</span>' in page
    assert '<section class="turn r-interviewer"' in page
    for coding in list_codings(web_study):
        marks = re.findall(
            rf'<mark class="h k\d+ d1" data-o="{coding.start}" data-c="{coding.id}">([^<]*)</mark>', page
        )
        assert marks == [coding.text.replace("'", "&#39;")]
        assert re.search(rf'<i class="st k\d+ l0 t\d+ e\d+" data-c="{coding.id}">', page)
    assert 'id="code-list"' in page and "Self-censorship" in page


def test_coding_a_selection_undo_and_redo(client: TestClient, csrf: str, web_study: Study) -> None:
    sid = source_id(client)
    page = client.get(f"/sources/{sid}").text
    code = _code_id(page, "Illusion of unanimity")
    text = _text(web_study)
    start = text.index("Nobody walks away")
    end = start + len("Nobody walks away from the lads.")
    headers = {"x-csrf-token": csrf}
    response = client.post(
        f"/api/sources/{sid}/codings",
        json={"code": code, "start": start, "end": end, "memo": "group norm"},
        headers=headers,
    )
    assert response.status_code == 201
    assert "Illusion of unanimity" in response.json()["message"]
    coded = [c for c in list_codings(web_study) if c.code.endswith("Illusion of unanimity")]
    assert [(c.text, c.memo, c.coder) for c in coded] == [
        ("Nobody walks away from the lads.", "group norm", "tester")
    ]
    assert f'data-c="{coded[0].id}"' in client.get(f"/sources/{sid}").text

    again = client.post(
        f"/api/sources/{sid}/codings", json={"code": code, "start": start, "end": end}, headers=headers
    )
    assert again.status_code == 409 and "already coded" in again.json()["error"]

    undone = client.post("/api/undo", headers=headers)
    assert undone.status_code == 200 and undone.json()["message"].startswith("Undone: removed")
    assert f'data-c="{coded[0].id}"' not in client.get(f"/sources/{sid}").text
    redone = client.post("/api/redo", headers=headers)
    assert redone.status_code == 200 and redone.json()["source"] == "P01"
    assert len(list_codings(web_study)) == 3


def test_bad_spans_and_codes_are_refused_with_a_sentence(client: TestClient, csrf: str) -> None:
    sid = source_id(client)
    code = _code_id(client.get(f"/sources/{sid}").text, "Self-censorship")
    headers = {"x-csrf-token": csrf}
    cases = [
        ({"code": code, "start": 5, "end": 5_000_000}, 400, "outside"),
        ({"code": code, "start": 0, "end": 0}, 400, "outside"),
        ({"code": 999_999, "start": 0, "end": 5}, 404, "no code"),
        ({"code": code, "start": "x", "end": 5}, 400, "malformed"),
    ]
    for body, status, words in cases:
        response = client.post(f"/api/sources/{sid}/codings", json=body, headers=headers)
        assert response.status_code == status and words in response.json()["error"], body
    assert client.post("/api/sources/999/codings", json=cases[0][0], headers=headers).status_code == 404


def test_offsets_are_code_points_even_after_emoji(
    client: TestClient, csrf: str, web_study: Study, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "P09.txt"
    path.write_text("P09: 😀😀 We stick together 🤝 no matter what.\n", encoding="utf-8")
    import_files(web_study, [path])
    sid = source_id(client, "P09")
    text = _text(web_study, "P09")
    start = text.index("We stick")
    page = client.get(f"/sources/{sid}").text
    assert re.search(rf'data-o="{text.index("😀")}">😀😀 We stick', page)
    code = _code_id(page, "Illusion of unanimity")
    body = {"code": code, "start": start, "end": start + len("We stick together 🤝")}
    assert (
        client.post(f"/api/sources/{sid}/codings", json=body, headers={"x-csrf-token": csrf}).status_code
        == 201
    )
    assert list_codings(web_study, source="P09")[0].text == "We stick together 🤝"


def test_removing_a_coding_and_bringing_it_back(client: TestClient, csrf: str, web_study: Study) -> None:
    target = list_codings(web_study)[0]
    headers = {"x-csrf-token": csrf}
    response = client.delete(f"/api/codings/{target.id}", headers=headers)
    assert response.status_code == 200 and "Removed" in response.json()["message"]
    assert target.id not in [c.id for c in list_codings(web_study)]
    assert client.delete(f"/api/codings/{target.id}", headers=headers).status_code == 404
    assert client.post("/api/undo", headers=headers).json()["message"].startswith("Undone: restored")
    assert target.id in [c.id for c in list_codings(web_study)]


def test_overlapping_codings_and_the_coder_filter(client: TestClient, web_study: Study) -> None:
    add_coding(
        web_study,
        source="P01",
        code="Illusion of unanimity",
        quote="We all buy off the same lad",
        coder="sam",
    )
    add_coding(
        web_study,
        source="P01",
        code="Collective rationalisation",
        quote="same lad, we have done for years",
        coder="sam",
    )
    sid = source_id(client)
    page = client.get(f"/sources/{sid}").text
    both = re.findall(r'<mark class="h k\d+ d2" data-o="\d+" data-c="(\d+) (\d+)">same lad</mark>', page)
    assert len(both) == 1
    assert '<option value="sam">sam</option>' in page
    only_tester = client.get(f"/sources/{sid}?coder=tester").text
    assert "same lad</mark>" not in only_tester and only_tester.count("<mark") == 2


def test_memos_on_the_source(client: TestClient, csrf: str, web_study: Study) -> None:
    sid = source_id(client)
    response = client.post(
        f"/sources/{sid}/memos", data={"title": "Loyalty", "text": "Leaving = betrayal.", "csrf_token": csrf}
    )
    assert response.status_code == 303 and response.headers["location"] == f"/sources/{sid}#memos"
    page = client.get(f"/sources/{sid}")
    assert "Memo saved." in page.text and "Leaving = betrayal." in page.text
    assert "qualframe_flash=" in page.headers["set-cookie"]  # the message is shown once
    assert [(m.target, m.title, m.author) for m in list_memos(web_study)] == [
        ("source:P01", "Loyalty", "tester")
    ]
    empty = client.post(f"/sources/{sid}/memos", data={"text": "  ", "csrf_token": csrf})
    assert empty.status_code == 303
    assert "the memo is empty" in client.get(f"/sources/{sid}").text


def test_an_unknown_source_is_a_404_page(client: TestClient) -> None:
    response = client.get("/sources/4242")
    assert response.status_code == 404 and "no source 4242" in response.text
