"""REFI-QDA codebooks (``.qdc``, ``urn:QDA-XML:codebook:1.0``) and the code tree they share with projects.

REFI-QDA gives a code only a name, a colour, ``isCodable`` and one ``Description``. qualframe keeps
its richer fields (inclusion, exclusion, indicators, examples, keywords, patterns) inside that
description as labelled paragraphs, which NVivo, ATLAS.ti and MAXQDA show as readable text and
qualframe reads back into the fields: a codebook survives a round trip through any of them.
XML from outside is parsed with defusedxml (no entities, no DTDs, no external resources).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from qualframe.codebook.spec import CodebookSpec, CodeSpec
from qualframe.errors import CodebookError, InputError

__all__ = [
    "CODEBOOK_NS",
    "code_from_element",
    "code_to_element",
    "compose_description",
    "parse_xml",
    "read_qdc",
    "split_description",
    "write_qdc",
]

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_LIST_FIELDS = ("indicators", "examples", "keywords", "patterns")
_HEADINGS = {
    "inclusion": "Inclusion",
    "exclusion": "Exclusion",
    "indicators": "Indicators",
    "examples": "Examples",
    "keywords": "Keywords",
    "patterns": "Patterns",
}
_HEADING_LINE = re.compile(r"^(Inclusion|Exclusion|Indicators|Examples|Keywords|Patterns):\s*(.*)$")


def parse_xml(data: bytes, name: str) -> ET.Element:
    """Parse untrusted XML safely; every failure becomes one clear :class:`InputError`."""
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException:
        raise InputError(f"{name} contains XML entities or a DTD; refusing it for safety.") from None
    except ET.ParseError as exc:
        raise InputError(f"{name} is not well-formed XML ({exc}).") from None


def compose_description(code: CodeSpec) -> str | None:
    """The code's fields as one readable Description text."""
    parts = [code.definition] if code.definition else []
    for key in ("inclusion", "exclusion"):
        value = getattr(code, key)
        if value:
            parts.append(f"{_HEADINGS[key]}: {value}")
    for key in _LIST_FIELDS:
        values = getattr(code, key)
        if values:
            parts.append(f"{_HEADINGS[key]}:\n" + "\n".join(f"- {v}" for v in values))
    return "\n\n".join(parts) or None


def split_description(text: str | None) -> dict[str, Any]:
    """Inverse of :func:`compose_description`; plain descriptions become the definition."""
    out: dict[str, Any] = {"definition": None, "inclusion": None, "exclusion": None}
    out.update({key: [] for key in _LIST_FIELDS})
    if not text:
        return out
    current = "definition"
    buffers: dict[str, list[str]] = {"definition": []}
    for line in text.replace("\r\n", "\n").split("\n"):
        m = _HEADING_LINE.match(line)
        if m:
            current = m.group(1).lower()
            buffers.setdefault(current, [])
            if m.group(2):
                buffers[current].append(m.group(2))
            continue
        buffers.setdefault(current, []).append(line)
    for key, lines in buffers.items():
        if key in _LIST_FIELDS:
            out[key] = [ln[2:].strip() for ln in lines if ln.startswith("- ") and ln[2:].strip()]
        else:
            out[key] = "\n".join(lines).strip() or None
    return out


def code_from_element(elem: ET.Element, ns: str, source: str) -> CodeSpec:
    """A :class:`CodeSpec` (with children) from a REFI ``<Code>`` element of namespace ``ns``."""
    name = (elem.get("name") or "").strip()
    if not name:
        raise InputError(f"{source}: a <Code> has no name.")
    desc = elem.find(f"{{{ns}}}Description")
    fields = split_description(desc.text if desc is not None else None)
    colour = elem.get("color")
    if colour and not re.match(r"^#[0-9A-Fa-f]{6}$", colour):
        colour = None
    return CodeSpec(
        name=name,
        codable=(elem.get("isCodable", "true").lower() != "false"),
        colour=colour.upper() if colour else None,
        guid=(elem.get("guid") or None),
        children=[code_from_element(c, ns, source) for c in elem.findall(f"{{{ns}}}Code")],
        **fields,
    )


def code_to_element(parent: ET.Element, code: CodeSpec, ns: str) -> ET.Element:
    """Append ``code`` (recursively) as a REFI ``<Code>`` under ``parent``."""
    attrs = {"guid": code.guid or "", "name": code.name, "isCodable": "true" if code.codable else "false"}
    if code.colour:
        attrs["color"] = code.colour
    elem = ET.SubElement(parent, f"{{{ns}}}Code", attrs)
    description = compose_description(code)
    if description:
        ET.SubElement(elem, f"{{{ns}}}Description").text = description
    for child in code.children:
        code_to_element(elem, child, ns)
    return elem


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100] or "codebook"


def read_qdc(data: bytes, name: str, codebook_name: str | None = None) -> CodebookSpec:
    """Read a REFI-QDA ``.qdc`` codebook."""
    root = parse_xml(data, name)
    if root.tag != f"{{{CODEBOOK_NS}}}CodeBook":
        raise InputError(f"{name} is not a REFI-QDA codebook (expected <CodeBook> in {CODEBOOK_NS}).")
    codes_elem = root.find(f"{{{CODEBOOK_NS}}}Codes")
    if codes_elem is None:
        raise CodebookError(f"{name}: the codebook has no <Codes>.")
    origin = root.get("origin") or ""
    stem = re.sub(r"\.qdc$", "", name.rsplit("/", 1)[-1], flags=re.IGNORECASE)
    spec = CodebookSpec(
        name=codebook_name or _slug(origin or stem),
        title=origin or stem,
        codes=[code_from_element(c, CODEBOOK_NS, name) for c in codes_elem.findall(f"{{{CODEBOOK_NS}}}Code")],
        origin="refi-qdc",
    )
    spec.validate(name)
    return spec


def write_qdc(spec: CodebookSpec, origin: str | None = None) -> bytes:
    """Serialise ``spec`` as a REFI-QDA codebook (deterministic: same input, same bytes)."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin or spec.title or spec.name})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for code in spec.codes:
        code_to_element(codes, code, CODEBOOK_NS)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
