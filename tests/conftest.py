"""Shared fixtures: real studies in temporary folders, the demo corpus, the CLI, ../shared/data."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qualframe.codebook.service import add_codebook_spec, builtin_spec
from qualframe.demo import corpus_path
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
QUALFRAME = Path(sys.executable).with_name("qualframe")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs as user 'tester' with no secrets from the developer's environment."""
    monkeypatch.setenv("QUALFRAME_USER", "tester")
    for var in (
        "QUALFRAME_PASSPHRASE",
        "QUALFRAME_TOKEN",
        "QUALFRAME_DEBUG",
        "QUALFRAME_MAX_IMPORT_MB",
        "QUALFRAME_MAX_RECORDING_HOURS",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def study_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated study with the three built-in codebooks, built once per test process.

    Creating a study runs every migration and loading the frameworks writes a few hundred rows;
    each test gets a byte-for-byte copy instead (see :func:`study`).
    """
    path = tmp_path_factory.mktemp("study-template") / "study"
    st = Study.init(path)
    try:
        with st.write() as session:
            user = resolve_user(session, "tester")
            for name in ("janis-groupthink", "network-ties", "houghton-2024"):
                add_codebook_spec(session, builtin_spec(name), user)
    finally:
        st.close()
    return path


@pytest.fixture
def study(study_template: Path, tmp_path: Path) -> Iterator[Study]:
    """A new study with the three built-in codebooks (a copy of the session's template)."""
    shutil.copytree(study_template, tmp_path / "study")
    st = Study.open(tmp_path / "study")
    yield st
    st.close()


@pytest.fixture
def corpus() -> Path:
    """The bundled demo corpus."""
    return corpus_path()


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when it is absent (e.g. on a user's machine)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a file under tmp_path/files and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    return write


def run_cli(
    *args: str | os.PathLike[str],
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``qualframe`` console script in a subprocess."""
    full_env = {**os.environ, "QUALFRAME_USER": "tester", **(env or {})}
    return subprocess.run(
        [str(QUALFRAME), *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The console-script runner (skips if the package is not installed as a script)."""
    if not QUALFRAME.exists() and shutil.which("qualframe") is None:
        pytest.skip("the qualframe console script is not installed")
    return run_cli


def snapshot(study_dir: Path) -> list[tuple[str, tuple[object, ...]]]:
    """Every row of every table of a study database, to prove an operation changed nothing."""
    con = sqlite3.connect(study_dir / "study.db")
    try:
        tables = [
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        rows: list[tuple[str, tuple[object, ...]]] = []
        for table in tables:
            if table.startswith("segment_search_"):
                continue  # FTS5 shadow tables
            rows.extend((table, tuple(r)) for r in con.execute(f'SELECT * FROM "{table}" ORDER BY 1'))
        return rows
    finally:
        con.close()


def files_in(study_dir: Path) -> set[str]:
    """Relative paths of the study's files, ignoring SQLite's WAL side files."""
    return {
        str(p.relative_to(study_dir))
        for p in study_dir.rglob("*")
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }
