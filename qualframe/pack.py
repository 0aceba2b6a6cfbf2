"""Study packs: what one research topic adds to the method, and the registry that finds them.

qualframe's method (import, pseudonymise, code, analyse, map networks, simulate, report) is the same
for every interview study; the subject matter is not. A :class:`StudyPack` holds a topic's part as
data: the codebooks it ships, the words that cue a network tie or a role in that topic's talk, which
tie forms the cohorts an intervention would reach, simulator scenarios, words the pseudonymiser
must not take for names, and optionally a demo. A study of another topic is a new pack, not edits
to the core (``docs/packs.md`` explains how to write one).

Packs are found in three places, in this order: the built-in ones (:data:`BUILTIN_PACKS`, the
Houghton et al. 2024 study's ``houghton``), installed distributions that declare an entry point in
the group :data:`ENTRY_POINT_GROUP` (``qualframe.packs``) naming a :class:`StudyPack`, and packs
registered at run time with :func:`register_pack` (notebooks, tests). A study records its pack at
``qualframe init --pack NAME`` (the study setting ``pack``); a study without one uses
:data:`DEFAULT_PACK`, so studies made before packs existed behave as they always did.

This module sits low in the layers (it needs only the standard library and :mod:`qualframe.errors`)
so that codebooks, privacy, networks and the simulator can all read the study's pack through it;
packs are imported by name when first asked for, never statically from below.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualframe.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from qualframe.store.study import Study

__all__ = [
    "BUILTIN_PACKS",
    "DEFAULT_PACK",
    "ENTRY_POINT_GROUP",
    "STUDY_SETTING",
    "DemoSpec",
    "NetworkVocabulary",
    "PackFile",
    "StudyPack",
    "available_packs",
    "compiled",
    "get_pack",
    "pack_names",
    "register_pack",
    "study_pack",
    "unregister_pack",
]

#: The entry-point group an installed distribution uses to contribute packs.
ENTRY_POINT_GROUP = "qualframe.packs"
#: The pack of a study that names none (every study made before packs existed).
DEFAULT_PACK = "houghton"
#: The study setting (a row of ``study_info``) that names the study's pack.
STUDY_SETTING = "pack"
#: Packs that ship with qualframe: name -> ``module:attribute`` of the :class:`StudyPack`.
BUILTIN_PACKS = {"houghton": "qualframe.packs.houghton:PACK"}

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

#: A file or folder a pack ships: a path on disk or a resource inside an installed package.
PackFile = Path | Traversable


@dataclass(frozen=True)
class NetworkVocabulary:
    """The topic's words for network extraction, as regular-expression sources (case-insensitive).

    The core keeps what every interview shares: names, kin and friends, professionals, "he"/"we"
    reference, and whether a cue is asserted (negation, hypotheticals, reported speech). A pack adds
    what its topic's talk says about doing the studied thing together. Every pattern is optional;
    one left empty never matches, so a pack without a network vocabulary still gets alters, roles
    and the tie types an assisted-coding engine proposes.
    """

    #: Doing the thing together that forms cohorts ("we go halves", "we got a round in"): proposes
    #: a tie of type :attr:`cohort_tie` when the participant takes part, and between alters named
    #: together with it.
    cohort_cue: str = ""
    #: The tie type the cohort cue proposes and cohorts are formed from (one of the study schema's
    #: tie types: shared-moment, transactional, support, pressure, co-buying).
    cohort_tie: str = "co-buying"
    #: The alter does the studied thing ("he's still using", "she drinks").
    uses_cue: str = ""
    #: The alter does not ("he's clean", "she's teetotal"); wins over :attr:`uses_cue`.
    abstains_cue: str = ""
    #: The alter supplies the others ("he sells", "I get it off him"): gives :attr:`supplier_role`.
    supplier_cue: str = ""
    #: The role a supplier gets (one of the schema's alter roles); suppliers are never cohort
    #: members (you buy off them, not with them) and are not part of the participant's "we".
    supplier_role: str = "dealer"
    #: Extra words that name a role beside a name ("me dealer Rob"), besides the core's kin and friends.
    role_words: tuple[str, ...] = ()
    #: Relation nouns after "my"/"me"/"our" (and "his"/"her"), besides the core's kin, friends and
    #: professionals: ``(pattern, label, role, is a group)``, such as ``("dealer|plug", "dealer",
    #: "dealer", False)`` for "my plug". The role is one of the schema's alter roles.
    role_nouns: tuple[tuple[str, str, str, bool], ...] = ()
    #: Phrases that name someone on their own, same shape (``("the\s+man", "dealer", "dealer",
    #: False)``); one whose role is :attr:`supplier_role` and starts with "the" is skipped before
    #: "at", "from", "who" ("the man at the chemist").
    role_phrases: tuple[tuple[str, str, str, bool], ...] = ()
    #: Extra ``(pattern, role)`` read in the interviewer's question for alters first named in the
    #: answer ("Tell me about your dealer" -> dealer), before the core's friends, family and workers.
    question_roles: tuple[tuple[str, str], ...] = ()
    #: Case attributes that say whether the participant does the cohort thing with others: name
    #: (lower case, underscores) -> what "yes" means (``buys_alone``: False).
    cohort_attributes: Mapping[str, bool] = field(default_factory=dict)
    #: ``(codebook, code)`` where the evidence of a cohort tie is coded when the study has that
    #: codebook (else the network-ties codebook's Transactional tie).
    cohort_code: tuple[str, str] | None = None
    #: ``(life phase, pattern)`` temporal cues that set a sentence in a phase of the schema's life
    #: phases (pre-use, recreational, dependent, treatment), in order of precedence when two
    #: cues start at the same place ("growing up", "every day", "these days").
    phase_cues: tuple[tuple[str, str], ...] = ()

    def patterns(self) -> dict[str, str]:
        """Every pattern source by field name (for validation and the documentation)."""
        out = {
            name: getattr(self, name) for name in ("cohort_cue", "uses_cue", "abstains_cue", "supplier_cue")
        }
        out.update({f"question_roles[{i}]": p for i, (p, _) in enumerate(self.question_roles)})
        out.update({f"phase_cues[{i}]": p for i, (_, p) in enumerate(self.phase_cues)})
        out.update({f"role_nouns[{i}]": p for i, (p, *_) in enumerate(self.role_nouns)})
        out.update({f"role_phrases[{i}]": p for i, (p, *_) in enumerate(self.role_phrases)})
        return out


@dataclass(frozen=True)
class DemoSpec:
    """A pack's demo study: its title, the corpus folder and the stages run after import.

    The corpus holds ``P*.txt`` transcripts, ``cases.csv`` and ``reference_codings.csv``. Stages are
    named ``"module:function"`` (each ``function(study, log)``) and imported only when the demo runs,
    because they drive the application's upper layers (analysis, simulation, the report).
    """

    title: str
    corpus: PackFile
    stages: tuple[str, ...] = ()
    codebooks: tuple[str, ...] = ()


@dataclass(frozen=True)
class StudyPack:
    """What one research topic contributes to qualframe; see the module docstring and docs/packs.md."""

    name: str
    title: str
    description: str = ""
    #: Codebooks a study of this topic can add by name: name -> YAML file.
    codebooks: Mapping[str, PackFile] = field(default_factory=dict)
    network: NetworkVocabulary = field(default_factory=NetworkVocabulary)
    #: Simulator scenarios by name: dotted settings changed from the neutral ``default`` scenario.
    scenarios: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Words of the topic the pseudonymiser must never propose as names (lower case): drug names,
    #: a drink's brand, a service's name.
    not_names: frozenset[str] = frozenset()
    #: Codebook name -> a paragraph the report's Limitations section adds when the study applies
    #: that codebook deductively (the contested evidence base of Janis's groupthink).
    framework_notes: Mapping[str, str] = field(default_factory=dict)
    demo: DemoSpec | None = None

    def check(self) -> None:
        """Refuse a pack whose name or patterns cannot work, with a one-line reason."""
        if not _NAME.match(self.name):
            raise InputError(
                f"study pack name {self.name!r}: use lower-case letters, digits, '.', '_' or '-' (at most 64)."
            )
        for where, source in self.network.patterns().items():
            try:
                compiled(source)
            except re.error as exc:
                raise InputError(
                    f"study pack {self.name!r}: network.{where} is not a valid pattern ({exc})."
                ) from None
        for scenario in self.scenarios:
            if scenario == "default":
                raise InputError(f"study pack {self.name!r}: 'default' is the core's neutral scenario.")


@lru_cache(maxsize=256)
def compiled(source: str) -> re.Pattern[str] | None:
    """A pack pattern compiled case-insensitively, whole words only, or None when empty."""
    if not source:
        return None
    return re.compile(rf"\b(?:{source})\b", re.IGNORECASE)


_LOCK = threading.Lock()
_REGISTERED: dict[str, StudyPack] = {}
_LOADED: dict[str, StudyPack] = {}


def _load(target: str, origin: str) -> StudyPack:
    module, _, attribute = target.partition(":")
    try:
        obj: Any = importlib.import_module(module)
        for part in attribute.split(".") if attribute else ():
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"the study pack {origin} cannot be loaded ({target}: {exc}).") from None
    if callable(obj) and not isinstance(obj, StudyPack):
        obj = obj()
    if not isinstance(obj, StudyPack):
        raise InputError(f"the study pack {origin} ({target}) is not a qualframe.pack.StudyPack.")
    obj.check()
    return obj


def _entry_points() -> dict[str, str]:
    return {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def pack_names() -> list[str]:
    """Every pack that can be selected: built-in, installed through the entry point, registered."""
    with _LOCK:
        registered = list(_REGISTERED)
    return sorted({*BUILTIN_PACKS, *_entry_points(), *registered})


def register_pack(pack: StudyPack, *, replace: bool = False) -> StudyPack:
    """Make ``pack`` selectable in this process (a notebook's or a test's own pack)."""
    pack.check()
    with _LOCK:
        if not replace and (pack.name in _REGISTERED or pack.name in BUILTIN_PACKS):
            raise InputError(f"there is already a study pack called {pack.name!r}.")
        _REGISTERED[pack.name] = pack
    return pack


def unregister_pack(name: str) -> None:
    """Forget a pack registered with :func:`register_pack` (installed packs stay)."""
    with _LOCK:
        _REGISTERED.pop(name, None)


def get_pack(name: str | None = None) -> StudyPack:
    """The pack called ``name`` (default: :data:`DEFAULT_PACK`), loaded once."""
    name = name or DEFAULT_PACK
    with _LOCK:
        if name in _REGISTERED:
            return _REGISTERED[name]
        if name in _LOADED:
            return _LOADED[name]
    if name in BUILTIN_PACKS:
        pack = _load(BUILTIN_PACKS[name], repr(name))
    else:
        target = _entry_points().get(name)
        if target is None:
            raise NotFoundError(f"there is no study pack {name!r} (installed: {', '.join(pack_names())}).")
        pack = _load(target, f"{name!r} (entry point {ENTRY_POINT_GROUP})")
    if pack.name != name:
        raise InputError(f"the study pack installed as {name!r} calls itself {pack.name!r}.")
    with _LOCK:
        return _LOADED.setdefault(name, pack)


def available_packs() -> list[StudyPack]:
    """Every selectable pack, loaded, in name order."""
    return [get_pack(name) for name in pack_names()]


def study_pack(study: Study) -> StudyPack:
    """The pack a study was created with (its ``pack`` setting), else :data:`DEFAULT_PACK`."""
    return get_pack(study.info().get(STUDY_SETTING) or DEFAULT_PACK)
