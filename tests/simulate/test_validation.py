"""Centola (2010), reproduced: complex contagions need clustered networks, simple ones do not."""

from __future__ import annotations

from qualframe.simulate import centola_check


def test_a_complex_contagion_spreads_further_on_a_clustered_network_of_the_same_degree() -> None:
    check = centola_check(agents=300, degree=6, threshold=2.0, weeks=40, replicates=3)
    assert check.clustered_spreads_further
    assert check.clustered > 0.4 and check.random < 0.1
    assert check.clustered_clustering > 0.5 > 0.05 > check.random_clustering


def test_a_simple_contagion_does_not_need_clustering() -> None:
    # one abstinent tie is enough: random shortcuts now help rather than hinder (Centola & Macy 2007)
    check = centola_check(agents=300, degree=6, threshold=1.0, weeks=40, replicates=3)
    assert check.random >= check.clustered
    assert check.random > 0.9
