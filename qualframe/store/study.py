"""A study on disk: one folder, one SQLite database, and a copy of every original file.

Layout of a study folder::

    STUDY/
      study.json        what this folder is (format, creation time, whether it is encrypted)
      study.db          the SQLite database (WAL mode: study.db-wal / study.db-shm may sit beside it)
      originals/        every imported file, byte for byte, named by its SHA-256
      backups/          automatic copies taken before migrations and bulk operations
      kept-originals/   originals and backups sealed by ``pseudonymise --keep-originals``
      .writing          only while a long write runs: what it is, for a writer kept waiting

The folder and everything qualframe keeps in it are its owner's alone (0700 folders, 0600 files).

:class:`Study` is the handle every service takes. It knows how to open read and write transactions,
and where originals live; it holds no domain logic.

An **encrypted** study (``Study.init(path, passphrase=...)``) keeps the same layout, but the database
(with its WAL) and every backup are SQLCipher databases, and each original is sealed with AES-256-GCM
under a file name that does not reveal its SHA-256. One passphrase opens everything: Argon2id turns
it into a master key, and HKDF derives separate keys for the database, the originals and their names
(see :mod:`qualframe.crypto`). ``study.json`` holds only the salt, the cost parameters and a check
value that tells a wrong passphrase apart; never a key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from qualframe import __version__
from qualframe.config import settings
from qualframe.crypto import KdfParams, derive_master_key, key_check_value, open_sealed, seal, subkey
from qualframe.errors import BusyError, EncryptionError, InputError, NotAStudyError, StudyError
from qualframe.store import db
from qualframe.store.audit import record
from qualframe.store.files import PRIVATE_DIR, create_private, make_private, write_atomic
from qualframe.store.models import StudyInfo, StudyState
from qualframe.store.users import resolve_user

__all__ = [
    "AUTOMATIC_BACKUPS_KEPT",
    "BULK_THRESHOLD",
    "BUSY_NAME",
    "DB_NAME",
    "KEPT_DIR",
    "MARKER_NAME",
    "OriginalStore",
    "Study",
    "StudyKeys",
]

DB_NAME = "study.db"
MARKER_NAME = "study.json"
#: Where pseudonymisation seals the originals and backups a researcher keeps on purpose.
KEPT_DIR = "kept-originals"
#: Written while a long write (an import, ...) holds the study, so another writer can say what waits.
BUSY_NAME = ".writing"
MARKER_FORMAT = "qualframe-study/1"
#: An operation on at least this many files or rows takes a backup first (:meth:`Study.backup_before`).
BULK_THRESHOLD = 10
#: Automatic backups (``*-before-*.db``) beyond this many are pruned, oldest first; manual ones never.
AUTOMATIC_BACKUPS_KEPT = 10


@dataclass(frozen=True)
class StudyKeys:
    """The keys of an encrypted study, all derived from its passphrase; held in memory only."""

    database: bytes
    originals: bytes
    names: bytes

    @classmethod
    def from_master(cls, master: bytes) -> StudyKeys:
        """Independent keys for the database, the sealed originals and their file names."""
        return cls(subkey(master, "database"), subkey(master, "originals"), subkey(master, "original names"))


class OriginalStore:
    """Content-addressed copies of imported files: ``originals/<sha256><ext>``.

    Files are written to a temporary name, flushed to disk and renamed, so a crash never leaves a
    half-written original under its final name. In an encrypted study each file is sealed
    (AES-256-GCM, bound to its digest) and named by a keyed hash of its digest, so neither its
    content, its type nor its fingerprint can be read without the passphrase.
    """

    def __init__(self, root: Path, keys: StudyKeys | None = None) -> None:
        self.root = root
        self._keys = keys

    def path_for(self, sha256: str, suffix: str) -> Path:
        """Where the original with this digest and extension lives."""
        if self._keys is not None:
            hidden = hmac.new(self._keys.names, sha256.encode("ascii"), hashlib.sha256).hexdigest()
            return self.root / f"{hidden}.sealed"
        return self.root / f"{sha256}{suffix.lower()}"

    def put(self, data: bytes, suffix: str) -> tuple[str, Path, bool]:
        """Store ``data``; return ``(sha256, path, created)`` (``created`` is False if it existed)."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha, suffix)
        if target.exists():
            return sha, target, False
        if self._keys is not None:
            data = seal(self._keys.originals, data, sha.encode("ascii"))
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data)
        return sha, target, True

    def get(self, sha256: str, suffix: str) -> bytes:
        """The original's bytes (checked against its digest)."""
        data = self.path_for(sha256, suffix).read_bytes()
        if self._keys is not None:
            data = open_sealed(
                self._keys.originals, data, sha256.encode("ascii"), what=f"the stored original {sha256[:12]}…"
            )
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StudyError(
                f"the stored original {sha256[:12]}… is damaged (its SHA-256 no longer matches)."
            )
        return data


_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(database: Path) -> threading.RLock:
    """The process-wide lock of one database file (re-entrant: a nested write fails in SQLite, not here)."""
    key = str(database.resolve())
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.RLock())


def _read_marker(root: Path) -> dict[str, Any]:
    path = root / MARKER_NAME
    if not path.is_file():
        return {}  # studies are opened by their database; the marker only adds encryption facts
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise StudyError(
            f"{path} is damaged (not valid JSON); restore it from a copy of the study."
        ) from None
    if not isinstance(marker, dict):
        raise StudyError(f"{path} is damaged; restore it from a copy of the study.")
    return marker


def _key_file_secret(path: Path, *, create: bool) -> str:
    """The secret held in a key file; a new random one is written when ``create`` and it is missing."""
    if not path.exists():
        if not create:
            raise EncryptionError(f"the key file {path} does not exist; plug in the drive that holds it.")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise EncryptionError(f"the key file {path} cannot be read.") from None
    if len(secret) < 16:
        raise EncryptionError(f"the key file {path} holds too short a key (at least 16 characters).")
    return secret


def _unlock(root: Path, marker: dict[str, Any], passphrase: str | None) -> StudyKeys:
    """Derive the study's keys, or say in one sentence why they cannot be derived."""
    info = marker.get("encryption")
    if not isinstance(info, dict) or "kdf" not in info or "key_check" not in info:
        raise StudyError(f"{root / MARKER_NAME} says the study is encrypted but lacks its key settings.")
    if passphrase is None and marker.get("key_file"):
        passphrase = _key_file_secret(Path(marker["key_file"]), create=False)
    passphrase = passphrase or settings().passphrase
    if not passphrase:
        raise EncryptionError(
            f"{root} is encrypted; give its passphrase (set QUALFRAME_PASSPHRASE or answer the prompt)."
        )
    master = derive_master_key(passphrase, KdfParams.from_dict(info["kdf"]))
    if not hmac.compare_digest(key_check_value(master), str(info["key_check"])):
        raise EncryptionError(f"wrong passphrase for the encrypted study {root}; nothing was opened.")
    return StudyKeys.from_master(master)


class Study:
    """An open study. Create one with :meth:`init`, open an existing one with :meth:`open`."""

    def __init__(self, path: Path, engine: Engine, keys: StudyKeys | None = None) -> None:
        self.path = path
        self.engine = engine
        self._keys = keys
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = sessionmaker(
            bind=engine.execution_options(qualframe_write=True), expire_on_commit=False
        )
        self.originals = OriginalStore(path / "originals", keys)

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def init(
        cls,
        path: str | os.PathLike[str],
        *,
        title: str | None = None,
        passphrase: str | None = None,
        key_file: str | os.PathLike[str] | None = None,
        pack: str | None = None,
    ) -> Study:
        """Create a new, empty study in ``path`` (which must not already hold one).

        ``pack`` names the study pack the study records (:mod:`qualframe.pack`; the caller checks it
        exists); without one the study reads the default pack. With ``passphrase``, or ``key_file`` (a file holding a long random secret, created when
        missing and remembered by path so the study opens while the file is reachable), the study
        is encrypted at rest.
        """
        root = Path(path)
        if (root / DB_NAME).exists() or (root / MARKER_NAME).exists():
            raise StudyError(f"{root} already holds a qualframe study.")
        if root.exists() and not root.is_dir():
            raise StudyError(f"{root} exists and is not a folder.")
        if passphrase is not None and key_file is not None:
            raise InputError("give either a passphrase or a key file, not both.")
        marker: dict[str, Any] = {"format": MARKER_FORMAT, "encrypted": False}
        keys: StudyKeys | None = None
        if key_file is not None:
            key_path = Path(key_file).resolve()
            if key_path.is_relative_to(root.resolve()):
                raise InputError(
                    "keep the key file outside the study folder: a folder that holds its own key is not protected."
                )
            passphrase = _key_file_secret(key_path, create=True)
            marker["key_file"] = str(key_path)
        if passphrase is not None:
            params = KdfParams.new()
            master = derive_master_key(passphrase, params)
            keys = StudyKeys.from_master(master)
            marker["encrypted"] = True
            marker["encryption"] = {
                "database": "SQLCipher 4 (AES-256 pages with HMAC-SHA512), raw key from HKDF",
                "originals": "AES-256-GCM, names keyed with HMAC-SHA256",
                "kdf": params.to_dict(),
                "key_check": key_check_value(master),
            }
        root.mkdir(parents=True, exist_ok=True)
        # The folder and everything in it are its owner's alone (even ciphertext: sizes and times
        # are nobody's business); the database is created 0600 so SQLite's WAL and SHM are too.
        (root / "originals").mkdir(mode=PRIVATE_DIR, exist_ok=True)
        make_private(root, ("originals",))
        create_private(root / DB_NAME)
        engine = db.make_engine(root / DB_NAME, key=keys.database if keys else None)
        db.upgrade(engine)
        study = cls(root, engine, keys)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with study.write() as s:
            s.add_all(
                [
                    StudyInfo(key="title", value=title or root.resolve().name),
                    StudyInfo(key="created_at", value=now),
                    # A study's identity, so a backup of another study is never restored over it.
                    StudyInfo(key="study_id", value=str(uuid.uuid4())),
                    StudyInfo(key="created_with", value=f"qualframe {__version__}"),
                    *([StudyInfo(key="pack", value=pack)] if pack else []),
                ]
            )
        marker = {"format": MARKER_FORMAT, "created_at": now, **marker}
        write_atomic(root / MARKER_NAME, (json.dumps(marker, indent=2) + "\n").encode("utf-8"))
        return study

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, passphrase: str | None = None) -> Study:
        """Open an existing study, upgrading its schema (after a backup) when it is older.

        An encrypted study takes ``passphrase``, else its key file, else ``QUALFRAME_PASSPHRASE``.
        """
        root = Path(path)
        if not (root / DB_NAME).is_file():
            raise NotAStudyError(
                f"{root} is not a qualframe study (no {DB_NAME} inside); create one with 'qualframe init {root}'."
            )
        marker = _read_marker(root)
        keys = _unlock(root, marker, passphrase) if marker.get("encrypted") else None
        engine = db.make_engine(root / DB_NAME, key=keys.database if keys else None)
        try:
            current = db.current_revision(engine)
        except Exception as exc:  # a damaged or foreign file
            hint = " (it may be encrypted: its study.json is missing)" if "not a database" in str(exc) else ""
            raise NotAStudyError(
                f"{root / DB_NAME} cannot be read as a study database{hint} ({exc})."
            ) from None
        head = db.SCHEMA_HEAD
        study = cls(root, engine, keys)
        if current != head:
            known = _known_revisions()
            if current is not None and current not in known:
                raise StudyError(
                    f"{root} was written by a newer version of qualframe (schema {current}); upgrade qualframe."
                )
            study.backup(reason=f"before-migration-{current or 'empty'}")
            db.upgrade(engine)
        return study

    @staticmethod
    def is_encrypted(path: str | os.PathLike[str]) -> bool:
        """Whether the study in ``path`` is encrypted (read from its ``study.json``)."""
        return bool(_read_marker(Path(path)).get("encrypted"))

    @staticmethod
    def has_key_file(path: str | os.PathLike[str]) -> bool:
        """Whether the encrypted study in ``path`` names a key file that is reachable now."""
        return Study.key_file(path) is not None

    @staticmethod
    def key_file(path: str | os.PathLike[str]) -> Path | None:
        """The key file the encrypted study in ``path`` opens with, if it names one that exists."""
        key_file = _read_marker(Path(path)).get("key_file")
        return Path(key_file) if isinstance(key_file, str) and Path(key_file).is_file() else None

    @property
    def encrypted(self) -> bool:
        """Whether this study is encrypted at rest."""
        return self._keys is not None

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
    def write(self, activity: str | None = None) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any error.

        Threads of one process (the workbench serving ten coders) queue on a lock for the
        database before ``BEGIN IMMEDIATE``, so each starts the moment the previous one commits.
        Without it they would contend inside SQLite, whose busy handler retries after sleeps of
        growing length (up to 100 ms each) and lets late arrivals overtake: seconds of waiting at
        the 95th percentile. Across processes, only one writes to a study at a time; another one waits up to the busy timeout
        (``QUALFRAME_BUSY_TIMEOUT``) and then gets a :class:`~qualframe.errors.BusyError`, never a
        database error. A long writer names its ``activity`` ("an import") so that the one kept
        waiting can say what is running.
        """
        marker = self.path / BUSY_NAME
        wrote_marker = False
        try:
            with _write_lock(self.path / DB_NAME), self._writer() as session, session.begin():
                if activity:
                    marker.write_text(
                        json.dumps({"pid": os.getpid(), "activity": activity}), encoding="utf-8"
                    )
                    wrote_marker = True
                yield session
        except OperationalError as exc:
            if _locked(exc):
                raise BusyError(f"the study is busy ({self._busy_with()}); try again.") from None
            raise
        finally:
            if wrote_marker:
                marker.unlink(missing_ok=True)

    def _busy_with(self) -> str:
        """What the process holding the study is doing, as far as its marker says."""
        try:
            marker = json.loads((self.path / BUSY_NAME).read_text(encoding="utf-8"))
            pid, activity = int(marker["pid"]), str(marker["activity"])
            if os.name == "posix":
                os.kill(pid, 0)  # a marker left behind by a killed process says nothing
        except (OSError, ValueError, KeyError, TypeError):
            return "another command or the workbench is writing to it"
        return f"{activity} is running"

    # -- info and backups ----------------------------------------------------------------------
    def info(self) -> dict[str, str]:
        """The study's key facts (title, created_at, created_with, ...)."""
        with self.read() as s:
            return {row.key: row.value for row in s.query(StudyInfo)}

    @property
    def title(self) -> str:
        """The study's title (defaults to its folder name)."""
        return self.info().get("title", self.path.name)

    @property
    def synthetic(self) -> bool:
        """Whether the study holds synthetic data (the demo): every report page says so."""
        return self.info().get("synthetic") == "true"

    def mark_synthetic(self) -> None:
        """Record that this study's transcripts, coders and codings are synthetic (used by the demo)."""
        with self.write() as session:
            session.merge(StudyInfo(key="synthetic", value="true"))

    def _connect_raw(self, path: Path) -> Any:
        """A DB-API connection to another database file with this study's key (if any)."""
        if self._keys is not None:
            return db.connect_encrypted(path, self._keys.database)
        return sqlite3.connect(str(path))

    def backup(self, reason: str = "manual", target: Path | None = None) -> Path:
        """Copy the database consistently (SQLite's online backup) into ``backups/`` or ``target``.

        The copy is written under a temporary name and renamed when complete, so a crash never
        leaves a half-written backup; in an encrypted study it is encrypted with the same key.
        """
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        dest = Path(target) if target is not None else (self.path / "backups" / f"{stamp}-{reason}.db")
        if dest.exists():
            raise StudyError(f"{dest} already exists; choose another name for the backup.")
        dest.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.partial")
        partial.unlink(missing_ok=True)
        create_private(partial)  # a backup holds everything the study does: owner-only (0600)
        src = self.engine.raw_connection()
        try:
            out = self._connect_raw(partial)
            try:
                src.driver_connection.backup(out)  # type: ignore[union-attr]
                out.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            finally:
                out.close()
            with open(partial, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(partial, dest)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            src.close()
        if target is None and "-before-" in dest.name:
            self._prune_automatic_backups()
        return dest

    def _prune_automatic_backups(self) -> None:
        automatic = sorted((self.path / "backups").glob("*-before-*.db"))
        for old in automatic[:-AUTOMATIC_BACKUPS_KEPT]:
            for side in (old, old.with_name(old.name + "-wal"), old.with_name(old.name + "-shm")):
                side.unlink(missing_ok=True)

    def backups(self) -> list[Path]:
        """The backups in ``backups/``, oldest first."""
        return sorted((self.path / "backups").glob("*.db"))

    @contextmanager
    def backup_before(self, operation: str, items: int | None = None) -> Iterator[Path | None]:
        """Take an automatic backup before a bulk operation on ``items`` files or rows.

        Nothing is copied for fewer than :data:`BULK_THRESHOLD` items (``None``: always copy). If the
        operation then fails, the backup is removed again: the study is unchanged, and so is its folder.
        """
        wanted = items is None or items >= BULK_THRESHOLD
        path = self.backup(reason=f"before-{operation}") if wanted else None
        try:
            yield path
        except BaseException:
            if path is not None:
                path.unlink(missing_ok=True)
            raise

    def restore(self, backup: str | os.PathLike[str], *, user: str | None = None) -> Path:
        """Replace the study's database with ``backup``; returns the backup taken of the current state.

        The backup must be a readable, intact copy of *this* study (same creation time, same key).
        Its content is written into the live database with SQLite's backup API, which is safe
        under WAL; the restore itself is then appended to the (restored) audit trail.
        """
        source = Path(backup)
        if not source.is_file():
            raise InputError(f"{source} does not exist or is not a file.")
        info = self.info()
        key = "study_id" if "study_id" in info else "created_at"  # studies made before study_id existed
        here = info.get(key)
        try:
            con = self._connect_raw(source)
        except Exception:
            raise StudyError(f"{source.name} cannot be opened as a backup.") from None
        try:
            try:
                ok = con.execute("PRAGMA integrity_check").fetchone()[0]
                revision = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
                created = con.execute("SELECT value FROM study_info WHERE key = ?", (key,)).fetchone()
            except Exception:
                raise StudyError(
                    f"{source.name} cannot be read as a backup of this study (damaged, not a qualframe "
                    "database, or encrypted with another key); nothing was changed."
                ) from None
            if ok != "ok":
                raise StudyError(f"{source.name} is damaged ({ok}); nothing was changed.")
            if revision not in _known_revisions():
                raise StudyError(f"{source.name} was written by a newer qualframe; nothing was changed.")
            if created is None or created[0] != here:
                raise StudyError(
                    f"{source.name} is a backup of another study ({key} {created[0] if created else '?'}, "
                    f"this one {here}); nothing was changed."
                )
            safety = self.backup(reason="before-restore")
            live = self.engine.raw_connection()
            try:
                con.backup(live.driver_connection)
            finally:
                live.close()
        finally:
            con.close()
        if revision != db.SCHEMA_HEAD:
            db.upgrade(self.engine)

        with self.write() as s:
            # The restored database carries the counters it had when backed up: a new generation
            # tells every cached result (qualframe.store.state) that this is another history.
            s.execute(
                update(StudyState).where(StudyState.name == "generation").values(version=secrets.randbits(62))
            )
            actor = resolve_user(s, user or settings().user)
            record(
                s,
                actor,
                "study.restore",
                f"restored the study from {source.name}; the state before was saved as {safety.name}",
                details={"backup": source.name, "saved_before_restore": safety.name},
            )
        return safety

    def make_private(self) -> None:
        """Owner-only permissions on the study folder and everything qualframe keeps in it."""
        names = (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", MARKER_NAME, "originals", "backups", KEPT_DIR)
        make_private(self.path, names)

    def folder_size(self) -> int:
        """Bytes used by the study folder (database, originals, backups)."""
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())


def _locked(exc: OperationalError) -> bool:
    message = str(exc.orig if exc.orig is not None else exc).lower()
    return "database is locked" in message or "database is busy" in message


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db._alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def copy_study(src: Path, dest: Path) -> None:
    """Copy a closed study folder (used by tests and by ``qualframe demo`` to reuse a build)."""
    shutil.copytree(src, dest)
