"""A study's state version, and results cached until a write changes what they read.

At 50,000 codings a matrix, the quotes or reliability take seconds to compute, and the workbench
asks for them on every page view. They only change when the data they are computed from changes,
so each is cached per *study state*: triggers (migration 0011) add one to a table's counter in
``study_state`` in the same transaction as every insert, update or delete on that table, whoever
writes (the coding writer, an import, the command line, another process, an old script). Reading
the counters is one query of a few rows; a cached result is reused while the counters of the
tables it reads are unchanged, and computed again after any committed write to one of them.

The row ``generation`` is random, set when the table is created and replaced when a backup is
restored (:meth:`qualframe.store.study.Study.restore`), so two histories that reach the same
counts are never confused.

Results are held in memory by the process (the workbench server, a notebook), a bounded number at
a time, least recently used first out; nothing is written to disk, so a cache never holds
participants' words beyond the process that computed them. Cached values are shared between
callers: treat them as read-only (lists are handed out as copies).
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from qualframe.store.models import StudyState
from qualframe.visibility import Actor

if TYPE_CHECKING:
    from qualframe.store.study import Study

__all__ = [
    "ANALYSIS_READS",
    "TRACKED_TABLES",
    "cache_clear",
    "cache_stats",
    "cached",
    "counting",
    "per_state",
    "state_versions",
]

#: What findings built from codings read: the codings, who made them, the passages' sources and
#: cases, the codebooks, themes and charted cells, and the assignments that decide who sees what.
ANALYSIS_READS = (
    "users",
    "cases",
    "attributes",
    "attribute_values",
    "sources",
    "segments",
    "codebooks",
    "codes",
    "codings",
    "themes",
    "theme_codes",
    "assignments",
    "reconciliations",
    "matrix_cells",
)
#: Tables whose writes are counted (the same set as migration 0011's list; a test keeps them equal):
#: what findings read, and memos, assisted coding's runs and states, and the networks.
TRACKED_TABLES = (
    *ANALYSIS_READS,
    "memos",
    "suggestion_runs",
    "engine_states",
    "coded_ranges",
    "alters",
    "alter_mentions",
    "ties",
    "alter_ties",
    "tie_evidence",
)
#: How many results one process keeps (the largest, all quotes of a 50,000-coding study, is ~40 MB).
MAX_ENTRIES = 32

P = ParamSpec("P")
T = TypeVar("T")


def state_versions(session: Session) -> dict[str, int]:
    """Every table's change counter, and ``generation`` (see the module docstring)."""
    return dict(session.execute(select(StudyState.name, StudyState.version)).all())


def counting(session: Session) -> bool:
    """Whether every counting trigger is in place.

    SQLite drops a table's triggers when a migration rebuilds the table (Alembic's batch mode
    copies it into a new one), so a later migration could silently stop a table's counter; a
    study in that state is computed afresh every time rather than ever served a stale result.
    """
    found = session.execute(
        text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'study_state_%'")
    ).scalar_one()
    return int(found) >= len(TRACKED_TABLES) * 3


class _Cache:
    """Results by (study, function, arguments), each stamped with the state it was computed at."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, tuple[tuple[int, ...], Any]] = OrderedDict()
        self.lock = threading.Lock()
        self.computing: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, stamp: tuple[int, ...]) -> tuple[bool, Any]:
        with self.lock:
            found = self.entries.get(key)
            if found is not None and found[0] == stamp:
                self.entries.move_to_end(key)
                self.hits += 1
                return True, found[1]
            if found is not None:  # computed at an older state: never valid again
                del self.entries[key]
            return False, None

    def put(self, key: Hashable, stamp: tuple[int, ...], value: Any) -> None:
        with self.lock:
            self.misses += 1
            self.entries[key] = (stamp, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                old, _ = self.entries.popitem(last=False)
                self.computing.pop(old, None)

    def key_lock(self, key: Hashable) -> threading.Lock:
        with self.lock:
            return self.computing.setdefault(key, threading.Lock())


_CACHE = _Cache(MAX_ENTRIES)


def cached(study: Study, name: str, reads: Iterable[str], key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or the result it gave at the current state of the tables in ``reads``.

    Two requests for the same result at once compute it once: the second waits for the first.
    A study opened before migration 0011 (no counters), or one whose triggers a later migration
    dropped (:func:`counting`), is never cached.
    """
    with study.read() as session:
        versions = state_versions(session)
        complete = bool(versions) and counting(session)
    if not complete:
        return compute()
    stamp = (versions.get("generation", 0), *(versions.get(t, -1) for t in reads))
    full = (str(study.path.resolve()), name, key)
    ok, value = _CACHE.get(full, stamp)
    if ok:
        return cast(T, _handed_out(value))
    with _CACHE.key_lock(full):
        ok, value = _CACHE.get(full, stamp)
        if ok:
            return cast(T, _handed_out(value))
        value = compute()
        _CACHE.put(full, stamp, value)
    return _handed_out(value)


def _handed_out(value: T) -> T:
    """Lists are copied (cheap: references), so a caller that sorts or trims one harms no other."""
    return list(value) if isinstance(value, list) else value  # type: ignore[return-value]


def per_state(*reads: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate ``fn(study, ...)`` to be cached per state of the tables in ``reads``.

    Calls whose arguments cannot be hashed are simply computed.
    """

    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        name = f"{fn.__module__}.{fn.__qualname__}"
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            # the same call written two ways (a default left out or spelled out) is one entry
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            study, rest = args[0], list(bound.arguments.items())[1:]
            try:
                key = _frozen(rest)
                hash(key)
            except TypeError:
                return fn(*args, **kwargs)
            return cached(study, name, reads, key, lambda: fn(*args, **kwargs))  # type: ignore[arg-type]

        return wrapper

    return decorate


def _frozen(value: Any) -> Hashable:
    """Arguments as a hashable key: lists and tuples as tuples, sets as frozensets, dicts sorted.

    A viewer whom blind coding cannot filter (the local researcher, a lead) sees what no viewer
    sees (:func:`qualframe.store.assignments.visibility_of`), so both share one entry: the
    workbench's pages and a download then hold one copy of 50,000 quotes, not two.
    """
    if isinstance(value, Actor):
        return value if value.filtered else None
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    hash(value)
    return cast(Hashable, value)


def cache_stats() -> dict[str, int]:
    """Hits, misses and entries held (benchmarks and tests read these)."""
    with _CACHE.lock:
        return {"hits": _CACHE.hits, "misses": _CACHE.misses, "entries": len(_CACHE.entries)}


def cache_clear() -> None:
    """Drop every cached result (tests; a notebook that wants its memory back)."""
    with _CACHE.lock:
        _CACHE.entries.clear()
        _CACHE.computing.clear()
