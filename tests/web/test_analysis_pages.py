"""The analysis pages as a researcher uses them: matrix, themes, reliability, saturation, co-occurrence.

Every page is checked against the services it calls (the numbers on the page are the service's),
every form that changes something against CSRF, the viewer's and the coder's limits, and markup
in the study against being rendered.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qualframe.accounts import add_account
from qualframe.analysis.framework_matrix import framework_matrix
from qualframe.analysis.themes import list_themes
from qualframe.coding.manual import list_codings
from qualframe.coding.team import assign_sources
from qualframe.store.study import Study
from qualframe.web import create_app
from tests.web.analysis_study import EVIL, THEME, build_analysis_study
from tests.web.conftest import LOCAL, TOKEN, csrf_of, source_id

PNG = b"\x89PNG\r\n\x1a\n"
PASSWORD = "correct horse battery"
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def analysis_template(web_study_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_analysis_study(web_study_template, tmp_path_factory.mktemp("analysis") / "study")


@pytest.fixture
def study(analysis_template: Path, tmp_path: Path) -> Iterator[Study]:
    shutil.copytree(analysis_template, tmp_path / "study")
    opened = Study.open(tmp_path / "study")
    yield opened
    opened.close()


@pytest.fixture
def client(study: Study) -> Iterator[TestClient]:
    with TestClient(create_app(study.path, token=TOKEN), follow_redirects=False, base_url=LOCAL) as c:
        assert c.get(f"/?token={TOKEN}").status_code == 303
        c.headers["accept"] = "text/html"
        yield c


@pytest.fixture
def csrf(client: TestClient) -> str:
    return csrf_of(client.get("/").text)


@pytest.fixture(scope="module")
def team_template(analysis_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("analysis-team") / "study"
    shutil.copytree(analysis_template, folder)
    opened = Study.open(folder)
    try:
        for name, role in (("lena", "lead"), ("cody", "coder"), ("vera", "viewer")):
            add_account(opened, name, PASSWORD, role)
    finally:
        opened.close()
    return folder


@pytest.fixture
def team(team_template: Path, tmp_path: Path) -> Iterator[tuple[Study, TestClient]]:
    shutil.copytree(team_template, tmp_path / "study")
    opened = Study.open(tmp_path / "study")
    with TestClient(create_app(opened.path, team=True), follow_redirects=False, base_url=LOCAL) as c:
        yield opened, c
    opened.close()


def sign_in(client: TestClient, name: str) -> str:
    """Sign ``name`` in on ``client``; returns the session's CSRF token."""
    client.cookies.clear()
    form = client.get("/login", headers=HTML)
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"nonce": nonce, "name": name, "password": PASSWORD, "next": "/"})
    assert response.status_code == 303
    return csrf_of(client.get("/", headers=HTML).text)


def _cell(study: Study, case: str, column: str, by: str = "themes"):  # type: ignore[no-untyped-def]
    return framework_matrix(study, by=by).cell(case, column)


# -- navigation --------------------------------------------------------------------------------


def test_the_analysis_pages_are_in_the_navigation(client: TestClient) -> None:
    nav = re.search(r'<nav aria-label="Pages">(.*?)</nav>', client.get("/").text, re.S).group(1)  # type: ignore[union-attr]
    titles = re.findall(r">([^<]+)</a>", nav)
    for title in ("Suggestions", "Themes", "Matrix", "Reliability", "Saturation", "Co-occurrence"):
        assert title in titles
    assert titles.index("Themes") < titles.index("Matrix") < titles.index("Reliability")


# -- framework matrix --------------------------------------------------------------------------


def test_the_matrix_shows_cases_by_themes_with_counts(client: TestClient, study: Study) -> None:
    page = client.get("/matrix").text  # by themes: the study has one
    matrix = framework_matrix(study, by="themes")
    assert matrix.cases == ["P01", "P02", "P03", "P04"]
    for case in matrix.cases:
        count = matrix.cells[(case, THEME)].count
        assert count == 2
        assert re.search(
            rf'data-case="{case}" data-column="{THEME}"[^>]*>\s*<span class="n">{count}</span>', page
        )
    codes = client.get("/matrix?by=codes").text
    assert 'data-column="janis-groupthink:Pressures toward uniformity/Self-censorship"' in codes
    assert ">Self-censorship</th>" in codes


def test_a_cell_opens_its_quotes_linked_into_the_transcripts(client: TestClient, study: Study) -> None:
    data = client.get("/api/matrix/cell", params={"by": "themes", "case": "P02", "column": THEME}).json()
    assert data["count"] == 2 and data["summary"] == "" and data["proposal"]
    p02 = source_id(client, "P02")
    expected = {c.id for c in list_codings(study, source="P02") if c.coder == "tester" and "grass" in c.text}
    assert expected <= {q["id"] for q in data["quotes"]}
    for quote in data["quotes"]:
        assert quote["href"] == f"/sources/{p02}?focus={quote['id']}"
        assert client.get(quote["href"]).status_code == 200
    # the same panel without JavaScript: the cell's link
    page = client.get("/matrix", params={"by": "themes", "case": "P02", "column": THEME}).text
    panel = re.search(r'<aside class="card cell-panel" id="cell"(.*?)</aside>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "hidden" not in panel.split(">", 1)[0]
    assert "They&#39;d call you a grass if you walked away." in panel
    assert f'href="/sources/{p02}?focus=' in panel
    missing = client.get("/api/matrix/cell", params={"by": "themes", "case": "P99", "column": THEME})
    assert missing.status_code == 404


def test_writing_accepting_and_clearing_a_summary(client: TestClient, csrf: str, study: Study) -> None:
    form = {"csrf_token": csrf, "by": "themes", "case": "P03", "column": THEME}
    saved = client.post("/matrix/cell", data={**form, "summary": "Gaz keeps the lads in line."})
    assert saved.status_code == 303 and saved.headers["location"].startswith("/matrix?by=themes&case=P03")
    assert "Saved the summary" in client.get(saved.headers["location"]).text
    cell = _cell(study, "P03", THEME)
    assert (cell.summary, cell.is_draft, cell.author) == ("Gaz keeps the lads in line.", False, "tester")
    # drafts for the other cells, then accept one as it is
    drafted = client.post("/matrix/drafts", data={"csrf_token": csrf, "by": "themes"})
    assert "Drafted 3 cells" in client.get(drafted.headers["location"]).text
    draft = _cell(study, "P02", THEME)
    assert draft.is_draft and "“" in (draft.summary or "")
    assert "Accept the draft as it is" in client.get("/matrix?by=themes&case=P02&column=" + THEME).text
    client.post("/matrix/cell", data={**form, "case": "P02", "action": "accept", "summary": "ignored"})
    accepted = _cell(study, "P02", THEME)
    assert (accepted.summary, accepted.is_draft) == (draft.summary, False)
    refused = client.post("/matrix/cell", data={**form, "case": "P02", "action": "accept"})
    assert "no draft to accept" in client.get(refused.headers["location"]).text
    client.post("/matrix/cell", data={**form, "action": "clear"})
    assert _cell(study, "P03", THEME).summary is None


def test_bad_summaries_are_refused_and_change_nothing(client: TestClient, csrf: str, study: Study) -> None:
    before = framework_matrix(study, by="themes").cells
    form = {"csrf_token": csrf, "by": "themes", "column": THEME, "summary": "text"}
    for data, message in [
        ({**form, "case": "P99"}, "no case"),
        ({**form, "case": "P01", "column": "No such theme"}, "no theme"),
        ({**form, "case": "P01", "summary": "   "}, "the summary is empty"),
        ({**form, "case": "P01", "by": "rows"}, "by codes or by themes"),
    ]:
        response = client.post("/matrix/cell", data=data)
        assert response.status_code == 303
        assert message in client.get(response.headers["location"]).text
    assert client.post("/matrix/cell", data={**form, "case": "P01", "csrf_token": "x"}).status_code == 403
    assert framework_matrix(study, by="themes").cells == before


def test_the_matrix_downloads_as_excel_and_csv(client: TestClient) -> None:
    xlsx = client.get("/matrix/download/xlsx?by=themes")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "matrix" in xlsx.headers["content-disposition"] and ".xlsx" in xlsx.headers["content-disposition"]
    rows = list(
        csv.reader(io.StringIO(client.get("/matrix/download/csv?by=codes").content.decode("utf-8-sig")))
    )
    assert rows[0][:5] == ["case", "column_type", "column", "group", "passages"]
    assert {r[0] for r in rows[1:]} == {"P01", "P02", "P03", "P04"}
    assert client.get("/matrix/download/pdf").status_code == 400


# -- themes ------------------------------------------------------------------------------------


def test_themes_are_listed_with_codes_prevalence_and_their_map(client: TestClient) -> None:
    page = client.get("/themes").text
    assert f"<h2>{THEME}</h2>" in page and "status-reviewed" in page
    assert "4 of 4 cases" in page
    assert re.search(r'href="/codebook/codes/\d+" title="janis-groupthink:[^"]*Self-censorship"', page)
    image = client.get("/themes/map.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(PNG)


def test_a_lead_creates_edits_and_regroups_themes(client: TestClient, csrf: str, study: Study) -> None:
    made = client.post(
        "/themes",
        data={
            "csrf_token": csrf,
            "name": "  Buying  as a group ",
            "status": "candidate",
            "definition": "Pooling money every day.",
            "codes": ["houghton-2024:Buying together"],
        },
    )
    assert made.status_code == 303 and "Created the theme Buying as a group" in client.get("/themes").text
    theme = next(t for t in list_themes(study) if t.name == "Buying as a group")
    assert theme.codes == ("houghton-2024:Buying together",)
    edited = client.post(
        f"/themes/{theme.id}",
        data={"csrf_token": csrf, "name": "Buying together", "status": "defined", "definition": ""},
    )
    assert edited.status_code == 303
    theme = next(t for t in list_themes(study) if t.id == theme.id)
    assert (theme.name, theme.status, theme.definition) == ("Buying together", "defined", "")
    client.post(
        f"/themes/{theme.id}/codes",
        data={"csrf_token": csrf, "code": ["network-ties:Tie type/Transactional tie"]},
    )
    client.post(
        f"/themes/{theme.id}/codes",
        data={"csrf_token": csrf, "code": ["houghton-2024:Buying together"], "remove": "true"},
    )
    assert next(t for t in list_themes(study) if t.id == theme.id).codes == (
        "network-ties:Tie type/Transactional tie",
    )


def test_bad_theme_changes_are_refused_and_change_nothing(
    client: TestClient, csrf: str, study: Study
) -> None:
    before = list_themes(study)
    tid = before[0].id
    for url, data, message in [
        ("/themes", {"name": THEME.upper()}, "already a theme"),
        ("/themes", {"name": "New", "status": "finished"}, "unknown theme status"),
        ("/themes", {"name": "New", "codes": ["No such code"]}, "no code"),
        (f"/themes/{tid}", {"name": " ", "status": "defined"}, "needs a name"),
        (f"/themes/{tid + 99}", {"name": "X", "status": "defined"}, "no theme"),
        (f"/themes/{tid}/codes", {}, "choose at least one code"),
    ]:
        response = client.post(url, data={"csrf_token": csrf, **data})
        assert response.status_code == 303, url
        assert message in client.get(response.headers["location"]).text, message
    assert client.post("/themes", data={"name": "Forged"}).status_code == 403
    assert list_themes(study) == before


# -- reliability -------------------------------------------------------------------------------


def test_reliability_compares_the_chosen_coders_per_code(client: TestClient) -> None:
    page = client.get("/reliability").text  # default: the first two people
    assert "sam and tester on 2 sources, by turn" in page
    assert re.search(r'<input type="checkbox" name="coders" value="sam" checked>', page)
    assert "Krippendorff's α" in page and 'class="band band-' in page
    assert re.search(r"<td title=\"janis-groupthink:[^\"]*Self-censorship\">", page)
    p01, p02 = source_id(client, "P01"), source_id(client, "P02")
    # sam's extra code on P02 is a disagreement, with both sides linked to that coder's view
    rows = re.findall(r"<tr>\s*<td class=\"nowrap\">P02.*?</tr>", page, re.S)
    row = next(r for r in rows if "Illusion of unanimity" in r)
    assert "only sam" in row and "If one of us is short the other covers it." in row
    assert (
        f'href="/sources/{p02}?coder=sam&amp;at=' in row
        and f'href="/sources/{p02}?coder=tester&amp;at=' in row
    )
    assert f"/sources/{p01}?coder=sam&amp;at=" in page  # the passage cut differently on P01
    chars = client.get("/reliability?coders=sam&coders=tester&unit=character").text
    assert "by character" in chars
    figure = client.get("/reliability/figure.png?coders=sam&coders=tester&unit=turn")
    assert figure.status_code == 200 and figure.content.startswith(PNG)


def test_reliability_explains_what_it_cannot_compare(client: TestClient) -> None:
    assert "at least two coders" in client.get("/reliability?coders=tester").text
    assert "unknown unit" in client.get("/reliability?coders=sam&coders=tester&unit=word").text
    assert "no coder called" in client.get("/reliability?coders=sam&coders=nobody").text


def test_an_engine_is_compared_with_each_person(client: TestClient, study: Study) -> None:
    from qualframe.coding.suggest import suggest

    # all_codes: the engine suggests even for codes whose measured agreement is too low to offer by default
    suggest(study, engine="lexicon", sources=["P01", "P02"], params={"lemmatizer": "rules"}, all_codes=True)
    page = client.get("/reliability?coders=sam&coders=tester").text
    engine_rows = re.findall(r'<tr class="engine"><td>(.*?) <span class="tag">engine</span>', page)
    assert sorted(engine_rows) == ["sam · lexicon engine", "tester · lexicon engine"]


# -- saturation and prevalence -----------------------------------------------------------------


def test_saturation_with_chosen_parameters_and_its_curve(client: TestClient) -> None:
    page = client.get("/saturation?base=2&run=1&threshold=50").text
    assert (
        re.search(r"Code saturation \(no new codes; [^)]*\) was (not )?reached", page)
        and "base size 2, run length 1" in page
    )
    assert re.findall(r"<td>(P0\d)</td>", page) == ["P01", "P02", "P03", "P04"]  # by interview date
    image = client.get("/saturation/figure.png?base=2&run=1&threshold=50")
    assert image.status_code == 200 and image.content.startswith(PNG)
    too_few = client.get("/saturation").text  # base 4 + run 2 needs six cases
    assert "the study has 4 coded interviews" in too_few and "<figure" not in too_few
    assert client.get("/saturation/figure.png").status_code == 400
    assert "percentage" in client.get("/saturation?base=2&run=1&threshold=120").text


def test_prevalence_by_a_case_attribute(client: TestClient) -> None:
    page = client.get("/saturation?level=theme&by=pathway").text
    table = re.search(r'<table class="grid" id="prevalence-table">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "pathway = without trauma" in table and "pathway = with trauma" in table
    row = re.search(rf"<td title=\"{THEME}\">{THEME}</td>(.*?)</tr>", table, re.S).group(1)  # type: ignore[union-attr]
    assert "4 of 4" in row and "2 of 2" in row
    codes = client.get("/saturation?level=code").text
    assert 'href="/quotes?code=janis-groupthink%3A' in codes
    assert "no case attribute" in client.get("/saturation?by=colour").text


# -- co-occurrence -----------------------------------------------------------------------------


def test_cooccurrence_counts_codes_in_the_same_turn(client: TestClient) -> None:
    page = client.get("/cooccurrence?mode=segment").text
    pairs = re.search(r'<table class="grid" id="pairs">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    rows = re.findall(r"<tr><td>(.*?)</tr>", pairs, re.S)
    both = [r for r in rows if "Direct pressure on dissenters" in r and "Self-censorship" in r]
    assert len(both) == 1 and '<td class="num">2</td><td class="num">0.40</td>' in both[0]
    assert 'id="cooccurrence-table"' in page and re.search(r'<td class="q\d" title="', page)
    image = client.get("/cooccurrence/heatmap.png?mode=segment")
    assert image.status_code == 200 and image.content.startswith(PNG)
    assert "unknown co-occurrence mode" in client.get("/cooccurrence?mode=telepathy").text
    assert "at least 1" in client.get("/cooccurrence?min_frequency=0").text


# -- security ----------------------------------------------------------------------------------


def test_markup_in_the_study_is_shown_as_text_on_every_analysis_page(
    client: TestClient, csrf: str, study: Study
) -> None:
    client.post(
        "/matrix/cell",
        data={"csrf_token": csrf, "by": "themes", "case": "P04", "column": THEME, "summary": EVIL},
    )
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
    for path in [
        "/matrix",
        "/matrix?by=codes",
        f"/matrix?by=themes&case=P04&column={THEME}",
        "/themes",
        "/reliability",
        "/saturation?base=2&run=1&level=theme&by=pathway",
        "/cooccurrence",
        "/suggestions",
    ]:
        page = client.get(path).text
        assert "<script>alert" not in page, path
        assert re.search(r"<script(?! src=\"/static/)", page) is None, path
    assert escaped in client.get(f"/matrix?by=themes&case=P04&column={THEME}").text
    assert escaped in client.get("/themes").text
    data = client.get("/api/matrix/cell", params={"by": "themes", "case": "P04", "column": THEME})
    assert data.headers["content-type"] == "application/json" and data.json()["summary"] == EVIL


def test_a_viewer_reads_the_analyses_but_changes_nothing(team: tuple[Study, TestClient]) -> None:
    study, client = team
    csrf = sign_in(client, "vera")
    for path in ("/matrix", "/themes", "/reliability", "/saturation?base=2&run=1", "/cooccurrence"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 200, path
        assert 'action="/matrix/cell"' not in page.text and 'action="/themes"' not in page.text
    before = (list_themes(study), framework_matrix(study, by="themes").cells)
    for url, data in [
        ("/matrix/cell", {"by": "themes", "case": "P01", "column": THEME, "summary": "x"}),
        ("/matrix/drafts", {"by": "themes"}),
        ("/themes", {"name": "Viewer's theme"}),
        (f"/themes/{before[0][0].id}", {"name": "Renamed", "status": "defined"}),
        (f"/themes/{before[0][0].id}/codes", {"code": "Self-censorship", "remove": "true"}),
    ]:
        response = client.post(url, data={"csrf_token": csrf, **data}, headers=HTML)
        assert response.status_code == 403, url
        assert "viewers can read the study but not change it" in response.text
    assert (list_themes(study), framework_matrix(study, by="themes").cells) == before


def test_a_coder_reads_but_only_a_lead_charts_and_defines_themes(team: tuple[Study, TestClient]) -> None:
    study, client = team
    csrf = sign_in(client, "cody")
    refused = client.post(
        "/matrix/cell",
        data={"csrf_token": csrf, "by": "themes", "case": "P01", "column": THEME, "summary": "x"},
        headers=HTML,
    )
    assert refused.status_code == 403
    assert client.post("/themes", data={"csrf_token": csrf, "name": "Mine"}, headers=HTML).status_code == 403
    csrf = sign_in(client, "lena")
    done = client.post(
        "/matrix/cell",
        data={"csrf_token": csrf, "by": "themes", "case": "P01", "column": THEME, "summary": "Lena's."},
    )
    assert done.status_code == 303 and _cell(study, "P01", THEME).author == "lena"


def test_someone_coding_blind_gets_no_pooled_findings(team: tuple[Study, TestClient]) -> None:
    """The matrix, like every pooled finding, holds other coders' passages and summaries: refused."""
    study, client = team
    assign_sources(study, ["P01"], ["cody", "sam"], blind=True, user="lena")
    sign_in(client, "cody")
    cell = client.get("/api/matrix/cell", params={"by": "themes", "case": "P01", "column": THEME})
    assert cell.status_code == 403 and "sam" not in cell.text
    for path in ("/matrix", "/reliability", "/saturation", "/cooccurrence", "/matrix/download/csv"):
        response = client.get(path, headers=HTML)
        assert response.status_code == 403 and "while you code blind" in response.text, path
    sign_in(client, "lena")
    data = client.get("/api/matrix/cell", params={"by": "themes", "case": "P01", "column": THEME}).json()
    assert data["count"] == 2
