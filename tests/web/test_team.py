"""Team mode: accounts with argon2 hashes, sign-in, and what each role may do."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qualframe.accounts import add_account, authenticate, list_accounts, set_active, set_role
from qualframe.coding.manual import list_codings
from qualframe.errors import ConflictError, InputError
from qualframe.store.models import User
from qualframe.store.study import Study
from qualframe.web import create_app
from tests.web.conftest import LOCAL, TOKEN, csrf_of, source_id

PASSWORD = "correct horse battery"
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def team_template(web_study_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web study with a lead, a coder, a viewer and a deactivated account (hashed once)."""
    folder = tmp_path_factory.mktemp("team") / "study"
    shutil.copytree(web_study_template, folder)
    study = Study.open(folder)
    try:
        add_account(study, "lena", PASSWORD, "lead")
        add_account(study, "cody", PASSWORD, "coder")
        add_account(study, "vera", PASSWORD, "viewer")
        add_account(study, "ina", PASSWORD, "coder")
        set_active(study, "ina", False)
    finally:
        study.close()
    return folder


@pytest.fixture
def team_study(team_template: Path, tmp_path: Path) -> Iterator[Study]:
    shutil.copytree(team_template, tmp_path / "study")
    study = Study.open(tmp_path / "study")
    yield study
    study.close()


@pytest.fixture
def team_app(team_study: Study) -> Iterator[TestClient]:
    with TestClient(create_app(team_study.path, team=True), follow_redirects=False, base_url=LOCAL) as client:
        yield client


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    form = client.get("/login", headers=HTML)
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"nonce": nonce, "name": name, "password": password, "next": "/"})
    assert response.status_code == 303, response.text
    client.headers["accept"] = "text/html"
    return client


def test_passwords_are_stored_as_argon2id_hashes(team_study: Study) -> None:
    with team_study.read() as session:
        stored = {u.name: u.password_hash for u in session.query(User) if u.password_hash}
    assert set(stored) == {"lena", "cody", "vera", "ina"}
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in stored.values())
    assert len(set(stored.values())) == 4  # salted
    assert authenticate(team_study, "cody", PASSWORD) is not None
    assert authenticate(team_study, "Cody", PASSWORD) is not None
    assert authenticate(team_study, "cody", PASSWORD + "!") is None
    assert authenticate(team_study, "nobody", PASSWORD) is None
    assert authenticate(team_study, "ina", PASSWORD) is None


def test_accounts_are_validated_and_listed(team_study: Study) -> None:
    with pytest.raises(InputError, match="too short"):
        add_account(team_study, "sam", "short", "coder")
    with pytest.raises(InputError, match="role"):
        add_account(team_study, "sam", PASSWORD, "admin")
    with pytest.raises(ConflictError, match="already has an account"):
        add_account(team_study, "cody", PASSWORD, "coder")
    assert set_role(team_study, "cody", "viewer").role == "viewer"
    by_name = {a.name: a for a in list_accounts(team_study)}
    assert by_name["cody"].role == "viewer" and not by_name["ina"].active
    assert "tester" not in by_name  # a coder without an account is not an account


def test_sign_in_refuses_wrong_passwords_unknown_and_inactive_people(team_app: TestClient) -> None:
    form = team_app.get("/login", headers=HTML)
    assert 'name="password"' in form.text and "Access token" not in form.text
    for name, password in (("cody", "wrong password"), ("nobody", PASSWORD), ("ina", PASSWORD)):
        nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        response = team_app.post(
            "/login", data={"nonce": nonce, "name": name, "password": password}, headers=HTML
        )
        assert response.status_code == 401 and "wrong" in response.text
        assert "qualframe_session" not in response.headers.get("set-cookie", "")
        form = response
    assert team_app.get("/", headers=HTML).status_code == 303


def test_the_token_means_nothing_in_team_mode(team_study: Study) -> None:
    with TestClient(
        create_app(team_study.path, token=TOKEN, team=True), follow_redirects=False, base_url=LOCAL
    ) as client:
        assert client.get("/", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 401
        assert client.get(f"/?token={TOKEN}", headers=HTML).headers["location"].startswith("/login")


def test_a_viewer_reads_but_cannot_change_anything(team_app: TestClient, team_study: Study) -> None:
    client = sign_in(team_app, "vera")
    sid = source_id(client)
    page = client.get(f"/sources/{sid}").text
    assert "vera · viewer" in page and 'id="selection"' not in page and "Save memo" not in page
    assert 'id="edit-code"' not in client.get("/codebook/codes/1").text
    csrf = csrf_of(page)
    headers = {"x-csrf-token": csrf}
    before = list_codings(team_study)
    assert (
        client.post(
            f"/api/sources/{sid}/codings", json={"code": 2, "start": 0, "end": 9}, headers=headers
        ).status_code
        == 403
    )
    assert client.post("/api/undo", headers=headers).status_code == 403
    assert client.delete(f"/api/codings/{before[0].id}", headers=headers).status_code == 403
    assert client.post(f"/sources/{sid}/memos", data={"text": "x", "csrf_token": csrf}).status_code == 403
    assert client.post("/codebook/codes/2", data={"name": "Renamed", "csrf_token": csrf}).status_code == 403
    assert list_codings(team_study) == before
    assert client.get("/download/export/codebook-yaml").status_code == 200  # reading is allowed


def test_a_coder_codes_but_leaves_the_codebook_and_others_codings_alone(
    team_app: TestClient, team_study: Study
) -> None:
    client = sign_in(team_app, "cody")
    sid = source_id(client)
    csrf = csrf_of(client.get(f"/sources/{sid}").text)
    headers = {"x-csrf-token": csrf}
    theirs = list_codings(team_study)[0]
    response = client.post(
        f"/api/sources/{sid}/codings",
        json={"code": _code_id(client, "Self-censorship"), "start": 0, "end": 9},
        headers=headers,
    )
    assert response.status_code == 201
    mine = [c for c in list_codings(team_study) if c.coder == "cody"]
    assert len(mine) == 1
    assert client.delete(f"/api/codings/{theirs.id}", headers=headers).status_code == 403
    assert client.delete(f"/api/codings/{mine[0].id}", headers=headers).status_code == 200
    refused = client.post("/codebook/codes/2", data={"name": "Renamed", "csrf_token": csrf})
    assert refused.status_code == 403 and "only a lead" in refused.text


def test_a_lead_edits_the_codebook(team_app: TestClient) -> None:
    client = sign_in(team_app, "lena")
    code = _code_id(client, "Self-censorship")
    page = client.get(f"/codebook/codes/{code}").text
    assert 'id="edit-code"' in page
    response = client.post(
        f"/codebook/codes/{code}",
        data={
            "name": "Self-censorship",
            "definition": "Keeping doubts to oneself.",
            "csrf_token": csrf_of(page),
        },
    )
    assert response.status_code == 303
    assert "Keeping doubts to oneself." in client.get(f"/codebook/codes/{code}").text
    assert "lena" in client.get("/codebook/history").text


def test_team_sessions_do_not_open_the_single_user_workbench(team_app: TestClient, team_study: Study) -> None:
    sign_in(team_app, "vera")
    cookie = team_app.cookies["qualframe_session"]
    with TestClient(
        create_app(team_study.path, token=TOKEN), follow_redirects=False, base_url=LOCAL
    ) as local:
        local.cookies.set("qualframe_session", cookie)
        assert local.get("/").status_code == 401


def _code_id(client: TestClient, name: str) -> int:
    page = client.get("/codebook").text
    match = re.search(rf'href="/codebook/codes/(\d+)">{re.escape(name)}<', page)
    assert match
    return int(match.group(1))


def test_blind_coding_hides_the_other_coders_work_until_everyone_is_done(
    team_app: TestClient, team_study: Study
) -> None:
    from qualframe.coding.team import assign_sources, set_assignment_status

    assign_sources(team_study, ["P01"], ["cody", "tester"], blind=True, user="lena")
    client = sign_in(team_app, "cody")
    sid = source_id(client)
    page = client.get(f"/sources/{sid}").text
    assert "<mark" not in page and "tester" not in page  # tester's two codings are hidden
    assert '<th class="coder">tester</th>' not in client.get("/").text
    assert "0 quotes" in client.get("/quotes").text
    assert client.get("/download/report").status_code == 403
    assert client.get("/download/export/quotes-csv").status_code == 403
    set_assignment_status(team_study, "P01", "cody", "done", user="lena")
    set_assignment_status(team_study, "P01", "tester", "done", user="lena")
    assert client.get(f"/sources/{sid}").text.count("<mark") == 2
    assert "2 quotes" in client.get("/quotes").text
    lead = sign_in(TestClient(team_app.app, follow_redirects=False, base_url=LOCAL), "lena")  # type: ignore[arg-type]
    assert lead.get(f"/sources/{sid}").text.count("<mark") == 2
