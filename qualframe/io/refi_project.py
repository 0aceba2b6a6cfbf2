"""REFI-QDA projects (``.qdpx``): a zip with ``project.qde`` (``urn:QDA-XML:project:1.0``) and sources.

The reader turns a project into plain data (:class:`RefiProject`) and keeps the archive at hand to
fetch the files its sources name; it is tolerant where real exports differ from the standard (a
``Sources`` folder in capitals, backslashes in member names, a ``.qde`` with another name, braced
or lower-case GUIDs, ``MemberCode guid=`` instead of ``targetGUID``, namespace versions other than
1.0) and strict where safety is at stake: zips go through :func:`~qualframe.io.archive.open_zip`
and XML through defusedxml. Positions are passed on as the file writes them; converting them is
:mod:`qualframe.io.offsets`' job. Writing a project is :mod:`qualframe.io.refi_project_writer`.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import unquote

from qualframe.codespec import CodeSpec
from qualframe.errors import InputError
from qualframe.io.archive import open_zip, read_member
from qualframe.io.refi_codebook import (
    code_from_element,
    normalise_guid,
    parse_xml,
    refuse_foreign_elements,
)
from qualframe.naming import clean_name

__all__ = [
    "PROJECT_NS",
    "TYPE_TAG",
    "QdpxArchive",
    "RefiCase",
    "RefiCoding",
    "RefiLink",
    "RefiNote",
    "RefiProject",
    "RefiSelection",
    "RefiSet",
    "RefiSource",
    "RefiUser",
    "RefiValue",
    "RefiVariable",
    "compose_theme_description",
    "format_when",
    "memo_name",
    "parse_project",
    "parse_when",
    "read_qdpx",
    "split_path",
    "split_theme_description",
]

PROJECT_NS = "urn:QDA-XML:project:1.0"
_NAMESPACE = re.compile(r"^\{(urn:QDA-XML:project:[0-9][0-9.:]*)\}Project$")
_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")
#: A variable's type -> the element that holds its value (the writer's choice; the reader takes any).
TYPE_TAG = dict(zip(("Text", "Boolean", "Integer", "Float", "Date", "DateTime"), _VALUE_TAGS, strict=True))


@dataclass
class RefiUser:
    """A user (coder) of the project."""

    guid: str
    name: str | None


@dataclass
class RefiValue:
    """A variable's value: the variable's GUID and the value as written (canonical text)."""

    variable: str
    value: str | None
    type: str = "Text"


@dataclass
class RefiVariable:
    """A case (or document) variable and its REFI type."""

    guid: str
    name: str
    type: str = "Text"
    description: str | None = None


@dataclass
class RefiCoding:
    """A code applied to a selection."""

    guid: str | None
    code: str | None
    user: str | None = None
    created: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    """A ``PlainTextSelection``: positions as the file counts them, and the codings on them."""

    guid: str | None
    start: int
    end: int
    name: str | None = None
    description: str | None = None
    user: str | None = None
    created: str | None = None
    codings: list[RefiCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiSource:
    """A text source (or a PDF's text representation) and everything attached to it."""

    guid: str | None
    name: str
    kind: str = "text"
    plain_path: str | None = None
    rich_path: str | None = None
    content: str | None = None
    description: str | None = None
    user: str | None = None
    created: str | None = None
    selections: list[RefiSelection] = field(default_factory=list)
    codings: list[RefiCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: list[RefiValue] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


@dataclass
class RefiCase:
    """A case with its variable values and the sources (and code) it stands for."""

    guid: str | None
    name: str | None
    description: str | None = None
    values: list[RefiValue] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


@dataclass
class RefiNote:
    """A note (memo): its text inline or in a file of the archive."""

    guid: str | None
    name: str | None = None
    content: str | None = None
    plain_path: str | None = None
    description: str | None = None
    user: str | None = None
    created: str | None = None
    modified: str | None = None


@dataclass
class RefiLink:
    """A link between two things (NVivo links notes to selections this way)."""

    guid: str | None
    origin: str | None
    target: str | None
    name: str | None = None


@dataclass
class RefiSet:
    """A set of codes, sources or notes."""

    guid: str | None
    name: str
    description: str | None = None
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiProject:
    """Everything a REFI-QDA project holds that qualframe reads or writes."""

    name: str
    origin: str | None = None
    user: str | None = None
    created: str | None = None
    base_path: str | None = None
    users: list[RefiUser] = field(default_factory=list)
    codes: list[CodeSpec] = field(default_factory=list)
    code_notes: dict[str, list[str]] = field(default_factory=dict)
    variables: list[RefiVariable] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    links: list[RefiLink] = field(default_factory=list)
    sets: list[RefiSet] = field(default_factory=list)
    description: str | None = None
    project_notes: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


# --- conventions qualframe keeps inside REFI's free text ------------------------------------

_THEME_LINE = re.compile(r"^(?:Status: (candidate|reviewed|defined)|Colour: (#[0-9A-Fa-f]{6}))$")


def parse_when(value: str | None) -> dt.datetime | None:
    """An ``xsd:dateTime`` as an aware UTC datetime (None when absent or unreadable)."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def format_when(value: dt.datetime | None) -> str | None:
    """A datetime as ``xsd:dateTime`` in UTC, to the second."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def compose_theme_description(definition: str | None, status: str, colour: str | None) -> str:
    """A theme as the description of a Set: its definition, then ``Status:`` and ``Colour:`` lines."""
    lines = [f"Status: {status}", *([f"Colour: {colour}"] if colour else [])]
    return "\n\n".join([*([definition.strip()] if definition else []), "\n".join(lines)])


def split_theme_description(text: str | None) -> tuple[str | None, str, str | None]:
    """``(definition, status, colour)`` from a Set description (a plain one is all definition)."""
    lines = (text or "").replace("\r\n", "\n").strip().split("\n")
    status, colour = "candidate", None
    while lines and (m := _THEME_LINE.match(lines[-1].strip())):
        lines.pop()
        status, colour = m.group(1) or status, (m.group(2) or "").upper() or colour
    return ("\n".join(lines).strip() or None), status, colour


def memo_name(text: str) -> str:
    """The name a memo without a title is given in a project: its first line, shortened."""
    first = text.strip().split("\n", 1)[0].strip()
    return first if len(first) <= 60 else first[:59].rstrip() + "…"


# --- reading ---------------------------------------------------------------------------------


class _Reader:
    def __init__(self, ns: str, label: str) -> None:
        self.ns, self.label = ns, label

    def all(self, elem: ET.Element, tag: str) -> list[ET.Element]:
        return elem.findall(f"{{{self.ns}}}{tag}")

    def children(self, root: ET.Element, group: str, tag: str) -> list[ET.Element]:
        return [e for g in self.all(root, group) for e in self.all(g, tag)]

    def guid(self, elem: ET.Element) -> str | None:
        return normalise_guid(elem.get("guid"))

    def name(self, elem: ET.Element) -> str | None:
        return clean_name(elem.get("name") or "") or None

    def text(self, elem: ET.Element, tag: str) -> str | None:
        child = elem.find(f"{{{self.ns}}}{tag}")
        return child.text if child is not None and child.text and child.text.strip() else None

    def refs(self, elem: ET.Element, tag: str) -> list[str]:
        out = [normalise_guid(e.get("targetGUID") or e.get("guid")) for e in self.all(elem, tag)]
        return [g for g in out if g]

    def user(self, elem: ET.Element) -> str | None:
        return normalise_guid(elem.get("creatingUser") or elem.get("modifyingUser"))

    def created(self, elem: ET.Element) -> str | None:
        return elem.get("creationDateTime") or elem.get("modifiedDateTime")

    def value(self, elem: ET.Element) -> RefiValue | None:
        ref = self.refs(elem, "VariableRef")
        if not ref:
            return None
        for tag in _VALUE_TAGS:
            child = elem.find(f"{{{self.ns}}}{tag}")
            if child is not None:
                text = (child.text or "").strip()
                return RefiValue(ref[0], text or None, tag.removesuffix("Value"))
        return RefiValue(ref[0], None)

    def values(self, elem: ET.Element) -> list[RefiValue]:
        return [v for v in (self.value(e) for e in self.all(elem, "VariableValue")) if v is not None]

    def coding(self, elem: ET.Element) -> RefiCoding:
        code = self.refs(elem, "CodeRef")
        return RefiCoding(
            normalise_guid(elem.get("guid")),
            code[0] if code else None,
            self.user(elem),
            self.created(elem),
            self.refs(elem, "NoteRef"),
        )

    def selection(self, elem: ET.Element) -> RefiSelection | None:
        try:
            start, end = int(elem.get("startPosition", "")), int(elem.get("endPosition", ""))
        except ValueError:
            return None
        return RefiSelection(
            normalise_guid(elem.get("guid")),
            start,
            end,
            elem.get("name"),
            self.text(elem, "Description"),
            self.user(elem),
            self.created(elem),
            [self.coding(c) for c in self.all(elem, "Coding")],
            self.refs(elem, "NoteRef"),
        )

    def source(self, elem: ET.Element, name: str | None = None, kind: str = "text") -> RefiSource:
        selections = [self.selection(e) for e in self.all(elem, "PlainTextSelection")]
        content = elem.find(f"{{{self.ns}}}PlainTextContent")
        return RefiSource(
            guid=normalise_guid(elem.get("guid")),
            name=clean_name(name or elem.get("name") or ""),
            kind=kind,
            plain_path=elem.get("plainTextPath"),
            rich_path=elem.get("richTextPath"),
            content=(content.text or "") if content is not None else None,
            description=self.text(elem, "Description"),
            user=self.user(elem),
            created=self.created(elem),
            selections=[s for s in selections if s is not None],
            codings=[self.coding(c) for c in self.all(elem, "Coding")],
            notes=self.refs(elem, "NoteRef"),
            values=self.values(elem),
        )

    def code_notes(self, elem: ET.Element, out: dict[str, list[str]]) -> None:
        for code in elem.iter(f"{{{self.ns}}}Code"):
            guid = normalise_guid(code.get("guid"))
            notes = self.refs(code, "NoteRef")
            if guid and notes:
                out.setdefault(guid, []).extend(notes)


def parse_project(data: bytes, name: str) -> RefiProject:
    """Read ``project.qde`` (the bytes of the XML) into a :class:`RefiProject`."""
    root = parse_xml(data, name)
    m = _NAMESPACE.match(root.tag)
    if not m:
        raise InputError(
            f"{name} is not a REFI-QDA project (expected <Project> in the {PROJECT_NS} namespace, "
            f"found {root.tag!r})."
        )
    r = _Reader(m.group(1), name)
    refuse_foreign_elements(root, r.ns, name)
    project = RefiProject(
        name=(root.get("name") or "").strip() or "REFI-QDA project",
        origin=root.get("origin"),
        user=normalise_guid(root.get("creatingUserGUID")),
        created=root.get("creationDateTime"),
        base_path=root.get("basePath"),
        description=r.text(root, "Description"),
        project_notes=r.refs(root, "NoteRef"),
    )
    for u in r.children(root, "Users", "User"):
        if guid := r.guid(u):
            project.users.append(RefiUser(guid, r.name(u) or (u.get("id") or "").strip() or None))
    for book in r.all(root, "CodeBook"):
        for codes in r.all(book, "Codes"):
            project.codes.extend(code_from_element(c, r.ns, name) for c in r.all(codes, "Code"))
            r.code_notes(codes, project.code_notes)
    for v in r.children(root, "Variables", "Variable"):
        if (guid := normalise_guid(v.get("guid"))) and (var := r.name(v)):
            project.variables.append(
                RefiVariable(guid, var, v.get("typeOfVariable") or "Text", r.text(v, "Description"))
            )
    for c in r.children(root, "Cases", "Case"):
        refs = r.refs(c, "SourceRef"), r.refs(c, "CodeRef")
        project.cases.append(RefiCase(r.guid(c), r.name(c), r.text(c, "Description"), r.values(c), *refs))
    for sources in r.all(root, "Sources"):
        for elem in sources:
            tag = elem.tag.rsplit("}", 1)[-1]
            if tag == "TextSource":
                project.sources.append(r.source(elem))
            elif tag == "PDFSource" and elem.find(f"{{{r.ns}}}Representation") is not None:
                rep = elem.find(f"{{{r.ns}}}Representation")
                assert rep is not None
                source = r.source(rep, elem.get("name") or rep.get("name"), "pdf")
                pdf_guid = normalise_guid(elem.get("guid"))
                source.aliases = [g for g in (source.guid,) if g]
                source.guid = pdf_guid or source.guid
                source.values += r.values(elem)
                source.notes += r.refs(elem, "NoteRef")
                project.sources.append(source)
            else:
                project.unsupported.append(f"{tag} {elem.get('name') or elem.get('guid') or ''}".strip())
    for n in r.children(root, "Notes", "Note"):
        content = n.find(f"{{{r.ns}}}PlainTextContent")
        text = content.text if content is not None else None
        found = r.guid(n), r.name(n), text, n.get("plainTextPath"), r.text(n, "Description")
        project.notes.append(RefiNote(*found, r.user(n), r.created(n), n.get("modifiedDateTime")))
    for link in r.children(root, "Links", "Link"):
        ends = normalise_guid(link.get("originGUID")), normalise_guid(link.get("targetGUID"))
        project.links.append(RefiLink(r.guid(link), *ends, link.get("name")))
    for g in r.children(root, "Sets", "Set"):
        members = r.refs(g, "MemberCode"), r.refs(g, "MemberSource"), r.refs(g, "MemberNote")
        project.sets.append(RefiSet(r.guid(g), r.name(g) or "Set", r.text(g, "Description"), *members))
    return project


def split_path(value: str | None) -> tuple[str, str] | None:
    """``(kind, path)`` of a source path: kind is ``internal``, ``relative`` or ``absolute``."""
    if not value or not value.strip():
        return None
    value = value.strip()
    m = re.match(r"^(internal|relative|absolute|file):/*(.*)$", value, re.IGNORECASE)
    if not m:
        kind = "absolute" if value.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", value) else "relative"
        return kind, value
    kind, path = m.group(1).lower(), unquote(m.group(2))
    if kind in ("absolute", "file") and not re.match(r"^[A-Za-z]:[\\/]", path):
        path = "/" + path  # absolute:///home/x and file:///home/x keep their root
    return ("absolute" if kind == "file" else kind), path


class QdpxArchive:
    """An opened ``.qdpx``: the parsed project and tolerant access to the files it holds."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        self.zip = open_zip(data, name)
        self._members: dict[str, str] = {}
        self._by_base: dict[str, list[str]] = {}
        for info in self.zip.infolist():
            if info.is_dir():
                continue
            key = info.filename.replace("\\", "/").lstrip("./").replace("\u2010", "-").lower()
            self._members[key] = info.filename
            self._by_base.setdefault(key.rsplit("/", 1)[-1], []).append(info.filename)
        qde = self._members.get("project.qde") or next(
            (real for key, real in sorted(self._members.items()) if key.endswith(".qde")), None
        )
        if qde is None:
            raise InputError(f"{name} has no project.qde inside, so it is not a REFI-QDA project (.qdpx).")
        self.project = parse_project(read_member(self.zip, qde, name), f"{name}: {qde}")

    def find(self, path: str) -> tuple[str, bytes] | None:
        """A source file by its internal path: in ``sources/`` or ``Sources/``, at the root, or by name."""
        key = path.replace("\\", "/").strip("/").replace("\u2010", "-").lower()
        for candidate in (f"sources/{key}", key):
            if candidate in self._members:
                real = self._members[candidate]
                return real, read_member(self.zip, real, self.name)
        matches = self._by_base.get(key.rsplit("/", 1)[-1], [])
        if len(matches) == 1:
            return matches[0], read_member(self.zip, matches[0], self.name)
        return None


def read_qdpx(data: bytes, name: str) -> QdpxArchive:
    """Open and parse a ``.qdpx`` (a clear :class:`InputError` when it is not a usable project)."""
    return QdpxArchive(data, name)
