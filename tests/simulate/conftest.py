"""Small scenarios that run in a fraction of a second, shared by the simulation tests."""

from __future__ import annotations

from typing import Any

import pytest

from qualframe.simulate import Scenario, load_scenario


def small(**overrides: Any) -> Scenario:
    """The default scenario, shrunk: 150 people, 30 weeks, 4 replicates, unless overridden."""
    settings: dict[str, Any] = {"agents": 150, "weeks": 30, "replicates": 4}
    settings.update(overrides)
    return load_scenario("default").with_overrides(settings)


@pytest.fixture
def small_scenario() -> Scenario:
    """150 people, 30 weeks, 4 replicates, all seven strategies."""
    return small()
