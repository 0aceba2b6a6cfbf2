"""The report's simulation section: runs saved under ``STUDY/simulations/`` are reported.

``qualframe simulate ... --out STUDY/simulations/NAME`` (and the demo) leave a folder holding
``summary.json``, ``report.md`` (the simulator's honest, plain-language verdict) and figures. This
module only reads those files, so the report does not need the simulation extra installed.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from qualframe.store.study import Study

__all__ = ["SIMULATIONS_FOLDER", "gather_simulation_runs", "markdown_to_html", "saved_runs"]

#: Where a study keeps simulation results that its report should show.
SIMULATIONS_FOLDER = "simulations"
_FIGURES = (
    ("prevalence.png", "Abstinence over time by strategy"),
    ("difference.png", "Cohort minus individual delivery"),
)


def saved_runs(study_path: Path) -> list[Path]:
    """Result folders (with a summary.json) under the study's simulations folder, by name."""
    root = study_path / SIMULATIONS_FOLDER
    if not root.is_dir():
        return []
    return sorted(p.parent for p in root.glob("*/summary.json"))


def _table(lines: list[str]) -> str:
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    body = [r for r in rows[1:] if not all(re.fullmatch(r":?-{3,}:?", c) for c in r)]
    head = "".join(f"<th>{_inline(c)}</th>" for c in rows[0])
    cells = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>"


def markdown_to_html(text: str) -> Markup:
    """The small Markdown the simulator writes as safe HTML.

    Paragraphs, headings, bullet lists, pipe tables, ``**bold**``, ``*italic*`` and ``code``: enough
    for ``report.md``; everything else is shown as text (escaped, never interpreted).
    """
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if len(lines) >= 2 and all(line.strip().startswith("|") for line in lines):
            blocks.append(_table(lines))
        elif all(line.lstrip().startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines and lines[0].startswith("#"):
            blocks.append(f"<h4>{_inline(lines[0].lstrip('#').strip())}</h4>")
            if lines[1:]:
                blocks.append(f"<p>{_inline(' '.join(lines[1:]))}</p>")
        else:
            blocks.append(f"<p>{_inline(' '.join(lines))}</p>")
    return Markup("\n".join(blocks))


def _inline(text: str) -> str:
    escaped = str(escape(text))
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", escaped)


def gather_simulation_runs(study: Study) -> list[dict[str, Any]] | None:
    """One entry per saved run: its name, key numbers, verdict text and figures (data URIs)."""
    runs = []
    for folder in saved_runs(study.path):
        try:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        report = folder / "report.md"
        text = report.read_text(encoding="utf-8") if report.is_file() else ""
        figures = []
        for name, caption in _FIGURES:
            path = folder / name
            if path.is_file():
                figures.append(
                    {
                        "caption": caption,
                        "uri": "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode(),
                    }
                )
        runs.append(
            {
                "name": folder.name,
                "engine": summary.get("engine"),
                "agents": summary.get("agents"),
                "weeks": summary.get("weeks"),
                "replicates": summary.get("replicates"),
                "text": text,
                "html": markdown_to_html(text),
                "figures": figures,
            }
        )
    return runs or None
