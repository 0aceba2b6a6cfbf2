"""``qualframe serve`` and ``qualframe users``: the commands a lead types once."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from qualframe.accounts import authenticate
from qualframe.store.study import Study
from tests.conftest import QUALFRAME, snapshot


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_users_add_prompts_for_the_password_and_lists_accounts(cli, web_study: Study) -> None:  # type: ignore[no-untyped-def]
    path = web_study.path
    added = cli("users", "add", path, "vera", "--role", "viewer", input="a long password\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("vera can sign in as viewer") and added.stderr == ""
    assert "a long password" not in added.stdout
    listed = cli("users", "list", path)
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[2].split() == ["vera", "viewer", "yes", "set"]
    assert authenticate(web_study, "vera", "a long password") is not None


def test_bad_account_input_is_one_line_and_changes_nothing(cli, web_study: Study) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(web_study.path)
    short = cli("users", "add", web_study.path, "sam", input="short\n")
    assert short.returncode == 2
    assert short.stderr == "error: the password is too short; use at least 8 characters.\n"
    assert snapshot(web_study.path) == before


def test_team_mode_needs_a_lead_account(cli, web_study: Study) -> None:  # type: ignore[no-untyped-def]
    result = cli("serve", web_study.path, "--team", "--port", str(_free_port()))
    assert result.returncode == 2
    assert "qualframe users add" in result.stderr and "--role lead" in result.stderr


@pytest.mark.skipif(not QUALFRAME.exists(), reason="the qualframe console script is not installed")
def test_serve_prints_the_link_and_answers_with_the_token(web_study: Study) -> None:
    port = _free_port()
    env = {**os.environ, "QUALFRAME_TOKEN": "printed-token-42", "QUALFRAME_USER": "tester"}
    with subprocess.Popen(
        [str(QUALFRAME), "serve", str(web_study.path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as process:
        try:
            _check_running_server(process, web_study, port, env)
        finally:
            process.terminate()
            process.wait(timeout=20)


def _check_running_server(
    process: subprocess.Popen[str], web_study: Study, port: int, env: dict[str, str]
) -> None:
    assert process.stdout is not None
    lines = [process.stdout.readline(), process.stdout.readline()]
    assert lines[1].strip() == f"open http://127.0.0.1:{port}/?token=printed-token-42"
    base = f"http://127.0.0.1:{port}"
    response = _wait_for(base + "/", {"authorization": "Bearer printed-token-42"})
    assert response.status_code == 200 and "P01" in response.text
    assert httpx.get(base + "/").status_code == 401
    with httpx.Client(base_url=base, follow_redirects=False) as browser:
        first = browser.get("/?token=printed-token-42")
        assert first.status_code == 303 and "qualframe_session" in browser.cookies
        assert browser.get("/", headers={"accept": "text/html"}).status_code == 200
    busy = subprocess.run(
        [str(QUALFRAME), "serve", str(web_study.path), "--port", str(port)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert busy.returncode == 2 and f"port {port}" in busy.stderr


def _wait_for(url: str, headers: dict[str, str], seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return httpx.get(url, headers=headers)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_serve_refuses_a_folder_that_is_not_a_study(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("serve", tmp_path, "--port", str(_free_port()))
    assert result.returncode == 2 and "is not a qualframe study" in result.stderr
