"""Recall of person names on the annotated passages stays where docs/benchmarks.md says.

The passages (tests/privacy/data/annotated_passages.txt) are realistic interview speech: lower-case
names, nicknames, names that are also words, drug slang that looks like a name, British places.
"""

from __future__ import annotations

from benchmarks.bench_pseudonymise import read_passages, run


def test_the_annotated_passages_parse_into_text_and_spans() -> None:
    passages = read_passages()
    assert len(passages) >= 70
    first = passages[0]
    assert [first.text[s:e] for s, e, _ in first.gold] == ["Mark", "Morrowgate", "Wrenfield", "Lisa"]
    assert sum(kind == "PERSON" for p in passages for _, _, kind in p.gold) >= 60


def test_person_names_are_found_with_high_recall_and_few_false_alarms() -> None:
    scores = run(read_passages())
    caught, support = scores.caught["PERSON"]
    assert caught / support >= 0.95  # 61 of 62 in docs/benchmarks.md
    assert scores.recall >= 0.95 and scores.precision >= 0.95
