"""Scenarios: the built-in default, YAML files, overrides, and one-line errors for bad settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qualframe.errors import InputError
from qualframe.simulate import (
    STRATEGIES,
    CohortSpec,
    Scenario,
    cohorts_from_records,
    cohorts_from_study,
    default_scenario,
    load_scenario,
    scenario_to_yaml,
)


def test_default_scenario_is_built_in_and_compares_cohort_with_individual_delivery() -> None:
    s = load_scenario("default")
    assert s == default_scenario() == Scenario()
    assert s.name == "default"
    assert s.intervention.strategies == STRATEGIES
    assert s.intervention.compare == ("cohort", "random")
    assert s.budget == round(s.agents * s.intervention.budget_share) > 0


def test_a_yaml_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: mine\nagents: 300\ngroupthink:\n  direct_pressure: 0.3\n", encoding="utf-8")
    s = load_scenario(path)
    assert (s.name, s.agents, s.groupthink.direct_pressure) == ("mine", 300, 0.3)
    assert s.groupthink.self_censorship == Scenario().groupthink.self_censorship
    assert s.weeks == Scenario().weeks


def test_written_yaml_reads_back_to_the_same_scenario(tmp_path: Path) -> None:
    s = Scenario().with_overrides(
        {"agents": 50, "network.cohorts": [{"size": 3, "share_transactional": 2, "share_shared_moment": 1}]}
    )
    path = tmp_path / "round.yaml"
    path.write_text(scenario_to_yaml(s), encoding="utf-8")
    assert load_scenario(path) == s
    assert s.network.cohorts == (CohortSpec(3, 2.0, 1.0),)


def test_an_empty_file_means_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert load_scenario(path) == Scenario()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agents: 0\n", "'agents' must be between 2 and"),
        (
            "groupthink:\n  direct_pressure: 1.5\n",
            "'groupthink.direct_pressure' must be between 0 and 1, got 1.5",
        ),
        (
            "groupthink:\n  direct_presure: 0.1\n",
            "unknown setting 'groupthink.direct_presure'; did you mean 'direct_pressure'?",
        ),
        ("weeks: ten\n", "'weeks' must be a whole number, got 'ten'"),
        ("behaviour:\n  threshold: yes\n", "'behaviour.threshold' must be a number"),
        ("intervention:\n  strategies: [cohort, randm]\n", "unknown strategy 'randm'"),
        (
            "intervention:\n  compare: [cohort, key_players]\n  strategies: [cohort, random]\n",
            "not in 'intervention.strategies'",
        ),
        ("network:\n  wider_degree: 5\n", "'network.wider_degree' must be even"),
        ("network:\n  cohort_size_min: 6\n", "cohort sizes need min <= mean <= max"),
        ("network:\n  cohort_size_distribution: gamma\n", "must be one of poisson, uniform, fixed"),
        ("intervention:\n  start_week: 500\n", "must fall inside the 104 weeks"),
        ("sweep:\n  parameters:\n    groupthink.nope: [0, 1]\n", "names unknown setting 'groupthink.nope'"),
        ("sweep:\n  parameters:\n    groupthink.exclusion: [0.5, 0.1]\n", "needs low < high"),
        ("sweep:\n  parameters:\n    groupthink.exclusion: [0, 2]\n", "must stay within 0 and 1"),
        ("network: 3\n", "'network' must be a section of settings"),
        ("- just\n- a list\n", "a scenario must be a mapping"),
        ("agents: [1, 2\n", "is not valid YAML at line"),
    ],
)
def test_bad_settings_are_refused_with_one_line_naming_the_setting(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert expected in info.value.message
    assert "\n" not in info.value.message


def test_a_missing_file_points_to_the_built_in_scenario(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"does not exist.*'default'"):
        load_scenario(tmp_path / "nowhere.yaml")


def test_overrides_are_validated_too() -> None:
    with pytest.raises(InputError, match=r"unknown setting 'groupthink\.pressure'"):
        Scenario().with_overrides({"groupthink.pressure": 0.1})
    with pytest.raises(InputError, match="between 0 and 1"):
        Scenario().with_overrides({"intervention.decay": -0.1})


def test_observed_cohorts_are_a_simple_list_of_size_and_tie_shares() -> None:
    cohorts = cohorts_from_records(
        [
            {"size": 4, "share_transactional": 0.75, "share_shared_moment": 0.25},
            {"size": 2, "share_transactional": 1, "share_shared_moment": 3},
        ]
    )
    assert [c.size for c in cohorts] == [4, 2]
    assert cohorts[1].transactional_fraction == pytest.approx(0.25)
    with pytest.raises(InputError, match="cohort 1 needs a whole-number size"):
        cohorts_from_records([{"size": 0}])
    with pytest.raises(InputError, match="unknown field 'mix'"):
        cohorts_from_records([{"size": 3, "mix": 0.5}])
    with pytest.raises(InputError, match="no cohorts"):
        cohorts_from_records([])


def test_a_study_without_network_data_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the study has no network data yet"):
        cohorts_from_study(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        cohorts_from_study(tmp_path / "missing")


def test_a_study_with_buying_cohorts_provides_them(tmp_path: Path) -> None:
    (tmp_path / "network").mkdir()
    records = [{"size": 3, "share_transactional": 0.5, "share_shared_moment": 0.5}]
    (tmp_path / "network" / "buying_cohorts.yaml").write_text(
        yaml.safe_dump({"cohorts": records}), encoding="utf-8"
    )
    assert cohorts_from_study(tmp_path) == (CohortSpec(3, 0.5, 0.5),)


def test_the_defaults_are_neutral_and_the_study_s_account_is_a_named_scenario() -> None:
    neutral, study = load_scenario("default"), load_scenario("houghton-2024")
    assert (neutral.intervention.quit_attempt, neutral.intervention.cohort_disclosure) == (0.0, 0.0)
    assert (study.intervention.quit_attempt, study.intervention.cohort_disclosure) == (0.5, 1.0)
    assert study.name == "houghton-2024" and study.network == neutral.network
    # 2 extra abstinent per 100 approached; 100 of 1,000 approached: 0.2 percentage points
    assert neutral.important_difference == pytest.approx(0.002)
    with pytest.raises(InputError, match="'default' or 'houghton-2024'"):
        load_scenario("houghton")
