"""Codebooks in a study: loading frameworks, finding codes, editing them with a change log.

Every change to a codebook (added, code created, field edited, code moved) is an audit event with
the old and new values, so :func:`codebook_history` can show how the codebook evolved, which COREQ
and any reviewer will ask about.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualframe.codespec import CodebookSpec, CodeSpec, MemoPrompt, code_guid
from qualframe.config import settings
from qualframe.errors import ConflictError, InputError, NotFoundError
from qualframe.io.codebook_yaml import read_codebook_yaml
from qualframe.io.refi_codebook import read_qdc
from qualframe.naming import clean_name
from qualframe.pack import DEFAULT_PACK, get_pack, study_pack
from qualframe.store.audit import record
from qualframe.store.queries.codes import (
    add_code,
    add_codebook_row,
    code_guid_taken,
    code_name_rows,
    code_parents,
    codebook_named,
    codebook_names_by_id,
    codebooks_in_order,
    codes_in_tree_order,
    codes_of_codebook,
    existing_code,
    sibling_count,
)
from qualframe.store.queries.codings import live_coding_count
from qualframe.store.queries.trail import latest_events
from qualframe.store.users import resolve_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qualframe.store.models import AuditEvent, Code, Codebook, User
    from qualframe.store.study import Study

__all__ = [
    "BUILTIN_CODEBOOKS",
    "EDITABLE_FIELDS",
    "add_codebook",
    "add_codebook_spec",
    "builtin_codebooks",
    "builtin_spec",
    "code_path",
    "code_paths",
    "codebook_history",
    "codebook_specs",
    "codebook_to_spec",
    "create_code",
    "edit_code",
    "get_codebook",
    "list_codebooks",
    "read_codebook_file",
    "resolve_code",
    "tree_order",
]

#: The default study pack's codebooks (Houghton et al. 2024): what a study that names no pack has built in.
BUILTIN_CODEBOOKS = tuple(get_pack(DEFAULT_PACK).codebooks)
EDITABLE_FIELDS = (
    "name",
    "definition",
    "inclusion",
    "exclusion",
    "colour",
    "indicators",
    "examples",
    "keywords",
    "patterns",
)


def builtin_codebooks(pack: str | None = None) -> tuple[str, ...]:
    """The codebooks built in for a study of ``pack`` (default: the default pack), by name."""
    return tuple(get_pack(pack).codebooks)


def builtin_spec(name: str, pack: str | None = None) -> CodebookSpec:
    """One of the frameworks a study pack ships (``pack``, default: the default pack), by name."""
    books = get_pack(pack).codebooks
    if name not in books:
        raise NotFoundError(f"there is no built-in codebook {name!r} (built in: {', '.join(books)}).")
    try:
        data = books[name].read_bytes()
    except OSError as exc:
        raise InputError(f"the built-in codebook {name!r} cannot be read ({exc.strerror or exc}).") from None
    return read_codebook_yaml(data, f"{name}.yaml", origin="builtin")


def read_codebook_file(path: Path, name: str | None = None, pack: str | None = None) -> CodebookSpec:
    """A codebook from a YAML or REFI-QDA ``.qdc`` file, or a name built in for ``pack``."""
    books = builtin_codebooks(pack)
    if str(path) in books and not path.exists():
        return builtin_spec(str(path), pack)
    if not path.is_file():
        raise InputError(f"{path} does not exist (and is not a built-in codebook: {', '.join(books)}).")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        return read_qdc(data, path.name, name)
    if suffix in (".yaml", ".yml"):
        spec = read_codebook_yaml(data, path.name)
        if name:
            spec.name = name
        return spec
    raise InputError(f"{path.name}: a codebook must be a .yaml/.yml or REFI-QDA .qdc file.")


def add_codebook_spec(session: Session, spec: CodebookSpec, actor: User) -> Codebook:
    """Store a codebook in the study (its name must be new there)."""
    spec.validate(spec.name)
    if codebook_named(session, spec.name) is not None:
        raise ConflictError(f"the study already has a codebook called {spec.name!r}.")
    spec.assign_guids()
    guids = [c.guid for _, c in spec.walk()]
    clash = code_guid_taken(session, guids)
    if clash is not None:
        raise ConflictError(f"code {clash!r} of {spec.name!r} is already in the study (same GUID).")
    book = add_codebook_row(
        session,
        name=spec.name,
        title=spec.title,
        description=spec.description,
        version=spec.version,
        origin=spec.origin,
        extra={
            "references": spec.references,
            "decision_rules": spec.decision_rules,
            "approach": spec.approach,
            "memo_prompts": [{"title": m.title, "text": m.text} for m in spec.memo_prompts],
        },
    )

    def add(code: CodeSpec, parent: Code | None, position: int) -> None:
        row = add_code(
            session,
            structural=code.structural or bool(parent is not None and parent.structural),
            codebook_id=book.id,
            parent_id=parent.id if parent else None,
            position=position,
            name=code.name,
            guid=code.guid or "",
            codable=code.codable,
            colour=code.colour,
            definition=code.definition,
            inclusion=code.inclusion,
            exclusion=code.exclusion,
            indicators=list(code.indicators),
            examples=list(code.examples),
            keywords=list(code.keywords),
            patterns=list(code.patterns),
        )
        for i, child in enumerate(code.children):
            add(child, row, i)

    for i, code in enumerate(spec.codes):
        add(code, None, i)
    count = sum(1 for _ in spec.walk())
    record(
        session,
        actor,
        "codebook.add",
        f"added codebook {spec.name!r} ({count} codes)",
        entity_type="codebook",
        entity_id=book.id,
        details={"codebook": spec.name, "origin": spec.origin, "version": spec.version, "codes": count},
    )
    return book


def list_codebooks(session: Session) -> list[Codebook]:
    """Every codebook in the study, in the order they were added."""
    return codebooks_in_order(session)


def get_codebook(session: Session, name: str) -> Codebook:
    """The codebook called ``name`` or a clear error."""
    book = codebook_named(session, name)
    if book is None:
        names = ", ".join(b.name for b in list_codebooks(session)) or "none yet"
        raise NotFoundError(f"there is no codebook {name!r} in this study (codebooks: {names}).")
    return book


def codebook_to_spec(session: Session, book: Codebook) -> CodebookSpec:
    """A study codebook as plain data (for YAML/REFI export and reports)."""
    codes = codes_in_tree_order(session, book.id)
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)

    def build(code: Code) -> CodeSpec:
        return CodeSpec(
            name=code.name,
            codable=code.codable,
            colour=code.colour,
            definition=code.definition,
            inclusion=code.inclusion,
            exclusion=code.exclusion,
            indicators=list(code.indicators or []),
            examples=list(code.examples or []),
            keywords=list(code.keywords or []),
            patterns=list(code.patterns or []),
            guid=code.guid,
            children=[build(c) for c in children.get(code.id, [])],
            structural=bool(code.structural),
        )

    extra = book.extra or {}
    return CodebookSpec(
        name=book.name,
        title=book.title,
        version=book.version,
        description=book.description,
        references=list(extra.get("references", [])),
        decision_rules=list(extra.get("decision_rules", [])),
        codes=[build(c) for c in children.get(None, [])],
        origin=book.origin,
        approach=extra.get("approach") or ("inductive" if book.origin == "study" else None),
        memo_prompts=[
            MemoPrompt(str(m.get("title", "")), str(m.get("text", "")))
            for m in extra.get("memo_prompts", []) or []
            if isinstance(m, dict)
        ],
    )


def _fold(name: str) -> str:
    """Case-, space- and punctuation-insensitive key: 'self_censorship' == 'Self-censorship'."""
    return re.sub(r"[\W_]+", "", name.casefold())


def tree_order(code: Code) -> tuple[int, ...]:
    """Sort key placing a code where it sits in its codebook's tree (parents before children)."""
    path = []
    walker: Code | None = code
    while walker is not None:
        path.append(walker.position)
        walker = walker.parent
    return tuple(reversed(path))


def code_path(code: Code) -> str:
    """``codebook:Parent/Child`` for messages and exports."""
    names = [code.name]
    parent = code.parent
    while parent is not None:
        names.append(parent.name)
        parent = parent.parent
    return f"{code.codebook.name}:{'/'.join(reversed(names))}"


def code_paths(session: Session) -> dict[int, str]:
    """Every code's :func:`code_path`, from two small queries (no code object loaded per coding)."""
    books = codebook_names_by_id(session)
    rows = code_parents(session)
    out: dict[int, str] = {}
    for cid, (parent, book, name) in rows.items():
        names = [name]
        while parent is not None:
            parent, _, above = rows[parent]
            names.append(above)
        out[cid] = f"{books[book]}:{'/'.join(reversed(names))}"
    return out


def resolve_code(session: Session, ref: str, *, codable: bool = True) -> Code:
    """Find a code by name, ``codebook:name`` or ``codebook:Parent/Child``, forgivingly.

    Matching ignores case, spaces, hyphens and underscores. An ambiguous name (two codebooks use
    it) must be qualified with its codebook; an unknown one suggests the closest names. Names are
    matched on plain rows; only the code found is loaded.
    """
    ref = ref.strip()
    if not ref:
        raise InputError("no code given.")
    rows = code_name_rows(session)
    if ":" in ref or "/" in ref:
        # A code may itself be called "Risk: overdose" or "Use/abuse" (ATLAS.ti names often are):
        # an exact name wins over reading the reference as codebook:Parent/Child.
        wanted = _fold(ref)
        exact = [r for r in rows if _fold(r.name) == wanted]
        if len(exact) == 1:
            return _codable(existing_code(session, exact[0].id), codable)
    book_name, _, code_ref = ref.rpartition(":") if ":" in ref else ("", "", ref)
    candidates = rows
    if book_name:
        book_id = get_codebook(session, book_name).id
        candidates = [r for r in rows if r.codebook_id == book_id]
    leaf = code_ref.split("/")[-1]
    whole, last = _fold(code_ref), _fold(leaf)
    matches = [r for r in candidates if _fold(r.name) == whole]  # a name with a slash
    paths: dict[int, str] = {}
    if not matches:
        matches = [r for r in candidates if _fold(r.name) == last]
        if "/" in code_ref:
            paths = code_paths(session)
            matches = [r for r in matches if _fold(paths[r.id].split(":", 1)[1]) == whole]
    if not matches:
        names = [r.name for r in candidates]
        close = difflib.get_close_matches(leaf, names, n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(repr(n) for n in close)}?" if close else ""
        raise NotFoundError(f"there is no code {ref!r} in this study.{hint}")
    if len(matches) > 1:
        paths = paths or code_paths(session)
        options = ", ".join(paths[r.id] for r in matches)
        raise ConflictError(f"code {ref!r} is in more than one codebook; say which: {options}.")
    return _codable(existing_code(session, matches[0].id), codable)


def _codable(code: Code, required: bool) -> Code:
    if required and not code.codable:
        raise InputError(
            f"{code_path(code)} is a category that groups codes; apply one of its codes instead."
        )
    return code


def create_code(
    session: Session,
    codebook: str,
    name: str,
    actor: User,
    *,
    parent: str | None = None,
    definition: str | None = None,
    colour: str | None = None,
    codable: bool = True,
) -> Code:
    """Add a code (e.g. an inductive one) to a codebook, creating the codebook if it is new."""
    book = codebook_named(session, codebook)
    if book is None:
        CodebookSpec(name=codebook, codes=[CodeSpec(name=name)]).validate(codebook)  # checks the name
        book = add_codebook_row(session, name=codebook, title=codebook, origin="study", extra={})
        record(
            session,
            actor,
            "codebook.add",
            f"added codebook {codebook!r}",
            entity_type="codebook",
            entity_id=book.id,
        )
    name = clean_name(name)
    existing = codes_of_codebook(session, book.id)
    if any(_fold(c.name) == _fold(name) for c in existing):
        raise ConflictError(f"codebook {codebook!r} already has a code called {name!r}.")
    parent_code = resolve_code(session, f"{codebook}:{parent}", codable=False) if parent else None
    path = [name]
    walker = parent_code
    while walker is not None:
        path.insert(0, walker.name)
        walker = walker.parent
    spec = CodeSpec(name=name, colour=colour)
    CodebookSpec(name=book.name, codes=[spec]).validate(codebook)
    code = add_code(
        session,
        codebook_id=book.id,
        parent_id=parent_code.id if parent_code else None,
        position=sibling_count(session, book.id, parent_code.id if parent_code else None),
        name=name,
        guid=code_guid(book.name, tuple(path)),
        codable=codable,
        colour=colour or (parent_code.colour if parent_code else None),
        definition=definition,
        indicators=[],
        examples=[],
        keywords=[],
        patterns=[],
    )
    record(
        session,
        actor,
        "code.create",
        f"created code {book.name}:{'/'.join(path)}",
        entity_type="code",
        entity_id=code.id,
        details={"codebook": book.name, "code": name, "definition": definition},
    )
    return code


def edit_code(session: Session, ref: str, changes: dict[str, Any], actor: User) -> Code:
    """Change fields of a code; every changed field is logged with its old and new value."""
    code = resolve_code(session, ref, codable=False)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InputError(f"cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE_FIELDS)}.")
    if "name" in changes:
        changes = {**changes, "name": clean_name(str(changes["name"]))}
    probe = CodeSpec(
        name=str(changes.get("name", code.name)),
        colour=changes.get("colour", code.colour),
        patterns=list(changes.get("patterns", code.patterns or [])),
    )
    CodebookSpec(name=code.codebook.name, codes=[probe]).validate(code.codebook.name)
    if "name" in changes:
        others = [c for c in codes_of_codebook(session, code.codebook_id) if c.id != code.id]
        if any(_fold(c.name) == _fold(str(changes["name"])) for c in others):
            raise ConflictError(
                f"codebook {code.codebook.name!r} already has a code called {changes['name']!r}."
            )
    diff = {}
    for key, new in changes.items():
        old = getattr(code, key)
        if old != new:
            diff[key] = {"old": old, "new": new}
            setattr(code, key, new)
    if diff:
        record(
            session,
            actor,
            "code.edit",
            f"edited {code_path(code)}: {', '.join(diff)}",
            entity_type="code",
            entity_id=code.id,
            details={"codebook": code.codebook.name, "changes": diff},
        )
    return code


def codebook_history(session: Session, codebook: str | None = None) -> list[AuditEvent]:
    """Every codebook and code change, oldest first (optionally of one codebook)."""
    out = []
    for event, _ in latest_events(session, action="code"):
        if not event.action.startswith(("codebook.", "code.")):
            continue
        if codebook is None or (event.details or {}).get("codebook") == codebook:
            out.append(event)
    return out


def code_usage(session: Session, code: Code) -> int:
    """How many live codings use the code (for warnings before risky edits)."""
    return live_coding_count(session, code.id)


def codebook_specs(study: Study, name: str | None = None) -> list[CodebookSpec]:
    """The study's codebooks as plain specs (only ``name`` when given), in one read."""
    with study.read() as session:
        books = [get_codebook(session, name)] if name is not None else list_codebooks(session)
        return [codebook_to_spec(session, b) for b in books]


def add_codebook(
    study: Study, source: str | Path, *, name: str | None = None, user: str | None = None
) -> CodebookSpec:
    """Load a built-in codebook (by name) or a YAML/.qdc file into ``study``; returns what was added."""
    spec = read_codebook_file(Path(source), name, study_pack(study).name)
    with study.write() as session:
        add_codebook_spec(session, spec, resolve_user(session, user or settings().user))
    return spec
