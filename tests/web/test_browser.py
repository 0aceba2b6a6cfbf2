"""The workbench in a real browser (Debian's Chromium, headless, driven by Playwright).

A researcher opens the demo study, selects a passage with the mouse, applies a code from the
sidebar, reloads and still sees it; undoes and redoes with the keyboard; finds a code in the
sidebar; saves a definition in the codebook editor. Every page is photographed into
``test-artifacts/web/`` so a reviewer can look at what the tests saw.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.live import CHROMIUM, chromium_tab, live_server

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium (/usr/bin/chromium) is not installed: apt-get install chromium",
)
playwright_api = pytest.importorskip("playwright.sync_api")

from qualframe.coding.manual import list_codings  # noqa: E402
from qualframe.demo import build_demo  # noqa: E402
from qualframe.store.study import Study  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
TOKEN = "browser-test-token"
PASSAGE = "mum did dinners at the school"  # free of identifiers: the demo is pseudonymised


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QUALFRAME_USER", "tester")
        return build_demo(tmp_path_factory.mktemp("demo") / "study").study


@pytest.fixture(scope="module")
def server(demo: Path) -> Iterator[str]:
    from qualframe.web import create_app

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QUALFRAME_USER", "tester")
        app = create_app(demo, token=TOKEN)
    with live_server(app) as base:
        yield base


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium_tab(playwright_api, server, TOKEN) as tab:
        yield tab


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def notice(page: Any) -> str:
    """The message shown at the bottom of the page after a change."""
    page.wait_for_selector("#notice:not([hidden])")
    return str(page.locator("#notice").inner_text())


def open_source(page: Any, name: str = "P01") -> None:
    page.goto("/")
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_selector("#transcript[data-ready]")


def select_text(page: Any, phrase: str) -> None:
    """Drag the mouse across ``phrase`` in the transcript, as a researcher would."""
    box = page.evaluate(
        """(phrase) => {
            const walker = document.createTreeWalker(document.getElementById('transcript'), NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(phrase);
                if (at < 0) continue;
                node.parentElement.scrollIntoView({block: 'center'});
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + phrase.length);
                const rects = Array.from(range.getClientRects());
                const first = rects[0], last = rects[rects.length - 1];
                return {x1: first.left + 1, y1: first.top + first.height / 2,
                        x2: last.right - 1, y2: last.top + last.height / 2};
            }
            return null;
        }""",
        phrase,
    )
    assert box is not None, f"{phrase!r} is not an uncoded run of the transcript"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


def codings_of(demo: Path, phrase: str) -> list[Any]:
    study = Study.open(demo)
    try:
        return [c for c in list_codings(study, source="P01") if phrase in c.text]
    finally:
        study.close()


def test_a_passage_selected_with_the_mouse_is_coded_and_stays_coded(page: Any, demo: Path) -> None:
    open_source(page)
    shot(page, "source-view")
    select_text(page, PASSAGE)
    assert PASSAGE in page.locator("#sel-text").inner_text()
    page.fill("#code-filter", "unanimity")
    page.locator("#code-list button.code:visible").first.click()
    page.wait_for_selector(f"mark.h:has-text('{PASSAGE[:30]}')")
    assert "Coded" in notice(page)
    page.reload()
    mark = page.locator("mark.h", has_text=PASSAGE[:30])
    assert mark.count() == 1 and mark.inner_text() == PASSAGE
    shot(page, "source-view-coded")
    coded = codings_of(demo, PASSAGE)
    assert [(c.text, c.code, c.coder) for c in coded] == [
        (PASSAGE, "janis-groupthink:Pressures toward uniformity/Illusion of unanimity", "tester")
    ]
    mark.click()
    assert "Illusion of unanimity" in page.locator("#here-list").inner_text()


def test_undo_and_redo_from_the_keyboard(page: Any, demo: Path) -> None:
    open_source(page)
    select_text(page, "Gear was like")
    page.keyboard.press("Escape")  # clears the selection: numbers now do nothing
    select_text(page, "that was the smackheads down by the bus station")
    page.keyboard.press("1")  # the first code in the sidebar
    page.wait_for_selector("mark.h:has-text('smackheads')")
    assert len(codings_of(demo, "smackheads")) == 1
    page.keyboard.press("Control+z")
    page.wait_for_selector("mark.h:has-text('smackheads')", state="detached")
    assert codings_of(demo, "smackheads") == []
    assert "Undone" in notice(page)
    page.keyboard.press("Control+Shift+z")
    page.wait_for_selector("mark.h:has-text('smackheads')")
    assert len(codings_of(demo, "smackheads")) == 1


def test_the_codebook_sidebar_finds_codes(page: Any) -> None:
    open_source(page)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "code-filter"
    page.keyboard.type("mindg")
    visible = page.locator("#code-list button.code:visible")
    assert visible.count() == 1 and "Self-appointed mindguards" in visible.inner_text()
    assert visible.locator("kbd.n").inner_text() == "1"
    shot(page, "source-view-code-search")
    page.keyboard.press("Escape")
    assert page.locator("#code-list button.code:visible").count() > 20


def test_the_codebook_editor_saves_a_definition(page: Any, demo: Path) -> None:
    page.goto("/codebook")
    shot(page, "codebook")
    page.get_by_role("link", name="Self-censorship", exact=True).click()
    definition = "A member keeps doubts about continued use to himself (edited in the browser)."
    page.fill("textarea[name=definition]", definition)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".flash:has-text('Saved Self-censorship')")
    assert page.input_value("textarea[name=definition]") == definition
    shot(page, "code-editor")
    study = Study.open(demo)
    try:
        from qualframe.codebook.outline import codebook_changes

        latest = codebook_changes(study)[0]
    finally:
        study.close()
    assert latest.action == "code.edit" and "definition" in latest.summary


def test_every_other_page_renders(page: Any, server: str) -> None:
    for path, name, needle in [
        ("/", "dashboard", "Sources and coding progress"),
        ("/quotes?code=janis-groupthink:Self-censorship", "quotes", "Self-censorship"),
        ("/search?q=%22same+lad%22", "search", " found."),
        ("/codebook/history", "codebook-history", "Codebook change log"),
    ]:
        page.goto(path)
        assert needle in page.content()
        shot(page, name)
    page.goto("/quotes")
    page.locator("ul.quotes a").first.click()
    page.wait_for_selector("#transcript[data-ready] mark.h.focus")
    shot(page, "source-view-from-quote")
    context = page.context.browser.new_context(viewport={"width": 1000, "height": 700}, base_url=server)
    try:
        stranger = context.new_page()
        stranger.goto("/")
        assert "/login" in stranger.url and stranger.locator("input[name=token]").count() == 1
        shot(stranger, "login")
    finally:
        context.close()
    assert {"dashboard.png", "source-view.png", "codebook.png", "login.png"} <= set(os.listdir(ARTIFACTS))


# -- analysis pages and suggestion review (part 2) ---------------------------------------------

GROUPTHINK = "Groupthink in the buying group"


def images_loaded(page: Any) -> None:
    """Every figure on the page arrived as an image (served by its route under the CSP)."""
    page.wait_for_function("() => Array.from(document.images).every((i) => i.complete && i.naturalWidth > 0)")


def test_a_matrix_cell_opens_its_quotes(page: Any, demo: Path) -> None:
    from qualframe.analysis.framework_matrix import framework_matrix

    study = Study.open(demo)
    try:
        matrix = framework_matrix(study, by="themes")
        cell, drafted = matrix.cell("P01", GROUPTHINK), matrix.cell("P02", GROUPTHINK)
    finally:
        study.close()
    page.goto("/matrix")
    page.wait_for_selector("#matrix[data-ready]")
    assert page.locator("#cell").is_hidden()
    shot(page, "matrix")
    page.locator(f'a.cell[data-case="P01"][data-column="{GROUPTHINK}"]').click()
    page.wait_for_selector(f'#cell[data-shown="P01|{GROUPTHINK}"]')
    assert page.locator("#cell-title").inner_text() == f"P01 × {GROUPTHINK}"
    quotes = page.locator("#cell-quotes li")
    assert quotes.count() == cell.count > 0
    assert page.locator("#cell-summary").input_value() == cell.summary  # the demo's charted summary
    assert page.locator("#cell-accept").is_hidden()  # a researcher's summary, not a draft
    assert quotes.first.locator("blockquote").inner_text() == cell.quotes[0].text.strip()
    assert "/matrix?by=themes&case=P01" in page.url  # the address opens the same cell again
    shot(page, "matrix-cell")
    page.locator(f'a.cell[data-case="P02"][data-column="{GROUPTHINK}"]').click()
    page.wait_for_selector(f'#cell[data-shown="P02|{GROUPTHINK}"]')
    assert drafted.is_draft and page.locator("#cell-accept").is_visible()
    assert page.locator("#cell-quotes li").count() == drafted.count
    page.locator(f'a.cell[data-case="P01"][data-column="{GROUPTHINK}"]').click()
    page.wait_for_selector(f'#cell[data-shown="P01|{GROUPTHINK}"]')
    quotes.first.locator("a").click()
    page.wait_for_selector("#transcript[data-ready] mark.h.focus")
    assert f"focus={cell.quotes[0].coding_id}" in page.url


def test_a_suggestion_is_accepted_with_the_keyboard(page: Any, demo: Path) -> None:
    from qualframe.coding.review import review_queue
    from qualframe.coding.suggest import suggest

    study = Study.open(demo)
    try:
        suggest(study, engine="lexicon", sources=["P02", "P03"], params={"lemmatizer": "rules"})
        queue = review_queue(study, source="P03", order="confidence")
    finally:
        study.close()
    assert len(queue) >= 3
    page.goto("/suggestions?source=P03&order=confidence")
    page.wait_for_selector("#queue[data-ready]")
    current = page.locator("li.suggestion.current")
    assert current.get_attribute("data-id") == str(queue[0].id)
    page.keyboard.press("j")
    assert current.get_attribute("data-id") == str(queue[1].id)
    page.keyboard.press("k")
    assert current.get_attribute("data-id") == str(queue[0].id)
    shot(page, "suggestions")
    page.keyboard.press("a")
    page.wait_for_selector(f'li#s{queue[0].id}.decided[data-outcome="accepted"]')
    assert "Accepted" in notice(page)
    assert current.get_attribute("data-id") == str(queue[1].id)  # on to the next one
    page.keyboard.press("r")
    page.wait_for_selector(f'li#s{queue[1].id}.decided[data-outcome="rejected"]')
    # the words selected with the mouse become the span of the next one (offsets in code points)
    mark = page.locator(f"li#s{queue[2].id} .evidence mark")
    words = " ".join(queue[2].text.split()[:2])
    box = mark.evaluate(
        """(el, words) => {
            // the passage is split into pieces (evidence words are bold): find the words across them
            const nodes = [], walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) nodes.push(walker.currentNode);
            const text = nodes.map((n) => n.data).join(""), at = text.indexOf(words);
            const locate = (offset) => {
                for (const n of nodes) {
                    if (offset <= n.data.length) return [n, offset];
                    offset -= n.data.length;
                }
            };
            const range = document.createRange();
            range.setStart(...locate(at)); range.setEnd(...locate(at + words.length));
            const r = Array.from(range.getClientRects());
            const last = r[r.length - 1];
            return {x1: r[0].left + 1, y1: r[0].top + r[0].height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2};
        }""",
        words,
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=6)
    page.mouse.up()
    page.keyboard.press("e")
    page.wait_for_function(
        "([id, words]) => document.querySelector('li#s' + id + ' .evidence mark').textContent === words",
        arg=[queue[2].id, words],
    )
    page.keyboard.press("a")
    page.wait_for_selector(f'li#s{queue[2].id}.decided[data-outcome="accepted"]')
    shot(page, "suggestions-reviewed")
    study = Study.open(demo)
    try:
        decided = {
            c.id: (c.origin, c.text)
            for c in list_codings(study, source="P03", origins=("accepted", "rejected"))
            if c.id in {s.id for s in queue[:3]}
        }
    finally:
        study.close()
    assert decided == {
        queue[0].id: ("accepted", queue[0].text),
        queue[1].id: ("rejected", queue[1].text),
        queue[2].id: ("accepted", words),
    }


def test_every_analysis_page_renders(page: Any) -> None:
    for path, name, needle in [
        ("/themes", "themes", "Thematic map"),
        ("/reliability", "reliability", "Disagreements"),
        ("/saturation?level=theme&by=pathway", "saturation", "Code saturation (no new codes"),
        ("/cooccurrence", "cooccurrence", "Strongest pairs"),
        ("/simulation", "simulation", "individual-vs-cohort"),
    ]:
        page.goto(path)
        assert needle in page.content(), path
        images_loaded(page)
        shot(page, name)
    assert page.locator(".run-figures img").count() >= 2
