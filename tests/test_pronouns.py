"""Generated text calls participants he or she only when the study recorded it, else they."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualframe.cases import Pronouns, import_cases, participant_pronouns
from qualframe.store.study import Study


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("case,gender\nP01,male\nP02,Man\n", Pronouns("he", "him", "his")),
        ("case,Sex\nP01,F\nP02,female\n", Pronouns("she", "her", "her")),
        ("case,gender\nP01,male\nP02,female\n", Pronouns()),
        ("case,gender\nP01,male\nP02,\n", Pronouns()),  # one not recorded
        ("case,age\nP01,30\nP02,41\n", Pronouns()),
    ],
)
def test_pronouns_come_from_the_cases_attributes(
    study: Study, tmp_path: Path, rows: str, expected: Pronouns
) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(rows, encoding="utf-8")
    import_cases(study, path, user="tester")
    assert participant_pronouns(study) == expected
