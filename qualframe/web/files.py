"""Which files of the study folder the browser may download, and nothing outside it.

A download names a path relative to the study folder. It is refused unless, after resolving
``..`` and symbolic links, it is a regular file inside the folder that is not the database (or
its WAL side files, or a backup of it) and not hidden. So ``../../etc/passwd``, an absolute path,
``%2e%2e`` tricks and a symlink pointing elsewhere all fail the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from qualframe.errors import NotFoundError
from qualframe.store.study import DB_NAME

__all__ = ["StudyFile", "list_study_files", "resolve_study_file"]

_PRIVATE_DIRS = {"backups"}


@dataclass(frozen=True)
class StudyFile:
    """A downloadable file: its path relative to the study folder and its size."""

    path: str
    size: int


def _allowed(root: Path, candidate: Path) -> bool:
    try:
        relative = candidate.relative_to(root)
    except ValueError:
        return False
    parts = relative.parts
    if not parts or any(p.startswith(".") for p in parts) or parts[0] in _PRIVATE_DIRS:
        return False
    return not parts[-1].startswith(DB_NAME)


def resolve_study_file(study_root: Path, requested: str) -> Path:
    """The real path of a downloadable file, or :class:`NotFoundError` (the same for every refusal)."""
    refused = NotFoundError(f"there is no file {requested!r} to download in this study.")
    pure = PurePosixPath(requested.replace("\\", "/"))
    if not requested or pure.is_absolute() or ".." in pure.parts or "\x00" in requested:
        raise refused
    root = study_root.resolve()
    candidate = (root / pure).resolve()
    if not _allowed(root, candidate) or not candidate.is_file():
        raise refused
    return candidate


def list_study_files(study_root: Path) -> list[StudyFile]:
    """Downloadable files at the top of the study folder (reports and exports written there)."""
    root = study_root.resolve()
    out = []
    for path in sorted(root.iterdir()):
        if path.is_file() and not path.is_symlink() and _allowed(root, path.resolve()):
            out.append(StudyFile(path.name, path.stat().st_size))
    return out
