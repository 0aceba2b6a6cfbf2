"""Suggestion review in the browser's API: the queue, accept, reject, change code, adjust span, batch.

Suggestions are made by the real assisted-coding service (the ``lexicon`` engine, with its rule
lemmatizer so the tests stay fast) on a transcript written to trigger the Janis codebook's cues.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from qualframe.accounts import add_account
from qualframe.coding.manual import list_codings
from qualframe.coding.review import review_queue
from qualframe.coding.suggest import suggest
from qualframe.imports import import_files
from qualframe.store.study import Study
from qualframe.web import create_app
from tests.web.conftest import LOCAL, TOKEN, csrf_of, source_id

P05 = """[00:00:02] Interviewer: How do the lads see themselves?

[00:00:05] P05: We look after each other, we're not like them. Nothing bad will ever happen to us, we're invincible.

[00:00:40] Interviewer: And the staff at the service?

[00:00:44] P05: They look down on you, the staff. They haven't got a clue.

[00:01:10] Interviewer: Did you tell the lads you wanted to stop?

[00:01:15] P05: No, I kept it to myself. We were all in it together, nobody wants to stop.
"""
# Two coded examples are too few for the engine to be trusted, so the run asks for every code.
LEXICON = {
    "engine": "lexicon",
    "codes": ["janis-groupthink"],
    "params": {"lemmatizer": "rules"},
    "all_codes": True,
}
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def suggested_template(web_study_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web study plus P05 and the lexicon engine's six suggestions on it, and a viewer account."""
    folder = tmp_path_factory.mktemp("suggested")
    shutil.copytree(web_study_template, folder / "study")
    study = Study.open(folder / "study")
    try:
        (folder / "P05.txt").write_text(P05, encoding="utf-8")
        import_files(study, [folder / "P05.txt"], user="tester")
        summary = suggest(study, sources=["P05"], **LEXICON)  # type: ignore[arg-type]
        assert summary.suggestions == 6
        add_account(study, "vera", PASSWORD, "viewer")
    finally:
        study.close()
    return folder / "study"


@pytest.fixture
def study(suggested_template: Path, tmp_path: Path) -> Iterator[Study]:
    shutil.copytree(suggested_template, tmp_path / "study")
    opened = Study.open(tmp_path / "study")
    yield opened
    opened.close()


@pytest.fixture
def client(study: Study) -> Iterator[TestClient]:
    with TestClient(create_app(study.path, token=TOKEN), follow_redirects=False, base_url=LOCAL) as c:
        assert c.get(f"/?token={TOKEN}").status_code == 303
        c.headers["accept"] = "text/html"
        yield c


@pytest.fixture
def csrf(client: TestClient) -> str:
    return csrf_of(client.get("/").text)


def _post(client: TestClient, csrf: str, url: str, body: object = None) -> httpx.Response:
    return client.post(url, json=body, headers={"x-csrf-token": csrf, "accept": "application/json"})


def _by_text(study: Study, words: str) -> int:
    return next(s.id for s in review_queue(study) if words in s.text)


def _coding(study: Study, coding_id: int):  # type: ignore[no-untyped-def]
    return next(
        c
        for c in list_codings(study, origins=("manual", "accepted", "rejected", "suggested"))
        if c.id == coding_id
    )


def test_the_queue_shows_evidence_in_context_rationale_and_confidence(
    client: TestClient, study: Study
) -> None:
    page = client.get("/suggestions").text
    queue = review_queue(study)
    assert [int(i) for i in re.findall(r'<li class="suggestion[^"]*" id="s\d+" data-id="(\d+)"', page)] == [
        s.id for s in queue
    ]
    assert 'class="suggestion current"' in page
    with study.read() as session:
        from qualframe.sources import get_source

        text = get_source(session, "P05").text
    for s in queue:
        item = re.search(rf'id="s{s.id}".*?</li>', page, re.S).group(0)  # type: ignore[union-attr]
        marked = re.search(rf'<mark data-o="{s.start}">(.*?)</mark>', item, re.S)
        assert marked is not None and html.unescape(re.sub(r"<[^>]+>", "", marked.group(1))) == s.text
        for offset, body in re.findall(r'data-o="(\d+)">([^<]*)</(?:span|b)>', item, re.S):
            plain = html.unescape(body)
            assert text[int(offset) : int(offset) + len(plain)] == plain  # offsets are the service's
        assert str(escape(s.rationale)) in item and f"{s.confidence:.2f}" in item
        assert f'href="/sources/{source_id(client, "P05")}?at={s.start}"' in item
    assert '<strong id="left">6</strong> waiting' in page
    assert 'href="/suggestions"' in client.get("/").text  # the dashboard's pending count links here


def test_the_queue_filters_and_orders(client: TestClient) -> None:
    confident = client.get("/suggestions?order=confidence&min_confidence=0.95").text
    assert '<strong id="left">3</strong>' in confident
    confidences = [float(c) for c in re.findall(r'<span class="conf">([\d.]+)</span>', confident)]
    assert confidences == sorted(confidences, reverse=True) and min(confidences) >= 0.95
    code = "janis-groupthink:Closed-mindedness/Stereotyped views of out-groups"
    assert '<strong id="left">2</strong>' in client.get("/suggestions", params={"code": code}).text
    assert "between 0 and 1" in client.get("/suggestions?min_confidence=5").text
    assert "no code" in client.get("/suggestions?code=Nonsense").text


def test_accepting_rejecting_and_recoding(client: TestClient, csrf: str, study: Study) -> None:
    accepted = _by_text(study, "I kept it to myself")
    reply = _post(client, csrf, f"/api/suggestions/{accepted}/accept")
    assert reply.status_code == 200 and reply.json()["outcome"] == "accepted"
    coding = _coding(study, accepted)
    assert (coding.origin, coding.text) == ("accepted", "No, I kept it to myself.")
    again = _post(client, csrf, f"/api/suggestions/{accepted}/accept")
    assert again.status_code == 409 and "not a pending suggestion" in again.json()["error"]

    rejected = _by_text(study, "They haven't got a clue")
    reply = _post(client, csrf, f"/api/suggestions/{rejected}/reject", {"reason": "irony, not a stereotype"})
    assert reply.json()["outcome"] == "rejected"
    assert (_coding(study, rejected).origin, _coding(study, rejected).memo) == (
        "rejected",
        "irony, not a stereotype",
    )

    recoded = _by_text(study, "all in it together")
    page = client.get("/suggestions").text
    found = re.search(
        r'data-code="(\d+)"[^>]*><span class="sw"></span><span>[^<]*Self-censorship</span>', page
    )
    assert found is not None
    code = int(found.group(1))
    reply = _post(client, csrf, f"/api/suggestions/{recoded}/code", {"code": code})
    assert reply.status_code == 200 and reply.json()["outcome"] == "recoded"
    made = _coding(study, reply.json()["coding"])
    assert (made.origin, made.code, made.coder) == (
        "manual",
        "janis-groupthink:Pressures toward uniformity/Self-censorship",
        "tester",
    )
    assert made.text == "We were all in it together, nobody wants to stop."  # the whole sentence
    assert _coding(study, recoded).origin == "rejected"
    assert '<strong id="left">3</strong>' in client.get("/suggestions").text


def test_adjusting_the_span_before_deciding(client: TestClient, csrf: str, study: Study) -> None:
    item = next(s for s in review_queue(study) if "look after each other" in s.text)
    start = item.start + item.text.index("look after")
    end = start + len("look after each other")
    reply = _post(client, csrf, f"/api/suggestions/{item.id}/span", {"start": start, "end": end})
    data = reply.json()
    assert reply.status_code == 200 and data["text"] == "look after each other"
    assert data["beforeAt"] + len(data["before"]) == start and data["after"].startswith(", we're not")
    assert _coding(study, item.id).origin == "suggested"
    # accept with a span chosen at the same time
    other = next(s for s in review_queue(study) if "invincible" in s.text)
    s2 = other.start + other.text.index("we're invincible")
    _post(client, csrf, f"/api/suggestions/{other.id}/accept", {"start": s2, "end": s2 + 16})
    assert _coding(study, other.id).text == "we're invincible"
    for body, message in [
        ({"start": start, "end": start + 1_000_000}, "is outside P05"),
        ({"start": 5}, "both start and end"),
    ]:
        bad = _post(client, csrf, f"/api/suggestions/{item.id}/span", body)
        assert bad.status_code == 400 and message in bad.json()["error"]
    assert _coding(study, item.id).text == "look after each other"


def test_batch_accept_above_a_chosen_confidence(client: TestClient, csrf: str, study: Study) -> None:
    done = client.post("/suggestions/accept-batch", data={"csrf_token": csrf, "min_confidence": "0.95"})
    assert done.status_code == 303
    assert "Accepted 3 suggestions with confidence ≥ 0.95." in client.get(done.headers["location"]).text
    assert len(review_queue(study)) == 3 and all(s.confidence < 0.95 for s in review_queue(study))
    accepted = [c for c in list_codings(study, origins=("accepted",))]
    assert len(accepted) == 3
    refused = client.post("/suggestions/accept-batch", data={"csrf_token": csrf, "min_confidence": "0"})
    assert "choose a confidence above 0" in client.get(refused.headers["location"]).text
    assert len(review_queue(study)) == 3


def test_decisions_need_the_csrf_token_and_a_coder(client: TestClient, study: Study) -> None:
    before = review_queue(study)
    sid = before[0].id
    for url, body in [
        (f"/api/suggestions/{sid}/accept", None),
        (f"/api/suggestions/{sid}/reject", None),
        (f"/api/suggestions/{sid}/code", {"code": 1}),
        (f"/api/suggestions/{sid}/span", {"start": 1, "end": 5}),
    ]:
        assert client.post(url, json=body, headers={"accept": "application/json"}).status_code == 403
    assert client.post("/suggestions/accept-batch", data={"min_confidence": "0.5"}).status_code == 403
    with TestClient(client.app, follow_redirects=False, base_url=LOCAL) as team_less:  # type: ignore[arg-type]
        assert team_less.post(f"/api/suggestions/{sid}/accept").status_code == 401
    assert review_queue(study) == before


def test_a_viewer_reads_the_queue_but_decides_nothing(study: Study) -> None:
    with TestClient(create_app(study.path, team=True), follow_redirects=False, base_url=LOCAL) as client:
        form = client.get("/login", headers={"accept": "text/html"})
        nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"nonce": nonce, "name": "vera", "password": PASSWORD, "next": "/"})
        page = client.get("/suggestions", headers={"accept": "text/html"}).text
        assert '<strong id="left">6</strong> waiting' in page and 'data-act="accept"' not in page
        assert ">Suggestions</a>" not in page  # not in a viewer's navigation
        csrf = csrf_of(page)
        sid = review_queue(study)[0].id
        refused = _post(client, csrf, f"/api/suggestions/{sid}/accept")
        assert refused.status_code == 403
    assert len(review_queue(study)) == 6


def test_a_coder_coding_blind_sees_no_suggestions_on_that_transcript_until_everyone_is_done(
    study: Study,
) -> None:
    from qualframe.coding.team import assign_sources, set_assignment_status

    add_account(study, "cody", PASSWORD, "coder")
    assign_sources(study, ["P05"], ["cody", "tester"], blind=True, user="tester")
    target = review_queue(study)[0].id
    with TestClient(create_app(study.path, team=True), follow_redirects=False, base_url=LOCAL) as client:
        form = client.get("/login", headers={"accept": "text/html"})
        nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"nonce": nonce, "name": "cody", "password": PASSWORD, "next": "/"})
        page = client.get("/suggestions", headers={"accept": "text/html"}).text
        # The engines learn from every coder's work, so their suggestions would break the blind.
        assert '<strong id="left">0</strong> waiting' in page
        csrf = csrf_of(page)
        for action in ("accept", "reject"):  # hidden exactly like a suggestion that does not exist
            refused = _post(client, csrf, f"/api/suggestions/{target}/{action}")
            assert refused.status_code == 404 and f"there is no suggestion {target}" in refused.text
        assert len(review_queue(study)) == 6  # nothing was decided
        set_assignment_status(study, "P05", "cody", "done", user="tester")
        set_assignment_status(study, "P05", "tester", "done", user="tester")
        page = client.get("/suggestions", headers={"accept": "text/html"}).text
        assert '<strong id="left">6</strong> waiting' in page
        assert _post(client, csrf, f"/api/suggestions/{target}/accept").status_code == 200
    assert len(review_queue(study)) == 5


def test_markup_in_evidence_and_rationale_is_text(client: TestClient, study: Study, tmp_path: Path) -> None:
    hostile = tmp_path / "P06.txt"
    hostile.write_text(
        "Interviewer: And the staff?\n\nP06: <img src=x onerror=alert(1)> They look down on you. </script><b>x</b>\n",
        encoding="utf-8",
    )
    import_files(study, [hostile])
    suggest(study, sources=["P06"], **LEXICON)  # type: ignore[arg-type]
    page = client.get("/suggestions?source=P06").text
    assert "<img src=x" not in page and "<b>x</b>" not in page and "</script><b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "They look down on you" in page
