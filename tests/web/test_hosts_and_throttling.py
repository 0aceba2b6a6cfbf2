"""DNS rebinding and password guessing, tried against a real server on 127.0.0.1.

Specification: the workbench answers only to its own host names (127.0.0.1, localhost, ::1, the
address it listens on, and names the researcher adds); any other ``Host`` gets 400 before any page,
sign-in form or file. In team mode (and for the single-user token form) failed sign-ins are
throttled per account and per client: after a few free failures each attempt must wait, the wait
doubling, and an attempt made too early is refused (429, ``Retry-After``) without its password
being checked, so even the right password does not get in until the wait is over.
"""

from __future__ import annotations

import re
import shutil
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from qualframe.accounts import add_account
from qualframe.store.study import Study
from qualframe.web import create_app
from qualframe.web.throttle import FREE_PER_ACCOUNT, FREE_PER_CLIENT, SignInThrottle
from tests.web.conftest import TOKEN, serving

PASSWORD = "correct horse battery"
#: The first wait in the sign-in tests that go through the server (seconds).
WAIT = 3.0


def raw_get(port: int, host_header: str | None, path: str = "/login") -> int:
    """Send a GET with exactly this Host header (or none, as HTTP/1.0 allows); returns the status."""
    host_line = f"Host: {host_header}\r\n" if host_header is not None else ""
    request = f"GET {path} HTTP/1.0\r\n{host_line}Accept: text/html\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    return int(reply.split(b" ", 2)[1])


@pytest.fixture(scope="module")
def team_template(web_study_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("guard") / "study"
    shutil.copytree(web_study_template, folder)
    with Study.open(folder) as study:
        add_account(study, "lena", PASSWORD, "lead")
        add_account(study, "cody", PASSWORD, "coder")
    return folder


@pytest.fixture
def team_path(team_template: Path, tmp_path: Path) -> Path:
    shutil.copytree(team_template, tmp_path / "study")
    return tmp_path / "study"


def test_a_rebound_host_name_is_refused_before_anything_is_served(web_study: Study) -> None:
    with serving(create_app(web_study.path, token=TOKEN)) as port:
        for foreign in (f"attacker.example:{port}", "attacker.example", "127.0.0.1.nip.io", "evil.localhost"):
            for path in ("/login", "/", f"/?token={TOKEN}", "/static/app.css", "/api/undo"):
                assert raw_get(port, foreign, path) == 400, (foreign, path)
        assert raw_get(port, None) == 400  # no Host at all
        for own in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}", "localhost."):
            assert raw_get(port, own) == 200, own
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            refused = client.get("/login", headers={"Host": "attacker.example"})
            assert refused.status_code == 400 and "--allow-host" in refused.text
            assert "qualframe" not in refused.headers.get("set-cookie", "")
            assert client.get(f"/?token={TOKEN}").status_code == 303  # the real address works


def test_names_the_researcher_adds_are_answered(web_study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALFRAME_ALLOWED_HOSTS", "lab-pc.local, qual.example.ac.uk")
    app = create_app(web_study.path, token=TOKEN, allowed_hosts=["workbench.internal"])
    with serving(app) as port:
        for name in ("lab-pc.local", "qual.example.ac.uk:443", "workbench.internal"):
            assert raw_get(port, name) == 200, name
        assert raw_get(port, "other.example") == 400


def test_on_every_address_ip_literals_are_answered_but_names_are_not(web_study: Study) -> None:
    # Started with --host 0.0.0.0, colleagues reach it by the machine's IP address; a rebinding
    # page always uses a name.
    with serving(create_app(web_study.path, token=TOKEN, host="0.0.0.0")) as port:
        assert raw_get(port, f"192.168.1.20:{port}") == 200
        assert raw_get(port, f"[fe80::1]:{port}") == 200
        assert raw_get(port, f"attacker.example:{port}") == 400
    with serving(create_app(web_study.path, token=TOKEN, host="127.0.0.1")) as port:
        assert raw_get(port, f"192.168.1.20:{port}") == 400  # a loopback server has no such address


class SignIn:
    """Signs in through the real form (its nonce cookie included), each time as a fresh browser."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def __call__(self, name: str = "", password: str = "", token: str = "") -> httpx.Response:
        with httpx.Client(base_url=self.base, follow_redirects=False) as client:
            form = client.get("/login", headers={"accept": "text/html"})
            nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
            data = {"nonce": nonce, "name": name, "password": password, "token": token, "next": "/"}
            return client.post("/login", data=data)


def patient(app: Any) -> Any:
    """The app with the product's free attempts but a first wait of :data:`WAIT` seconds.

    One second (the product's) is shorter than a sign-in can take on a loaded test machine, which
    would let an attempt through that the test expects to be too early.
    """
    app.state.sign_in_throttle = SignInThrottle(first_wait=WAIT)
    return app


def test_guessing_a_password_meets_growing_waits(team_path: Path) -> None:
    with serving(patient(create_app(team_path, team=True))) as port:
        sign_in = SignIn(port)
        for _ in range(FREE_PER_ACCOUNT):
            assert sign_in("lena", "wrong password").status_code == 401
        early = sign_in("lena", PASSWORD)  # even the right password is not checked now
        assert early.status_code == 429 and 0 < int(early.headers["retry-after"]) <= WAIT
        assert "Too many failed sign-ins" in early.text
        assert sign_in("cody", PASSWORD).status_code == 303  # another account is not affected
        time.sleep(WAIT + 0.2)
        assert sign_in("lena", "still wrong").status_code == 401
        refused = sign_in("LENA ", "guess")  # the same account, however it is spelled
        assert refused.status_code == 429 and WAIT < int(refused.headers["retry-after"]) <= 2 * WAIT
        time.sleep(2 * WAIT + 0.2)
        assert sign_in("lena", PASSWORD).status_code == 303
        for _ in range(FREE_PER_ACCOUNT):  # success cleared the account's failures
            assert sign_in("lena", "wrong again").status_code == 401


def test_the_product_waits_one_second_then_doubles_up_to_fifteen_minutes() -> None:
    clock = [0.0]
    throttle = SignInThrottle(clock=lambda: clock[0])
    waits = []
    for _ in range(20):
        while (wait := throttle.attempt("lena", "10.0.0.9")) > 0:
            waits.append(wait)
            clock[0] += wait
        throttle.failed("lena", "10.0.0.9")
    assert waits[:4] == [1.0, 2.0, 4.0, 8.0] and max(waits) == 15 * 60.0


def test_one_client_trying_many_accounts_is_throttled_too(team_path: Path) -> None:
    with serving(patient(create_app(team_path, team=True))) as port:
        sign_in = SignIn(port)
        for n in range(FREE_PER_CLIENT):
            assert sign_in(f"guess{n}", "password").status_code == 401
        refused = sign_in("someone-new", "password")
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= WAIT


def test_a_burst_of_simultaneous_guesses_is_throttled_like_a_sequence(team_path: Path) -> None:
    with serving(create_app(team_path, team=True)) as port:
        sign_in = SignIn(port)

        def guess(_: int) -> int:
            return sign_in("lena", "wrong password").status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = sorted(pool.map(guess, range(8)))
        assert statuses.count(401) == FREE_PER_ACCOUNT and statuses.count(429) == 8 - FREE_PER_ACCOUNT


def test_the_single_user_token_form_is_throttled(web_study: Study) -> None:
    with serving(patient(create_app(web_study.path, token=TOKEN))) as port:
        sign_in = SignIn(port)
        statuses = [sign_in(token=f"guess-{n}").status_code for n in range(FREE_PER_ACCOUNT + 1)]
        assert statuses == [401] * FREE_PER_ACCOUNT + [429]
        time.sleep(WAIT + 0.2)
        assert sign_in(token=TOKEN).status_code == 303
