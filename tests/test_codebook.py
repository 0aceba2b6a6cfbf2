"""Codebooks: the built-in frameworks, YAML and REFI-QDA .qdc formats, edits with a history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualframe.codebook.service import (
    BUILTIN_CODEBOOKS,
    add_codebook_spec,
    builtin_spec,
    codebook_history,
    codebook_to_spec,
    create_code,
    edit_code,
    get_codebook,
    read_codebook_file,
    resolve_code,
)
from qualframe.codespec import code_guid
from qualframe.errors import CodebookError, ConflictError, InputError, NotFoundError
from qualframe.io.codebook_yaml import dump_codebook_yaml, read_codebook_yaml
from qualframe.io.refi_codebook import read_qdc, write_qdc
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

JANIS = {
    "Overestimation of the group": [
        "Illusion of invulnerability",
        "Belief in inherent morality of the group",
    ],
    "Closed-mindedness": ["Collective rationalisation", "Stereotyped views of out-groups"],
    "Pressures toward uniformity": [
        "Self-censorship",
        "Illusion of unanimity",
        "Direct pressure on dissenters",
        "Self-appointed mindguards",
    ],
}


def test_janis_framework_has_eight_symptoms_under_three_types_and_negative_cases() -> None:
    spec = builtin_spec("janis-groupthink")
    tree = {c.name: [k.name for k in c.children] for c in spec.codes}
    counter = tree.pop("Counter-evidence")
    assert tree == JANIS
    # Evidence against the framework has codes of its own, and a memo prompt for a misfit.
    assert {"Dissent tolerated", "Group backs a quit attempt"} <= set(counter)
    assert spec.approach == "deductive"
    assert [m.title for m in spec.memo_prompts] == ["Framework does not fit"]
    for category in spec.codes:
        assert not category.codable
        for symptom in category.children:
            assert symptom.codable
            assert symptom.definition and symptom.inclusion and symptom.exclusion
            assert len(symptom.indicators) >= 3 and symptom.examples


def test_builtin_definitions_describe_the_construct_not_the_finding() -> None:
    """A definition or inclusion/exclusion rule never tells coders what Houghton et al. found."""
    import re

    finding = re.compile(r"Houghton et al\.|gave way to|found that|the men's networks", re.IGNORECASE)
    for name in ("janis-groupthink", "network-ties", "houghton-2024"):
        for path, code in builtin_spec(name).walk():
            for field in (code.definition, code.inclusion, code.exclusion):
                assert not finding.search(field or ""), (name, path, field)
    ties = builtin_spec("network-ties")
    shared = next(c for _, c in ties.walk() if c.name == "Shared-moment tie")
    assert "code both" in (shared.exclusion or "")  # an ambiguous tie is not decided for the hypothesis
    structural = {c.name for _, c in ties.walk() if c.structural}
    assert {"Recreational use", "Transactional tie"} <= structural
    assert {c.name for _, c in builtin_spec("houghton-2024").walk() if c.structural} == {
        "Pathway without trauma",
        "Pathway with trauma",
    }


def test_network_ties_codebook_has_tie_types_and_life_phases() -> None:
    spec = builtin_spec("network-ties")
    tree = {c.name: [k.name for k in c.children] for c in spec.codes}
    assert tree["Tie type"] == [
        "Shared-moment tie",
        "Transactional tie",
        "Support tie",
        "Pressure or conflict tie",
    ]
    assert tree["Life phase"] == ["Pre-use", "Recreational use", "Dependent use", "Treatment and now"]


def test_houghton_codebook_has_the_studys_emergent_codes() -> None:
    names = [c.name for c in builtin_spec("houghton-2024").codes]
    assert names == [
        "Pathway without trauma",
        "Pathway with trauma",
        "Social isolation",
        "Transactional exchange",
        "Individual accountability",
        "Abstinence goal versus group continuation",
        "Buying together",
    ]


@pytest.mark.parametrize("name", BUILTIN_CODEBOOKS)
def test_builtin_codebooks_round_trip_through_yaml_and_qdc(name: str) -> None:
    spec = builtin_spec(name)
    spec.assign_guids()
    again = read_codebook_yaml(dump_codebook_yaml(spec).encode(), "x.yaml")
    assert again.codes == spec.codes
    via_qdc = read_qdc(write_qdc(spec), "x.qdc", name)
    assert [(p, c.name, c.guid, c.codable, c.colour) for p, c in via_qdc.walk()] == [
        (p, c.name, c.guid, c.codable, c.colour) for p, c in spec.walk()
    ]
    for (_, a), (_, b) in zip(via_qdc.walk(), spec.walk(), strict=True):
        assert (a.definition, a.inclusion, a.exclusion, a.indicators, a.examples, a.keywords, a.patterns) == (
            b.definition,
            b.inclusion,
            b.exclusion,
            b.indicators,
            b.examples,
            b.keywords,
            b.patterns,
        )


def test_code_guids_are_stable_uuid5s() -> None:
    spec = builtin_spec("janis-groupthink")
    spec.assign_guids()
    symptom = spec.codes[2].children[0]
    assert symptom.guid == code_guid("janis-groupthink", ("Pressures toward uniformity", "Self-censorship"))
    assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", symptom.guid)
    other = builtin_spec("janis-groupthink")
    other.assign_guids()
    assert other.codes[2].children[0].guid == symptom.guid


def test_children_inherit_their_parents_colour() -> None:
    spec = read_codebook_yaml(
        b"format: qualframe-codebook/1\nname: t\ncodes:\n- name: A\n  colour: '#112233'\n  children:\n  - name: B\n",
        "t.yaml",
    )
    spec.assign_guids()
    assert spec.codes[0].children[0].colour == "#112233"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("name: x\ncodes: []\n", "format: qualframe-codebook/1"),
        ("format: qualframe-codebook/1\nname: Bad Name\ncodes:\n- name: a\n", "lower case"),
        ("format: qualframe-codebook/1\nname: x\ncodes:\n- name: a\n- name: A\n", "defined twice"),
        ("format: qualframe-codebook/1\nname: x\ncodes:\n- name: a\n  colour: red\n", "#RRGGBB"),
        ("format: qualframe-codebook/1\nname: x\ncodes:\n- name: a\n  patterns: ['(']\n", "invalid pattern"),
        ("format: qualframe-codebook/1\nname: x\ncodes:\n- name: a\n  colur: '#ffffff'\n", "unknown field"),
        ("format: qualframe-codebook/1\nname: x\ncodes: [\n", "not valid YAML"),
        ("format: qualframe-codebook/1\nname: x\ncodes: []\n", "no codes"),
    ],
)
def test_invalid_yaml_codebooks_give_one_clear_error(yaml_text: str, message: str) -> None:
    with pytest.raises(CodebookError, match=message):
        read_codebook_yaml(yaml_text.encode(), "cb.yaml")


def test_qdc_import_rejects_entities_and_wrong_documents() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="&b;" isCodable="true"/></Codes></CodeBook>'
    )
    with pytest.raises(InputError, match="entities"):
        read_qdc(bomb, "bomb.qdc")
    with pytest.raises(InputError, match="not a REFI-QDA codebook"):
        read_qdc(b'<Project xmlns="urn:QDA-XML:project:1.0"/>', "p.qdc")
    with pytest.raises(InputError, match="well-formed"):
        read_qdc(b"<CodeBook", "broken.qdc")


def test_real_qdc_codebooks_from_shared_data_load(shared_data: Path) -> None:
    spec = read_codebook_file(shared_data / "mhstigma-dev" / "codebook.qdc")
    names = [c.name for _, c in spec.walk()]
    assert len(names) == 8 and "Non-stigmatized" in names
    assert all(c.definition for _, c in spec.walk())


def test_loading_a_codebook_twice_is_refused(study: Study) -> None:
    with pytest.raises(ConflictError, match="already has a codebook"), study.write() as s:
        add_codebook_spec(s, builtin_spec("janis-groupthink"), resolve_user(s, "tester"))


def test_codes_are_found_forgivingly_but_never_ambiguously(study: Study) -> None:
    with study.write() as s:
        assert resolve_code(s, "self_censorship").name == "Self-censorship"
        assert resolve_code(s, "SELF CENSORSHIP").name == "Self-censorship"
        assert (
            resolve_code(s, "janis-groupthink:Pressures toward uniformity/Self-censorship").name
            == "Self-censorship"
        )
        with pytest.raises(NotFoundError, match="Did you mean 'Self-censorship'"):
            resolve_code(s, "self censor")
        with pytest.raises(InputError, match="category"):
            resolve_code(s, "Pressures toward uniformity")
        create_code(s, "inductive", "Self-censorship", resolve_user(s, "tester"))
        with pytest.raises(ConflictError, match="more than one codebook"):
            resolve_code(s, "Self-censorship")
        assert resolve_code(s, "inductive:self-censorship").codebook.name == "inductive"


def test_codebook_edits_are_recorded_with_old_and_new_values(study: Study) -> None:
    with study.write() as s:
        user = resolve_user(s, "alex")
        edit_code(s, "Self-censorship", {"definition": "New definition."}, user)
        create_code(
            s,
            "janis-groupthink",
            "Fatalism",
            user,
            parent="Closed-mindedness",
            definition="It was always going to happen.",
        )
    with study.read() as s:
        history = codebook_history(s, "janis-groupthink")
        edit = next(e for e in history if e.action == "code.edit")
        assert edit.user.name == "alex"
        assert edit.details["changes"]["definition"]["new"] == "New definition."
        assert edit.details["changes"]["definition"]["old"].startswith(
            builtin_spec("janis-groupthink").codes[2].children[0].definition[:20]
        )
        assert history[-1].action == "code.create"
        spec = codebook_to_spec(s, get_codebook(s, "janis-groupthink"))
        assert "Fatalism" in [c.name for c in spec.codes[1].children]


def test_edit_refuses_a_name_that_is_taken_and_bad_colours(study: Study) -> None:
    with study.write() as s:
        user = resolve_user(s, "alex")
        with pytest.raises(ConflictError):
            edit_code(s, "Self-censorship", {"name": "Illusion of unanimity"}, user)
        with pytest.raises(CodebookError, match="#RRGGBB"):
            edit_code(s, "Self-censorship", {"colour": "blue"}, user)


def test_codes_whose_names_contain_colons_or_slashes_can_be_found(study: Study) -> None:
    with study.write() as s:
        user = resolve_user(s, "tester")
        create_code(s, "inductive", "Risk: overdose", user)
        create_code(s, "inductive", "Use/abuse", user)
        assert resolve_code(s, "Risk: overdose").name == "Risk: overdose"
        assert resolve_code(s, "use/abuse").name == "Use/abuse"
        assert resolve_code(s, "inductive:Use/abuse").name == "Use/abuse"
