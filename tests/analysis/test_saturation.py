"""Saturation (Guest, Namey and Chen 2020) on sequences with known answers, and in a study."""

from __future__ import annotations

import pytest

from qualframe.analysis.saturation import assess_saturation, saturation, saturation_point
from qualframe.errors import InputError
from qualframe.store.study import Study


def codes(prefix: str, n: int) -> set[str]:
    return {f"{prefix}{i}" for i in range(n)}


def test_no_new_codes_after_the_base_saturates_at_base_plus_run() -> None:
    interviews = [{"a", "b", "c"}, {"a", "d"}, {"e"}, {"f", "g"}, {"a"}, {"b"}, {"c"}]
    point, runs = saturation_point(interviews, base=4, run=2, threshold=0.05)
    assert point == 6
    assert runs[0].first == 5 and runs[0].last == 6 and runs[0].new_codes == 0


def test_the_run_moves_forward_one_interview_until_new_information_is_at_most_the_threshold() -> None:
    base = [codes("b", 20) for _ in range(1)] + [set() for _ in range(3)]
    # Interview 5 brings 2 new codes: run 5-6 has 2/20 = 10 %; run 6-7 has 1/20 = 5 % <= 5 %.
    interviews = [*base, {"n1", "n2"}, set(), {"n3"}, set(), set()]
    point, runs = saturation_point(interviews, base=4, run=2, threshold=0.05)
    assert [(r.first, r.last, r.new_codes) for r in runs] == [(5, 6, 2), (6, 7, 1)]
    assert runs[0].ratio == pytest.approx(0.10) and runs[1].ratio == pytest.approx(0.05)
    assert point == 7


def test_every_interview_adding_a_code_never_saturates() -> None:
    interviews = [{f"c{i}"} for i in range(12)]
    point, runs = saturation_point(interviews, base=4, run=2, threshold=0.05)
    assert point is None and len(runs) == 7 and all(r.ratio == pytest.approx(0.5) for r in runs)


def test_too_few_interviews_cannot_saturate_and_parameters_are_checked() -> None:
    assert saturation_point([{"a"}] * 5, base=4, run=2)[0] is None
    with pytest.raises(InputError):
        saturation_point([{"a"}] * 8, base=0)
    with pytest.raises(InputError):
        saturation_point([{"a"}] * 8, threshold=5)


def test_orderings_are_bootstrapped_and_the_curve_is_cumulative() -> None:
    same = [(f"P{i}", {"a", "b"}) for i in range(8)]
    result = assess_saturation(same, orderings=50)
    assert result.point == 6 and result.reached_share == 1.0 and result.median_point == 6
    assert result.cumulative == [2] * 8 and result.new_per_interview == [2] + [0] * 7
    assert "reached at interview 6 of 8" in result.statement() and "100%" in result.statement()
    never = assess_saturation([(f"P{i}", {f"c{i}"}) for i in range(8)], orderings=20)
    assert never.point is None and never.reached_share == 0.0 and never.median_point is None
    assert "not reached" in never.statement()
    assert never.mean_cumulative == pytest.approx([1, 2, 3, 4, 5, 6, 7, 8])


def test_saturation_in_the_demo_study_uses_interview_dates(demo: Study) -> None:
    result = saturation(demo, orderings=100)
    assert result.order_by == "interview_date" and result.order[0] == "P01" and len(result.order) == 14
    assert result.point is not None and result.total_codes >= 10


def test_codes_after_the_point_are_reported_and_named(demo: Study) -> None:
    result = saturation(demo, orderings=0, base=2, run=1, threshold=0.2)
    assert result.point is not None
    after = sum(result.new_per_interview[result.point :])
    assert len(result.late_codes) == after
    for late in result.late_codes:
        assert result.order[late.interview - 1] == late.case
        assert late.interview > result.point
    if after:
        assert "first appeared after that point" in result.statement()
    else:
        assert "No code first appeared after that point." in result.statement()


def test_structural_codes_are_left_out_unless_asked_for_and_the_researcher_can_choose(demo: Study) -> None:
    default = saturation(demo, orderings=0)
    assert "network-ties:Life phase/Recreational use" in default.structural_left_out
    assert "houghton-2024:Pathway with trauma" in default.structural_left_out
    assert "structural code" in default.basis()
    every = saturation(demo, orderings=0, include_structural=True)
    assert every.total_codes > default.total_codes and every.structural_left_out == []
    chosen = saturation(demo, orderings=0, codes=["Pressures toward uniformity", "Recreational use"])
    assert chosen.codes_chosen and chosen.total_codes <= 5
    assert "chosen by the researcher" in chosen.basis()


def test_a_deductive_codebook_is_warned_about_and_code_saturation_is_named(demo: Study) -> None:
    result = saturation(demo, orderings=0)
    assert result.deductive_codes == result.total_codes  # the built-in codebooks are a priori
    assert any("deductive (a priori) codebook" in c for c in result.caveats())
    assert any("not meaning saturation" in c for c in result.caveats())
    assert result.statement().startswith("Code saturation (no new codes; Hennink, Kaiser & Marconi 2017)")


def test_interviews_nobody_coded_are_left_out_and_named(demo: Study, write_file) -> None:
    from qualframe.imports import import_files

    import_files(demo, [write_file("P15.txt", "Interviewer: Hello?\n\nP15: Not coded yet.\n")], case="P15")
    result = saturation(demo, orderings=0)
    assert "P15" not in result.order and result.left_out == ["P15"]
    assert "1 interview without codings by the chosen coders was left out (P15)" in result.basis()
    by_sam = saturation(demo, orderings=0, coder="sam", base=2, run=1)
    assert set(by_sam.left_out) >= {"P02", "P15"}  # sam double-coded five interviews only
