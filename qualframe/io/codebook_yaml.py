"""qualframe's YAML codebook format (documented in docs/codebook-format.md)."""

from __future__ import annotations

from typing import Any

import yaml

from qualframe.codespec import CodebookSpec, CodeSpec, MemoPrompt
from qualframe.errors import CodebookError
from qualframe.io.text import decode_text

__all__ = ["FORMAT_TAG", "dump_codebook_yaml", "read_codebook_yaml"]

FORMAT_TAG = "qualframe-codebook/1"
_CODE_KEYS = {
    "name",
    "codable",
    "colour",
    "color",
    "definition",
    "inclusion",
    "exclusion",
    "indicators",
    "examples",
    "keywords",
    "patterns",
    "guid",
    "children",
    "structural",
}
_TOP_KEYS = {
    "format",
    "name",
    "title",
    "version",
    "description",
    "approach",
    "references",
    "decision_rules",
    "memo_prompts",
    "codes",
}


def _text(value: Any, where: str, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "\n".join(f"- {v}" for v in value)
    if not isinstance(value, str | int | float):
        raise CodebookError(f"{where}: '{key}' must be text.")
    return str(value).strip() or None


def _strings(value: Any, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise CodebookError(f"{where}: '{key}' must be a list of texts.")
    return [str(v) for v in value]


def _code(raw: Any, where: str, inherited: bool = False) -> CodeSpec:
    if not isinstance(raw, dict) or "name" not in raw:
        raise CodebookError(f"{where}: every code needs a 'name'.")
    unknown = set(raw) - _CODE_KEYS
    name = str(raw["name"]).strip()
    here = f"{where}, code {name!r}"
    if unknown:
        raise CodebookError(f"{here}: unknown field(s) {', '.join(sorted(unknown))}.")
    children = raw.get("children") or []
    if not isinstance(children, list):
        raise CodebookError(f"{here}: 'children' must be a list of codes.")
    codable = raw.get("codable", True)
    if not isinstance(codable, bool):
        raise CodebookError(f"{here}: 'codable' must be true or false.")
    structural = raw.get("structural", False)
    if not isinstance(structural, bool):
        raise CodebookError(f"{here}: 'structural' must be true or false.")
    return CodeSpec(
        name=name,
        codable=codable,
        colour=_text(raw.get("colour", raw.get("color")), here, "colour"),
        definition=_text(raw.get("definition"), here, "definition"),
        inclusion=_text(raw.get("inclusion"), here, "inclusion"),
        exclusion=_text(raw.get("exclusion"), here, "exclusion"),
        indicators=_strings(raw.get("indicators"), here, "indicators"),
        examples=_strings(raw.get("examples"), here, "examples"),
        keywords=_strings(raw.get("keywords"), here, "keywords"),
        patterns=_strings(raw.get("patterns"), here, "patterns"),
        guid=_text(raw.get("guid"), here, "guid"),
        children=[_code(c, where, inherited or structural) for c in children],
        structural=structural or inherited,
    )


def _prompts(value: Any, where: str) -> list[MemoPrompt]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(v, dict) and set(v) <= {"title", "text"} and v.get("title") for v in value
    ):
        raise CodebookError(f"{where}: 'memo_prompts' must be a list of {{title, text}} entries.")
    return [
        MemoPrompt(str(v["title"]).strip(), _text(v.get("text"), where, "memo_prompts") or "") for v in value
    ]


def read_codebook_yaml(data: bytes, name: str, origin: str = "user") -> CodebookSpec:
    """Parse and validate a YAML codebook."""
    text, _ = decode_text(data, name)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CodebookError(f"{name} is not valid YAML{where}.") from None
    if not isinstance(raw, dict):
        raise CodebookError(
            f"{name} is not a qualframe codebook (expected a mapping with 'format: {FORMAT_TAG}')."
        )
    if raw.get("format") != FORMAT_TAG:
        raise CodebookError(f"{name} is not a qualframe codebook: it must start with 'format: {FORMAT_TAG}'.")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise CodebookError(f"{name}: unknown top-level field(s) {', '.join(sorted(unknown))}.")
    codes = raw.get("codes")
    if not isinstance(codes, list):
        raise CodebookError(f"{name}: 'codes' must be a list of codes.")
    spec = CodebookSpec(
        name=str(raw.get("name", "")).strip(),
        title=_text(raw.get("title"), name, "title"),
        version=_text(raw.get("version"), name, "version"),
        description=_text(raw.get("description"), name, "description"),
        approach=_text(raw.get("approach"), name, "approach"),
        memo_prompts=_prompts(raw.get("memo_prompts"), name),
        references=_strings(raw.get("references"), name, "references"),
        decision_rules=_strings(raw.get("decision_rules"), name, "decision_rules"),
        codes=[_code(c, name) for c in codes],
        origin=origin,
    )
    spec.validate(name)
    return spec


def _dump_code(code: CodeSpec, inherited: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"name": code.name}
    if not code.codable:
        out["codable"] = False
    if code.structural and not inherited:
        out["structural"] = True
    for key in ("colour", "definition", "inclusion", "exclusion"):
        if getattr(code, key):
            out[key] = getattr(code, key)
    for key in ("indicators", "examples", "keywords", "patterns"):
        if getattr(code, key):
            out[key] = list(getattr(code, key))
    if code.guid:
        out["guid"] = code.guid
    if code.children:
        out["children"] = [_dump_code(c, inherited or code.structural) for c in code.children]
    return out


def dump_codebook_yaml(spec: CodebookSpec) -> str:
    """Write ``spec`` in qualframe's YAML format (readable by :func:`read_codebook_yaml`)."""
    doc: dict[str, Any] = {"format": FORMAT_TAG, "name": spec.name}
    for key in ("title", "version", "description", "approach"):
        if getattr(spec, key):
            doc[key] = getattr(spec, key)
    if spec.memo_prompts:
        doc["memo_prompts"] = [{"title": m.title, "text": m.text} for m in spec.memo_prompts]
    if spec.references:
        doc["references"] = spec.references
    if spec.decision_rules:
        doc["decision_rules"] = spec.decision_rules
    doc["codes"] = [_dump_code(c) for c in spec.codes]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
