"""A study of another topic is a new pack, not edits to the core.

A small pack for people who drink together (their cohorts: the people they buy rounds with) is
installed the way a third party would ship one: a distribution in a temporary folder whose
``entry_points.txt`` names it in the ``qualframe.packs`` group. A study created with it proposes
network ties and cohorts from its own cues ("we get a round in"), lists its own built-in codebooks
and never reads the Houghton pack's heroin cues ("we go halves"); a study that names no pack still
reads the Houghton pack, exactly as before.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qualframe.cases import import_cases
from qualframe.codebook.service import add_codebook, builtin_codebooks, codebook_specs
from qualframe.errors import InputError, NotFoundError
from qualframe.imports import import_files
from qualframe.network.cohorts import cohort_report
from qualframe.network.review import accept_all, list_alters
from qualframe.network.ties import extract_network
from qualframe.pack import (
    DEFAULT_PACK,
    NetworkVocabulary,
    StudyPack,
    get_pack,
    pack_names,
    register_pack,
    study_pack,
    unregister_pack,
)
from qualframe.privacy.places import framework_words
from qualframe.simulate.scenario import load_scenario
from qualframe.store.study import Study

NETWORK_TIES = """\
format: qualframe-codebook/1
name: network-ties
title: Ties among people who drink together
codes:
  - name: Tie type
    codable: false
    structural: true
    children:
      - name: Shared-moment tie
        definition: Time, fun and a sense of belonging shared with someone.
        keywords: [laugh, "good times"]
      - name: Transactional tie
        definition: A relationship defined by what is exchanged or owed.
        keywords: [owes, "lent me"]
      - name: Support tie
        definition: Help given without expecting it back.
        keywords: ["looked after me"]
      - name: Pressure or conflict tie
        definition: Pressure to drink, rows, being pushed.
        keywords: [row, "made me"]
"""

ROUNDS_CODEBOOK = """\
format: qualframe-codebook/1
name: drinking-rounds
title: Drinking together
codes:
  - name: Buying rounds
    definition: Taking turns to buy drinks for the group.
  - name: Cutting down
    definition: Talk about drinking less, or about stopping.
"""

#: The pack module a third party would publish: data only, read through qualframe.pack.
PACK_MODULE = '''\
"""People who drink together: rounds, regulars and cutting down."""

from pathlib import Path

from qualframe.pack import NetworkVocabulary, StudyPack

_HERE = Path(__file__).parent

PACK = StudyPack(
    name="rounds",
    title="Drinking rounds among people who drink together",
    description="Cohorts are the people a participant buys rounds with.",
    codebooks={
        "network-ties": _HERE / "network-ties.yaml",
        "drinking-rounds": _HERE / "drinking-rounds.yaml",
    },
    network=NetworkVocabulary(
        cohort_cue=r"(?:get|got|getting|gets)\\s+(?:a|the)\\s+rounds?\\s+in|(?:buy|buys|bought)\\s+(?:a\\s+)?rounds?",
        uses_cue=r"(?:he|she)\\s+drinks|(?:he|she)['’]s\\s+always\\s+on\\s+the\\s+lash",
        abstains_cue=r"teetotal|(?:doesn['’]t|never)\\s+drinks?",
        cohort_attributes={"drinks_in_rounds": True, "drinks_alone": False},
        cohort_code=("drinking-rounds", "Buying rounds"),
        phase_cues=(
            ("recreational", r"at\\s+weekends?|back\\s+then"),
            ("dependent", r"every\\s+(?:single\\s+)?(?:day|night)"),
            ("treatment", r"these\\s+days|now"),
        ),
    ),
    scenarios={"rounds-2026": {"name": "rounds-2026", "intervention.quit_attempt": 0.3}},
    not_names=frozenset({"guinness", "stella"}),
)
'''

#: One interview: rounds with Lee and Craig, halves on a taxi with Dave, a sister who never drinks,
#: and "the man" behind the bar.
INTERVIEW = """Interviewer: Thanks for coming in, Sam. Who do you drink with?

P: Me mate Lee and his brother Craig, mostly. These days we get a round in every night at the Crown. Lee drinks like a fish. Me and Dave go halves on the taxi home now. My sister Jo is teetotal. The man behind the bar knows my name.
"""


@pytest.fixture(scope="module")
def rounds_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding an installed distribution that declares the ``rounds`` pack."""
    site = tmp_path_factory.mktemp("site")
    package = site / "qf_rounds_pack"
    package.mkdir()
    (package / "__init__.py").write_text(PACK_MODULE, encoding="utf-8")
    (package / "network-ties.yaml").write_text(NETWORK_TIES, encoding="utf-8")
    (package / "drinking-rounds.yaml").write_text(ROUNDS_CODEBOOK, encoding="utf-8")
    info = site / "qf_rounds_pack-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: qf-rounds-pack\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[qualframe.packs]\nrounds = qf_rounds_pack:PACK\n", encoding="utf-8"
    )
    return site


@pytest.fixture
def installed(rounds_dist: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The ``rounds`` distribution on the import path, as ``pip install`` would leave it."""
    monkeypatch.syspath_prepend(str(rounds_dist))
    yield rounds_dist


def _study(path: Path, pack: str | None, write_file: Callable[[str, str], Path]) -> Study:
    study = Study.init(path, pack=pack)
    for name in builtin_codebooks(pack):
        add_codebook(study, name, user="tester")
    import_files(study, [write_file("P01.txt", INTERVIEW)], case="P01", user="tester")
    return study


def _ties(study: Study) -> dict[str, set[tuple[str, str]]]:
    return {a.label: {(t.phase, t.tie_type) for t in a.ties} for a in list_alters(study)}


def test_an_installed_pack_is_found_through_its_entry_point(installed: Path) -> None:
    assert {"houghton", "rounds"} <= set(pack_names())
    rounds = get_pack("rounds")
    assert rounds.title.startswith("Drinking rounds") and rounds.network.cohort_tie == "co-buying"
    assert builtin_codebooks("rounds") == ("network-ties", "drinking-rounds")
    assert builtin_codebooks() == ("janis-groupthink", "network-ties", "houghton-2024")
    assert load_scenario("rounds-2026").intervention.quit_attempt == 0.3
    assert load_scenario("houghton-2024").intervention.quit_attempt == 0.5


def test_network_ties_and_cohorts_follow_the_study_s_pack(
    installed: Path, tmp_path: Path, write_file: Callable[[str, str], Path]
) -> None:
    drinking = _study(tmp_path / "drinking", "rounds", write_file)
    default = _study(tmp_path / "default", None, write_file)
    try:
        assert study_pack(drinking).name == "rounds" and study_pack(default).name == DEFAULT_PACK
        extract_network(drinking)
        extract_network(default)
        rounds, heroin = _ties(drinking), _ties(default)
        # the rounds pack: buying a round together is the cohort tie, going halves on a taxi is not
        assert ("treatment", "co-buying") in rounds["Lee"] and ("treatment", "co-buying") in rounds["Craig"]
        assert not any(t == "co-buying" for _, t in rounds["Dave"])
        # the Houghton pack reads the same words the other way round
        assert ("treatment", "co-buying") in heroin["Dave"]
        assert not any(t == "co-buying" for _, t in heroin["Lee"] | heroin["Craig"])
        # the pack's own words about the alters, and its code for the evidence
        alters = {a.label: a for a in list_alters(drinking)}
        assert alters["Lee"].uses is True and alters["Jo"].uses is False
        # "the man" is the Houghton pack's dealer, and nobody in a pub
        assert "dealer" not in {a.role for a in alters.values()}
        assert "dealer" in {a.role for a in list_alters(default)}
        evidence = {ev.code for t in alters["Lee"].ties if t.tie_type == "co-buying" for ev in t.evidence}
        assert evidence == {"drinking-rounds:Buying rounds"}

        accept_all(drinking, user="tester")
        accept_all(default, user="tester")
        (cohort,) = cohort_report(drinking).cohorts
        assert (cohort.members, cohort.phase, cohort.flagged) == (("Craig", "Lee"), "treatment", False)
        (other,) = cohort_report(default).cohorts
        assert other.members == ("Dave",)
        # the pack's case attribute contradicts the cohort: flagged, left out of the simulator; the
        # Houghton pack does not know the attribute
        attributes = write_file("cases.csv", "case,drinks_alone\nP01,yes\n")
        import_cases(drinking, attributes, user="tester")
        import_cases(default, attributes, user="tester")
        (flagged,) = cohort_report(drinking).flagged
        assert "drinks_alone = true" in str(flagged.contradiction) and cohort_report(drinking).usable == []
        assert cohort_report(default).usable == [other]
    finally:
        drinking.close()
        default.close()


def test_built_in_codebooks_and_protected_words_follow_the_study_s_pack(
    installed: Path, tmp_path: Path, write_file: Callable[[str, str], Path]
) -> None:
    drinking = _study(tmp_path / "drinking", "rounds", write_file)
    try:
        assert [s.name for s in codebook_specs(drinking)] == ["network-ties", "drinking-rounds"]
        with pytest.raises(InputError, match=r"not a built-in codebook: network-ties, drinking-rounds"):
            add_codebook(drinking, "janis-groupthink", user="tester")
        with drinking.read() as session:
            words = framework_words(session)
        assert {"guinness", "stella"} <= words and "scag" not in words
    finally:
        drinking.close()


def test_a_pack_registered_in_process_is_selectable_and_checked(tmp_path: Path) -> None:
    pack = StudyPack(
        name="cafe-talk",
        title="Coffee rounds",
        network=NetworkVocabulary(cohort_cue=r"got\s+the\s+coffees\s+in"),
    )
    register_pack(pack)
    try:
        study = Study.init(tmp_path / "s", pack="cafe-talk")
        with study:
            assert study_pack(study) is pack
            assert builtin_codebooks("cafe-talk") == ()
        with pytest.raises(InputError, match="already a study pack"):
            register_pack(pack)
    finally:
        unregister_pack("cafe-talk")
    with pytest.raises(NotFoundError, match="no study pack 'cafe-talk'"):
        get_pack("cafe-talk")
    with pytest.raises(InputError, match=r"network.cohort_cue is not a valid pattern"):
        register_pack(StudyPack(name="broken", title="x", network=NetworkVocabulary(cohort_cue="(unclosed")))
    with pytest.raises(InputError, match="use lower-case letters"):
        register_pack(StudyPack(name="Bad Name", title="x"))


def test_init_with_a_pack_from_the_command_line(
    installed: Path, tmp_path: Path, cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return cli(*args, env={"PYTHONPATH": str(installed)})

    listed = run("packs")
    assert listed.returncode == 0 and "houghton (default)" in listed.stdout and "rounds" in listed.stdout
    made = run("init", str(tmp_path / "s"), "--pack", "rounds", "--codebook", "drinking-rounds")
    assert made.returncode == 0, made.stderr
    assert "study pack rounds" in made.stdout and "codebook drinking-rounds" in made.stdout
    refused = run("codebook", "add", str(tmp_path / "s"), "janis-groupthink")
    assert refused.returncode == 2 and refused.stderr.strip().splitlines() == [
        "error: janis-groupthink does not exist (and is not a built-in codebook: network-ties, drinking-rounds)."
    ]
    unknown = run("init", str(tmp_path / "t"), "--pack", "nosuch")
    assert unknown.returncode == 2 and "there is no study pack 'nosuch'" in unknown.stderr
    assert not (tmp_path / "t").exists()
    default = run("init", str(tmp_path / "u"))
    assert default.returncode == 0 and "codebook add STUDY janis-groupthink" in default.stdout
    assert "study pack" not in default.stdout


def test_the_houghton_pack_keeps_the_study_s_content() -> None:
    houghton = get_pack("houghton")
    assert houghton is get_pack() and houghton.demo is not None
    assert set(houghton.codebooks) == {"janis-groupthink", "network-ties", "houghton-2024"}
    assert all(path.is_file() for path in houghton.codebooks.values())
    assert houghton.network.cohort_code == ("houghton-2024", "Buying together")
    assert "houghton-2024" in houghton.scenarios
    assert (Path(str(houghton.demo.corpus)) / "cases.csv").is_file()
