"""The role table in docs/web.md is what the server enforces.

Specification: every request that changes the study is listed in docs/web.md's table with the
roles that may make it, and the server agrees: each state-changing route of the app (found from its
route modules, not from a list kept here) is sent as a lead, a coder and a viewer of a team study,
and refused with 403 exactly for the roles the table says no to. No page or download that only
reads is closed to a signed-in role.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qualframe.accounts import add_account
from qualframe.store.study import Study
from qualframe.web import create_app
from qualframe.web.auth import require_lead, require_writer
from tests.web.conftest import LOCAL, csrf_of

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
ROLES = ("lead", "coder", "viewer")
ACCOUNTS = {"lead": "lena", "coder": "cody", "viewer": "vera"}
SAFE = {"GET", "HEAD", "OPTIONS"}


def documented() -> dict[tuple[str, str], set[str]]:
    """``(method, path) -> roles allowed`` from the table in docs/web.md."""
    text = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([A-Z]+) (/[^`]*)` \| [^|]+ \| (yes|no) \| (yes|no) \| (yes|no) \|$", text, re.M)
    assert rows, "docs/web.md has no table of requests and roles"
    return {(m, p): {r for r, ok in zip(ROLES, oks, strict=True) if ok == "yes"} for m, p, *oks in rows}


def _calls(dependant: object) -> set[object]:
    out, stack = set(), [dependant]
    while stack:
        node = stack.pop()
        if getattr(node, "call", None) is not None:
            out.add(node.call)  # type: ignore[attr-defined]
        stack.extend(getattr(node, "dependencies", []))
    return out


def app_routes(app: object) -> dict[tuple[str, str], object]:
    """Every route of the app's signed-in route modules, by ``(method, path)``."""
    out = {}
    for module in app.state.route_modules:  # type: ignore[attr-defined]
        if module.public or not module.mounted:
            continue
        for route in module.router.routes:
            for method in getattr(route, "methods", ()) or ():
                out[(method, route.path)] = route
    return out


@pytest.fixture(scope="module")
def team_template(web_study_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("roles") / "study"
    shutil.copytree(web_study_template, folder)
    with Study.open(folder) as study:
        for role, name in ACCOUNTS.items():
            add_account(study, name, PASSWORD, role)
    return folder


@pytest.fixture
def app(team_template: Path, tmp_path: Path) -> Iterator[object]:
    shutil.copytree(team_template, tmp_path / "study")
    application = create_app(tmp_path / "study", team=True)
    yield application
    application.state.study.close()  # type: ignore[attr-defined]


def signed_in(app: object, role: str) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False, base_url=LOCAL)  # type: ignore[arg-type]
    form = client.get("/login", headers={"accept": "text/html"}).text
    nonce = re.search(r'name="nonce" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    done = client.post("/login", data={"nonce": nonce, "name": ACCOUNTS[role], "password": PASSWORD})
    assert done.status_code == 303, done.text
    return client, csrf_of(client.get("/", headers={"accept": "text/html"}).text)


def concrete(path: str) -> str:
    """A path with its parameters filled: ids of nothing, and a decision word."""
    return re.sub(r"\{(\w+)\}", lambda m: "confirm" if m.group(1) == "decision" else "999999", path)


def test_the_table_lists_every_state_changing_route_and_the_server_agrees(app: object) -> None:
    table = documented()
    routes = {key: route for key, route in app_routes(app).items() if key[0] not in SAFE}
    assert set(routes) == set(table), (
        f"missing from docs/web.md: {sorted(set(routes) - set(table))}; "
        f"not routes of the app: {sorted(set(table) - set(routes))}"
    )
    enforced: dict[tuple[str, str], set[str]] = {key: set() for key in routes}
    for role in ROLES:
        client, csrf = signed_in(app, role)
        with client:
            for method, path in routes:
                answer = client.request(
                    method,
                    concrete(path),
                    json={},
                    headers={"X-CSRF-Token": csrf, "accept": "application/json"},
                )
                assert answer.status_code < 500, (role, method, path, answer.text)
                if answer.status_code != 403:
                    enforced[(method, path)].add(role)
    assert enforced == table


def test_no_page_or_download_is_closed_to_a_signed_in_role(app: object) -> None:
    # Reading is governed by blind coding (what a person may see), never by role.
    for (method, path), route in app_routes(app).items():
        if method in SAFE:
            calls = _calls(route.dependant)  # type: ignore[attr-defined]
            assert require_writer not in calls and require_lead not in calls, (method, path)


def test_a_coder_reviews_the_network_and_a_viewer_does_not(app: object) -> None:
    # The decision the table records, made concrete: network review is coding work.
    table = documented()
    assert table[("POST", "/networks/ties/{tie_id}/{decision}")] == {"lead", "coder"}
    assert table[("POST", "/networks/alters/{alter_id}/{decision}")] == {"lead", "coder"}
