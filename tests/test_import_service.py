"""The import service (qualframe.imports.import_files) on a real study.

What a researcher relies on: many files in one go; all or nothing (a bad file leaves the study
exactly as it was); nothing imported twice by accident; originals kept byte for byte; sources
named and put in cases predictably; roles correctable afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from qualframe.errors import (
    ConflictError,
    DuplicateImportError,
    InputError,
    NotFoundError,
    UnsupportedFormatError,
)
from qualframe.imports import import_files
from qualframe.sources import set_speaker_role
from qualframe.store.models import AuditEvent, Case, Segment, Source
from qualframe.store.study import Study
from tests.conftest import files_in, snapshot
from tests.pdfmaker import make_pdf

WriteFile = Callable[[str, str | bytes], Path]

TXT = "Interviewer: How did it start?\nParticipant: With friends.\n"


def sources(study: Study) -> dict[str, tuple[str, str | None, str]]:
    """name -> (format, case, original file name) of every source."""
    with study.read() as session:
        rows = session.execute(
            select(Source.name, Source.format, Case.name, Source.original_filename).outerjoin(
                Case, Source.case_id == Case.id
            )
        ).all()
    return {name: (fmt, case, original) for name, fmt, case, original in rows}


def segments(study: Study, source: str) -> list[tuple[str | None, str, str]]:
    """(speaker, role, words) of every segment of a source, in order."""
    with study.read() as session:
        text, source_id = session.execute(select(Source.text, Source.id).where(Source.name == source)).one()
        rows = session.execute(
            select(Segment.speaker, Segment.role, Segment.start, Segment.end)
            .where(Segment.source_id == source_id)
            .order_by(Segment.position)
        ).all()
    return [(speaker, role, text[start:end]) for speaker, role, start, end in rows]


def case_names(study: Study) -> set[str]:
    with study.read() as session:
        return set(session.execute(select(Case.name)).scalars())


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Interviewer: Where do you buy?")
    document.add_paragraph("P02: From a friend.")
    document.save(str(path))
    return path


def test_several_formats_in_one_call(study: Study, write_file: WriteFile, tmp_path: Path) -> None:
    files = [
        write_file("P01.txt", TXT),
        write_file("P01 notes.md", "**Interviewer:** And now?\n**Participant:** Business.\n"),
        make_docx(tmp_path / "files" / "P02.docx"),
        write_file("P03.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Interviewer>Why?</v>\n"),
        write_file("P04.srt", "1\n00:00:01,000 --> 00:00:02,000\nInterviewer: Who?\n"),
        write_file("P05.pdf", make_pdf([["Interviewer: When?", "Participant: Last year."]])),
        write_file("survey.csv", "unit_id,text,context,case\nu1,Alone.,With whom?,S01\n"),
    ]
    report = import_files(study, files)

    assert [(s.name, s.format) for s in report.sources] == [
        ("P01", "txt"),
        ("P01 notes", "md"),
        ("P02", "docx"),
        ("P03", "vtt"),
        ("P04", "srt"),
        ("P05", "pdf"),
        ("S01", "csv"),
    ]
    stored = sources(study)
    assert set(stored) == {s.name for s in report.sources}
    assert stored["P02"] == ("docx", None, "P02.docx")
    assert stored["S01"] == ("csv", "S01", "survey.csv")
    assert segments(study, "P02") == [
        ("Interviewer", "interviewer", "Where do you buy?"),
        ("P02", "participant", "From a friend."),
    ]
    assert segments(study, "P05") == [
        ("Interviewer", "interviewer", "When?"),
        ("Participant", "participant", "Last year."),
    ]
    with study.read() as session:
        events = session.execute(select(AuditEvent.action).where(AuditEvent.action == "source.import")).all()
    assert len(events) == 7


def test_one_bad_file_imports_nothing(study: Study, write_file: WriteFile) -> None:
    good = [write_file("P01.txt", TXT), write_file("P02.txt", TXT.replace("friends", "my brother"))]
    bad = write_file("P03.vtt", "WEBVTT\n\n00:00:01.000 --> later\n<v Dave>Hi.</v>\n")
    before_rows, before_files = snapshot(study.path), files_in(study.path)

    with pytest.raises(InputError, match=r"P03\.vtt"):
        import_files(study, [*good, bad])

    assert snapshot(study.path) == before_rows
    assert files_in(study.path) == before_files
    assert sources(study) == {}


def test_a_name_clash_imports_nothing_and_leaves_no_originals(study: Study, write_file: WriteFile) -> None:
    import_files(study, [write_file("P01.txt", TXT)])
    before_rows, before_files = snapshot(study.path), files_in(study.path)
    other = write_file("other/P01.txt", TXT.replace("friends", "my brother"))
    new = write_file("P02.txt", TXT.replace("friends", "work"))

    with pytest.raises(ConflictError, match="already has a source called 'P01'"):
        import_files(study, [new, other])

    assert snapshot(study.path) == before_rows
    assert files_in(study.path) == before_files


def test_two_files_with_the_same_name_in_one_call_are_refused(study: Study, write_file: WriteFile) -> None:
    first, second = write_file("a/P01.txt", TXT), write_file("b/P01.txt", TXT.replace("friends", "work"))
    with pytest.raises(ConflictError, match="both be called 'P01'"):
        import_files(study, [first, second])
    assert sources(study) == {}


def test_reimporting_the_same_content_is_refused(study: Study, write_file: WriteFile) -> None:
    import_files(study, [write_file("P01.txt", TXT)])
    before = snapshot(study.path)
    with pytest.raises(DuplicateImportError, match="already imported as 'P01'"):
        import_files(study, [write_file("copy of P01.txt", TXT)])
    assert snapshot(study.path) == before


def test_duplicates_are_skipped_when_asked(study: Study, write_file: WriteFile) -> None:
    import_files(study, [write_file("P01.txt", TXT)])
    new = write_file("P02.txt", TXT.replace("friends", "work"))
    report = import_files(study, [write_file("copy of P01.txt", TXT), new], skip_duplicates=True)
    assert [s.name for s in report.sources] == ["P02"]
    assert report.skipped == ["copy of P01.txt (same content as P01)"]
    assert set(sources(study)) == {"P01", "P02"}


def test_the_same_content_twice_in_one_call_is_a_duplicate(study: Study, write_file: WriteFile) -> None:
    files = [write_file("P01.txt", TXT), write_file("P01 again.txt", TXT)]
    with pytest.raises(DuplicateImportError):
        import_files(study, files)
    report = import_files(study, files, skip_duplicates=True)
    assert [s.name for s in report.sources] == ["P01"]


def test_originals_are_kept_byte_for_byte_under_their_digest(study: Study, write_file: WriteFile) -> None:
    data = "\ufeffInterviewer: How did it start?\r\nParticipant: With friends.\r\n".encode("utf-16")
    path = write_file("P01.TXT", data)
    import_files(study, [path])
    digest = hashlib.sha256(data).hexdigest()
    original = study.path / "originals" / f"{digest}.txt"
    assert original.read_bytes() == data
    assert study.originals.get(digest, ".txt") == data
    with study.read() as session:
        assert session.execute(select(Source.original_sha256)).scalar() == digest


def test_sources_are_named_after_the_file_unless_named(study: Study, write_file: WriteFile) -> None:
    import_files(study, [write_file("Interview 1 - P01.txt", TXT)])
    import_files(study, [write_file("recording.txt", TXT.replace("friends", "work"))], name="P02 follow-up")
    assert set(sources(study)) == {"Interview 1 - P01", "P02 follow-up"}


def test_a_name_is_for_a_single_file(study: Study, write_file: WriteFile) -> None:
    files = [write_file("a.txt", TXT), write_file("b.txt", TXT.replace("friends", "work"))]
    with pytest.raises(InputError, match="single file"):
        import_files(study, files, name="P01")


def test_case_links_and_creates_the_case(study: Study, write_file: WriteFile) -> None:
    report = import_files(study, [write_file("interview.txt", TXT)], case="P07")
    assert report.sources[0].case == "P07"
    assert case_names(study) == {"P07"}
    assert sources(study)["interview"][1] == "P07"


def test_a_source_joins_the_case_its_name_starts_with(study: Study, write_file: WriteFile) -> None:
    import_files(study, [write_file("consent notes.txt", "Signed on 12 May.\n")], case="P01")
    report = import_files(
        study,
        [write_file("P01_interview.txt", TXT), write_file("P010.txt", TXT.replace("friends", "work"))],
    )
    assert {s.name: s.case for s in report.sources} == {"P01_interview": "P01", "P010": None}
    assert sources(study)["P010"][1] is None
    assert case_names(study) == {"P01"}


def test_a_file_over_the_size_limit_is_refused(
    study: Study, write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALFRAME_MAX_IMPORT_MB", "0.0001")  # about 100 bytes
    small = write_file("P01.txt", "I: Why?\nP: Because.\n")
    big = write_file("P02.txt", TXT * 10)
    before = snapshot(study.path)
    with pytest.raises(InputError, match=r"P02\.txt.*import limit.*QUALFRAME_MAX_IMPORT_MB"):
        import_files(study, [small, big])
    assert snapshot(study.path) == before
    assert [s.name for s in import_files(study, [small]).sources] == ["P01"]


@pytest.mark.parametrize("name", ["P01.rtf", "P01.doc", "P01"])
def test_an_unknown_extension_is_refused(study: Study, write_file: WriteFile, name: str) -> None:
    with pytest.raises(UnsupportedFormatError, match="cannot import"):
        import_files(study, [write_file(name, TXT)])
    assert sources(study) == {}


def test_a_missing_file_is_refused(study: Study, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        import_files(study, [tmp_path / "nowhere.txt"])


def test_csv_sources_are_prefixed_by_name(study: Study, write_file: WriteFile) -> None:
    csv_file = write_file("survey.csv", "unit_id,text,case\nu1,Alone.,S01\nu2,Together.,S02\n")
    report = import_files(study, [csv_file], name="wave1-")
    assert [(s.name, s.case) for s in report.sources] == [("wave1-S01", "S01"), ("wave1-S02", "S02")]


def test_correcting_a_speaker_role(study: Study, write_file: WriteFile) -> None:
    transcript = "Dave: I was fine back then.\nSam: Right.\nDave: And you?\nSam: Same.\n"
    import_files(study, [write_file("P01.txt", transcript)])
    assert {s: r for s, r, _ in segments(study, "P01")} == {"Dave": "participant", "Sam": "participant"}

    changed = set_speaker_role(study, "P01", "sam", "interviewer")

    assert changed == 2
    assert [(s, r) for s, r, _ in segments(study, "P01")] == [
        ("Dave", "participant"),
        ("Sam", "interviewer"),
        ("Dave", "participant"),
        ("Sam", "interviewer"),
    ]


def test_correcting_an_unknown_speaker_or_role_is_refused(study: Study, write_file: WriteFile) -> None:
    import_files(study, [write_file("P01.txt", TXT)])
    before = snapshot(study.path)
    with pytest.raises(NotFoundError, match="speakers: Interviewer, Participant"):
        set_speaker_role(study, "P01", "Dave", "interviewer")
    with pytest.raises(InputError, match="unknown role"):
        set_speaker_role(study, "P01", "Participant", "observer")
    assert snapshot(study.path) == before
