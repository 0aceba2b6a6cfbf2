"""Observed buying cohorts: the contract between a study's network analysis and the simulator.

A simulation may resample observed cohorts instead of drawing cohort sizes from a distribution
(``network.cohorts`` in a scenario, ``qualframe simulate --from-study STUDY``). The contract is a
list of ``{size, share_transactional, share_shared_moment}`` records (:func:`cohorts_from_records`);
:func:`cohorts_from_study` takes them from a study's confirmed buying cohorts
(:func:`qualframe.network.cohorts.cohort_report`), leaving out those a case attribute contradicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qualframe.config import settings
from qualframe.errors import InputError
from qualframe.network.cohorts import cohort_records, cohort_report
from qualframe.store.study import MARKER_NAME, Study

__all__ = ["CohortSpec", "cohorts_from_records", "cohorts_from_study"]


@dataclass(frozen=True)
class CohortSpec:
    """One observed buying cohort: its size and the mix of its members' ties.

    This is the structure a study's network data must provide (see :func:`cohorts_from_records`):
    shares are normalised, so ``(3, 2)`` transactional/shared-moment ties works as well as
    ``(0.6, 0.4)``.
    """

    size: int
    share_transactional: float
    share_shared_moment: float

    @property
    def transactional_fraction(self) -> float:
        """The share of ties that are transactional, the two shares normalised to sum to one."""
        total = self.share_transactional + self.share_shared_moment
        return self.share_transactional / total if total > 0 else 0.5


def cohorts_from_records(
    records: Iterable[Mapping[str, Any]], source: str = "cohorts"
) -> tuple[CohortSpec, ...]:
    """Validate observed cohorts given as ``{size, share_transactional, share_shared_moment}`` records.

    This is the contract with the network analysis: a list of buying cohorts, each with its number of
    members and the shares (or counts) of its ties that are transactional and shared-moment.
    """
    specs: list[CohortSpec] = []
    for i, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            raise InputError(f"{source}: cohort {i} must be a mapping with size and tie shares")
        unknown = set(record) - {"size", "share_transactional", "share_shared_moment"}
        if unknown:
            raise InputError(f"{source}: cohort {i} has unknown field '{sorted(unknown)[0]}'")
        size = record.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InputError(f"{source}: cohort {i} needs a whole-number size of at least 1, got {size!r}")
        shares = []
        for key in ("share_transactional", "share_shared_moment"):
            value = record.get(key, 0.5)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise InputError(f"{source}: cohort {i} {key} must be a non-negative number, got {value!r}")
            shares.append(float(value))
        specs.append(CohortSpec(size, shares[0], shares[1]))
    if not specs:
        raise InputError(f"{source}: no cohorts given")
    return tuple(specs)


def cohorts_from_study(study_path: str | Path, notes: list[str] | None = None) -> tuple[CohortSpec, ...]:
    """Buying cohorts (sizes and tie mixes) measured in a study, for ``--from-study``.

    A qualframe study is opened and its confirmed buying cohorts are taken from the network
    analysis (:func:`qualframe.network.cohorts.cohort_report`): each case's cohort in its latest
    phase with co-buying, except those a case attribute contradicts, which are left out and
    explained in ``notes`` (when given) with every other caveat. A folder that is not a study may
    hold cohorts exported earlier (``qualframe network cohorts STUDY --out``) as
    ``network/buying_cohorts.yaml`` (or ``.json``): a list of ``{size, share_transactional,
    share_shared_moment}`` records, or a mapping with such a list under ``cohorts`` (see
    :func:`cohorts_from_records`). Without either this raises :class:`InputError`.
    """
    root = Path(study_path)
    if not root.exists():
        raise InputError(f"study folder '{root}' does not exist")
    if not root.is_dir():
        raise InputError(f"'{root}' is not a study folder")
    if (root / MARKER_NAME).exists():
        return _cohorts_of_study(root, notes if notes is not None else [])
    for name in ("buying_cohorts.yaml", "buying_cohorts.json"):
        path = root / "network" / name
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                raise InputError(f"{path} cannot be read as YAML or JSON") from None
            if isinstance(data, Mapping):
                data = data.get("cohorts")
            if not isinstance(data, list):
                raise InputError(f"{path} must hold a list of cohorts")
            return cohorts_from_records(data, source=str(path))
    raise InputError(
        f"cannot take cohorts from '{root}': the study has no network data yet "
        "(code the network-tie codebook and run the network analysis first)"
    )


def _cohorts_of_study(root: Path, notes: list[str]) -> tuple[CohortSpec, ...]:
    """The confirmed, uncontradicted buying cohorts of the study at ``root``, as validated records."""
    with Study.open(root, passphrase=settings().passphrase) as study:
        report = cohort_report(study)
    for c in report.flagged:
        notes.append(f"left out {c.case}'s cohort ({c.phase}, {c.size} people): {c.contradiction}")
    for c in report.usable:
        notes.extend(f"{c.case}: {note}" for note in c.notes)
    notes.extend(report.unconfirmed)
    records = cohort_records(report.cohorts)
    if not records:
        raise InputError(
            f"cannot take cohorts from '{root}': the study has no confirmed buying cohort that its case "
            "attributes do not contradict (run 'qualframe network extract' and confirm the buying ties with "
            "'qualframe network review' first)"
        )
    return cohorts_from_records(records, source=str(root))
