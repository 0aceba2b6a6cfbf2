"""Who may use the workbench: the token link, the session cookie, Bearer, sign-in and sign-out."""

from __future__ import annotations

import hashlib
import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from qualframe.accounts import hash_token
from qualframe.store.models import WebSession
from qualframe.store.study import Study
from qualframe.web import create_app
from qualframe.web.auth import SESSION_COOKIE, safe_next
from tests.web.conftest import LOCAL, TOKEN, csrf_of

HTML = {"accept": "text/html"}


def test_a_page_without_credentials_sends_the_browser_to_sign_in(app_client: TestClient) -> None:
    response = app_client.get("/codebook?x=1", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fcodebook%3Fx%3D1"
    login = app_client.get(response.headers["location"], headers=HTML)
    assert login.status_code == 200 and "Access token" in login.text


def test_an_api_call_without_credentials_gets_401(app_client: TestClient) -> None:
    response = app_client.post("/api/undo")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "sign in" in response.json()["error"]


def _api_routes(routes: list[object]) -> list[APIRoute]:
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):  # FastAPI wraps included routers
            out.extend(_api_routes(route.original_router.routes))
    return out


def test_every_route_but_sign_in_needs_credentials(app_client: TestClient) -> None:
    checked = 0
    for route in _api_routes(app_client.app.routes):  # type: ignore[attr-defined]
        if route.path in ("/login", "/logout"):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in route.methods:
            response = app_client.request(method, path)
            assert response.status_code == 401, (method, route.path, response.status_code)
            checked += 1
    assert checked >= 20


def test_the_token_link_opens_a_session_and_leaves_the_address_bar(
    app_client: TestClient, web_study: Study
) -> None:
    response = app_client.get(f"/quotes?token={TOKEN}&coder=tester")
    assert response.status_code == 303
    assert response.headers["location"] == "/quotes?coder=tester"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    value = app_client.cookies[SESSION_COOKIE]
    assert value != TOKEN
    assert app_client.get("/quotes?coder=tester", headers=HTML).status_code == 200
    with web_study.read() as session:
        stored = [row.token_hash for row in session.query(WebSession)]
    assert len(stored) == 1 and stored[0] != value and value not in stored[0]
    assert stored[0] != hashlib.sha256(value.encode()).hexdigest()  # scoped, see hash_token
    db = b"".join(p.read_bytes() for p in web_study.path.glob("study.db*"))
    assert value.encode() not in db and TOKEN.encode() not in db


def test_a_wrong_token_opens_nothing(app_client: TestClient) -> None:
    response = app_client.get("/?token=not-the-token", headers=HTML)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert SESSION_COOKIE not in app_client.cookies
    assert app_client.get("/", headers={"authorization": "Bearer not-the-token"}).status_code == 401
    assert app_client.get("/", headers={"authorization": f"Basic {TOKEN}"}).status_code == 401


def test_the_token_works_as_a_bearer_header_without_csrf(app_client: TestClient) -> None:
    bearer = {"authorization": f"Bearer {TOKEN}"}
    assert app_client.get("/", headers=bearer).status_code == 200
    response = app_client.post("/api/undo", headers=bearer)
    assert response.status_code == 200 and response.json()["message"].startswith("Undone")


def test_signing_in_with_the_token_form_and_signing_out(app_client: TestClient, web_study: Study) -> None:
    form = app_client.get("/login?next=/codebook", headers=HTML)
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    wrong = app_client.post(
        "/login", data={"nonce": nonce, "token": "nope", "next": "/codebook"}, headers=HTML
    )
    assert wrong.status_code == 401 and "not this workbench" in wrong.text
    nonce = re.search(r'name="nonce" value="([^"]+)"', wrong.text).group(1)  # type: ignore[union-attr]
    ok = app_client.post("/login", data={"nonce": nonce, "token": TOKEN, "next": "/codebook"})
    assert ok.status_code == 303 and ok.headers["location"] == "/codebook"
    page = app_client.get("/codebook", headers=HTML)
    assert page.status_code == 200
    refused = app_client.post("/logout", data={"csrf_token": "wrong"}, headers=HTML)
    assert refused.status_code == 403
    out = app_client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    app_client.cookies.clear()
    with web_study.read() as session:
        assert session.query(WebSession).count() == 0


def test_the_sign_in_form_cannot_be_posted_from_elsewhere(app_client: TestClient) -> None:
    response = app_client.post("/login", data={"nonce": "forged", "token": TOKEN}, headers=HTML)
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_sign_in_never_redirects_to_another_site(app_client: TestClient) -> None:
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)"):
        assert safe_next(target) == "/"
    assert safe_next("/sources/3?coder=a") == "/sources/3?coder=a"
    response = app_client.get(f"/login?next=//evil.example&token={TOKEN}")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2F%2Fevil.example"


def test_a_session_opened_with_one_token_is_void_under_another(web_study: Study) -> None:
    with TestClient(create_app(web_study.path, token=TOKEN), follow_redirects=False, base_url=LOCAL) as first:
        first.get(f"/?token={TOKEN}")
        cookie = first.cookies[SESSION_COOKIE]
        assert first.get("/").status_code == 200
    with TestClient(
        create_app(web_study.path, token="another-token-9876"), follow_redirects=False, base_url=LOCAL
    ) as second:
        second.cookies.set(SESSION_COOKIE, cookie)
        assert second.get("/").status_code == 401
    assert hash_token(cookie, "team") != hash_token(cookie, "local:x")


def test_security_headers_are_on_every_kind_of_response(client: TestClient) -> None:
    responses = [
        client.get("/"),
        client.get("/static/app.css"),
        client.get("/nowhere"),
        client.post("/api/undo"),  # 403: no CSRF token
        TestClient(client.app, follow_redirects=False, base_url=LOCAL).get("/", headers=HTML),  # type: ignore[arg-type]
    ]
    for response in responses:
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert responses[0].headers["cache-control"] == "no-store"


def test_the_api_documentation_is_not_served(app_client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert app_client.get(path, headers={"authorization": f"Bearer {TOKEN}"}).status_code == 404
