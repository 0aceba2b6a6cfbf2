"""Fixtures for the workbench: a small coded study, an app with a known token, signed-in clients."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qualframe.codebook.service import BUILTIN_CODEBOOKS, add_codebook_spec, builtin_spec
from qualframe.coding.manual import add_coding
from qualframe.imports import import_files
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from qualframe.web import create_app

TOKEN = "test-token-0123456789"
#: Where test clients address the workbench: it answers only to its own host names (never "testserver").
LOCAL = "http://127.0.0.1"

TRANSCRIPT = """Interview with P01, recorded at the service.

[00:00:04] Interviewer: Could you tell me about the people you use with?

[00:00:09] P01: Gaz mostly. We all buy off the same lad, we have done for years. You don't say you want to stop.
You just don't.

[00:01:30] Interviewer: What would happen if you did?

[00:01:36] P01: They'd call me a grass. Nobody walks away from the lads.
"""


@contextmanager
def serving(app: Any, host: str = "127.0.0.1") -> Iterator[int]:
    """Run ``app`` on a free port of ``host`` with uvicorn in a thread; yields the port."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the workbench did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def source_id(client: TestClient, name: str = "P01") -> int:
    """The id of a source, read from the dashboard's link to it."""
    page = client.get("/").text
    match = re.search(rf'href="/sources/(\d+)">{re.escape(name)}<', page)
    assert match, f"no link to {name} on the dashboard"
    return int(match.group(1))


def csrf_of(html: str) -> str:
    """The CSRF token a page carries for its scripts and forms."""
    match = re.search(r'<meta name="csrf-token" content="([^"]*)">', html)
    assert match
    return match.group(1)


def build_web_study(folder: Path) -> Path:
    """A study with the built-in codebooks, one transcript (speakers, timestamps), two codings."""
    study = Study.init(folder / "study")
    try:
        with study.write() as session:
            user = resolve_user(session, "tester")
            for name in BUILTIN_CODEBOOKS:
                add_codebook_spec(session, builtin_spec(name), user)
        (folder / "P01.txt").write_text(TRANSCRIPT, encoding="utf-8")
        import_files(study, [folder / "P01.txt"], user="tester")
        add_coding(
            study,
            source="P01",
            code="Self-censorship",
            quote="You don't say you want to stop.",
            coder="tester",
        )
        add_coding(
            study,
            source="P01",
            code="Direct pressure on dissenters",
            quote="They'd call me a grass.",
            coder="tester",
        )
    finally:
        study.close()
    return folder / "study"


@pytest.fixture(scope="session")
def web_study_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per test session (creating a study runs every migration), copied by each test."""
    return build_web_study(tmp_path_factory.mktemp("web-template"))


@pytest.fixture
def web_study(web_study_template: Path, tmp_path: Path) -> Iterator[Study]:
    """A fresh copy of the template study for this test."""
    shutil.copytree(web_study_template, tmp_path / "study")
    study = Study.open(tmp_path / "study")
    yield study
    study.close()


@pytest.fixture
def app_client(web_study: Study) -> Iterator[TestClient]:
    """A client of the single-user workbench, not signed in (redirects are not followed)."""
    with TestClient(
        create_app(web_study.path, token=TOKEN), follow_redirects=False, base_url=LOCAL
    ) as client:
        yield client


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    """A client signed in through the token link (it holds the session cookie)."""
    response = app_client.get(f"/?token={TOKEN}")
    assert response.status_code == 303
    app_client.headers["accept"] = "text/html"
    return app_client


@pytest.fixture
def csrf(client: TestClient) -> str:
    """The signed-in session's CSRF token."""
    return csrf_of(client.get("/").text)


def study_path(client: TestClient) -> Path:
    """The study folder the client's app serves."""
    path: Path = client.app.state.study.path  # type: ignore[attr-defined]
    return path
