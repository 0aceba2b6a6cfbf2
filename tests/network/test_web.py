"""The workbench's network page: the figure as a route, ties with evidence links, review buttons."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from qualframe.network.review import list_alters
from qualframe.network.ties import extract_network
from qualframe.store.study import Study
from qualframe.web import create_app
from tests.web.conftest import LOCAL

TOKEN = "network-token-0123456789"


def test_the_network_page_shows_ties_with_evidence_and_confirms_them(dean_study: Study) -> None:
    extract_network(dean_study)
    tie = next(t for a in list_alters(dean_study) if a.label == "Gaz" for t in a.ties)
    with TestClient(
        create_app(dean_study.path, token=TOKEN), follow_redirects=False, base_url=LOCAL
    ) as client:
        assert client.get(f"/?token={TOKEN}").status_code == 303
        client.headers["accept"] = "text/html"
        page = client.get("/networks?case=P01")
        assert page.status_code == 200
        html = page.text
        assert 'href="/networks"' in html  # in the navigation
        assert "Gaz" in html and "Big Tony" in html and "key worker" in html
        evidence = tie.evidence[0]
        assert f'href="/sources/{evidence.source_id}?focus={evidence.coding_id}"' in html
        figure = client.get("/networks/figure.png?case=P01")
        assert figure.status_code == 200 and figure.content[:8] == b"\x89PNG\r\n\x1a\n"
        csrf = re.search(r'<meta name="csrf-token" content="([^"]*)">', html).group(1)  # type: ignore[union-attr]
        refused = client.post(f"/networks/ties/{tie.id}/confirm", data={"case": "P01"})
        assert refused.status_code in (400, 403)  # no CSRF token
        done = client.post(f"/networks/ties/{tie.id}/confirm", data={"case": "P01", "csrf_token": csrf})
        assert done.status_code == 303 and done.headers["location"].startswith("/networks?case=P01")
        assert "confirmed" in client.get(done.headers["location"]).text
    after = next(t for a in list_alters(dean_study) if a.label == "Gaz" for t in a.ties if t.id == tie.id)
    assert after.status == "confirmed" and after.evidence[0].origin == "accepted"
