"""The copies a study keeps of its participants' words, and what pseudonymisation does with them.

Rewriting the database is not enough: ``originals/`` holds every imported file byte for byte, and
``backups/`` (the automatic backup taken just before pseudonymising among them) holds the database
as it was. After ``pseudonymise --yes`` those copies would still name everyone. So, by default, they
are removed (overwritten with zeros first, then deleted). A researcher who must keep them (an ethics
protocol that requires the raw data, a re-identification procedure) passes ``--keep-originals``: they
are then sealed with AES-256-GCM under a key derived (Argon2id) from the pseudonym key file's
passphrase, the one secret that already unlocks re-identification, into ``kept-originals/``, and the
plain copies are removed. :func:`unseal_kept` brings them back.

Overwriting before deleting defeats casual recovery on a plain hard disk; on SSDs, copy-on-write and
journalling file systems no application can guarantee it (docs/security.md: use full-disk encryption).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qualframe.crypto import KdfParams, derive_master_key, open_sealed, seal, subkey
from qualframe.errors import InputError
from qualframe.store.files import PRIVATE_DIR, write_atomic
from qualframe.store.queries.sources import original_files
from qualframe.store.study import KEPT_DIR, Study

__all__ = ["KEPT_DIR", "Copies", "describe", "find_copies", "remove_copies", "seal_copies", "unseal_kept"]

_FORMAT = "qualframe-kept-originals/1"
_PURPOSE = "kept originals"


@dataclass(frozen=True)
class Copies:
    """Files that hold the study's text as it was: imported originals and database backups."""

    originals: tuple[Path, ...] = ()
    backups: tuple[Path, ...] = ()

    def __len__(self) -> int:
        return len(self.originals) + len(self.backups)

    def with_backup(self, backup: Path | None) -> Copies:
        """These copies and one more backup (the one taken just before pseudonymising)."""
        return Copies(self.originals, (*self.backups, backup)) if backup is not None else self


def find_copies(study: Study) -> Copies:
    """Every original file and every backup in the study folder."""

    def files(folder: Path, pattern: str = "*") -> tuple[Path, ...]:
        if not folder.is_dir():
            return ()
        return tuple(sorted(p for p in folder.glob(pattern) if p.is_file() and not p.is_symlink()))

    return Copies(files(study.path / "originals"), files(study.path / "backups"))


def _stored_originals(study: Study) -> dict[Path, tuple[str, str]]:
    """Each stored original's path, with its digest and the file name it was imported under."""
    found: dict[Path, tuple[str, str]] = {}
    with study.read() as session:
        for sha, filename in original_files(session):
            if sha and filename:
                name = filename.replace("\\", "/").rsplit("/", 1)[-1]
                found[study.originals.path_for(sha, Path(name).suffix)] = (sha, name)
    return found


def seal_copies(study: Study, copies: Copies, passphrase: str, *, key_id: str) -> Path:
    """Seal every copy under the key file's passphrase into a new folder of ``kept-originals/``.

    Originals are sealed as the files that were imported (decrypted first in an encrypted study);
    backups as they are (an encrypted study's backups still need the study's passphrase too).
    """
    params = KdfParams.new()
    key = subkey(derive_master_key(passphrase, params), _PURPOSE)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = study.path / KEPT_DIR / stamp
    folder.mkdir(mode=PRIVATE_DIR, parents=True)
    (study.path / KEPT_DIR).chmod(PRIVATE_DIR)
    stored_originals = _stored_originals(study)
    entries = []
    files = [*(("original", p) for p in copies.originals), *(("backup", p) for p in copies.backups)]
    for n, (kind, path) in enumerate(files, start=1):
        if path in stored_originals:
            sha, name = stored_originals[path]
            data = study.originals.get(sha, Path(name).suffix)
        else:  # a backup, or an original no source refers to any more
            name, data = path.name, path.read_bytes()
        header = json.dumps({"kind": kind, "name": name}).encode("utf-8")
        stored = f"{n:04d}.sealed"
        write_atomic(folder / stored, seal(key, header + b"\n" + data, f"{key_id}/{stored}".encode()))
        entries.append(stored)
    manifest = {"format": _FORMAT, "kdf": params.to_dict(), "key_id": key_id, "files": entries}
    write_atomic(folder / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
    return folder


def remove_copies(paths: Iterable[Path]) -> int:
    """Overwrite each file with zeros, flush, and delete it (with SQLite's -wal/-shm beside a backup)."""
    removed = 0
    for path in paths:
        for side in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if not side.is_file():
                continue
            size = side.stat().st_size
            with open(side, "r+b") as fh:
                for offset in range(0, size, 1 << 20):
                    fh.write(b"\0" * min(1 << 20, size - offset))
                fh.flush()
                os.fsync(fh.fileno())
            side.unlink()
            removed += side == path
    return removed


def unseal_kept(study: Study, passphrase: str, out: Path) -> list[Path]:
    """Write every kept copy back as a plain file into ``out`` (one folder per pseudonymisation run)."""
    root = study.path / KEPT_DIR
    runs = sorted(p for p in root.iterdir() if (p / "manifest.json").is_file()) if root.is_dir() else []
    if not runs:
        raise InputError(f"{study.path} keeps no sealed originals (pseudonymise with --keep-originals).")
    written: list[Path] = []
    for run in runs:
        manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != _FORMAT:
            raise InputError(f"{run / 'manifest.json'} is not a manifest of kept originals.")
        key = subkey(derive_master_key(passphrase, KdfParams.from_dict(manifest["kdf"])), _PURPOSE)
        target = out / run.name
        target.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        for stored in manifest["files"]:
            blob = (run / stored).read_bytes()
            payload = open_sealed(
                key, blob, f"{manifest['key_id']}/{stored}".encode(), what=f"the kept copy {stored}"
            )
            header, _, data = payload.partition(b"\n")
            info = json.loads(header)
            name = Path(str(info["name"])).name or stored
            dest = target / f"{info['kind']}s" / name
            write_atomic(dest, data)
            written.append(dest)
    return written


def describe(copies: Copies) -> str:
    """A short account for the dry run: "14 original files and 3 backups"."""
    parts = []
    if copies.originals:
        parts.append(f"{len(copies.originals)} original file{'s' * (len(copies.originals) != 1)}")
    if copies.backups:
        parts.append(f"{len(copies.backups)} backup{'s' * (len(copies.backups) != 1)}")
    return " and ".join(parts) or "no copies"
