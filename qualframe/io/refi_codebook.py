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
from collections.abc import Mapping, Sequence
from typing import Any, cast

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from qualframe.codespec import CodebookSpec, CodeSpec
from qualframe.errors import CodebookError, InputError

__all__ = [
    "CODEBOOK_NS",
    "code_from_element",
    "code_to_element",
    "compose_codebook_description",
    "compose_description",
    "normalise_guid",
    "parse_xml",
    "read_qdc",
    "refuse_foreign_elements",
    "split_codebook_description",
    "split_description",
    "tidy_codes",
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
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_COLOUR = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_CODEBOOK_MARKER = re.compile(r"^qualframe codebook: ([a-z0-9][a-z0-9\-]{0,99})$")


def normalise_guid(value: str | None) -> str | None:
    """A REFI GUID in qualframe's form (upper case, no braces), or None when it is not a GUID."""
    m = _GUID.match((value or "").strip())
    return m.group(1).upper() if m else None


def _colour(value: str | None) -> str | None:
    """``#RRGGBB`` from a REFI colour (``#RGB`` is expanded), or None when it is not one."""
    value = (value or "").strip()
    if not _COLOUR.match(value):
        return None
    digits = value[1:] if len(value) == 7 else "".join(ch * 2 for ch in value[1:])
    return "#" + digits.upper()


_blank_lines = re.compile(r"\n{2,}")


def _tidy_text(text: str) -> str:
    return "\n".join(
        line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    )


def parse_xml(data: bytes, name: str) -> ET.Element:
    """Parse untrusted XML safely; every failure becomes one clear :class:`InputError`."""
    try:
        return cast(ET.Element, SafeET.fromstring(data))
    except DefusedXmlException:
        raise InputError(f"{name} contains XML entities or a DTD; refusing it for safety.") from None
    except ET.ParseError as exc:
        raise InputError(f"{name} is not well-formed XML ({exc}).") from None


def refuse_foreign_elements(root: ET.Element, ns: str, name: str) -> None:
    """Refuse a document with an element outside its own namespace, which would be skipped silently.

    The REFI-QDA schemas allow no extension elements, and the reader looks for each element in the
    document's namespace only: a ``<CodeBook>`` written in another namespace would otherwise be
    left out without a word (with every code and coding in it).
    """
    for elem in root.iter():
        tag = elem.tag if isinstance(elem.tag, str) else ""
        if tag and not tag.startswith(f"{{{ns}}}"):
            local = tag.rsplit("}", 1)[-1]
            where = f"the namespace {tag[1:].split('}', 1)[0]!r}" if tag.startswith("{") else "no namespace"
            raise InputError(
                f"{name}: <{local}> is in {where}, not the document's ({ns}); qualframe would not read "
                "it, so nothing was imported."
            )


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
    text = desc.text if desc is not None else None
    fields = split_description(text)
    recomposed = compose_description(CodeSpec(name=name, **fields)) or ""
    if text and _blank_lines.sub("\n\n", _tidy_text(recomposed)) != _blank_lines.sub(
        "\n\n", _tidy_text(text)
    ):
        # Not a description qualframe composed (splitting would lose words): keep it whole.
        fields = split_description(None) | {"definition": _tidy_text(text) or None}
    return CodeSpec(
        name=name,
        codable=(elem.get("isCodable", "true").strip().lower() not in ("false", "0")),
        colour=_colour(elem.get("color")),
        guid=normalise_guid(elem.get("guid")),
        children=[code_from_element(c, ns, source) for c in elem.findall(f"{{{ns}}}Code")],
        **fields,
    )


def code_to_element(
    parent: ET.Element, code: CodeSpec, ns: str, note_refs: Mapping[str, Sequence[str]] | None = None
) -> ET.Element:
    """Append ``code`` (recursively) as a REFI ``<Code>`` under ``parent``.

    ``note_refs`` maps a code's GUID to the GUIDs of the notes (memos) about it, written as
    ``<NoteRef>`` elements where the project schema wants them (after the description).
    """
    attrs = {"guid": code.guid or "", "name": code.name, "isCodable": "true" if code.codable else "false"}
    if code.colour:
        attrs["color"] = code.colour
    elem = ET.SubElement(parent, f"{{{ns}}}Code", attrs)
    description = compose_description(code)
    if description:
        ET.SubElement(elem, f"{{{ns}}}Description").text = description
    for note in (note_refs or {}).get(code.guid or "", ()):
        ET.SubElement(elem, f"{{{ns}}}NoteRef", {"targetGUID": note})
    for child in code.children:
        code_to_element(elem, child, ns, note_refs)
    return elem


def compose_codebook_description(spec: CodebookSpec) -> str:
    """A codebook's metadata as the description of the category that stands for it in a project.

    Other tools show it as readable text; qualframe recognises the ``qualframe codebook:`` line and
    restores the codebook with its name, version, approach, references, decision rules, memo prompts
    and which codes are structural.
    """
    lines = [f"qualframe codebook: {spec.name}"]
    if spec.version:
        lines.append(f"Version: {spec.version}")
    lines.append(f"Origin: {spec.origin}")
    if spec.approach:
        lines.append(f"Approach: {spec.approach}")
    structural = [
        "/".join(path)
        for path, code in spec.walk()
        if code.structural and not any(c.structural for p, c in spec.walk() if p == path[:-1])
    ]
    prompts = [f"{m.title}: {m.text}" for m in spec.memo_prompts]
    for heading, items in (
        ("References", spec.references),
        ("Decision rules", spec.decision_rules),
        ("Memo prompts", prompts),
        ("Structural codes", structural),
    ):
        if items:
            lines.append(f"{heading}:")
            lines.extend(f"- {' '.join(item.split())}" for item in items)
    return "\n\n".join([*([spec.description.strip()] if spec.description else []), "\n".join(lines)])


def split_codebook_description(text: str | None) -> dict[str, Any] | None:
    """Inverse of :func:`compose_codebook_description`; None when ``text`` holds no codebook marker."""
    lines = _tidy_text(text or "").split("\n")
    found = [i for i, line in enumerate(lines) if _CODEBOOK_MARKER.match(line)]
    if not found:
        return None
    at = found[-1]
    out: dict[str, Any] = {
        "name": _CODEBOOK_MARKER.match(lines[at]).group(1),  # type: ignore[union-attr]
        "description": "\n".join(lines[:at]).strip() or None,
        "version": None,
        "origin": "refi-qdpx",
        "references": [],
        "decision_rules": [],
        "approach": None,
        "memo_prompts": [],
        "structural": [],
    }
    lists = {
        "References:": "references",
        "Decision rules:": "decision_rules",
        "Memo prompts:": "memo_prompts",
        "Structural codes:": "structural",
    }
    current: list[str] | None = None
    for line in lines[at + 1 :]:
        if line.startswith("Version: "):
            out["version"] = line[9:].strip() or None
        elif line.startswith("Origin: "):
            out["origin"] = line[8:].strip() or out["origin"]
        elif line.startswith("Approach: "):
            out["approach"] = line[10:].strip() or None
        elif line in lists:
            current = out[lists[line]]
        elif line.startswith("- ") and current is not None:
            current.append(line[2:].strip())
    return out


def tidy_codes(codes: list[CodeSpec], origin: str | None = None) -> list[str]:
    """Repair what other tools allow and qualframe does not; returns a note of each change.

    Taguette writes its hierarchy as flat names (``people.family`` under ``people``): such codes are
    nested again. NVivo and MAXQDA allow one name in two branches: the second copy is qualified
    with its parent's name, so no coding is lost to an ambiguous code.
    """
    notes: list[str] = []
    if (origin or "").lower().startswith("taguette"):
        by_name = {c.name: c for c in codes}
        nested = []
        for code in sorted(codes, key=lambda c: c.name.count(".")):
            prefix = code.name.rsplit(".", 1)[0] if "." in code.name else ""
            while prefix and prefix not in by_name:
                prefix = prefix.rsplit(".", 1)[0] if "." in prefix else ""
            if prefix:
                by_name[prefix].children.append(code)
                nested.append(code)
        codes[:] = [c for c in codes if all(c is not n for n in nested)]
    seen: set[str] = set()

    def visit(siblings: list[CodeSpec], parent: CodeSpec | None) -> None:
        for code in siblings:
            if code.name.casefold() in seen:
                base = f"{code.name} ({parent.name})" if parent else code.name
                new, n = base, 2
                while new.casefold() in seen:
                    new, n = f"{base} ({n})", n + 1
                notes.append(f"code {code.name!r} appears twice; the second one is called {new!r}")
                code.name = new
            seen.add(code.name.casefold())
            visit(code.children, code)

    visit(codes, None)
    return notes


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100] or "codebook"


def read_qdc(data: bytes, name: str, codebook_name: str | None = None) -> CodebookSpec:
    """Read a REFI-QDA ``.qdc`` codebook."""
    root = parse_xml(data, name)
    if root.tag != f"{{{CODEBOOK_NS}}}CodeBook":
        raise InputError(f"{name} is not a REFI-QDA codebook (expected <CodeBook> in {CODEBOOK_NS}).")
    refuse_foreign_elements(root, CODEBOOK_NS, name)
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
    tidy_codes(spec.codes, origin)
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
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
