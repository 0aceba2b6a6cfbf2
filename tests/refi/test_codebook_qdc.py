"""REFI-QDA codebooks (``.qdc``) in and out: valid for other tools, tolerant of their quirks.

Specification: qualframe's ``.qdc`` validates against the REFI codebook schema; codebooks from
Taguette (hierarchy flattened into dotted names), ATLAS.ti (``MemberCode guid=``, braced GUIDs,
short colours) and NVivo or MAXQDA (one name in two branches) load without losing a code, and a
plain description from another tool is kept whole rather than split into qualframe's fields.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema

from qualframe.codebook.service import BUILTIN_CODEBOOKS, add_codebook, builtin_spec
from qualframe.io.refi_codebook import read_qdc, write_qdc
from qualframe.store.study import Study

SCHEMA = xmlschema.XMLSchema(str(Path(__file__).with_name("codebook.xsd")))


@pytest.mark.parametrize("name", BUILTIN_CODEBOOKS)
def test_qualframe_codebooks_validate_against_the_codebook_schema(name: str) -> None:
    spec = builtin_spec(name)
    spec.assign_guids()
    SCHEMA.validate(write_qdc(spec).decode("utf-8"))


TAGUETTE = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1"><Codes>
<Code guid="0D62985D-B147-5D01-A9B5-CAE5DCD98342" name="interesting" isCodable="true"/>
<Code guid="DFE5C38E-9449-5959-A1F7-E3D895CFA87F" name="people" isCodable="true"/>
<Code guid="725F0645-9CD3-598A-8D2B-EC3D39AB3C3F" name="interesting.places" isCodable="true"/>
<Code guid="125F0645-9CD3-598A-8D2B-EC3D39AB3C3F" name="interesting.places.parks" isCodable="true"/>
</Codes><Sets/></CodeBook>"""

ATLAS = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:schemaLocation="urn:QDA-XML:codebook:0:4 Codebook.xsd" origin="ATLAS.ti Win 23.4.0"
 xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="{1ff58b12-6f6f-4b0c-8be5-bbdc91f55294}" name="Family" color="#4a0" isCodable="true">
  <Description>Talk about relatives.
Inclusion: parents and siblings
- not a list item of ours</Description>
  <Code guid="2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Positive" isCodable="true"/>
</Code>
<Code guid="3FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Work" isCodable="true">
  <Code guid="4FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Positive" isCodable="true"/>
</Code>
</Codes><Sets><Set name="code group 1" guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0">
<MemberCode guid="2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"/></Set></Sets></CodeBook>"""


def test_taguette_dotted_names_become_a_hierarchy_again() -> None:
    spec = read_qdc(TAGUETTE, "codebook.qdc")
    tree = {path: code.guid for path, code in spec.walk()}
    assert set(tree) == {
        ("interesting",),
        ("interesting", "interesting.places"),
        ("interesting", "interesting.places", "interesting.places.parks"),
        ("people",),
    }
    assert tree[("people",)] == "DFE5C38E-9449-5959-A1F7-E3D895CFA87F"


def test_atlas_ti_and_nvivo_quirks_load_without_losing_a_code(blank: Study, tmp_path: Path) -> None:
    spec = read_qdc(ATLAS, "atlas.qdc")
    codes = {path: code for path, code in spec.walk()}
    family = codes[("Family",)]
    assert family.guid == "1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" and family.colour == "#44AA00"
    assert (
        family.definition
        == "Talk about relatives.\nInclusion: parents and siblings\n- not a list item of ours"
    )
    assert family.inclusion is None
    assert [p for p in codes if p[-1].startswith("Positive")] == [
        ("Family", "Positive"),
        ("Work", "Positive (Work)"),
    ]
    (tmp_path / "atlas.qdc").write_bytes(ATLAS)
    added = add_codebook(blank, tmp_path / "atlas.qdc")
    assert added.name == "atlas-ti-win-23-4-0"
