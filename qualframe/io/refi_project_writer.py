"""Writing REFI-QDA projects (``.qdpx``): :class:`~qualframe.io.refi_project.RefiProject` to bytes.

The writer emits elements in the order the 2019 schema requires (the tests validate against it)
and a zip with fixed timestamps, so the same project always gives the same bytes. Why apart from
:mod:`qualframe.io.refi_project`: reading is tolerant of what other tools write and guarded against
hostile archives, writing is strict and deterministic; the two share only the plain data.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping

from qualframe.io.refi_codebook import code_to_element
from qualframe.io.refi_project import (
    PROJECT_NS,
    TYPE_TAG,
    RefiCoding,
    RefiProject,
    RefiSource,
    RefiValue,
)

__all__ = ["project_to_xml", "write_qdpx"]


def _sub(parent: ET.Element, tag: str, **attrs: str | None) -> ET.Element:
    """A child element; attributes that are None are left out (the schema's optional ones)."""
    return ET.SubElement(parent, f"{{{PROJECT_NS}}}{tag}", {k: v for k, v in attrs.items() if v is not None})


def _text(parent: ET.Element, tag: str, text: str | None) -> None:
    if text:
        _sub(parent, tag).text = text


def _refs(parent: ET.Element, tag: str, guids: Iterable[str]) -> None:
    for guid in guids:
        _sub(parent, tag, targetGUID=guid)


def _values(parent: ET.Element, values: Iterable[RefiValue]) -> None:
    for v in values:
        elem = _sub(parent, "VariableValue")
        _sub(elem, "VariableRef", targetGUID=v.variable)
        if v.value is not None:
            _text(elem, TYPE_TAG.get(v.type, "TextValue"), v.value)


def _coding(parent: ET.Element, c: RefiCoding) -> None:
    elem = _sub(parent, "Coding", guid=c.guid, creatingUser=c.user, creationDateTime=c.created)
    _sub(elem, "CodeRef", targetGUID=c.code)
    _refs(elem, "NoteRef", c.notes)


def _source(parent: ET.Element, s: RefiSource) -> None:
    elem = _sub(parent, "TextSource", guid=s.guid, name=s.name, plainTextPath=s.plain_path)
    elem.attrib.update({k: v for k, v in (("creatingUser", s.user), ("creationDateTime", s.created)) if v})
    _text(elem, "Description", s.description)
    for sel in s.selections:
        sub = _sub(elem, "PlainTextSelection", guid=sel.guid, name=sel.name, startPosition=str(sel.start))
        sub.set("endPosition", str(sel.end))
        sub.attrib.update(
            {k: v for k, v in (("creatingUser", sel.user), ("creationDateTime", sel.created)) if v}
        )
        _text(sub, "Description", sel.description)
        for coding in sel.codings:
            _coding(sub, coding)
        _refs(sub, "NoteRef", sel.notes)
    for coding in s.codings:
        _coding(elem, coding)
    _refs(elem, "NoteRef", s.notes)
    _values(elem, s.values)


def project_to_xml(project: RefiProject) -> bytes:
    """``project.qde`` for ``project``, elements in the order the REFI-QDA 2019 schema requires."""
    ET.register_namespace("", PROJECT_NS)
    attrs = {"name": project.name, "origin": project.origin, "creatingUserGUID": project.user}
    attrs["creationDateTime"] = project.created
    root = ET.Element(f"{{{PROJECT_NS}}}Project", {k: v for k, v in attrs.items() if v is not None})
    if project.users:
        users = _sub(root, "Users")
        for u in project.users:
            _sub(users, "User", guid=u.guid, name=u.name)
    if project.codes:
        codes = _sub(_sub(root, "CodeBook"), "Codes")
        for code in project.codes:
            code_to_element(codes, code, PROJECT_NS, project.code_notes)
    if project.variables:
        variables = _sub(root, "Variables")
        for v in project.variables:
            _text(
                _sub(variables, "Variable", guid=v.guid, name=v.name, typeOfVariable=v.type),
                "Description",
                v.description,
            )
    if project.cases:
        cases = _sub(root, "Cases")
        for c in project.cases:
            elem = _sub(cases, "Case", guid=c.guid, name=c.name)
            _text(elem, "Description", c.description)
            _refs(elem, "CodeRef", c.codes)
            _values(elem, c.values)
            _refs(elem, "SourceRef", c.sources)
    if project.sources:
        sources = _sub(root, "Sources")
        for source in project.sources:
            _source(sources, source)
    if project.notes:
        notes = _sub(root, "Notes")
        for n in project.notes:
            elem = _sub(
                notes, "Note", guid=n.guid, name=n.name, plainTextPath=n.plain_path, creatingUser=n.user
            )
            elem.attrib.update(
                {k: v for k, v in (("creationDateTime", n.created), ("modifiedDateTime", n.modified)) if v}
            )
            _text(elem, "Description", n.description)
            _text(elem, "PlainTextContent", n.content)
    if project.links:
        links = _sub(root, "Links")
        for link in project.links:
            _sub(
                links, "Link", guid=link.guid, name=link.name, originGUID=link.origin, targetGUID=link.target
            )
    if project.sets:
        sets = _sub(root, "Sets")
        for group in project.sets:
            elem = _sub(sets, "Set", guid=group.guid, name=group.name)
            _text(elem, "Description", group.description)
            _refs(elem, "MemberCode", group.codes)
            _refs(elem, "MemberSource", group.sources)
            _refs(elem, "MemberNote", group.notes)
    _text(root, "Description", project.description)
    _refs(root, "NoteRef", project.project_notes)
    ET.indent(root, space="  ")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def write_qdpx(project: RefiProject, files: Mapping[str, bytes], date_time: tuple[int, ...]) -> bytes:
    """The ``.qdpx`` zip: ``project.qde`` then ``files`` (paths inside the zip), all stamped ``date_time``.

    Member order, timestamps, permissions and compression are fixed, so equal input gives equal bytes.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path, data in [("project.qde", project_to_xml(project)), *sorted(files.items())]:
            info = zipfile.ZipInfo(path, date_time=date_time[:6])  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=9)
    return buffer.getvalue()
