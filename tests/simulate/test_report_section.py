"""Simulation results saved with a study appear in its report, verdict and figures included."""

from __future__ import annotations

from pathlib import Path

import docx

from qualframe.outputs import write_report
from qualframe.report.simulation import SIMULATIONS_FOLDER, markdown_to_html
from qualframe.simulate import load_scenario, run_scenario, save_results
from qualframe.store.study import Study


def test_a_saved_run_is_reported_in_html_and_word(study: Study, tmp_path: Path) -> None:
    scenario = load_scenario("default").with_overrides(
        {"agents": 80, "weeks": 12, "replicates": 2, "intervention.strategies": ["none", "random", "cohort"]}
    )
    save_results(run_scenario(scenario), study.path / SIMULATIONS_FOLDER / "trial-run")
    verdict = (study.path / SIMULATIONS_FOLDER / "trial-run" / "report.md").read_text(encoding="utf-8")
    html = write_report(study, tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<section id="simulation">' in html and "trial-run" in html
    assert "80 agents, 12 weeks, 2 replicates" in html
    assert "data:image/png;base64," in html
    heading = verdict.splitlines()[0].lstrip("#").strip()
    assert heading.startswith("Simulated interventions") and f"<h4>{heading}</h4>" in html
    verdict_words = next(line for line in verdict.splitlines() if "cohort" in line.lower() and "CI" in line)
    assert "95% CI" in verdict_words and "CI" in html
    document = docx.Document(str(write_report(study, tmp_path / "r.docx", "docx")))
    assert any("trial-run" in p.text for p in document.paragraphs)


def test_no_saved_run_means_no_simulation_section(study: Study, tmp_path: Path) -> None:
    html = write_report(study, tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<section id="simulation">' not in html


def test_simulator_markdown_is_escaped() -> None:
    html = str(markdown_to_html("**Cohort** <script>x</script>\n\n- one\n- two"))
    assert "<strong>Cohort</strong>" in html and "&lt;script&gt;" in html and "<li>two</li>" in html


def test_simulator_markdown_tables_and_italics_render() -> None:
    text = (
        "| strategy | share |\n|---|---:|\n| cohort | 10.2% |\n| *random* | 9% |\n\nAn *assumption*, 2 * 3."
    )
    html = str(markdown_to_html(text))
    assert "<th>strategy</th>" in html and "<td>10.2%</td>" in html and "---" not in html
    assert "<em>random</em>" in html and "<em>assumption</em>" in html and "2 * 3" in html
