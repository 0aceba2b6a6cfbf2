"""Documentation stays true: every command, export format and setting is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from qualframe.cli import _register_commands, app
from qualframe.config import ENVIRONMENT
from qualframe.outputs import EXPORT_FORMATS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(typer_app: typer.Typer, prefix: str = "qualframe") -> list[str]:
    names = []
    for command in typer_app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        names.append(f"{prefix} {name}")
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        names.extend(_commands(group.typer_instance, f"{prefix} {group.name}"))
    return names


def test_every_command_is_in_the_readme() -> None:
    _register_commands()
    commands = _commands(app)
    assert len(commands) >= 15
    missing = [c for c in commands if f"`{c}" not in README]
    assert missing == []


def test_every_export_format_and_setting_is_in_the_readme() -> None:
    for fmt in EXPORT_FORMATS:
        assert f"`{fmt}`" in README, fmt
    for var in ENVIRONMENT:
        assert f"`{var}`" in README, var


def test_the_readme_shows_the_two_setup_commands_and_ci_calls_the_test_one() -> None:
    assert "make demo" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_architecture_and_changelog_exist() -> None:
    arch = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert "erDiagram" in arch and "Where to add" in arch
    assert (ROOT / "CHANGELOG.md").is_file()


def test_no_file_keeps_the_marks_of_an_unfinished_merge() -> None:
    """A merge resolved in haste once left both sides of CHANGELOG.md and docs/benchmarks.md."""
    marks = ("<<<<<<< ", ">>>>>>> ")
    suffixes = {".md", ".py", ".yaml", ".yml", ".html", ".toml", ".cfg", ".txt", ".css", ".js"}
    left = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("qualframe", "tests", "docs", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in suffixes and path.is_file()
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if line.startswith(marks)
    ]
    left += [
        f"{name}:{n}"
        for name in ("README.md", "ARCHITECTURE.md", "CHANGELOG.md", "Makefile", "pyproject.toml")
        for n, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1)
        if line.startswith(marks)
    ]
    assert left == []


def _architecture_rows() -> list[tuple[list[str], str]]:
    """The package table of ARCHITECTURE.md: (what each row names, its description)."""
    rows = []
    for line in (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8").splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) >= 2:
            rows.append((re.findall(r"`([^`]+)`", cells[0]), " | ".join(cells[1:])))
    return rows


def test_architecture_names_every_package_and_module_and_only_what_exists() -> None:
    """ARCHITECTURE.md's package table is the map of the tree: nothing missing, nothing invented."""
    package = ROOT / "qualframe"
    rows = _architecture_rows()
    named = {name.rstrip("/") for names, _ in rows for name in names}
    tree = {p.name for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    tree |= {p.stem for p in package.glob("*.py") if p.name != "__init__.py"}
    assert sorted(tree - {n.removesuffix(".py") for n in named}) == []
    missing = []
    for names, description in rows:
        folders = [package / n.rstrip("/") for n in names if n.endswith("/")]
        for ref in re.findall(r"`([\w/]+\.py)`", description):
            places = [package / ref] + [folder / ref for folder in folders]
            places += [p for folder in folders for p in folder.rglob(ref) if "/" not in ref]
            if not any(p.is_file() for p in places):
                missing.append(f"{names[0]}: {ref}")
    assert missing == []
