"""Reading a ``.qdpx`` from disk into checked plain data, before any study is touched.

Every source's text is fetched from the archive (its ``sources``/``Sources`` folder), or from a
folder the user named, never from anywhere else on disk (:class:`ProjectFiles`), decoded (plain text, or Word through
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
from qualframe.io.docx import read_docx
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
from qualframe.io.speakers import parse_turns
from qualframe.io.text import decode_text, normalise

__all__ = ["LoadedProject", "LoadedSource", "ProjectFiles", "load_project"]

#: Files outside the archive that qualframe reads from a named sources folder (documents only).
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


def _base_name(where: str) -> str:
    return where.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


class ProjectFiles:
    """Where a project's texts may come from: its own archive, and only a folder the user named.

    A project names each source's file as ``internal://`` (inside the archive), ``relative://``
    (against the sender's ``basePath``), ``absolute://`` or ``file://``. Other tools' exports
    sometimes use the last three for files they also packed, so a path is first looked up among the
    archive's members. What is not there lies on *this* machine, and a project file must never be
    able to read the researcher's disk: such a file is read only from ``folder``, and only when,
    after resolving ``..`` and symbolic links, it is still inside that folder.
    """

    def __init__(self, archive: QdpxArchive, project_path: Path, folder: Path | None) -> None:
        self.archive, self.project_path = archive, project_path
        self.base = (archive.project.base_path or "").replace("\\", "/").rstrip("/")
        self.folder: Path | None = None
        if folder is not None:
            if not folder.is_dir():
                raise InputError(f"the sources folder {folder} is not a folder.")
            self.folder = folder.resolve()

    def member(self, where: str | None) -> tuple[str, bytes] | None:
        """The archive member a path names (by its path, or by its file name), or None."""
        parsed = split_path(where)
        if parsed is None:
            return None
        kind, inner = parsed
        return self.archive.find(inner if kind != "absolute" else _base_name(inner))

    def outside(self, where: str | None) -> bool:
        """Whether a path names a file that is not in the archive (so would be read from disk)."""
        parsed = split_path(where)
        return parsed is not None and parsed[0] != "internal" and self.member(where) is None

    def _candidates(self, kind: str, inner: str) -> list[str]:
        rel = inner.replace("\\", "/")
        if kind == "relative":
            return [rel.lstrip("/")]
        out = []
        if self.base and rel.lower().startswith(self.base.lower() + "/"):
            out.append(rel[len(self.base) + 1 :])  # the sender's folder becomes the named one
        return [*out, rel, _base_name(rel)]

    def external(self, where: str, label: str) -> tuple[str, bytes] | None:
        """A document for ``where`` from the named folder (None when it is not there)."""
        parsed = split_path(where)
        if self.folder is None or parsed is None:
            return None
        for relative in self._candidates(*parsed):
            joined = Path(relative) if Path(relative).is_absolute() else self.folder / relative
            candidate = joined.resolve()
            if not candidate.is_relative_to(self.folder):
                if Path(relative).is_absolute():
                    continue  # the sender's absolute path: try its file name in the folder instead
                raise InputError(
                    f"{self.project_path.name}: {label} names {where!r}, which leads out of the sources "
                    f"folder {self.folder}; nothing was imported."
                )
            if candidate.is_file():
                if candidate.suffix.lower() not in _EXTERNAL_SUFFIXES:
                    return None  # documents only, never any other kind of file
                if candidate.stat().st_size > settings().max_import_bytes:
                    return None
                return str(candidate), candidate.read_bytes()
        return None

    def fetch(self, where: str | None, label: str) -> tuple[str, bytes] | None:
        """The file a source or note names: an archive member, else a document in the named folder."""
        found = self.member(where)
        if found is None and where and self.outside(where):
            found = self.external(where, label)
        return found

    def refuse_outside(self, project: RefiProject) -> None:
        """Refuse, in one line, a project that names files outside itself when no folder was named."""
        if self.folder is not None:
            return
        named: list[tuple[str, str]] = []
        for src in project.sources:
            if src.content is not None or self.member(src.plain_path) is not None:
                continue
            rich = self.member(src.rich_path)
            if rich is not None and rich[0].lower().endswith(".docx"):
                continue
            label = src.name or src.guid or "a source"
            named += [(label, w) for w in (src.plain_path, src.rich_path) if w and self.outside(w)]
        for note in project.notes:
            if (
                not (note.content and note.content.strip())
                and note.plain_path
                and self.outside(note.plain_path)
            ):
                named.append((note.name or "a note", note.plain_path))
        if named:
            label, where = named[0]
            more = f" and {_count(len(named) - 1, 'other')}" if len(named) > 1 else ""
            raise InputError(
                f"{self.project_path.name} names files outside itself ({where!r} for {label!r}{more}); a "
                "project file may only use what it contains, so nothing was imported. If those files are "
                "yours, name the folder that holds them with --sources-folder DIR."
            )


def _decode(member: str, data: bytes) -> tuple[str, str, list[Turn] | None]:
    """``(raw text, format, turns or None)`` of a source file: plain text or Word."""
    label = member.replace("\\", "/").rsplit("/", 1)[-1]
    if label.lower().endswith(".docx"):
        doc = read_docx(data, label)
        return doc.text, "docx", doc.turns
    text, _ = decode_text(data, label)
    # Word's manual line break (VT) becomes a newline and other control bytes spaces: positions hold.
    return _BAD_CONTROLS.sub(" ", text.replace("\x0b", "\n")), "txt", None


def _load_source(files: ProjectFiles, src: RefiSource, warnings: list[str]) -> LoadedSource | None:

    label = src.name or src.guid or "a source"
    codings = sum(len(s.codings) for s in src.selections) + len(src.codings)
    lost = f" ({_count(codings, 'coding')} lost)" if codings else ""
    turns: list[Turn] | None = None
    if src.content is not None:
        raw, fmt, member = src.content, "txt", "PlainTextContent"
    else:
        found = files.fetch(src.plain_path, label)  # plain text, whatever its extension
        if found is None:
            found = files.fetch(src.rich_path, label)  # else the Word original
            found = found if found is not None and found[0].lower().endswith(".docx") else None
        if found is None:
            named = src.plain_path or src.rich_path or "no file named"
            where = f" nor in {files.folder}" if files.folder else ""
            warnings.append(
                f"{label}: its text ({named}) is neither in {files.project_path.name}{where}; skipped{lost}."
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


def _note_text(files: ProjectFiles, note: RefiNote) -> str | None:

    text = note.content
    if not (text and text.strip()) and note.plain_path:
        found = files.fetch(note.plain_path, note.name or "a note")
        if found is not None:
            try:
                text = _decode(*found)[0]
            except QualframeError:
                text = None
    return normalise(text or note.description or "").strip() or None


def _refuse_nothing(
    path: Path, project: RefiProject, sources: list[LoadedSource], warnings: list[str]
) -> None:
    """Refuse a project that would import nothing of what it is about (it would still change the study)."""
    listed = len(project.sources) + len(project.unsupported)
    if listed and not sources:
        first = warnings[0].rstrip(".") if warnings else "none has a text"
        raise InputError(
            f"{path.name}: none of its {_count(listed, 'source')} can be imported ({first}); nothing was imported."
        )
    if not listed and not project.codes and not project.notes:
        raise InputError(f"{path.name} holds no sources, codes or memos: there is nothing to import.")


def load_project(path: Path, *, sources_folder: Path | None = None) -> LoadedProject:
    """Read and check the project at ``path`` without touching any study.

    Files the project names outside its archive are read only from ``sources_folder`` (see
    :class:`ProjectFiles`); without it, such a project is refused.
    """
    data = _read_path(path)
    archive = read_qdpx(data, path.name)
    project = archive.project
    files = ProjectFiles(archive, path, sources_folder)
    files.refuse_outside(project)
    warnings: list[str] = []
    if project.unsupported:
        shown = ", ".join(project.unsupported[:3]) + (", ..." if len(project.unsupported) > 3 else "")
        warnings.append(
            f"{path.name}: skipped {_count(len(project.unsupported), 'source')} that qualframe cannot code "
            f"(pictures, audio, video, PDFs without text: {shown})."
        )
    sources = [s for src in project.sources if (s := _load_source(files, src, warnings))]
    _refuse_nothing(path, project, sources, warnings)
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
    notes = {n.guid: t for n in project.notes if n.guid and (t := _note_text(files, n))}
    return LoadedProject(path, data, hashlib.sha256(data).hexdigest(), project, sources, notes, warnings)
