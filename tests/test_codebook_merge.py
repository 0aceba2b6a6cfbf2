"""Restructuring a codebook: merge two codes, split one, move one; codings and history survive."""

from __future__ import annotations

import pytest

from qualframe.codebook.merge import merge_codes, move_code, split_code
from qualframe.codebook.outline import codebook_changes, codebook_outline
from qualframe.codebook.service import create_code, resolve_code
from qualframe.coding.manual import add_coding, list_codings, remove_coding, undo
from qualframe.errors import InputError, NotFoundError
from qualframe.imports import import_files
from qualframe.memos import add_memo, list_memos
from qualframe.store.models import Code, Coding
from qualframe.store.study import Study
from qualframe.store.users import resolve_user
from tests.conftest import snapshot

TEXT = (
    "P01: Everyone's on it, nobody wants to stop. You don't say it. You just don't.\n\n"
    "P01: If I said I wanted off it they'd call me a grass.\n"
)


@pytest.fixture
def coded(study: Study, write_file) -> Study:  # type: ignore[no-untyped-def]
    import_files(study, [write_file("P01.txt", TEXT)])
    add_coding(study, source="P01", code="Self-censorship", quote="You don't say it.", coder="alex")
    add_coding(study, source="P01", code="Self-censorship", quote="You just don't.", coder="alex")
    add_coding(study, source="P01", code="Illusion of unanimity", quote="You don't say it.", coder="alex")
    add_coding(study, source="P01", code="Illusion of unanimity", quote="nobody wants to stop.", coder="sam")
    add_coding(
        study, source="P01", code="Direct pressure on dissenters", quote="call me a grass", coder="alex"
    )
    return study


def _codes(study: Study) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in list_codings(study):
        out.setdefault(c.code.rsplit("/", 1)[-1], []).append(c.text)
    return out


def test_merging_moves_every_coding_and_retires_the_code(coded: Study) -> None:
    add_memo(coded, "code:Self-censorship", "keep an eye on this one")
    with coded.write() as session:
        result = merge_codes(
            session, "Self-censorship", "Illusion of unanimity", resolve_user(session, "lead")
        )
    assert (result.moved, result.duplicates_removed) == (1, 1)  # alex had coded "You don't say it." with both
    assert _codes(coded)["Illusion of unanimity"] == [
        "nobody wants to stop.",
        "You don't say it.",
        "You just don't.",
    ]
    with coded.read() as session, pytest.raises(NotFoundError):
        resolve_code(session, "Self-censorship")
    with coded.read() as session:
        kept = resolve_code(session, "Illusion of unanimity").id
    assert list_memos(coded, "code:Illusion of unanimity")[0].target == f"code:{kept}"  # the memo followed
    change = codebook_changes(coded)[0]
    assert change.action == "code.merge" and "Self-censorship" in change.summary and change.who == "lead"
    with coded.read() as session:
        from qualframe.store.models import AuditEvent

        details = session.query(AuditEvent).filter_by(action="code.merge").one().details
    assert details["retired"]["definition"]  # the retired definition is kept in the log
    assert len(details["codings"]) == 2


def test_a_merge_keeps_removed_codings_so_undo_still_works(coded: Study) -> None:
    target = next(c for c in list_codings(coded) if c.text == "You just don't.")
    remove_coding(coded, target.id, user="alex")
    with coded.write() as session:
        merge_codes(
            session, "Self-censorship", "Direct pressure on dissenters", resolve_user(session, "lead")
        )
    what, restored = undo(coded, user="alex")
    assert what == "restored" and restored.code.endswith("Direct pressure on dissenters")


def test_a_merged_category_brings_its_codes_along(study: Study) -> None:
    with study.write() as session:
        actor = resolve_user(session, "lead")
        result = merge_codes(session, "Closed-mindedness", "Overestimation of the group", actor)
        children = [
            c.name for c in resolve_code(session, "Overestimation of the group", codable=False).children
        ]
    assert result.children_moved == 2
    assert children[-2:] == ["Collective rationalisation", "Stereotyped views of out-groups"]


@pytest.mark.parametrize(
    ("source", "target", "words"),
    [
        ("Self-censorship", "Self-censorship", "into itself"),
        ("Pressures toward uniformity", "Self-censorship", "is inside"),
        ("Self-censorship", "Pressures toward uniformity", "category"),
        ("Pressures toward uniformity", "network-ties:Tie type", "another codebook"),
    ],
)
def test_impossible_merges_change_nothing(coded: Study, source: str, target: str, words: str) -> None:
    before = snapshot(coded.path)
    with pytest.raises(InputError, match=words), coded.write() as session:
        merge_codes(session, source, target, resolve_user(session, "lead"))
    assert snapshot(coded.path) == before


def test_splitting_moves_the_chosen_codings_to_a_new_sibling(coded: Study) -> None:
    chosen = [c.id for c in list_codings(coded) if c.text == "You just don't."]
    with coded.write() as session:
        result = split_code(
            session,
            "Self-censorship",
            "Resigned silence",
            chosen,
            resolve_user(session, "lead"),
            definition="x",
        )
        new = session.get(Code, result.new_code_id)
        assert new is not None and new.parent is not None and new.parent.name == "Pressures toward uniformity"
    assert (
        result.moved == 1
        and result.new_code == "janis-groupthink:Pressures toward uniformity/Resigned silence"
    )
    codes = _codes(coded)
    assert codes["Resigned silence"] == ["You just don't."] and codes["Self-censorship"] == [
        "You don't say it."
    ]
    assert [c.action for c in codebook_changes(coded)[:2]] == ["code.split", "code.create"]


def test_a_split_needs_codings_of_that_code(coded: Study) -> None:
    other = next(c.id for c in list_codings(coded) if c.code.endswith("unanimity"))
    before = snapshot(coded.path)
    for ids, words in (([], "choose"), ([other], "not a current coding"), ([99999], "no coding")):
        with pytest.raises((InputError, NotFoundError), match=words), coded.write() as session:
            split_code(session, "Self-censorship", "New", ids, resolve_user(session, "lead"))
    assert snapshot(coded.path) == before


def test_moving_a_code_within_its_codebook(study: Study) -> None:
    with study.write() as session:
        actor = resolve_user(session, "lead")
        create_code(session, "janis-groupthink", "Keeping quiet", actor)
        moved = move_code(session, "Keeping quiet", "Pressures toward uniformity", actor)
        assert moved.parent is not None and moved.parent.name == "Pressures toward uniformity"
        with pytest.raises(InputError, match="inside itself"):
            move_code(session, "Pressures toward uniformity", "Keeping quiet", actor)
        with pytest.raises(InputError, match="another codebook"):
            move_code(session, "Keeping quiet", "network-ties:Tie type", actor)
    outline = {n.name: n for b in codebook_outline(study) for n in b.codes}
    assert outline["Keeping quiet"].label == "Pressures toward uniformity / Keeping quiet"
    assert outline["Keeping quiet"].depth == 1
    assert codebook_changes(study)[0].action == "code.move"


def test_codings_of_a_merged_code_are_not_lost_in_the_database(coded: Study) -> None:
    with coded.read() as session:
        total = session.query(Coding).count()
    with coded.write() as session:
        merge_codes(session, "Self-censorship", "Illusion of unanimity", resolve_user(session, "lead"))
    with coded.read() as session:
        assert session.query(Coding).count() == total
