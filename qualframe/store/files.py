"""Writing files so that a crash never leaves half of one under its final name, and privately.

Everything a study holds is participants' words, so what qualframe writes is its owner's alone:
folders 0700, files 0600 (:func:`make_private` tightens a study folder that was made looser), and
:func:`exposed` tells a caller that a file (a key file above all) can be read by other users.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["PRIVATE_DIR", "PRIVATE_FILE", "create_private", "exposed", "make_private", "write_atomic"]

#: Modes of what a study holds: the owner reads and writes, nobody else even lists.
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (SQLite then keeps that mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def make_private(root: Path, names: tuple[str, ...]) -> None:
    """Give ``root`` and the entries ``names`` in it (recursively) owner-only permissions.

    Folders become 0700 and files 0600. Only what qualframe made is touched (the caller names it),
    never other files someone keeps beside it. Files SQLite creates beside a database (``-wal``,
    ``-shm``) take the database's mode, so a private database keeps its journal private too. Links
    are not followed.
    """
    if not root.is_dir():
        return
    root.chmod(PRIVATE_DIR)
    for name in names:
        top = root / name
        for path in (top, *(top.rglob("*") if top.is_dir() and not top.is_symlink() else ())):
            if path.exists() and not path.is_symlink():
                path.chmod(PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)


def exposed(path: Path) -> bool:
    """Whether other users may read ``path`` (its group or others have any permission on it)."""
    try:
        return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` through a temporary file, an fsync and a rename.

    Readers see the old file or the new one, never a partial one; the temporary file is removed
    if anything fails (including KeyboardInterrupt). The file is readable by its owner only
    (``mode``): what qualframe writes holds participants' words.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
