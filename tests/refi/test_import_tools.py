"""Importing projects from NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette, quirks and all.

Specification: every imported coding covers exactly the words the coder selected in the other
tool, whatever that tool counts; coders are the project's people (never the program itself);
cases, variables, memos and sets arrive where qualframe keeps them; a source missing from the
archive costs a warning, not the import. The projects are hand-written to mimic each tool's
export (see ``build.py``), and the real ATLAS.ti 23 exports in ../shared/data/refi are imported too.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from qualframe.errors import InputError
from qualframe.exchange import import_projects
from qualframe.store.models import Attribute, Case, Code, Codebook, Coding, Memo, Source, Theme, User
from qualframe.store.study import Study
from tests.conftest import snapshot
from tests.refi.build import Sel, Src, code, guid, project_xml, write_qdpx

CRLF_TEXT = (
    "Interviewer: How did it start? 😀\r\n"
    "P01: Weekends with the lads 🙂, we'd go halves on a bag.\r\n"
    "Interviewer: And now?\r\n"
    "P01: Now it's business 💰. I owe him forty quid, and the café won't serve me.\r\n"
)


def coded(study: Study) -> list[tuple[str, str, str, str]]:
    """(source, code, coder, exact passage) of every coding, sorted."""
    with study.read() as s:
        rows = s.execute(select(Coding)).scalars()
        return sorted(
            (c.source.name, c.code.name, c.coder.name, c.source.text[c.start : c.end]) for c in rows
        )


def names(study: Study, model: type) -> set[str]:
    with study.read() as s:
        return set(s.execute(select(model.name)).scalars())  # type: ignore[attr-defined]


def test_real_atlas_ti_exports_import(shared_data: Path, blank: Study) -> None:
    before = snapshot(blank.path)
    with pytest.raises(InputError, match="holds no sources, codes or memos: there is nothing to import"):
        import_projects(blank, [shared_data / "refi" / "atlasti23_blank-atlas-project.qdpx"])
    assert snapshot(blank.path) == before  # not even its users were added
    target = import_projects(blank, [shared_data / "refi" / "atlasti23_target-atlas-project.qdpx"])
    assert target.codebooks == ["target-atlas-project"]
    with blank.read() as s:
        book = s.execute(select(Codebook).where(Codebook.name == "target-atlas-project")).scalar_one()
        tree = {c.name: (c.parent.name if c.parent else None) for c in book.codes}
    assert tree == {
        "Commits": None,
        "2022-05-10T02:05:59Z 19e4dce": "Commits",
        "2022-02-11T10:39:25Z cdbfd92": "Commits",
    }
    assert "ATLAS.ti" not in names(blank, User)  # the program's own user is not a coder


def test_atlas_ti_utf16_units_crlf_as_one_and_its_pseudo_user(blank: Study, tmp_path: Path) -> None:
    sources = [
        Src(
            "P01 interview.txt",
            CRLF_TEXT,
            [
                Sel("we'd go halves on a bag", "Going halves", "Enric", name="we'd go halves on a ba..."),
                Sel("I owe him forty quid", "Debt: money", "ATLAS.ti", name="I owe him forty quid"),
                Sel("Weekends with the lads", "Going halves", coding_user="Enric"),
                Sel("café", "Places", "Enric"),
            ],
        )
    ]
    xml = project_xml(
        origin="ATLAS.ti for Windows 23.2.3.27778",
        users=["Enric", "ATLAS.ti"],
        creator="Enric",
        codes=code("Buying", code("Going halves") + code("Debt: money")) + code("Places"),
        sources=sources,
        count={"utf16": True, "crlf_as_one": True},
    )
    report = import_projects(blank, [write_qdpx(tmp_path / "atlas.qdpx", xml, sources)])
    assert coded(blank) == [
        ("P01 interview.txt", "Debt: money", "Enric", "I owe him forty quid"),
        ("P01 interview.txt", "Going halves", "Enric", "Weekends with the lads"),
        ("P01 interview.txt", "Going halves", "Enric", "we'd go halves on a bag"),
        ("P01 interview.txt", "Places", "Enric", "café"),
    ]
    assert "ATLAS.ti" not in names(blank, User)
    assert any("UTF-16 units, line breaks as one character" in w for w in report.warnings)
    assert any("'ATLAS.ti' is the program, not a person" in w for w in report.warnings)
    with blank.read() as s:
        source = s.execute(select(Source)).scalar_one()
        assert "\r" not in source.text and source.text.startswith("Interviewer: How did it start? 😀\nP01:")
        assert [seg.speaker for seg in source.segments] == ["Interviewer", "P01", "Interviewer", "P01"]


def make_docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_nvivo_capital_sources_case_nodes_linked_notes_and_a_docx(blank: Study, tmp_path: Path) -> None:
    paragraphs = [
        "Interviewer: Where do you buy?",
        "P02: From a friend of a friend.",
        "Interviewer: Always him?",
        "P02: Mostly him, sometimes the dealer on the estate.",
    ]
    word = Src(
        "P02",
        "\r\n".join(paragraphs),  # NVivo counts the paragraph breaks of a Word file as CRLF
        [Sel("friend of a friend", "Supply"), Sel("Mostly him", "Supply"), Sel("the dealer", "Dealer")],
        path="Sources/{guid}.docx",
        attr="richTextPath",
        data=make_docx(paragraphs),
    )
    plain = Src(
        "P01",
        "Interviewer: Tell me.\r\nP01: We shared everything back then.\r\n",
        [Sel("We shared everything", "Sharing", "Jo"), Sel("Tell me.", "case P01", "Jo")],
        path="Sources/{guid}.txt",
    )
    note = guid("annotation")
    extra = (
        f'<Variables><Variable guid="{guid("age")}" name="Age" typeOfVariable="Integer"/></Variables>'
        f'<Cases><Case guid="{guid("case P01")}" name="P01"><VariableValue><VariableRef targetGUID="{guid("age")}"/>'
        "<IntegerValue>34</IntegerValue></VariableValue></Case></Cases>"
    )
    tail = (
        f'<Notes><Note guid="{note}" name="Annotation" plainTextPath="internal://{note}.txt"/></Notes>'
        f'<Links><Link guid="{guid("link")}" originGUID="{note}" targetGUID="{guid("P01/sel0")}"/></Links>'
    )
    sources = [plain, word]
    xml = project_xml(
        origin="NVivo 14",
        users=["Jo"],
        codes=code("Supply")
        + code("Dealer")
        + code("Sharing")
        + code("Cases", code("P01", key="case P01"), False),
        sources=sources,
        extra=extra,
        tail=tail,
    )
    path = write_qdpx(tmp_path / "nvivo.qdpx", xml, sources, {f"Sources/{note}.txt": "Said with a laugh."})
    report = import_projects(blank, [path])
    assert coded(blank) == [
        ("P01", "Sharing", "Jo", "We shared everything"),
        ("P02", "Dealer", "tester", "the dealer"),
        ("P02", "Supply", "tester", "Mostly him"),
        ("P02", "Supply", "tester", "friend of a friend"),
    ]
    assert "P01" not in names(blank, Code)  # a case node is a case, not a code
    with blank.read() as s:
        p01 = s.execute(select(Source).where(Source.name == "P01")).scalar_one()
        assert p01.case is not None and p01.case.name == "P01"
        assert {v.attribute.name: v.value for v in p01.case.values} == {"Age": "34"}
        memo = s.execute(select(Memo).where(Memo.text == "Said with a laugh.")).scalar_one()
        target = s.get(Coding, memo.target_id)
        assert memo.target_type == "coding" and target is not None and target.code.name == "Sharing"
        p02 = s.execute(select(Source).where(Source.name == "P02")).scalar_one()
        assert p02.format == "docx" and p02.text == "\n".join(paragraphs)
    assert any(
        "P02: positions count code points, line breaks as two characters" in w for w in report.warnings
    )


def test_maxqda_one_based_positions_document_variables_and_comments(blank: Study, tmp_path: Path) -> None:
    text = "I: How often?\nR: Every day, with my cousin. We score together.\nI: Why?\nR: Habit, mostly.\n"
    first = Src(
        "Interview",
        text,
        [
            Sel("Every day", "Frequency", "Kim"),
            Sel("with my cousin", "Positive", "Kim"),
            Sel("We score together", "Positive", "Kim", occurrence=1),
            Sel("Habit", "Frequency", "Kim"),
            Sel("mostly", None, "Kim", description="Check this later."),
        ],
    )
    second = Src(
        "Interview",
        "I: Work?\nR: Cash in hand, on the building sites.\n",
        [Sel("Cash in hand", "Positive (work)", "Kim"), Sel("building sites", "Frequency", "Kim")],
        extra=f'<VariableValue><VariableRef targetGUID="{guid("age")}"/><IntegerValue>29</IntegerValue></VariableValue>',
        key="second interview",  # MAXQDA allows two documents of one name
    )
    extra = (
        f'<Variables><Variable guid="{guid("age")}" name="age" typeOfVariable="Integer"/>'
        f'<Variable guid="{guid("gender")}" name="gender" typeOfVariable="Text"/></Variables>'
        f'<Cases><Case guid="{guid("doc vars")}"><VariableValue><VariableRef targetGUID="{guid("gender")}"/>'
        f'<TextValue>female</TextValue></VariableValue><SourceRef targetGUID="{guid("Interview")}"/></Case></Cases>'
    )
    sources = [first, second]
    codes = (
        code("Family", code("Positive"))
        + code("Work", code("Positive", key="Positive (work)"))
        + code("Frequency")
    )
    xml = project_xml(
        origin="MAXQDA 2022 (Release 22.4.0)",
        users=["Kim"],
        codes=codes,
        sources=sources,
        extra=extra,
        one_based=True,
        inclusive=True,
    )
    report = import_projects(blank, [write_qdpx(tmp_path / "maxqda.qdpx", xml, sources)])
    assert coded(blank) == [
        ("Interview", "Frequency", "Kim", "Every day"),
        ("Interview", "Frequency", "Kim", "Habit"),
        ("Interview", "Positive", "Kim", "We score together"),
        ("Interview", "Positive", "Kim", "with my cousin"),
        ("Interview (Mimic)", "Frequency", "Kim", "building sites"),
        ("Interview (Mimic)", "Positive (Work)", "Kim", "Cash in hand"),
    ]
    assert any("1-based" in w and "inclusive end" in w for w in report.warnings)
    with blank.read() as s:
        cases = {
            c.name: {v.attribute.name: v.value for v in c.values} for c in s.execute(select(Case)).scalars()
        }
        assert cases == {"Interview": {"gender": "female"}, "Interview (Mimic)": {"age": "29"}}
        comment = s.execute(select(Memo).where(Memo.text == "Check this later.")).scalar_one()
        assert comment.target_type == "source" and comment.title == "Comment on 'mostly'"
        assert s.execute(select(Attribute.type).where(Attribute.name == "age")).scalar_one() == "Integer"


def test_qualcoder_journals_sets_root_file_and_paths_outside_the_archive(
    blank: Study, tmp_path: Path
) -> None:
    # QualCoder can export sources as paths instead of packing them: with the folder named, the
    # texts are read from it (a relative path, and the sender's absolute path by its file name).
    received = tmp_path / "received"
    beside = received / "P03.txt"
    beside.parent.mkdir()
    beside.write_text("P03: I stopped going to the park.\n", encoding="utf-8")
    elsewhere = received / "P04.txt"
    elsewhere.write_text("P04: The park was where we met.\n", encoding="utf-8")
    sources = [
        Src(
            "P01",
            "P01: We met at the park every Friday.\n",
            [Sel("at the park", "Places", "colin", name="at the park")],
        ),
        Src(
            "P03",
            beside.read_text(),
            [Sel("the park", "Places", "colin")],
            path=None,
            ref="relative://P03.txt",
        ),
        Src(
            "P04",
            elsewhere.read_text(),
            [Sel("The park", "Places", "colin")],
            path=None,
            ref="absolute:///home/colin/QualCoder/qc/documents/P04.txt",
        ),
    ]
    journal = guid("journal")
    tail = (
        f'<Notes><Note guid="{journal}" name="Reflexive journal" plainTextPath="internal://{journal}.txt"'
        f' creatingUser="{guid("colin")}" creationDateTime="2023-05-02T08:00:00Z"/></Notes>'
        f'<Sets><Set guid="{guid("set codes")}" name="Space"><Description>Where things happen.</Description>'
        f'<MemberCode targetGUID="{guid("Places")}"/></Set>'
        f'<Set guid="{guid("set docs")}" name="Wave 1"><MemberSource targetGUID="{guid("P01")}"/></Set></Sets>'
    )
    xml = project_xml(
        origin="QualCoder 3.5",
        users=["colin"],
        codes=code("Places", colour="#F0A"),
        sources=sources,
        tail=tail,
    )
    extra = {f"sources/{journal}.txt": "Day 1: felt rushed.", "sources/.root": ""}
    project = write_qdpx(tmp_path / "export" / "qc.qdpx", xml, sources, extra)
    report = import_projects(blank, [project], sources_folder=received)
    assert coded(blank) == [
        ("P01", "Places", "colin", "at the park"),
        ("P03", "Places", "colin", "the park"),
        ("P04", "Places", "colin", "The park"),
    ]
    with blank.read() as s:
        memo = s.execute(select(Memo).where(Memo.title == "Reflexive journal")).scalar_one()
        assert (memo.target_type, memo.text, memo.author.name) == ("study", "Day 1: felt rushed.", "colin")
        theme = s.execute(select(Theme)).scalar_one()
        assert (theme.name, theme.definition, [c.name for c in theme.codes]) == (
            "Space",
            "Where things happen.",
            ["Places"],
        )
        assert s.execute(select(Source.meta).where(Source.name == "P01")).scalar_one()["sets"] == ["Wave 1"]
        assert s.execute(select(Code.colour).where(Code.name == "Places")).scalar_one() == "#FF00AA"
    assert report.themes == ["Space"]


def test_taguette_flat_names_braced_guids_and_a_missing_source(blank: Study, tmp_path: Path) -> None:
    sources = [
        Src("kept", "We talked about family and the places we went.", [Sel("family", "people.family")]),
        Src("lost", "This text never made it into the archive.", [Sel("never", "people")], path=None),
    ]
    codes = code("people") + code("people.family") + code("places")
    xml = project_xml(origin="Taguette 1.4.1", codes=codes, sources=sources)
    for label in ("people", "people.family", "places"):  # Taguette-like GUIDs: braced, lower case
        xml = xml.replace(guid(label), "{" + guid(label).lower() + "}")
    report = import_projects(blank, [write_qdpx(tmp_path / "taguette.qdpx", xml, sources)])
    assert coded(blank) == [("kept", "people.family", "tester", "family")]
    assert [s.name for s in report.sources] == ["kept"]
    assert any("lost: its text" in w and "(1 coding lost)" in w for w in report.warnings)
    with blank.read() as s:
        child = s.execute(select(Code).where(Code.name == "people.family")).scalar_one()
        assert child.parent is not None and child.parent.name == "people"
        assert child.guid == guid("people.family")


def test_pdf_text_pictures_and_a_selection_realigned_to_its_quote(blank: Study, tmp_path: Path) -> None:
    text = "Page one. We met at the clinic, then at the chemist.\n"
    rep = guid("pdf text")
    start = text.index("at the chemist") + 3  # this tool's positions are off: the name quotes the words
    pdf = (
        f'<PDFSource guid="{guid("scan")}" name="Scanned letter.pdf" path="internal://{guid("scan")}.pdf">'
        f'<Representation guid="{rep}" name="Representation" plainTextPath="internal://{rep}.txt">'
        f'<PlainTextSelection guid="{guid("pdf sel")}" startPosition="{start}" endPosition="{start + 14}"'
        f' name="at the chemist"><Coding guid="{guid("pdf coding")}"><CodeRef targetGUID="{guid("Places")}"/>'
        "</Coding></PlainTextSelection></Representation></PDFSource>"
        f'<PictureSource guid="{guid("photo")}" name="Photo of the park" path="internal://{guid("photo")}.jpg"/>'
    )
    xml = project_xml(origin="Some tool", codes=code("Places"), sources=[]).replace(
        "</CodeBook>", f"</CodeBook><Sources>{pdf}</Sources>"
    )
    path = write_qdpx(tmp_path / "pdf.qdpx", xml, [], {f"sources/{rep}.txt": text})
    report = import_projects(blank, [path])
    assert coded(blank) == [("Scanned letter.pdf", "Places", "tester", "at the chemist")]
    assert [(s.name, s.format) for s in report.sources] == [("Scanned letter.pdf", "pdf")]
    assert any(
        "skipped 1 source that qualframe cannot code" in w and "PictureSource" in w for w in report.warnings
    )
    assert any("moved 1 selection onto the words they quote" in w for w in report.warnings)
