"""What the network proposes for one case: ego-alter ties by phase and type, alter-alter ties, evidence.

:func:`propose_case_ties` turns a case's extracted sentences (:mod:`~qualframe.network.extraction`),
their phases and the engine's tie-type suggestions into ties, each with the passages that show it;
people's tie-type codings come first and are linked, never copied. :func:`propose_tie_types` is the
one call into :mod:`qualframe.coding.engines`, and :func:`sentence_tie_types` keeps only what the
participant asserts (:mod:`~qualframe.network.cues`).

Why apart from :mod:`qualframe.network.ties`: this is the judgement (pure functions over plain data,
no study), which tests and benchmarks call on their own; ``ties`` reads the study, runs this per
case, and writes the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualframe.coding.engines import BaseCoder, CodeInfo, LabelledUnit, Suggestion, Unit, make_engine
from qualframe.coding.training import HUMAN_ORIGINS
from qualframe.network.cues import asserted_buying, first_person, unasserted
from qualframe.network.extraction import CaseNetwork
from qualframe.pack import NetworkVocabulary, get_pack

__all__ = [
    "AlterTieProposal",
    "Evidence",
    "ProposedTie",
    "propose_case_ties",
    "propose_tie_types",
    "sentence_tie_types",
]

_CARRIED_FACTOR = 0.8  # a sentence that refers back with "he" or "we" is weaker evidence
_BUYING_CONFIDENCE = 0.7  # a stated buying cue ("we go halves")


@dataclass
class Evidence:
    """A passage that shows a tie: a person's coding (``coding_id``) or a proposal to code it."""

    source_id: int
    start: int
    end: int
    code_id: int
    confidence: float
    rationale: str
    coding_id: int | None = None  # an existing human coding


@dataclass
class ProposedTie:
    """An ego-alter tie of one type in one phase, with every passage that shows it."""

    alter: int
    phase: str
    tie_type: str
    evidence: list[Evidence] = field(default_factory=list)


#: An alter-alter tie: the two alters (indices into the case's candidates), type, phase, evidence.
AlterTieProposal = tuple[int, int, str, str | None, Evidence]


def propose_tie_types(
    engine: str,
    codes: Sequence[CodeInfo],
    units: Sequence[Unit],
    examples: Sequence[LabelledUnit],
    params: dict[str, Any] | None = None,
) -> tuple[BaseCoder, list[Suggestion]]:
    """Build engine ``engine`` for the tie-type codes, fit it on ``examples``, suggest for ``units``.

    The only place the network feature calls the assisted-coding engines (``make_engine``,
    ``fit``, ``suggest`` and :func:`qualframe.coding.training.code_infos`): if their API changes,
    this is what changes. Multi-label, because one sentence can show two sides of a relationship;
    the threshold is 0.4 rather than the engines' 0.5 because every unit is already known to be
    about a person, so a relationship is more likely described than in an arbitrary sentence.
    """
    coder = make_engine(engine, list(codes), **{"multi_label": True, "threshold": 0.4, **(params or {})})
    coder.fit(list(examples))
    return coder, coder.suggest(list(units))


def sentence_tie_types(
    text: str,
    suggestions: Sequence[Suggestion],
    type_of: Mapping[str, str],
    vocabulary: NetworkVocabulary | None = None,
) -> dict[str, tuple[Suggestion | None, str]]:
    """The tie types a sentence states, each with the engine's suggestion behind it (or None) and why.

    A suggestion whose evidence the participant does not assert (:func:`~.cues.unasserted`: read
    in the words before the evidence) is dropped; a stated cohort cue of the study pack
    (``vocabulary``, default the default pack's: "we go halves") adds its tie type, ``co-buying``.
    """
    vocab = vocabulary if vocabulary is not None else get_pack().network
    found: dict[str, tuple[Suggestion | None, str]] = {}
    for sug in sorted(suggestions, key=lambda x: -x.confidence):
        tie_type = type_of.get(sug.code)
        if tie_type is None or tie_type in found:
            continue
        if unasserted(text, sug.start) is None:
            found[tie_type] = (sug, sug.rationale)
    cue = asserted_buying(text, vocab)
    if cue:
        found[vocab.cohort_tie] = (None, f"buying cue {cue!r}")
    return found


def propose_case_ties(
    net: CaseNetwork,
    phases: list[str | None],
    whys: list[str],
    by_unit: dict[str, list[Suggestion]],
    keys: dict[str, int],
    tie_codes: dict[int, str],
    buying: int,
    decided: list[tuple[int, int, int, int, int, str]],
    vocab: NetworkVocabulary,
) -> tuple[list[ProposedTie], list[AlterTieProposal]]:
    """Ego-alter ties with evidence, and alter-alter ties with theirs, for one case.

    First every human tie-type coding: it is evidence for the alters of the sentences it spans
    (or of the sentence just before, when it spans none: "Have you got owt." after "Tommo'll ring
    us"). Then the engine's proposals and the buying cues, sentence by sentence, for the types no
    person has coded or rejected there.
    """
    ties: dict[tuple[int, str, str], ProposedTie] = {}
    type_code = {t: c for c, t in tie_codes.items()}
    type_of = {key: tie_codes[code] for key, code in keys.items()}
    sources = {s.source_id for s in net.sentences}
    cohort_tie = vocab.cohort_tie

    def add(alter: int, phase: str, tie_type: str, ev: Evidence, mine: bool) -> None:
        a = net.alters[alter]
        if tie_type == cohort_tie and not mine:
            return  # "they go halves now": buying together, but not with the participant
        if tie_type == cohort_tie and (a.role == vocab.supplier_role or not a.buys_with):
            human = ev.coding_id if ev.code_id == type_code["transactional"] else None
            tie_type = "transactional"
            ev = Evidence(
                ev.source_id, ev.start, ev.end, type_code["transactional"], ev.confidence, ev.rationale, human
            )
        ties.setdefault((alter, phase, tie_type), ProposedTie(alter, phase, tie_type)).evidence.append(ev)

    human = [d for d in decided if d[0] in sources and d[5] in HUMAN_ORIGINS]
    for sid, start, end, code_id, coding_id, _ in human:
        tie_type = tie_codes.get(code_id, cohort_tie)
        spanned = [
            n for n, s in enumerate(net.sentences) if s.source_id == sid and s.start < end and start < s.end
        ]
        about = [n for n in spanned if net.sentences[n].about]
        if not about and spanned and spanned[0] > 0:
            prev = spanned[0] - 1
            if net.sentences[prev].turn == net.sentences[spanned[0]].turn and net.sentences[prev].about:
                about = [prev]
        phase = next((phases[n] for n in [*about, *spanned] if phases[n]), None)
        if phase is None:
            continue
        ev = Evidence(sid, start, end, code_id, 1.0, "a person's coding", coding_id)
        mine = any(first_person(net.sentences[n].text, vocab) for n in [*about, *spanned])
        for alter in sorted({a for n in about for a in net.sentences[n].about}):
            add(alter, phase, tie_type, ev, mine)
    for n, s in enumerate(net.sentences):
        phase = phases[n]
        if not s.about or phase is None:
            continue
        here = [d for d in decided if d[0] == s.source_id and d[1] < s.end and s.start < d[2]]
        blocked = {tie_codes.get(d[3], cohort_tie) for d in here}  # coded or rejected by a person
        factor = 1.0 if s.alters else _CARRIED_FACTOR
        found: dict[str, Evidence] = {}
        stated = sentence_tie_types(
            s.text, by_unit.get(f"{s.source_id}:{s.start}-{s.end}", []), type_of, vocab
        )
        for tie_type, (sug, why) in stated.items():
            if tie_type in blocked:
                continue
            code = buying if sug is None else keys[sug.code]
            confidence = _BUYING_CONFIDENCE if sug is None else sug.confidence
            found[tie_type] = Evidence(
                s.source_id,
                s.start,
                s.end,
                code,
                round(confidence * factor, 4),
                f"{why}; phase {phase}: {whys[n]}",
            )
        for alter in sorted(s.about):
            for tie_type, ev in found.items():
                add(alter, phase, tie_type, ev, first_person(s.text, vocab))
    alter_ties = []
    for t in net.alter_ties:
        s = net.sentences[t.sentence]
        code = buying if t.tie_type == cohort_tie else type_code.get(t.tie_type, buying)
        linked = next(
            (d[4] for d in human if d[0] == s.source_id and d[3] == code and d[1] < s.end and s.start < d[2]),
            None,
        )
        ev = Evidence(
            s.source_id, s.start, s.end, code, 0.7, f"named together with the cue {t.cue!r}", linked
        )
        alter_ties.append((t.a, t.b, t.tie_type, phases[t.sentence], ev))
    return list(ties.values()), alter_ties
