"""The simulation package's public API and documentation stay deliberate and complete."""

from __future__ import annotations

import importlib
from pathlib import Path

import qualframe.simulate as simulate
from qualframe.simulate.scenario import parameter_table

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    "scenario",
    "cohorts",
    "network",
    "model",
    "engine_numpy",
    "engine_mesa",
    "interventions",
    "runner",
    "sweep",
    "cluster",
    "plots",
    "report",
    "validation",
]

EXPECTED = [
    "ENGINES",
    "STRATEGIES",
    "SWEEP_METHODS",
    "CentolaCheck",
    "CohortSpec",
    "DeliveryPlan",
    "EngineOutput",
    "Population",
    "ResultsSummary",
    "Scenario",
    "SimulationResult",
    "SweepResult",
    "build_population",
    "centola_check",
    "clustering_coefficient",
    "cohorts_from_records",
    "cohorts_from_study",
    "default_scenario",
    "get_engine",
    "load_scenario",
    "plan_delivery",
    "run_scenario",
    "run_sweep",
    "save_results",
    "scenario_to_yaml",
    "small_comparison",
    "summarise",
]


def test_public_api_is_pinned() -> None:
    assert sorted(simulate.__all__) == sorted(EXPECTED)


def test_every_module_declares_its_api_documents_it_and_stays_small() -> None:
    for name in MODULES:
        module = importlib.import_module(f"qualframe.simulate.{name}")
        assert module.__doc__, name
        for public in module.__all__:
            value = getattr(module, public)
            if callable(value):
                assert value.__doc__, f"{name}.{public} has no docstring"
        lines = Path(module.__file__).read_text(encoding="utf-8").count("\n")
        assert lines < 600, f"{name} has {lines} lines"


def test_every_scenario_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "simulation.md").read_text(encoding="utf-8")
    missing = [name for name, _, _ in parameter_table() if f"`{name}`" not in doc]
    assert missing == []
    for strategy in simulate.STRATEGIES:
        assert f"`{strategy}`" in doc


def test_the_benchmark_results_are_documented_with_how_to_rerun_them() -> None:
    doc = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "python benchmarks/bench_simulate.py" in doc
    assert "agent-steps" in doc
