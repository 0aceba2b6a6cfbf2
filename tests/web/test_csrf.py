"""Every state-changing request made with the session cookie must carry the session's CSRF token."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qualframe.coding.manual import list_codings
from qualframe.memos import list_memos
from qualframe.store.study import Study
from tests.web.conftest import LOCAL, source_id


def test_json_calls_without_the_token_are_refused_and_change_nothing(
    client: TestClient, csrf: str, web_study: Study
) -> None:
    sid = source_id(client)
    body = {"code": 1, "start": 0, "end": 5}
    before = list_codings(web_study)
    for headers in ({}, {"x-csrf-token": "wrong"}, {"x-csrf-token": ""}):
        assert client.post(f"/api/sources/{sid}/codings", json=body, headers=headers).status_code == 403
        assert client.post("/api/undo", headers=headers).status_code == 403
        assert client.delete(f"/api/codings/{before[0].id}", headers=headers).status_code == 403
    assert list_codings(web_study) == before
    response = client.post("/api/undo", headers={"x-csrf-token": csrf})
    assert response.status_code == 200
    assert len(list_codings(web_study)) == len(before) - 1


def test_forms_without_the_token_are_refused(client: TestClient, csrf: str, web_study: Study) -> None:
    sid = source_id(client)
    refused = client.post(f"/sources/{sid}/memos", data={"text": "forged memo"})
    assert refused.status_code == 403 and "security token" in refused.text
    refused = client.post(f"/sources/{sid}/memos", data={"text": "forged memo", "csrf_token": "guess"})
    assert refused.status_code == 403
    assert list_memos(web_study) == []
    accepted = client.post(f"/sources/{sid}/memos", data={"text": "a real memo", "csrf_token": csrf})
    assert accepted.status_code == 303
    assert [m.text for m in list_memos(web_study)] == ["a real memo"]


def test_the_token_belongs_to_one_session(client: TestClient, csrf: str, web_study: Study) -> None:
    from tests.web.conftest import TOKEN

    with TestClient(client.app, follow_redirects=False, base_url=LOCAL) as other:  # type: ignore[arg-type]
        other.get(f"/?token={TOKEN}")
        assert other.post("/api/undo", headers={"x-csrf-token": csrf}).status_code == 403
