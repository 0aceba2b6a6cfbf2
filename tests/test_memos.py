"""Memos on anything, audited, listed by target."""

from __future__ import annotations

import pytest

from qualframe.coding.manual import add_coding
from qualframe.errors import InputError, NotFoundError
from qualframe.imports import import_files
from qualframe.memos import add_memo, list_memos
from qualframe.store.study import Study


def test_memos_attach_to_every_kind_of_target(study: Study, write_file) -> None:
    import_files(
        study, [write_file("P01.txt", "Interviewer: So?\n\nP01: We all buy off the same lad.\n")], case="P01"
    )
    coding = add_coding(study, source="P01", code="Buying together", quote="We all buy off the same lad.")
    for target in (
        "study",
        "source:P01",
        "case:P01",
        "code:Buying together",
        "codebook:houghton-2024",
        f"coding:{coding.id}",
    ):
        add_memo(study, target, f"about {target}", user="alex")
    memos = list_memos(study)
    assert [m.text for m in memos] == [
        "about study", "about source:P01", "about case:P01", "about code:Buying together",
        "about codebook:houghton-2024", f"about coding:{coding.id}",
    ]  # fmt: skip
    assert [m.text for m in list_memos(study, "source:P01")] == ["about source:P01"]
    assert [m.target for m in list_memos(study, "study")] == ["study"]
    assert all(m.author == "alex" for m in memos)


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("planet:Mars", InputError),
        ("source:", InputError),
        ("source:P99", NotFoundError),
        ("coding:x", InputError),
        ("coding:999", NotFoundError),
    ],
)
def test_bad_memo_targets_are_refused(study: Study, target: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        add_memo(study, target, "text")


def test_empty_memo_is_refused(study: Study) -> None:
    with pytest.raises(InputError, match="empty"):
        add_memo(study, "study", "   ")
