"""Sensitivity sweeps: which parameters make cohort delivery better or worse, run on Dask."""

from __future__ import annotations

import io

import numpy as np
import pytest

from qualframe.cluster import ProgressBar
from qualframe.errors import InputError
from qualframe.simulate import run_sweep
from qualframe.simulate.sweep import REGIMES, lhs_design, oat_design, prcc

from .conftest import small

TINY_SWEEP = {
    "agents": 120,
    "weeks": 20,
    "sweep.replicates": 3,
    "sweep.oat_levels": 3,
    "sweep.lhs_samples": 12,
    "sweep.parameters": {
        "groupthink.direct_pressure": [0.0, 0.3],
        "groupthink.mindguard_share": [0.0, 0.4],
        "network.wider_degree": [2, 8],
    },
}


def test_oat_varies_one_parameter_at_a_time_over_evenly_spaced_levels() -> None:
    design = oat_design(small(**TINY_SWEEP))
    assert design[:3] == [
        {"groupthink.direct_pressure": 0.0},
        {"groupthink.direct_pressure": 0.15},
        {"groupthink.direct_pressure": 0.3},
    ]
    # whole-number settings are rounded to what they allow: ties on the ring come in pairs
    assert [p for p in design if "network.wider_degree" in p] == [
        {"network.wider_degree": 2},
        {"network.wider_degree": 6},
        {"network.wider_degree": 8},
    ]
    assert len(design) == 9


def test_lhs_covers_every_range_once_per_stratum_and_is_seeded() -> None:
    scenario = small(**TINY_SWEEP)
    design = lhs_design(scenario)
    assert design == lhs_design(scenario)
    pressure = np.sort([p["groupthink.direct_pressure"] for p in design])
    strata = np.floor(pressure / 0.3 * 12).astype(int)
    assert list(strata) == list(range(12))


def test_prcc_recovers_the_sign_of_each_parameter() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((60, 3))
    y = 2 * x[:, 0] - 3 * x[:, 1] + 0.05 * rng.random(60)
    coef, p = prcc(x, y)
    assert coef[0] > 0.9 and coef[1] < -0.9 and abs(coef[2]) < 0.5
    assert p[0] < 0.001 and p[1] < 0.001


def test_an_oat_sweep_on_a_local_dask_cluster_reports_each_setting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from distributed import Client, LocalCluster

    scenario = small(**{**TINY_SWEEP, "sweep.parameters": {"groupthink.direct_pressure": [0.0, 0.3]}})
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        sweep = run_sweep(scenario, "oat", dask=client)
    assert "sweep oat (3 points)" in capsys.readouterr().err  # progress is shown
    assert list(sweep.points["value"]) == [0.0, 0.15, 0.3]
    assert {"difference", "ci_low", "ci_high", "verdict", "cohort_mean", "random_mean"} <= set(
        sweep.points.columns
    )
    assert (sweep.points["ci_low"] <= sweep.points["ci_high"]).all()
    assert list(sweep.sensitivity["parameter"]) == ["groupthink.direct_pressure"]
    assert sweep.summary()["points"] == 3 and sweep.agent_steps == 3 * 2 * 3 * 120 * 20


def test_an_lhs_sweep_ranks_parameters_by_partial_rank_correlation() -> None:
    sweep = run_sweep(small(**TINY_SWEEP), "lhs", dask=None, progress=False)
    assert len(sweep.points) == 12
    assert set(sweep.sensitivity["parameter"]) == set(TINY_SWEEP["sweep.parameters"])
    assert sweep.sensitivity["prcc"].between(-1, 1).all()
    assert (sweep.points["network.wider_degree"] % 2 == 0).all()


def test_contrasting_regimes_switch_mechanisms_off_or_push_them_hard() -> None:
    scenario = small(agents=100, weeks=12, replicates=3)
    sweep = run_sweep(scenario, "regimes", dask=None, progress=False)
    assert list(sweep.points["regime"]) == list(REGIMES)
    assert "no groupthink at all" in REGIMES and REGIMES["as the scenario"] == {}
    row = sweep.points.set_index("regime").loc["no groupthink at all"]
    assert "groupthink.direct_pressure=0" in row["settings"]
    assert sweep.agent_steps == len(REGIMES) * 2 * 3 * 100 * 12  # the scenario's own replicates


def test_sweep_points_are_reproducible() -> None:
    scenario = small(**{**TINY_SWEEP, "sweep.parameters": {"groupthink.exclusion": [0.0, 0.1]}})
    a = run_sweep(scenario, "oat", dask=None, progress=False)
    b = run_sweep(scenario, "oat", dask=None, progress=False)
    assert a.points["difference"].tolist() == b.points["difference"].tolist()


def test_local_means_a_cluster_on_this_machine_that_is_closed_afterwards() -> None:
    from qualframe.cluster import dask_client, map_on_dask

    with dask_client("local", n_workers=1, processes=False) as client:
        assert map_on_dask(client, abs, [-1, -2, 3], "abs", progress=False) == [1, 2, 3]
    assert client.status == "closed"
    with pytest.raises(InputError, match="--dask must be 'local' or a scheduler address"), dask_client(""):
        pass


def test_unknown_sweep_method_is_refused() -> None:
    with pytest.raises(InputError, match="unknown sweep 'grid': choose oat, lhs or regimes"):
        run_sweep(small(), "grid", dask=None)


def test_progress_bar_ends_with_a_newline() -> None:
    stream = io.StringIO()
    bar = ProgressBar("work", 2, stream=stream, width=4)
    bar.update()
    bar.update()
    assert stream.getvalue().endswith("work [####] 2/2\n")
