"""Blind double-coding, walked route by route: a blind coder learns nothing of the other coder's work.

Two copies of one team study differ only in what the *other* coder (sam) did on the source that
both code blind: in one, sam coded it, wrote a coding memo, a source memo and a code memo, and an
engine left a suggestion there; in the other, none of that happened. Signed in as cody, every page,
JSON call, figure, download and error message of the workbench must read the same in both (after
removing per-session tokens and clock times). Any difference is a leak: a count, a name, a memo,
an id confirmed by an error. The walk takes its routes from the app itself, so a page added later is
walked too.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from qualframe.accounts import add_account
from qualframe.coding.manual import add_coding, apply_coding
from qualframe.coding.team import assign_sources
from qualframe.memos import add_memo
from qualframe.sources import get_source
from qualframe.store.models import Code, Coding, Source
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from qualframe.web import create_app
from qualframe.web.pages import discover_routes
from tests.web.conftest import LOCAL, csrf_of

PASSWORD = "correct horse battery"
SECRET = "SAMSECRET"
#: A code only sam applies, so its count tells whether sam's work shows.
SAMS_CODE = "Illusion of invulnerability"


def _prepare(folder: Path, *, sam_works: bool) -> Path:
    study = Study.open(folder)
    try:
        for name, role in (("lena", "lead"), ("cody", "coder"), ("sam", "coder")):
            add_account(study, name, PASSWORD, role)
        assign_sources(study, ["P01"], ["cody", "sam"], blind=True, user="lena")
        add_coding(study, source="P01", code="Self-censorship", quote="Gaz mostly.", coder="cody")
        add_memo(study, "source:P01", "cody's own note", user="cody")
        if sam_works:
            add_coding(
                study,
                source="P01",
                code=SAMS_CODE,
                quote="Nobody walks away from the lads.",
                coder="sam",
                memo=f"{SECRET} coding memo",
            )
            add_memo(study, "source:P01", f"{SECRET} source memo", user="sam")
            add_memo(study, f"code:{SAMS_CODE}", f"{SECRET} code memo", user="sam")
            with study.write() as session:
                engine = resolve_user(session, "lexicon engine", kind="engine")
                made = apply_coding(
                    session, get_source(session, "P01"), SAMS_CODE, engine, 0, 9, origin="suggested"
                )
                made.rationale = f"{SECRET} rationale"  # hidden with the suggestion it explains
    finally:
        study.close()
    return folder


@pytest.fixture(scope="module")
def twins(web_study_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("blind-walk")
    worked, idle = base / "worked" / "study", base / "idle" / "study"
    shutil.copytree(web_study_template, worked)
    shutil.copytree(web_study_template, idle)
    return _prepare(worked, sam_works=True), _prepare(idle, sam_works=False)


def _ids(folder: Path) -> dict[str, int]:
    study = Study.open(folder)
    try:
        with study.read() as session:
            sams = session.execute(
                select(Coding.id).join(Coding.coder).where(Coding.coder.has(name="sam"))
            ).scalar()
            return {
                "source_id": session.execute(select(Source.id).where(Source.name == "P01")).scalar_one(),
                "code_id": session.execute(select(Code.id).where(Code.name == SAMS_CODE)).scalar_one(),
                "sams_coding": sams or 10_000,
                "suggestion": session.execute(select(Coding.id).where(Coding.origin == "suggested")).scalar()
                or 10_001,
            }
    finally:
        study.close()


def _client(folder: Path) -> Iterator[TestClient]:
    with TestClient(create_app(folder, team=True), base_url=LOCAL, follow_redirects=False) as client:
        form = client.get("/login", headers={"accept": "text/html"})
        nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"nonce": nonce, "name": "cody", "password": PASSWORD, "next": "/"})
        client.headers["accept"] = "text/html"
        client.headers["x-csrf-token"] = csrf_of(client.get("/").text)
        yield client


_VOLATILE = [
    re.compile(r'(name="csrf-token" content=|name="csrf_token" value=|name="nonce" value=)"[^"]*"'),
    re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)?"),
]


def _normal(text: str) -> str:
    for pattern in _VOLATILE:
        text = pattern.sub("…", text)
    return text


def _requests(ids: dict[str, int]) -> list[tuple[str, str]]:
    """Every GET of every route module (path parameters filled), plus the calls naming sam's work."""
    fill = {
        "source_id": ids["source_id"],
        "code_id": ids["code_id"],
        "coding_id": ids["sams_coding"],
        "fmt": "quotes-csv",
        "path": "report.html",
        "alter_id": 1,
        "tie_id": 1,
        "theme_id": 1,
        "name": "run",
        "filename": "summary.json",
        "decision": "confirm",
    }
    out: list[tuple[str, str]] = []
    for module in discover_routes():
        for route in module.router.routes:
            if not isinstance(route, APIRoute) or "GET" not in route.methods:
                continue
            path = re.sub(r"\{(\w+)(:path)?\}", lambda m: str(fill[m.group(1)]), route.path)
            out.append(("GET", path))
    out += [
        ("GET", f"/quotes?coder=sam&code={SAMS_CODE}"),
        ("GET", "/quotes?source=P01"),
        ("GET", "/search?q=lads"),
        ("GET", f"/api/matrix/cell?by=codes&case=P01&column=janis-groupthink:{SAMS_CODE}"),
        ("DELETE", f"/api/codings/{ids['sams_coding']}"),
        ("POST", f"/api/suggestions/{ids['suggestion']}/accept"),
        ("POST", f"/api/suggestions/{ids['suggestion']}/reject"),
    ]
    return out


def test_a_blind_coder_sees_the_same_workbench_whatever_the_other_coder_did(
    twins: tuple[Path, Path],
) -> None:
    worked, idle = twins
    ids_worked, ids_idle = _ids(worked), _ids(idle)
    assert ids_worked["source_id"] == ids_idle["source_id"] and ids_worked["code_id"] == ids_idle["code_id"]
    requests = _requests(ids_worked)
    assert len(requests) > 25  # the walk reaches every page module
    differences = []
    gen_a, gen_b = _client(worked), _client(idle)
    a, b = next(gen_a), next(gen_b)
    try:
        for method, path in requests:
            ra, rb = a.request(method, path), b.request(method, path)
            body_a, body_b = _normal(ra.text), _normal(rb.text)
            # the same id that exists in one study and not in the other is named in both messages
            body_b = body_b.replace(str(ids_idle["sams_coding"]), str(ids_worked["sams_coding"]))
            body_b = body_b.replace(str(ids_idle["suggestion"]), str(ids_worked["suggestion"]))
            if ra.status_code != rb.status_code or body_a != body_b or SECRET in ra.text:
                differences.append(f"{method} {path}: {ra.status_code} vs {rb.status_code}")
    finally:
        for gen in (gen_a, gen_b):
            gen.close()
    assert differences == []
