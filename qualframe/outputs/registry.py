"""The output registry: every file that leaves a study, by one route.

Exports, framework matrices, figures and reports are all *outputs*: a registered name
(``quotes-csv``, ``framework-xlsx``, ``report-docx``, ``saturation-png``...), a renderer that turns
the study into bytes, and the promises that come with leaving the study, kept here once:

* **who may take it**: every output pools every coder's work, so it is refused to a person who
  still codes blind (:mod:`qualframe.visibility`);
* **atomic, private files**: written through a temporary file, an fsync and a rename, readable by
  the owner only (0600), because a quotes sheet is as sensitive as the transcripts;
* **audited**: an ethics committee will ask what left the study, when and for whom, so every file
  written or downloaded is an audit event with its format, name, size and options.

The command line (``qualframe export``, ``report``, ``matrix --out``, ``--out`` of the figure
commands) and the workbench's downloads call :func:`write_output` or :func:`download_output`; to add
an output, register it in :data:`OUTPUTS` (see ARCHITECTURE.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualframe.coding.team import require_unblinded
from qualframe.errors import InputError, UnsupportedFormatError
from qualframe.store.audit import record
from qualframe.store.files import write_atomic
from qualframe.store.study import Study
from qualframe.store.users import actor_user
from qualframe.visibility import Actor, as_actor

__all__ = [
    "KINDS",
    "Output",
    "Renderer",
    "download_output",
    "output",
    "outputs_of_kind",
    "register",
    "write_output",
]

#: What an output is, for listings and for which command offers it.
KINDS = ("export", "matrix", "report", "figure", "analysis")

Renderer = Callable[[Study, Mapping[str, Any]], bytes]


@dataclass(frozen=True)
class Output:
    """One registered output: its name, what it is, its file type and how to render it."""

    name: str
    kind: str
    description: str
    suffix: str
    media_type: str
    render: Renderer
    #: What a downloaded file is called after the study's title (the name, unless it says less well).
    stem: str = ""

    def filename(self, title: str, qualifier: str = "") -> str:
        """``<study-title>-<stem>[-<qualifier>]<suffix>``, the title made safe for a file name."""
        slug = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in title).strip("-.")[:60] or "study"
        return f"{slug}-{self.stem or self.name}{'-' + qualifier if qualifier else ''}{self.suffix}"


_REGISTRY: dict[str, Output] = {}


def register(out: Output) -> Output:
    """Add an output to the registry (names are unique)."""
    if out.kind not in KINDS:
        raise ValueError(f"unknown output kind {out.kind!r}")
    if out.name in _REGISTRY:
        raise ValueError(f"the output {out.name!r} is registered twice")
    _REGISTRY[out.name] = out
    return out


def output(name: str, *, kinds: tuple[str, ...] = KINDS) -> Output:
    """The registered output ``name`` among ``kinds``, or a one-line error listing the choices."""
    found = _REGISTRY.get(name)
    if found is None or found.kind not in kinds:
        choices = ", ".join(n for n, o in _REGISTRY.items() if o.kind in kinds)
        noun = f"{kinds[0]} format" if len(kinds) == 1 else "output"
        raise UnsupportedFormatError(f"unknown {noun} {name!r}; choose one of {choices}.")
    return found


def outputs_of_kind(*kinds: str) -> dict[str, Output]:
    """The registered outputs of these kinds, in registration order."""
    return {n: o for n, o in _REGISTRY.items() if o.kind in kinds}


def _clean(options: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (options or {}).items() if v not in (None, "", False)}


def _render(study: Study, out: Output, who: Actor, options: dict[str, Any], data: bytes | None) -> bytes:
    require_unblinded(study, who, "reports, exports and analyses")
    return data if data is not None else out.render(study, options)


def _audit(
    study: Study, who: Actor, out: Output, verb: str, file: str, size: int, options: dict[str, Any]
) -> None:
    with study.write() as session:
        actor = actor_user(session, who)
        record(
            session,
            actor,
            "report" if out.kind == "report" else "export",
            f"{verb} {out.name} as {file}",
            details={
                "format": out.name,
                "file": file,
                "bytes": size,
                "how": verb,
                "options": {k: str(v) for k, v in options.items()},
            },
        )


def write_output(
    study: Study,
    name: str,
    out: str | os.PathLike[str],
    *,
    user: str | Actor | None = None,
    options: Mapping[str, Any] | None = None,
    kinds: tuple[str, ...] = KINDS,
    data: bytes | None = None,
) -> Path:
    """Render the output ``name`` and write it to ``out`` (atomic, 0600, audited); returns the path.

    ``data`` is the output already rendered by a caller that also shows the result (a command that
    prints a table and writes its figure): it is written and audited exactly like a rendered one.
    """
    spec = output(name, kinds=kinds)
    path = Path(out)
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name to write to.")
    who, opts = as_actor(user), _clean(options)
    payload = _render(study, spec, who, opts, data)
    write_atomic(path, payload)
    _audit(study, who, spec, "wrote", path.name, len(payload), opts)
    return path


def download_output(
    study: Study,
    name: str,
    *,
    user: str | Actor | None = None,
    options: Mapping[str, Any] | None = None,
    kinds: tuple[str, ...] = KINDS,
) -> tuple[bytes, Output]:
    """Render the output ``name`` for a download from the workbench (audited like a file written)."""
    spec = output(name, kinds=kinds)
    who, opts = as_actor(user), _clean(options)
    payload = _render(study, spec, who, opts, None)
    _audit(study, who, spec, "downloaded", spec.filename(study.title), len(payload), opts)
    return payload, spec
