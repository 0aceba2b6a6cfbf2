"""``qualframe demo``: the bundled study built end to end, as `make demo` runs it."""

from __future__ import annotations

import csv
import html as html_lib
import os
import re
import stat
from pathlib import Path

from qualframe.demo import corpus_path
from qualframe.demo.stages.privacy import DEMO_KEY_FILE, DEMO_PASSPHRASE
from qualframe.privacy.detect import analyser
from qualframe.privacy.keyfile import read_key_file

SYNTHETIC = "SYNTHETIC TRANSCRIPT"


def test_the_corpus_is_fourteen_synthetic_interviews_of_the_right_length() -> None:
    corpus = corpus_path()
    files = sorted(corpus.glob("P*.txt"))
    assert [f.stem for f in files] == [f"P{i:02d}" for i in range(1, 15)]
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert text.startswith(SYNTHETIC), f
        assert 1000 <= len(text.split()) <= 2500, f
    with (corpus / "cases.csv").open(encoding="utf-8") as fh:
        cases = list(csv.DictReader(fh))
    assert len(cases) == 14 and {"age", "years_using", "ort_type", "pathway"} <= set(cases[0])


def test_demo_builds_the_study_and_the_report(cli, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    # An earlier study in the folder is replaced with --force (one build serves both checks).
    out.mkdir()
    (out / "study.json").write_text("{}", encoding="utf-8")
    (out / "old-file.txt").write_text("from an earlier demo", encoding="utf-8")
    r = cli("demo", "--out", out, "--force")
    assert r.returncode == 0, r.stderr
    assert not (out / "old-file.txt").exists()
    assert f"report:     {out / 'report.html'}" in r.stdout
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "14</b>cases" in html and "Self-censorship" in html and "Buying together" in html
    assert "of 14" in html
    # networks: they, not he (the demo records no gender); every phase comparison; P04's cohort flagged
    assert "from the people they named" in html and "from the people he named" not in html
    assert (
        "Every comparison of two phases" in html and "Of the 14 participants with a confirmed network" in html
    )
    assert "flagged: the case attribute buys_with_others = false" in html
    # simulation: the regimes stand beside the headline; per person reached; the study's own count
    headline = html.index("Headline.")
    assert headline < html.index("Where it wins and where it loses") < html.index("Reach.")
    assert "per 100 reached" in html and "the study&#39;s 14 interviews" in html
    assert "beyond ±2 extra abstinent people per 100 approached" in html
    # Without --force an existing study is never overwritten, and a folder that is not a study never
    # is, even with --force.
    again = cli("demo", "--out", out)
    assert again.returncode == 2 and "--force" in again.stderr
    other = tmp_path / "not-a-study"
    other.mkdir()
    (other / "thesis.docx").write_bytes(b"precious")
    refused = cli("demo", "--out", other, "--force")
    assert refused.returncode == 2 and (other / "thesis.docx").read_bytes() == b"precious"
    assert_no_name_of_the_key_in_the_report(out)
    r = cli("sources", out)
    assert r.stdout.count("P") >= 14
    r = cli("quotes", out, "--code", "Direct pressure on dissenters")
    assert r.returncode == 0 and r.stdout.count("[Direct pressure on dissenters]") >= 5


def assert_no_name_of_the_key_in_the_report(out: Path) -> None:
    """Not one name the demo's key maps is left in its report; no copy of the old text in the study.

    A name that is also an everyday word ("Spider", "Jade") counts where it is written as the name
    (capitalised); any other in any case, but "the mick" (taking the mick). The coders' own names and
    the COREQ citation (Tong, Sainsbury & Craig 2007) are qualframe's words, not participants'.
    """
    book = read_key_file(out / DEMO_KEY_FILE, DEMO_PASSPHRASE)
    names = {
        s
        for e in book.entries.values()
        if e.kind in ("PERSON", "PLACE", "ADDRESS", "ORGANISATION")
        for s in e.surfaces
    }
    assert {"Spider", "Spud", "Jade"} <= names
    page = (out / "report.html").read_text(encoding="utf-8")
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"data:[^\"')]+", "", page)))
    lexicon = analyser().lexicon
    leaks = []
    for name in names:
        everyday = lexicon.is_word(name.split()[-1])
        written = name[0].upper() + name[1:] if everyday else name
        pattern = re.compile(rf"(?<![\w\[]){re.escape(written)}(?!\w)", 0 if everyday else re.IGNORECASE)
        for m in pattern.finditer(text):
            around = text[max(0, m.start() - 30) : m.end() + 10]
            if m.group() in ("alex", "sam") or "Sainsbury & Craig" in around:
                continue
            if m.group().islower() and text[max(0, m.start() - 4) : m.start()] == "the ":
                continue  # "take the mick": the idiom, not Mick
            leaks.append(around)
    assert not leaks, leaks[:10]
    assert not [p for p in (out / "originals").iterdir()] and not [p for p in (out / "backups").iterdir()]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
