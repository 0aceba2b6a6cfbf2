"""Several coders adding codings at once over real HTTP: nothing lost, the audit chain intact (issue 18).

The workbench serves a team from one process; each coder's browser is a separate HTTP client on a
real port of 127.0.0.1, signed in with a password, sending the CSRF token as ``source.js`` does.
"""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import httpx
import pytest

from qualframe.accounts import add_account
from qualframe.coding.manual import list_codings
from qualframe.store.audit import verify_chain
from qualframe.store.models import Code
from qualframe.store.study import Study
from qualframe.web import create_app
from tests.web.conftest import serving

PASSWORD = "correct horse battery"
CODERS = ("ada", "bo", "cy", "di")
EACH = 8


@pytest.fixture
def team_study(web_study_template: Path, tmp_path: Path) -> Study:
    shutil.copytree(web_study_template, tmp_path / "study")
    study = Study.open(tmp_path / "study")
    for name in CODERS:
        add_account(study, name, PASSWORD, "coder")
    return study


def _browser(base: str, name: str) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=base, timeout=60, headers={"accept": "text/html"})
    form = http.get("/login").text
    nonce = re.search(r'name="nonce" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    signed = http.post("/login", data={"nonce": nonce, "name": name, "password": PASSWORD, "next": "/"})
    assert signed.status_code == 303, signed.text
    home = http.get("/").text
    source = int(re.search(r'href="/sources/(\d+)">P01<', home).group(1))  # type: ignore[union-attr]
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', home).group(1)  # type: ignore[union-attr]
    return http, f"{source}:{csrf}"


def test_coders_adding_at_once_over_http_lose_nothing(team_study: Study) -> None:
    with team_study.read() as session:
        code_ids = [c.id for c in session.query(Code).filter(Code.codable).order_by(Code.id).limit(EACH)]
    before = len(list_codings(team_study))
    answers: dict[str, list[int]] = {name: [] for name in CODERS}
    start = threading.Barrier(len(CODERS))
    with serving(create_app(team_study.path, team=True)) as port:
        base = f"http://127.0.0.1:{port}"
        browsers = {name: _browser(base, name) for name in CODERS}
        quotes_before = browsers["ada"][0].get("/quotes").text

        def code(name: str) -> None:
            http, ids = browsers[name]
            source, csrf = ids.split(":", 1)
            start.wait()
            for k, code_id in enumerate(code_ids):  # the same passages and codes for every coder
                r = http.post(
                    f"/api/sources/{source}/codings",
                    json={"code": code_id, "start": 120 + k, "end": 150 + k},
                    headers={"x-csrf-token": csrf, "accept": "application/json"},
                )
                answers[name].append(r.status_code)

        threads = [threading.Thread(target=code, args=(n,)) for n in CODERS]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        quotes_after = browsers["ada"][0].get("/quotes").text
        for http, _ in browsers.values():
            http.close()
    assert answers == {name: [201] * EACH for name in CODERS}
    made = list_codings(team_study)
    assert len(made) == before + len(CODERS) * EACH
    by_coder = {name: sorted((c.start, c.end) for c in made if c.coder == name) for name in CODERS}
    assert all(spans == [(120 + k, 150 + k) for k in range(EACH)] for spans in by_coder.values())
    with team_study.read() as session:
        assert verify_chain(session).ok
    # the quotes page, cached per study state, shows the new codings at once
    count = re.compile(r"(\d+) quotes")
    old = int(count.search(quotes_before).group(1))  # type: ignore[union-attr]
    assert int(count.search(quotes_after).group(1)) == old + len(CODERS) * EACH  # type: ignore[union-attr]
    team_study.close()
