"""A codebook as plain data, before it enters a study (and after it leaves one).

The YAML and REFI-QDA readers produce a :class:`CodebookSpec`; :mod:`qualframe.codebook.service`
loads it into a study and dumps a study's codebook back out. Validation lives here, so every format
gets the same rules and the same messages.

Why a core module (below :mod:`qualframe.io`, not in :mod:`qualframe.codebook`): the format readers in
``io/`` build these values and the codebook service stores them, so the values sit beneath both and
neither reaches upwards for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from qualframe.errors import CodebookError
from qualframe.ids import stable_guid
from qualframe.naming import clean_name

__all__ = ["APPROACHES", "CodeSpec", "CodebookSpec", "MemoPrompt", "code_guid"]

#: How a codebook came about: fixed before coding (``deductive``, a priori), built from the data
#: (``inductive``), or both. Saturation warns when its codes come from a deductive codebook.
APPROACHES = ("deductive", "inductive", "mixed")

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9\-]{0,99}$")


def code_guid(codebook: str, path: tuple[str, ...]) -> str:
    """The stable GUID of the code at ``path`` (names from the root) in codebook ``codebook``."""
    return stable_guid("code", codebook, *path)


@dataclass
class CodeSpec:
    """One code and its children, with everything a coder (or an engine) needs to apply it."""

    name: str
    codable: bool = True
    colour: str | None = None
    definition: str | None = None
    inclusion: str | None = None
    exclusion: str | None = None
    indicators: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    guid: str | None = None
    children: list[CodeSpec] = field(default_factory=list)
    #: Present by design, not found (a life phase, a tie type, a case classification); children of
    #: a structural code are structural too.
    structural: bool = False

    def __post_init__(self) -> None:
        # Every way a code is named (YAML, .qdc, .qdpx, the workbench) passes here: no invisible
        # or direction-changing characters in a name a coder picks by eye.
        self.name = clean_name(self.name)


@dataclass
class MemoPrompt:
    """A memo the codebook asks coders to write when something happens (e.g. the framework does not fit)."""

    title: str
    text: str


@dataclass
class CodebookSpec:
    """A named framework: metadata plus a tree of codes."""

    name: str
    title: str | None = None
    version: str | None = None
    description: str | None = None
    references: list[str] = field(default_factory=list)
    decision_rules: list[str] = field(default_factory=list)
    codes: list[CodeSpec] = field(default_factory=list)
    origin: str = "user"
    approach: str | None = None
    memo_prompts: list[MemoPrompt] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[tuple[str, ...], CodeSpec]]:
        """Every code with its path of names from the root, parents before children."""
        stack: list[tuple[tuple[str, ...], CodeSpec]] = [((c.name,), c) for c in reversed(self.codes)]
        while stack:
            path, code = stack.pop()
            yield path, code
            stack.extend(((*path, child.name), child) for child in reversed(code.children))

    def validate(self, source: str) -> None:
        """Raise :class:`CodebookError` (naming ``source``) when the codebook breaks a rule."""
        if not _NAME.match(self.name):
            raise CodebookError(
                f"{source}: codebook name {self.name!r} must be lower case letters, digits and '-'."
            )
        if not self.codes:
            raise CodebookError(f"{source}: the codebook has no codes.")
        if self.approach is not None and self.approach not in APPROACHES:
            raise CodebookError(
                f"{source}: approach {self.approach!r} must be one of {', '.join(APPROACHES)}."
            )
        seen: set[str] = set()
        guids: set[str] = set()
        for path, code in self.walk():
            where = f"{source}: code {' / '.join(path)!r}"
            if not code.name or not code.name.strip():
                raise CodebookError(f"{source}: a code has an empty name.")
            if code.name.casefold() in seen:
                raise CodebookError(f"{where} is defined twice; code names must be unique in a codebook.")
            seen.add(code.name.casefold())
            if code.colour is not None and not _COLOUR.match(code.colour):
                raise CodebookError(f"{where} has colour {code.colour!r}; use #RRGGBB.")
            for pattern in code.patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise CodebookError(f"{where} has an invalid pattern {pattern!r} ({exc}).") from None
            if code.guid:
                if code.guid.upper() in guids:
                    raise CodebookError(f"{where} repeats GUID {code.guid}.")
                guids.add(code.guid.upper())

    def assign_guids(self) -> None:
        """Give every code without a GUID its stable uuid5 and pass colours down to children."""
        colours: dict[tuple[str, ...], str | None] = {}
        for path, code in self.walk():
            if not code.guid:
                code.guid = code_guid(self.name, path)
            if code.colour is None:
                code.colour = colours.get(path[:-1])
            colours[path] = code.colour
