"""Long lists come a page at a time, with the same pager everywhere (issue 18)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qualframe.coding.manual import add_coding, import_codings
from qualframe.imports import import_files
from qualframe.store.study import Study
from qualframe.web.routes import dashboard, matrix
from tests.web.conftest import TRANSCRIPT


def test_quotes_come_a_hundred_at_a_time_with_every_filter_kept(
    client: TestClient, web_study: Study, write_file
) -> None:
    with web_study.read() as session:
        from qualframe.sources import get_source

        text = get_source(session, "P01").text
    words = [i for i in range(len(text) - 20) if text[i].isalpha() and text[i - 1] == " "]
    spans = [(s, s + n) for n in (10, 11, 12) for s in words][:150]
    rows = "".join(f"P01,Self-censorship,coder1,{a},{b}\n" for a, b in spans)
    import_codings(web_study, write_file("many.csv", "source,code,coder,start,end\n" + rows))
    total = 1 + len(spans)
    first = client.get("/quotes?code=Self-censorship").text
    assert f"{total} quotes, 100 a page" in first and f"1–100 of {total}" in first
    assert 'href="/quotes?code=Self-censorship&amp;page=2" rel="next"' in first
    second = client.get("/quotes?code=Self-censorship&page=2").text
    assert f"101–{total} of {total}" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert second.count("<blockquote") == total - 100
    assert (
        f"1–100 of {total}" in client.get("/quotes?code=Self-censorship&page=x").text
    )  # a bad page is page 1


def test_dashboard_and_matrix_rows_are_paged(
    client: TestClient, web_study: Study, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "P02.txt").write_text(TRANSCRIPT.replace("P01", "P02"), encoding="utf-8")
    import_files(web_study, [tmp_path / "P02.txt"])
    add_coding(web_study, source="P02", code="Self-censorship", quote="You just don't.", coder="tester")
    monkeypatch.setattr(dashboard, "ROWS_SHOWN", 1)
    monkeypatch.setattr(matrix, "CASES_SHOWN", 1)
    home = client.get("/").text
    assert "<strong>2</strong> sources" in home and ">P01</a>" in home and ">P02</a>" not in home
    assert ">P02</a>" in client.get("/?page=2").text
    grid = client.get("/matrix?by=codes").text
    assert '<th scope="row">[P01]</th>' in grid and '<th scope="row">[P02]</th>' not in grid
    assert "1–1 of 2" in grid
    assert '<th scope="row">[P02]</th>' in client.get("/matrix?by=codes&page=2").text


def test_search_results_are_paged_and_say_when_only_the_best_are_kept(
    client: TestClient, web_study: Study, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualframe.web.routes import search

    (tmp_path / "P02.txt").write_text(TRANSCRIPT.replace("P01", "P02"), encoding="utf-8")
    import_files(web_study, [tmp_path / "P02.txt"])
    monkeypatch.setattr(search, "HITS_SHOWN", 1)
    first = client.get("/search?q=lads").text
    assert "2 turns found, 1 a page" in first and "1–1 of 2" in first and first.count('<p class="pre">') == 1
    second = client.get("/search?q=lads&page=2").text
    assert "2–2 of 2" in second and second.count('<p class="pre">') == 1
    assert {n for n in ("P01", "P02") if f">{n}</a>" in first + second} == {"P01", "P02"}
    monkeypatch.setattr(search, "HITS", 1)
    capped = client.get("/search?q=lads").text
    assert "The 1 best-matching turns (there are more" in capped
