"""The vectorised engine and the Mesa reference implement the same model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from qualframe.errors import InputError
from qualframe.simulate import ENGINES, get_engine, run_scenario
from qualframe.simulate.validation import centola_scenario

from .conftest import small

#: Every mechanism in play: boosts and quit attempts, disclosure (cohort), recovery ties, exclusion.
COMPARED = {
    "agents": 150,
    "weeks": 25,
    "replicates": 24,
    "intervention.strategies": ["random", "cohort", "recovery_ties"],
    "groupthink.exclusion": 0.1,
}
OUTCOMES = ("abstinent_after_delivery", "abstinent_final", "relapsed_final")


def _pvalues(a, b) -> list[float]:
    """Welch two-sample tests per strategy and outcome, replicates as samples."""
    return [
        float(stats.ttest_ind(a.metric(m)[s], b.metric(m)[s], equal_var=False).pvalue)
        for m in OUTCOMES
        for s in range(len(a.strategies))
    ]


@pytest.fixture(scope="module")
def mesa_result():
    return run_scenario(small(**COMPARED), engine="mesa")


def test_both_engines_are_statistically_indistinguishable(mesa_result) -> None:
    numpy_result = run_scenario(small(**COMPARED), engine="numpy")
    assert min(_pvalues(numpy_result, mesa_result)) > 0.001
    diff = (
        numpy_result.metric("abstinent_after_delivery").mean()
        - mesa_result.metric("abstinent_after_delivery").mean()
    )
    assert abs(diff) < 0.02


def test_the_comparison_would_notice_a_real_difference(mesa_result) -> None:
    # Same test, same sample size, one mechanism changed: it must fail, or the test above proves nothing.
    changed = run_scenario(small(**COMPARED, **{"groupthink.direct_pressure": 0.3}), engine="numpy")
    assert min(_pvalues(changed, mesa_result)) < 0.001


def test_without_randomness_both_engines_agree_exactly() -> None:
    # Centola's set-up is deterministic: adoption at the threshold, no quitting alone, no relapse.
    scenario = centola_scenario(agents=120, weeks=15)
    a = get_engine("numpy").run(scenario, (0, 1))
    b = get_engine("mesa").run(scenario, (0, 1))
    assert np.allclose(a.abstinent, b.abstinent)
    assert a.abstinent[0, :, -1].mean() > a.abstinent[0, :, 0].mean()


def test_an_unknown_engine_is_a_one_line_error() -> None:
    assert ENGINES == ("numpy", "mesa")
    with pytest.raises(InputError, match="unknown engine 'julia': choose numpy or mesa"):
        get_engine("julia")
