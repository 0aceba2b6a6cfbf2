"""Agent-based simulation of groupthink in heroin-buying cohorts and of network interventions.

Houghton et al. (2024) conclude that social network interventions may work better when delivered to
cohorts of people who buy heroin together. This package lets a researcher test that claim under
explicit assumptions and see where it holds and where it does not:

- :mod:`.scenario`: every assumption, validated, in YAML (the built-in ``default`` and
  ``houghton-2024`` included); :mod:`.cohorts`: observed buying cohorts, from a study or a file;
- :mod:`.network`: buying cohorts inside a wider clustered network;
- :mod:`.model`: the weekly rules and the shared set-up; :mod:`.engine_numpy` (fast, default) and
  :mod:`.engine_mesa` (readable reference) implement them;
- :mod:`.interventions`: Valente's (2012) strategies with equal budgets;
- :mod:`.runner`: replicates, seeds, results and files; :mod:`.sweep`: OAT and Latin hypercube
  sensitivity on Dask; :mod:`.plots`, :mod:`.report`: figures and an honest summary;
- :mod:`.validation`: Centola's (2010) clustered-versus-random result, reproduced.

Examples
--------
>>> from qualframe.simulate import load_scenario, run_scenario
>>> scenario = load_scenario("default").with_overrides({"agents": 200, "weeks": 20, "replicates": 2})
>>> result = run_scenario(scenario)
>>> sorted(result.summary())[:3]
['agent_steps', 'agent_steps_per_second', 'agents']

"""

from __future__ import annotations

from qualframe.simulate.cohorts import CohortSpec, cohorts_from_records, cohorts_from_study
from qualframe.simulate.engines import get_engine
from qualframe.simulate.files import save_results
from qualframe.simulate.interventions import DeliveryPlan, plan_delivery
from qualframe.simulate.model import ENGINES, EngineOutput
from qualframe.simulate.network import Population, build_population, clustering_coefficient
from qualframe.simulate.report import ResultsSummary, small_comparison, summarise
from qualframe.simulate.runner import SimulationResult, run_scenario
from qualframe.simulate.scenario import (
    STRATEGIES,
    Scenario,
    default_scenario,
    load_scenario,
    scenario_to_yaml,
)
from qualframe.simulate.sweep import SWEEP_METHODS, SweepResult, run_sweep
from qualframe.simulate.validation import CentolaCheck, centola_check

__all__ = [
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
