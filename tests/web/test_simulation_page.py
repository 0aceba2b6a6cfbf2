"""Simulation runs in the workbench: saved runs with their verdicts and figures, and a small new run.

The new run is real (the default scenario, shrunk to seconds) and runs in the background; the test
waits for the page's own status call to say it is done. Figures are served only from inside the
study's simulations folder.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qualframe.accounts import add_account
from qualframe.store.study import Study
from qualframe.web import create_app
from tests.web.conftest import LOCAL, TOKEN, csrf_of

pytest.importorskip("qualframe.simulate", reason="the simulation page needs the 'sim' extra")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
EVIL = "<script>alert('run')</script>"
PASSWORD = "correct horse battery"
TINY = {"agents": "40", "weeks": "10", "replicates": "2", "strategy": ["none", "random", "cohort"]}


@pytest.fixture
def study(web_study: Study) -> Study:
    """The web study with one saved run whose verdict holds markup."""
    run = web_study.path / "simulations" / "saved-run"
    run.mkdir(parents=True)
    summary = {"engine": "numpy", "agents": 1000, "weeks": 104, "replicates": 20}
    (run / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (run / "report.md").write_text(f"## Verdict\n\nCohort delivery **wins** here. {EVIL}\n", encoding="utf-8")
    (run / "prevalence.png").write_bytes(PNG)
    (run / "outcomes.csv").write_text("strategy,mean\ncohort,0.1\n", encoding="utf-8")
    return web_study


@pytest.fixture
def client(study: Study) -> Iterator[TestClient]:
    with TestClient(create_app(study.path, token=TOKEN), follow_redirects=False, base_url=LOCAL) as c:
        assert c.get(f"/?token={TOKEN}").status_code == 303
        c.headers["accept"] = "text/html"
        yield c


@pytest.fixture
def csrf(client: TestClient) -> str:
    return csrf_of(client.get("/").text)


def _wait(client: TestClient, name: str, seconds: float = 90) -> dict[str, str]:
    deadline = time.monotonic() + seconds
    while True:
        jobs = {j["name"]: j for j in client.get("/api/simulation/jobs").json()}
        if jobs[name]["state"] != "running":
            return jobs[name]
        assert time.monotonic() < deadline, f"{name} did not finish"
        time.sleep(0.2)


def test_saved_runs_show_their_verdict_as_text_and_their_figures(client: TestClient) -> None:
    page = client.get("/simulation").text
    assert '<section class="card run" id="run-saved-run">' in page
    assert "<strong>wins</strong>" in page  # the verdict's own Markdown emphasis
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;run&#39;)&lt;/script&gt;" in page
    assert "1000 people · 104 weeks · 20 replicates" in page
    assert '<img src="/simulation/runs/saved-run/prevalence.png"' in page
    figure = client.get("/simulation/runs/saved-run/prevalence.png")
    assert figure.status_code == 200 and figure.headers["content-type"] == "image/png"
    assert figure.content == PNG
    assert 'href="/files/simulations/saved-run/outcomes.csv"' in page
    assert client.get("/files/simulations/saved-run/outcomes.csv").text.startswith("strategy,mean")


def test_figures_come_only_from_inside_the_simulations_folder(
    client: TestClient, study: Study, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(PNG)
    os.symlink(outside, study.path / "simulations" / "saved-run" / "link.png")
    (study.path / "simulations" / ".partial-x").mkdir()
    (study.path / "simulations" / ".partial-x" / "prevalence.png").write_bytes(PNG)
    (study.path / "top.png").write_bytes(PNG)
    for path in [
        "/simulation/runs/saved-run/summary.json",  # not a figure
        "/simulation/runs/saved-run/link.png",  # a link out of the study
        "/simulation/runs/saved-run/..%2F..%2Ftop.png",
        "/simulation/runs/..%2F..%2Fetc/passwd.png",
        "/simulation/runs/.partial-x/prevalence.png",  # hidden: a run still being written
        "/simulation/runs/%2E%2E/top.png",
    ]:
        assert client.get(path).status_code == 404, path


def test_a_small_run_in_the_background_is_saved_and_shown(
    client: TestClient, csrf: str, study: Study
) -> None:
    started = client.post("/simulation/runs", data={"csrf_token": csrf, "name": "web-tiny", **TINY})
    assert started.status_code == 303 and started.headers["location"] == "/simulation#jobs"
    job = _wait(client, "web-tiny")
    assert job["state"] == "done", job
    assert "cohort minus random" in job["message"] and "percentage points" in job["message"]
    folder = study.path / "simulations" / "web-tiny"
    assert (folder / "summary.json").is_file() and (folder / "report.md").is_file()
    assert not list((study.path / "simulations").glob(".partial-*"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert (summary["agents"], summary["weeks"], summary["replicates"]) == (40, 10, 2)
    page = client.get("/simulation").text
    assert 'id="run-web-tiny"' in page and 'data-state="done"' in page
    for name in re.findall(r'src="/simulation/runs/web-tiny/([^"]+)"', page):
        assert client.get(f"/simulation/runs/web-tiny/{name}").content.startswith(PNG[:8])
    again = client.post("/simulation/runs", data={"csrf_token": csrf, "name": "web-tiny", **TINY})
    assert "already a run called" in client.get(again.headers["location"]).text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "../escape"}, "name the run with letters"),
        ({"name": ".hidden"}, "name the run with letters"),
        ({"name": "saved-run"}, "already a run called"),
        ({"agents": "100000"}, "agents must be from 20 to 5000"),
        ({"replicates": "0"}, "replicates must be from 1 to 50"),
        ({"strategy": ["cohort"]}, "at least two strategies"),
        ({"first": "random"}, "two different strategies"),
        ({"strategy": ["none", "random"]}, "intervention.compare"),
        ({"strategy": ["none", "cohort", "telepathy"]}, "unknown strategy"),
    ],
)
def test_bad_settings_are_reported_at_once_and_start_nothing(
    client: TestClient, csrf: str, study: Study, change: dict[str, object], message: str
) -> None:
    before = sorted(p.name for p in (study.path / "simulations").iterdir())
    response = client.post("/simulation/runs", data={"csrf_token": csrf, "name": "new-run", **TINY, **change})
    assert response.status_code == 303
    assert message in client.get(response.headers["location"]).text
    assert client.get("/api/simulation/jobs").json() == []
    assert sorted(p.name for p in (study.path / "simulations").iterdir()) == before


def test_one_run_at_a_time(client: TestClient, csrf: str) -> None:
    from qualframe.web.routes.simulation import SimulationJob

    client.app.state.simulation_jobs = {
        "long-one": SimulationJob(
            "long-one", {"agents": 5000, "weeks": 520, "replicates": 50, "strategies": ["none", "cohort"]}
        )
    }  # type: ignore[attr-defined]
    response = client.post("/simulation/runs", data={"csrf_token": csrf, "name": "next", **TINY})
    assert "long-one is still running" in client.get(response.headers["location"]).text
    page = client.get("/simulation").text
    assert 'data-running="1"' in page and "disabled" in page


def test_only_a_lead_starts_runs(study: Study) -> None:
    add_account(study, "cody", PASSWORD, "coder")
    add_account(study, "vera", PASSWORD, "viewer")
    with TestClient(create_app(study.path, team=True), follow_redirects=False, base_url=LOCAL) as client:
        for name, message in (("cody", "only a lead"), ("vera", "viewers can read")):
            client.cookies.clear()
            form = client.get("/login", headers={"accept": "text/html"})
            nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
            client.post("/login", data={"nonce": nonce, "name": name, "password": PASSWORD, "next": "/"})
            page = client.get("/simulation", headers={"accept": "text/html"}).text
            assert 'id="run-saved-run"' in page and 'action="/simulation/runs"' not in page
            refused = client.post(
                "/simulation/runs",
                data={"csrf_token": csrf_of(page), "name": "mine", **TINY},
                headers={"accept": "text/html"},
            )
            assert refused.status_code == 403 and message in refused.text
    assert not (study.path / "simulations" / "mine").exists()


def test_starting_a_run_needs_the_csrf_token(client: TestClient, study: Study) -> None:
    assert client.post("/simulation/runs", data={"name": "forged", **TINY}).status_code == 403
    assert not (study.path / "simulations" / "forged").exists()
    assert client.get("/api/simulation/jobs").json() == []
