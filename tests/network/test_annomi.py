"""Network extraction on real counselling sessions (../shared/data/annomi-transcripts-dev).

Skipped when ../shared is absent. The gold set (offsets and labels only) is
``tests/network/data/annomi_network_gold.json``; ``benchmarks/bench_network.py`` scores all of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_network import GOLD, read_transcript, run_one, tie_code_infos
from qualframe.evaluation.network import load_network_gold, score_transcript, text_digest, total
from qualframe.network.cues import ROLE_WORDS
from qualframe.network.extraction import Transcript, extract_case
from qualframe.network.mentions import load_pipeline, speaker_names


@pytest.fixture
def sessions(shared_data: Path) -> Path:
    return shared_data / "annomi-transcripts-dev"


def _alters(path: Path) -> dict[str, object]:
    text, turns = read_transcript(path)
    return {a.label: a for a in extract_case([Transcript(1, text, turns)]).alters}


def test_parents_flatmates_and_bosses_are_found_and_the_counsellor_is_not(sessions: Path) -> None:
    parents = _alters(sessions / "annomi-034.txt")["Parents"]
    assert parents.group and len(parents.mentions) >= 3  # "my parents", again and again: one group
    assert "Housemates" in _alters(sessions / "annomi-032.txt")  # roommates
    assert "Boss" in _alters(sessions / "annomi-043.txt")  # a supervisor
    text, turns = read_transcript(sessions / "annomi-098.txt")
    _, counsellor = speaker_names(
        [text[t.start : t.end] for t in turns if t.role == "interviewer"],
        [text[t.start : t.end] for t in turns if t.role == "participant"],
        load_pipeline()[1],
        ROLE_WORDS,
    )
    counselled = _alters(sessions / "annomi-098.txt")
    assert counsellor and not counsellor & {
        label.lower() for label in counselled
    }  # greeted, not talked about
    partner = next(a for a in counselled.values() if a.role == "partner")
    assert any(m.kind == "name" for m in partner.mentions)  # a name given as an answer is a person


def test_pressure_the_participant_does_not_put_is_no_tie(sessions: Path) -> None:
    _, net, stated, raw = run_one(sessions / "annomi-034.txt", tie_code_infos())
    n = next(i for i, s in enumerate(net.sentences) if "put pressure on them" in s.text)
    assert "pressure" in raw[n] and "pressure" not in stated[n]


def test_the_dev_gold_transcripts_meet_the_targets(sessions: Path) -> None:
    gold = [g for g in load_network_gold(GOLD) if g.file in ("annomi-083.txt", "annomi-114.vtt")]
    scores = []
    for g in gold:
        text, net, stated, _ = run_one(sessions / g.file, tie_code_infos())
        assert text_digest(text) == g.sha256  # the importer still reads the annotated text
        scores.append(score_transcript(g, net, lambda i, stated=stated: stated[i], text))
    t = total(scores)
    assert t.gold_alters == 13 and t.recall >= 0.85 and t.precision >= 0.8
