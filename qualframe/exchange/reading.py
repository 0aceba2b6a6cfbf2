"""Reading a ``.qdpx`` from disk into checked plain data, before any study is touched.

Every source's text is fetched (from the archive's ``sources``/``Sources`` folder, or from a
relative or absolute path beside the project), decoded (plain text, or Word through
:mod:`qualframe.io.docx`), split into speaker turns, and its selections placed on the stored text
in the offset convention the file turns out to use. What cannot be read becomes a warning.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from qualframe.config import settings
from qualframe.errors import InputError, QualframeError
from qualframe.io.model import Turn
from qualframe.io.offsets import (
    STANDARD,
    OffsetConvention,
    Selection,
    TextPositions,
    detect_conventions,
    place,
)
from qualframe.io.refi_project import QdpxArchive, RefiNote, RefiProject, RefiSource, read_qdpx, split_path

__all__ = ["LoadedProject", "LoadedSource", "load_project"]

#: Files outside the archive that a project may name and qualframe will read (documents only).
_EXTERNAL_SUFFIXES = (".txt", ".text", ".md", ".docx")
_BAD_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f]")


@dataclass
class LoadedSource:
    """A source whose text was found and read, with its selections placed on the stored text."""

    refi: RefiSource
    format: str
    positions: TextPositions
    turns: list[Turn]
    member: str
    convention: OffsetConvention = STANDARD
    spans: list[tuple[int, int] | None] = field(default_factory=list)
    relocated: int = 0


@dataclass
class LoadedProject:
    """A project read and checked, ready to be written to a study."""

    path: Path
    data: bytes
    sha256: str
    project: RefiProject
    sources: list[LoadedSource]
    note_texts: dict[str, str]
    warnings: list[str]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _read_path(path: Path) -> bytes:
    if not path.is_file():
        raise InputError(f"{path} does not exist." if not path.exists() else f"{path} is not a file.")
    limit = settings().max_import_bytes
    if path.stat().st_size > limit:
        raise InputError(
            f"{path.name} is {path.stat().st_size / 1024**2:.0f} MB, over the {limit / 1024**2:.0f} MB "
            "import limit (QUALFRAME_MAX_IMPORT_MB raises it)."
        )
    return path.read_bytes()


def _external(path: Path, kind: str, where: str, base: str | None) -> tuple[str, bytes] | None:
    """A document a project names outside its archive (never any other kind of file on disk)."""
    rel = where.replace("\\", "/")
    candidates = [Path(rel)] if kind == "absolute" else []
    if kind == "relative":
        roots = [Path(base)] if base and Path(base).is_absolute() else []
        roots += [path.parent, path.parent / f"{path.stem} Media"]  # ATLAS.ti keeps media beside the file
        candidates = [root / rel.lstrip("/") for root in roots]
    for candidate in candidates:
        if (
            candidate.suffix.lower() in _EXTERNAL_SUFFIXES
            and candidate.is_file()
            and candidate.stat().st_size <= settings().max_import_bytes
        ):
            return str(candidate), candidate.read_bytes()
    return None


def _fetch(
    archive: QdpxArchive, path: Path, project: RefiProject, where: str | None
) -> tuple[str, bytes] | None:
    parsed = split_path(where)
    if parsed is None:
        return None
    kind, inner = parsed
    found = archive.find(inner) if kind != "absolute" else None
    found = found or _external(path, kind, inner, project.base_path)
    if found is None and kind == "absolute":  # an absolute path whose file was copied into the archive
        found = archive.find(inner.replace("\\", "/").rsplit("/", 1)[-1])
    return found


def _decode(member: str, data: bytes) -> tuple[str, str, list[Turn] | None]:
    """``(raw text, format, turns or None)`` of a source file: plain text or Word."""
    from qualframe.io.text import decode_text

    label = member.replace("\\", "/").rsplit("/", 1)[-1]
    if label.lower().endswith(".docx"):
        from qualframe.io.docx import read_docx

        doc = read_docx(data, label)
        return doc.text, "docx", doc.turns
    text, _ = decode_text(data, label)
    # Word's manual line break (VT) becomes a newline and other control bytes spaces: positions hold.
    return _BAD_CONTROLS.sub(" ", text.replace("\x0b", "\n")), "txt", None


def _load_source(
    archive: QdpxArchive, path: Path, project: RefiProject, src: RefiSource, warnings: list[str]
) -> LoadedSource | None:
    from qualframe.io.speakers import parse_turns

    label = src.name or src.guid or "a source"
    codings = sum(len(s.codings) for s in src.selections) + len(src.codings)
    lost = f" ({_count(codings, 'coding')} lost)" if codings else ""
    turns: list[Turn] | None = None
    if src.content is not None:
        raw, fmt, member = src.content, "txt", "PlainTextContent"
    else:
        found = _fetch(archive, path, project, src.plain_path)  # plain text, whatever its extension
        if found is None:
            found = _fetch(archive, path, project, src.rich_path)  # else the Word original
            found = found if found is not None and found[0].lower().endswith(".docx") else None
        if found is None:
            named = src.plain_path or src.rich_path or "no file named"
            warnings.append(
                f"{label}: its text ({named}) is neither in {path.name} nor beside it; skipped{lost}."
            )
            return None
        member = found[0]
        try:
            raw, fmt, turns = _decode(*found)
        except QualframeError as exc:
            warnings.append(f"{label}: {exc.message} Skipped{lost}.")
            return None
    positions = TextPositions(raw)
    if not positions.text.strip():
        warnings.append(f"{label}: the text is empty; skipped{lost}.")
        return None
    return LoadedSource(
        src, "pdf" if src.kind == "pdf" else fmt, positions, turns or parse_turns(positions.text), member
    )


def _note_text(archive: QdpxArchive, path: Path, project: RefiProject, note: RefiNote) -> str | None:
    from qualframe.io.text import normalise

    text = note.content
    if not (text and text.strip()) and note.plain_path:
        found = _fetch(archive, path, project, note.plain_path)
        if found is not None:
            try:
                text = _decode(*found)[0]
            except QualframeError:
                text = None
    return normalise(text or note.description or "").strip() or None


def load_project(path: Path) -> LoadedProject:
    """Read and check the project at ``path`` without touching any study."""
    data = _read_path(path)
    archive = read_qdpx(data, path.name)
    project = archive.project
    warnings: list[str] = []
    if project.unsupported:
        shown = ", ".join(project.unsupported[:3]) + (", ..." if len(project.unsupported) > 3 else "")
        warnings.append(
            f"{path.name}: skipped {_count(len(project.unsupported), 'source')} that qualframe cannot code "
            f"(pictures, audio, video, PDFs without text: {shown})."
        )
    sources = [s for src in project.sources if (s := _load_source(archive, path, project, src, warnings))]
    selections = [
        [Selection(x.start, x.end, tuple(q for q in (x.name, x.description) if q)) for x in s.refi.selections]
        for s in sources
    ]
    conventions = detect_conventions([(s.positions, sel) for s, sel in zip(sources, selections, strict=True)])
    for source, sels, convention in zip(sources, selections, conventions, strict=True):
        source.convention = convention
        for sel in sels:
            span, moved = place(source.positions, sel, convention)
            source.spans.append(span)
            source.relocated += moved
        label = source.refi.name or source.member
        convert = source.positions.convert
        if any(convert(s.start, s.end, convention) != convert(s.start, s.end, STANDARD) for s in sels):
            warnings.append(
                f"{label}: positions count {convention.describe()}; converted to qualframe's offsets."
            )
        if source.relocated:
            warnings.append(
                f"{label}: moved {_count(source.relocated, 'selection')} onto the words they quote "
                "(the positions in the file pointed elsewhere)."
            )
    notes = {n.guid: t for n in project.notes if n.guid and (t := _note_text(archive, path, project, n))}
    return LoadedProject(path, data, hashlib.sha256(data).hexdigest(), project, sources, notes, warnings)
