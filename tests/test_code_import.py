"""``code import``: many codings at once, all or nothing, audited as one event that undo reverses."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from qualframe.coding.manual import add_coding, import_codings, list_codings, redo, remove_coding, undo
from qualframe.errors import ConflictError, InputError
from qualframe.imports import import_files
from qualframe.store.audit import verify_chain
from qualframe.store.models import AuditEvent
from qualframe.store.study import Study
from tests.conftest import snapshot


@pytest.fixture
def two(study: Study, corpus: Path) -> Study:
    import_files(study, [corpus / "P01.txt", corpus / "P02.txt"])
    return study


def _csv(write_file, rows: list[str]) -> Path:  # type: ignore[no-untyped-def]
    return write_file("codings.csv", "source,code,coder,start,end,quote,memo\n" + "\n".join(rows) + "\n")


def test_an_import_is_one_audit_event_with_a_digest_and_undo_takes_it_back(two: Study, write_file) -> None:
    path = _csv(
        write_file,
        [
            "P01,Self-censorship,alex,,,Nothing special really,first",
            "P01,Illusion of unanimity,sam,300,340,,",
            'P02,Collective rationalisation,,,,"Felmoor, born and bred",',
        ],
    )
    rows = import_codings(two, path, coder="lead")
    assert [(r.coder, r.code.rsplit("/")[-1], r.memo) for r in rows] == [
        ("alex", "Self-censorship", "first"),
        ("sam", "Illusion of unanimity", None),
        ("lead", "Collective rationalisation", None),
    ]
    assert rows[0].text == "Nothing special really" and rows[2].text == "Felmoor, born and bred"
    with two.read() as session:
        events = list(session.execute(select(AuditEvent).where(AuditEvent.action.like("coding.%"))).scalars())
        assert [e.action for e in events] == ["coding.import"]
        details = events[0].details
        assert details["rows"] == 3 and details["coders"] == {"alex": 1, "lead": 1, "sam": 1}
        assert details["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert len(details["digest"]) == 64 and details["runs"] == [[rows[0].id, rows[2].id]]
    # a later single removal by someone else stays removed when the import is undone and redone
    remove_coding(two, rows[1].id, user="sam")
    what, first = undo(two, user="lead")
    assert what.startswith("removed 2 codings imported from codings.csv") and first.id == rows[0].id
    assert list_codings(two) == []
    what, _ = redo(two, user="lead")
    assert what.startswith("restored 2 codings")
    assert sorted(c.id for c in list_codings(two)) == [rows[0].id, rows[2].id]
    with two.read() as session:
        assert verify_chain(session).ok


def test_a_passage_held_twice_stops_the_import_with_its_line(two: Study, write_file) -> None:
    add_coding(two, source="P01", code="Self-censorship", quote="Nothing special really", coder="alex")
    before = snapshot(two.path)
    held = _csv(
        write_file,
        ["P02,Self-censorship,alex,100,140,,", "P01,Self-censorship,alex,,,Nothing special really,"],
    )
    with pytest.raises(
        ConflictError, match=r"codings\.csv, line 3: alex has already coded this passage of P01"
    ):
        import_codings(two, held)
    twice = _csv(write_file, ["P02,Self-censorship,sam,100,140,,", "P02,Self-censorship,sam,100,140,,"])
    with pytest.raises(ConflictError, match=r"line 3.*an earlier row of the file"):
        import_codings(two, twice)
    category = _csv(write_file, ["P02,Pressures toward uniformity,sam,100,140,,"])
    with pytest.raises(InputError, match=r"line 2: .*is a category"):
        import_codings(two, category)
    blank = _csv(write_file, ["P02,Self-censorship,sam,0,0,,"])
    with pytest.raises(InputError, match="line 2"):
        import_codings(two, blank)
    assert snapshot(two.path) == before


def test_a_large_file_from_the_command_line_is_all_or_nothing(
    two: Study, write_file, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualframe.cli import main

    with two.read() as session:
        from qualframe.sources import get_source

        text = get_source(session, "P01").text
    starts = [i for i in range(len(text) - 40) if text[i].isalpha() and text[i - 1] == " "]
    coders = [f"coder{k}" for k in range(10)]
    rows = [f"P01,Self-censorship,{c},{a},{a + 30}" for c in coders for a in starts[:200]]
    assert len(rows) == 2000
    head = "source,code,coder,start,end\n"
    two.close()
    before = snapshot(two.path)
    bad = write_file("codings.csv", head + "\n".join(rows) + "\nP01,Self-censorship,coder0,5,999999\n")
    assert main(["code", "import", str(two.path), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: codings.csv, line 2002:") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(two.path) == before  # not one of the 2,000 good rows was written
    good = write_file("codings.csv", head + "\n".join(rows) + "\n")
    assert main(["code", "import", str(two.path), str(good)]) == 0
    again = Study.open(two.path)
    imported = list_codings(again)
    again.close()
    assert len(imported) == 2000 and {c.coder for c in imported} == set(coders)
    assert main(["audit", "verify", str(two.path)]) == 0
