"""A study on disk: one folder, one SQLite database, and a copy of every original file.

Layout of a study folder::

    STUDY/
      study.json        what this folder is (format, creation time, whether it is encrypted)
      study.db          the SQLite database (WAL mode: study.db-wal / study.db-shm may sit beside it)
      originals/        every imported file, byte for byte, named by its SHA-256
      backups/          automatic copies taken before migrations and bulk operations

:class:`Study` is the handle every service takes. It knows how to open read and write transactions,
and where originals live; it holds no domain logic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from qualframe import __version__
from qualframe.errors import NotAStudyError, StudyError
from qualframe.store import db
from qualframe.store.models import StudyInfo

__all__ = ["DB_NAME", "MARKER_NAME", "OriginalStore", "Study"]

DB_NAME = "study.db"
MARKER_NAME = "study.json"
MARKER_FORMAT = "qualframe-study/1"


class OriginalStore:
    """Content-addressed copies of imported files: ``originals/<sha256><ext>``.

    Files are written to a temporary name, flushed to disk and renamed, so a crash never leaves a
    half-written original under its final name.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str, suffix: str) -> Path:
        """Where the original with this digest and extension lives."""
        return self.root / f"{sha256}{suffix.lower()}"

    def put(self, data: bytes, suffix: str) -> tuple[str, Path, bool]:
        """Store ``data``; return ``(sha256, path, created)`` (``created`` is False if it existed)."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha, suffix)
        if target.exists():
            return sha, target, False
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha, target, True

    def get(self, sha256: str, suffix: str) -> bytes:
        """The original's bytes (checked against its digest)."""
        data = self.path_for(sha256, suffix).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StudyError(
                f"the stored original {sha256[:12]}… is damaged (its SHA-256 no longer matches)."
            )
        return data


class Study:
    """An open study. Create one with :meth:`init`, open an existing one with :meth:`open`."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = sessionmaker(
            bind=engine.execution_options(qualframe_write=True), expire_on_commit=False
        )
        self.originals = OriginalStore(path / "originals")

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def init(cls, path: str | os.PathLike[str], *, title: str | None = None) -> Study:
        """Create a new, empty study in ``path`` (which must not already hold one)."""
        root = Path(path)
        if (root / DB_NAME).exists() or (root / MARKER_NAME).exists():
            raise StudyError(f"{root} already holds a qualframe study.")
        if root.exists() and not root.is_dir():
            raise StudyError(f"{root} exists and is not a folder.")
        root.mkdir(parents=True, exist_ok=True)
        (root / "originals").mkdir(exist_ok=True)
        engine = db.make_engine(root / DB_NAME)
        db.upgrade(engine)
        study = cls(root, engine)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with study.write() as s:
            s.add_all(
                [
                    StudyInfo(key="title", value=title or root.resolve().name),
                    StudyInfo(key="created_at", value=now),
                    StudyInfo(key="created_with", value=f"qualframe {__version__}"),
                ]
            )
        marker = {"format": MARKER_FORMAT, "created_at": now, "encrypted": False}
        (root / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        return study

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Study:
        """Open an existing study, upgrading its schema (after a backup) when it is older."""
        root = Path(path)
        if not (root / DB_NAME).is_file():
            raise NotAStudyError(
                f"{root} is not a qualframe study (no {DB_NAME} inside); create one with 'qualframe init {root}'."
            )
        engine = db.make_engine(root / DB_NAME)
        try:
            current = db.current_revision(engine)
        except Exception as exc:  # a damaged or foreign file
            raise NotAStudyError(f"{root / DB_NAME} cannot be read as a study database ({exc}).") from None
        head = db.SCHEMA_HEAD
        study = cls(root, engine)
        if current != head:
            known = _known_revisions()
            if current is not None and current not in known:
                raise StudyError(
                    f"{root} was written by a newer version of qualframe (schema {current}); upgrade qualframe."
                )
            study.backup(reason=f"before-migration-{current or 'empty'}")
            db.upgrade(engine)
        return study

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (a deferred transaction that never blocks writers under WAL)."""
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        with self._writer() as session, session.begin():
            yield session

    # -- info and backups ----------------------------------------------------------------------
    def info(self) -> dict[str, str]:
        """The study's key facts (title, created_at, created_with, ...)."""
        with self.read() as s:
            return {row.key: row.value for row in s.query(StudyInfo)}

    @property
    def title(self) -> str:
        """The study's title (defaults to its folder name)."""
        return self.info().get("title", self.path.name)

    def backup(self, reason: str = "manual", target: Path | None = None) -> Path:
        """Copy the database consistently (SQLite's online backup) into ``backups/`` or ``target``."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        dest = target or (self.path / "backups" / f"{stamp}-{reason}.db")
        dest.parent.mkdir(parents=True, exist_ok=True)
        src = self.engine.raw_connection()
        try:
            out = sqlite3.connect(str(dest))
            try:
                src.driver_connection.backup(out)  # type: ignore[union-attr]
            finally:
                out.close()
        finally:
            src.close()
        return dest

    def folder_size(self) -> int:
        """Bytes used by the study folder (database, originals, backups)."""
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db._alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def copy_study(src: Path, dest: Path) -> None:
    """Copy a closed study folder (used by tests and by ``qualframe demo`` to reuse a build)."""
    shutil.copytree(src, dest)
