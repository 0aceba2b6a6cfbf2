"""Scenarios: every assumption of a simulation in one validated, YAML-serialisable object.

A scenario is a tree of frozen dataclasses. The defaults *are* the built-in scenario ``default`` (the
one the benchmark runs), so there is a single source of truth for every number the model uses, and each
field carries its allowed range and a one-line explanation (used for validation messages and the
documentation table). Scenario files are YAML with the same nesting; any setting left out keeps its
default. Bad input raises :class:`~qualframe.errors.InputError` with one line that names the setting.

Examples
--------
>>> s = load_scenario("default").with_overrides({"agents": 200, "groupthink.direct_pressure": 0.2})
>>> s.agents, s.groupthink.direct_pressure
(200, 0.2)

"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml

from qualframe.errors import InputError
from qualframe.pack import available_packs
from qualframe.simulate.cohorts import CohortSpec, cohorts_from_records

__all__ = [
    "SCENARIOS",
    "STRATEGIES",
    "BehaviourSettings",
    "GroupthinkSettings",
    "InterventionSettings",
    "NetworkSettings",
    "Scenario",
    "SweepSettings",
    "builtin_scenarios",
    "default_scenario",
    "load_scenario",
    "parameter_table",
    "scenario_to_yaml",
]

#: Intervention strategies, after Valente (2012): none; individuals (random, highest risk);
#: identification (key players); segmentation (whole buying cohorts); induction (peer recruitment);
#: alteration (new ties to recovery peers).
STRATEGIES: tuple[str, ...] = (
    "none",
    "random",
    "highest_risk",
    "key_players",
    "cohort",
    "peer_recruitment",
    "recovery_ties",
)

_COHORT_DISTRIBUTIONS = ("poisson", "uniform", "fixed")


def _p(default: Any, doc: str, lo: float | None = None, hi: float | None = None) -> Any:
    """A scenario field with its documentation and allowed closed range [lo, hi]."""
    return field(default=default, metadata={"doc": doc, "range": (lo, hi)})


@dataclass(frozen=True)
class NetworkSettings:
    """Buying cohorts and the wider clustered network around them (Houghton et al. 2024)."""

    cohort_size_distribution: str = _p(
        "poisson", "how cohort sizes are drawn: poisson (min + Poisson), uniform (min..max) or fixed"
    )
    cohort_size_mean: float = _p(4.0, "mean number of people who buy heroin together (assumption)", 1, 50)
    cohort_size_min: int = _p(2, "smallest cohort", 1, 50)
    cohort_size_max: int = _p(8, "largest cohort", 1, 50)
    cohorts: tuple[CohortSpec, ...] = _p(
        (), "observed cohorts (size and tie mix) to resample instead of the distribution, e.g. from a study"
    )
    share_transactional: float = _p(
        0.7, "share of within-cohort ties built on transactional exchange rather than shared moments", 0, 1
    )
    weight_wider: float = _p(0.5, "influence of a wider tie relative to a cohort tie of the same kind", 0, 10)
    wider_degree: int = _p(6, "ties each person has outside their cohort (even number)", 0, 200)
    wider_share_transactional: float = _p(0.5, "share of wider ties that are transactional", 0, 1)
    rewire: float = _p(
        0.1, "share of wider ties rewired at random, keeping degrees: 0 = clustered, 1 = random", 0, 1
    )
    weight_shared_moment: float = _p(1.0, "influence of a shared-moment tie", 0, 10)
    weight_transactional: float = _p(0.5, "influence of a transactional tie", 0, 10)


@dataclass(frozen=True)
class BehaviourSettings:
    """Motivation, quitting, relapse and complex contagion, before any groupthink."""

    motivation_mean: float = _p(
        0.35, "mean initial motivation toward abstinence (0-1, Beta distributed)", 0, 1
    )
    motivation_concentration: float = _p(
        4.0, "Beta concentration of initial motivation (higher = less spread)", 0.1, 1000
    )
    initial_abstinent: float = _p(0.0, "share abstinent at week 0", 0, 1)
    initial_seeding: str = _p(
        "random", "how the initially abstinent are placed: random or neighbourhood (Centola)"
    )
    base_quit: float = _p(
        0.04, "weekly chance that a fully motivated person stops without reinforcement", 0, 1
    )
    contagion_quit: float = _p(
        0.1, "extra weekly chance to stop when reinforced by enough abstinent ties", 0, 1
    )
    threshold: float = _p(
        2.0, "weighted abstinent ties needed for reinforcement (complex contagion)", 0.01, 100
    )
    base_relapse: float = _p(0.02, "weekly chance that an abstinent person relapses without pressure", 0, 1)
    motivation_protection: float = _p(0.5, "how much full motivation reduces the chance of relapse", 0, 1)
    conformity: float = _p(0.5, "weight of the perceived group norm in motivation (vs own baseline)", 0, 1)
    adaptation: float = _p(0.1, "weekly rate at which motivation moves toward its target", 0, 1)


@dataclass(frozen=True)
class GroupthinkSettings:
    """Janis's (1972) symptoms as explicit mechanisms; 0 switches a mechanism off."""

    direct_pressure: float = _p(
        0.15, "extra weekly relapse chance from a fully using cohort (pressure on dissenters)", 0, 1
    )
    exclusion: float = _p(
        0.02, "weekly chance an abstinent member of a using cohort loses their cohort ties", 0, 1
    )
    self_censorship: float = _p(0.6, "share of the wish to stop that users hide from others", 0, 1)
    illusion_of_unanimity: float = _p(
        0.7, "weight of visible behaviour (vs expressed wishes) in the perceived norm", 0, 1
    )
    mindguard_share: float = _p(0.1, "share of people who act as self-appointed mindguards", 0, 1)
    mindguard_block: float = _p(
        0.5, "chance a mindguard blocks an outsider's contact with their cohort", 0, 1
    )
    collective_rationalisation: float = _p(
        0.5, "share of risk information a fully using cohort discounts", 0, 1
    )


@dataclass(frozen=True)
class InterventionSettings:
    """Who is reached, with what effect, and for how long (Valente 2012); equal budgets throughout."""

    strategies: tuple[str, ...] = _p(STRATEGIES, "strategies to simulate, each with the same budget")
    compare: tuple[str, ...] = _p(
        ("cohort", "random"), "the pair compared in the headline: first minus second"
    )
    budget_share: float = _p(0.1, "people reached (approached) by every strategy, as a share of agents", 0, 1)
    start_week: int = _p(4, "week the intervention is delivered", 0, 10_000)
    effect_size: float = _p(0.4, "motivation added to each person reached", 0, 1)
    quit_attempt: float = _p(
        0.0,
        "chance that a person reached stops at once (a supported quit attempt); members of a cohort reached "
        "together stop together. 0 by default (not measured); 0.5 in the houghton-2024 scenario",
        0,
        1,
    )
    decay: float = _p(
        0.03, "weekly decay of every intervention effect (boost, disclosure, recovery ties)", 0, 1
    )
    cohort_disclosure: float = _p(
        0.0,
        "share of self-censorship lifted among members reached together. 0 by default (no assumed benefit of "
        "being reached together); 1 in the houghton-2024 scenario",
        0,
        1,
    )
    minimum_important_difference: float = _p(
        2.0,
        "smallest difference that matters, in extra people abstinent per 100 approached (a judgement): a "
        "strategy wins only when the whole 95% interval of the paired difference lies beyond it",
        0,
        100,
    )
    recruits_per_seed: int = _p(3, "peers each seed recruits (peer recruitment)", 1, 100)
    recovery_tie_weight: float = _p(1.0, "influence of a new tie to a recovery peer", 0, 10)


_DEFAULT_SWEEP: tuple[tuple[str, float, float], ...] = (
    ("groupthink.direct_pressure", 0.0, 0.2),
    ("groupthink.exclusion", 0.0, 0.1),
    ("groupthink.self_censorship", 0.0, 1.0),
    ("groupthink.illusion_of_unanimity", 0.0, 1.0),
    ("groupthink.mindguard_share", 0.0, 0.4),
    ("groupthink.mindguard_block", 0.0, 1.0),
    ("groupthink.collective_rationalisation", 0.0, 1.0),
    ("behaviour.threshold", 0.5, 3.0),
    ("intervention.cohort_disclosure", 0.0, 1.0),
    ("intervention.quit_attempt", 0.0, 1.0),
)


@dataclass(frozen=True)
class SweepSettings:
    """Sensitivity analysis: which parameters to vary, over which ranges, with how many runs."""

    replicates: int = _p(10, "replicates per sweep point", 2, 100_000)
    oat_levels: int = _p(5, "levels per parameter in the one-at-a-time sweep", 2, 1000)
    lhs_samples: int = _p(40, "points in the Latin hypercube sweep", 2, 100_000)
    parameters: tuple[tuple[str, float, float], ...] = _p(
        _DEFAULT_SWEEP, "parameters to vary as 'section.name: [low, high]'"
    )


@dataclass(frozen=True)
class Scenario:
    """A complete simulation setting; the defaults are the built-in scenario ``default``."""

    name: str = _p("default", "short name shown in outputs")
    description: str = _p(
        "Built-in scenario: 1,000 people using heroin alongside ORT in buying cohorts of 2-8, two years.",
        "free text",
    )
    agents: int = _p(1000, "people simulated", 2, 100_000_000)
    weeks: int = _p(104, "weekly steps simulated", 1, 100_000)
    replicates: int = _p(20, "independent replicates (each with its own network)", 1, 1_000_000)
    seed: int = _p(2024, "seed that makes a run reproducible", 0, 2**63 - 1)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    behaviour: BehaviourSettings = field(default_factory=BehaviourSettings)
    groupthink: GroupthinkSettings = field(default_factory=GroupthinkSettings)
    intervention: InterventionSettings = field(default_factory=InterventionSettings)
    sweep: SweepSettings = field(default_factory=SweepSettings)

    @property
    def budget(self) -> int:
        """People every strategy reaches (approaches), the same for each: the equal budget."""
        return round(self.intervention.budget_share * self.agents)

    @property
    def important_difference(self) -> float:
        """The minimum important difference as a share of agents (what verdicts compare with).

        ``minimum_important_difference`` extra abstinent people per 100 approached, over the
        budget approached, of all agents: 2 per 100 with 100 of 1,000 approached is 0.002.
        """
        return self.intervention.minimum_important_difference / 100 * self.budget / self.agents

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "scenario") -> Scenario:
        """Build and validate a scenario from nested mappings (as read from YAML)."""
        if not isinstance(data, Mapping):
            raise InputError(f"{source}: a scenario must be a mapping of settings, got {type(data).__name__}")
        scenario: Scenario = _build(cls, data, source, "")
        _check_consistency(scenario, source)
        return scenario

    def to_mapping(self) -> dict[str, Any]:
        """Plain nested dicts and lists, ready for YAML or JSON."""
        plain: dict[str, Any] = _to_plain(self)
        return plain

    def with_overrides(self, overrides: Mapping[str, Any], source: str = "override") -> Scenario:
        """A copy with dotted settings replaced (``{"groupthink.exclusion": 0.1}``), validated again."""
        data = self.to_mapping()
        for dotted, value in overrides.items():
            node = data
            *parents, leaf = dotted.split(".")
            for part in parents:
                child = node.get(part)
                if not isinstance(child, dict):
                    raise InputError(f"{source}: unknown setting '{dotted}'")
                node = child
            if leaf not in node:
                raise InputError(f"{source}: unknown setting '{dotted}'{_suggest(leaf, node)}")
            node[leaf] = value
        return Scenario.from_mapping(data, source)


#: The core's built-in scenario: ``default`` assumes no benefit of reaching a cohort together beyond
#: reaching its members. Study packs add theirs (:func:`builtin_scenarios`): the Houghton pack's
#: ``houghton-2024`` adds a joint quit attempt and members hearing each other's wish to stop.
SCENARIOS: dict[str, dict[str, Any]] = {"default": {}}


def builtin_scenarios() -> dict[str, Mapping[str, Any]]:
    """Every built-in scenario by name: the core's ``default``, then every study pack's."""
    found: dict[str, Mapping[str, Any]] = dict(SCENARIOS)
    for pack in available_packs():
        for name, changes in pack.scenarios.items():
            found.setdefault(name, changes)
    return found


def default_scenario() -> Scenario:
    """The built-in scenario ``default`` (also what the benchmark runs)."""
    return Scenario()


def load_scenario(spec: str | Path) -> Scenario:
    """Load a scenario: a built-in name (:func:`builtin_scenarios`) or the path of a YAML file."""
    builtin = builtin_scenarios()
    if str(spec) in builtin:
        return default_scenario().with_overrides(dict(builtin[str(spec)]), source=str(spec))
    path = Path(spec)
    if not path.is_file():
        names = " or ".join(f"'{n}'" for n in builtin)
        raise InputError(f"scenario file '{path}' does not exist (use {names} for a built-in scenario)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{path.name} is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path.name} is not a UTF-8 text file") from None
    if data is None:
        data = {}
    return Scenario.from_mapping(data, path.name)


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text that :func:`load_scenario` reads back to an equal scenario."""
    return yaml.safe_dump(scenario.to_mapping(), sort_keys=False, allow_unicode=True)


def parameter_table() -> list[tuple[str, str, str]]:
    """``(dotted name, default, explanation)`` for every setting: the documentation's table."""
    rows: list[tuple[str, str, str]] = []

    def walk(cls: type, prefix: str) -> None:
        for f in fields(cls):
            default = _default(f)
            if is_dataclass(default):
                walk(type(default), f"{prefix}{f.name}.")
                continue
            rows.append((f"{prefix}{f.name}", _show(_to_plain(default)), f.metadata["doc"]))

    walk(Scenario, "")
    return rows


# ----------------------------------------------------------------------------------------------------
# validation helpers


def _default(f: dataclasses.Field[Any]) -> Any:
    """A field's default value, calling its factory for nested sections."""
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _build(cls: type, data: Mapping[str, Any], source: str, prefix: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    for key in data:
        if key not in known:
            raise InputError(f"{source}: unknown setting '{prefix}{key}'{_suggest(str(key), known)}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        f = known[name]
        dotted = f"{prefix}{name}"
        default = _default(f)
        if is_dataclass(default):
            if value is None:
                continue
            if not isinstance(value, Mapping):
                raise InputError(f"{source}: '{dotted}' must be a section of settings")
            values[name] = _build(type(default), value, source, f"{dotted}.")
        else:
            values[name] = _coerce(dotted, value, default, f.metadata.get("range", (None, None)), source)
    return cls(**values)


def _coerce(dotted: str, value: Any, default: Any, bounds: tuple[Any, Any], source: str) -> Any:
    leaf = dotted.rsplit(".", 1)[-1]
    if leaf == "cohorts":
        if value is None or (isinstance(value, list | tuple) and not value):
            return ()
        if not isinstance(value, list | tuple):
            raise InputError(f"{source}: '{dotted}' must be a list of cohorts")
        if value and all(isinstance(v, CohortSpec) for v in value):
            return tuple(value)
        return cohorts_from_records(value, source=f"{source}: {dotted}")
    if leaf == "parameters":
        return _coerce_ranges(dotted, value, source)
    if leaf in ("strategies", "compare"):
        return _coerce_strategies(dotted, value, source)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InputError(f"{source}: '{dotted}' must be true or false, got {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        ):
            raise InputError(f"{source}: '{dotted}' must be a whole number, got {value!r}")
        value = int(value)
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InputError(f"{source}: '{dotted}' must be a number, got {value!r}")
        value = float(value)
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise InputError(f"{source}: '{dotted}' must be text, got {value!r}")
        return _check_choice(dotted, value, source)
    lo, hi = bounds
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise InputError(f"{source}: '{dotted}' must be between {lo:g} and {hi:g}, got {value!r}")
    return value


def _check_choice(dotted: str, value: str, source: str) -> str:
    choices = {
        "cohort_size_distribution": _COHORT_DISTRIBUTIONS,
        "initial_seeding": ("random", "neighbourhood"),
    }.get(dotted.rsplit(".", 1)[-1])
    if choices is not None and value not in choices:
        raise InputError(f"{source}: '{dotted}' must be one of {', '.join(choices)}, got {value!r}")
    return value


def _coerce_strategies(dotted: str, value: Any, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise InputError(f"{source}: '{dotted}' must be a list of strategies")
    for name in value:
        if name not in STRATEGIES:
            raise InputError(
                f"{source}: unknown strategy {name!r} in '{dotted}'{_suggest(str(name), STRATEGIES)} "
                f"(known: {', '.join(STRATEGIES)})"
            )
    if len(set(value)) != len(value):
        raise InputError(f"{source}: '{dotted}' lists a strategy twice")
    return tuple(value)


def _coerce_ranges(dotted: str, value: Any, source: str) -> tuple[tuple[str, float, float], ...]:
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, list | tuple) and all(isinstance(v, list | tuple) and len(v) == 3 for v in value):
        items = [(v[0], v[1:]) for v in value]
    else:
        raise InputError(f"{source}: '{dotted}' must map 'section.name' to [low, high]")
    ranges: list[tuple[str, float, float]] = []
    for name, bounds in items:
        if (
            not isinstance(bounds, list | tuple)
            or len(bounds) != 2
            or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        ):
            raise InputError(f"{source}: '{dotted}.{name}' must be [low, high], got {bounds!r}")
        lo, hi = float(bounds[0]), float(bounds[1])
        if not lo < hi:
            raise InputError(f"{source}: '{dotted}.{name}' needs low < high, got [{lo:g}, {hi:g}]")
        ranges.append((str(name), lo, hi))
    if not ranges:
        raise InputError(f"{source}: '{dotted}' names no parameter to vary")
    return tuple(ranges)


def _check_consistency(s: Scenario, source: str) -> None:
    net, iv = s.network, s.intervention
    if not net.cohort_size_min <= net.cohort_size_mean <= net.cohort_size_max:
        raise InputError(
            f"{source}: cohort sizes need min <= mean <= max, got {net.cohort_size_min}, "
            f"{net.cohort_size_mean:g}, {net.cohort_size_max}"
        )
    if net.wider_degree % 2:
        raise InputError(f"{source}: 'network.wider_degree' must be even, got {net.wider_degree}")
    if net.wider_degree >= s.agents:
        raise InputError(f"{source}: 'network.wider_degree' must be below the number of agents ({s.agents})")
    if iv.start_week >= s.weeks:
        raise InputError(
            f"{source}: 'intervention.start_week' ({iv.start_week}) must fall inside the {s.weeks} weeks simulated"
        )
    if len(iv.compare) != 2:
        raise InputError(f"{source}: 'intervention.compare' must name exactly two strategies")
    missing = [c for c in iv.compare if c not in iv.strategies]
    if missing:
        raise InputError(
            f"{source}: 'intervention.compare' names {missing[0]!r}, which is not in 'intervention.strategies' "
            "(add it there, or set 'intervention.compare' to two strategies that are simulated)"
        )
    probe = Scenario()
    for name, lo, hi in s.sweep.parameters:
        section, _, leaf = name.partition(".")
        target = getattr(probe, section, None)
        if not leaf or not is_dataclass(target) or leaf not in {f.name for f in fields(target)}:
            raise InputError(f"{source}: 'sweep.parameters' names unknown setting '{name}'")
        if not isinstance(getattr(target, leaf), int | float) or isinstance(getattr(target, leaf), bool):
            raise InputError(f"{source}: 'sweep.parameters' can only vary numbers, not '{name}'")
        f_lo, f_hi = {f.name: f for f in fields(target)}[leaf].metadata["range"]
        if (f_lo is not None and lo < f_lo) or (f_hi is not None and hi > f_hi):
            raise InputError(
                f"{source}: 'sweep.parameters.{name}' must stay within {f_lo:g} and {f_hi:g}, got [{lo:g}, {hi:g}]"
            )


def _show(value: Any) -> str:
    """A default as it would be written in YAML flow style (for the documentation table)."""
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _to_plain(value: Any) -> Any:
    if isinstance(value, CohortSpec):
        return {
            "size": value.size,
            "share_transactional": value.share_transactional,
            "share_shared_moment": value.share_shared_moment,
        }
    if is_dataclass(value) and not isinstance(value, type):
        if isinstance(value, SweepSettings):
            data = {f.name: _to_plain(getattr(value, f.name)) for f in fields(value)}
            data["parameters"] = {name: [lo, hi] for name, lo, hi in value.parameters}
            return data
        return {f.name: _to_plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_to_plain(v) for v in value]
    return value
