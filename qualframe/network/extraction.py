"""Who the participant talks about: alter mentions in participant turns, linked into alters.

A mention is a person's name (spaCy's PERSON entities from an installed pipeline, given names and
short forms from the privacy word lists, nicknames such as "Big Col", unknown words right after
"me mate", pseudonymisation placeholders such as "[Name 3]") or a role phrase ("me mate", "me
missus", "our kid", "the lads", "my dealer", "the man", "my key worker", "the chemist", "me mum").
Only participant turns are read; the participant's own name (the case's pseudonym, a name the
interviewer addresses him by - "Thanks for coming in, Mark." - and their short forms) is never an
alter. Names typed in lower case (speech-to-text) count when they are known
given names, follow a role phrase, or recur.

Mentions of one person are linked within a case: name forms that can be one person
(:func:`qualframe.network.names.same_person`: "Gareth"/"Gaz", "Anthony"/"Big Tony"), statements
such as "Martin, but everyone's called him Spider", a role phrase next to a name ("me mate Lee",
"Kelly, me missus", "Rob's the man", "My key worker's Jo"), and a role phrase on its own when
exactly one named alter holds that role. Each alter gets a role, whether he or she uses, and
whether the participant buys with them, each from cues in the sentences that mention the alter
(or refer back to them with "he", "she", "we" or "they"), with the reason kept. Alter-alter ties
come from sentences that name two alters together with a tie cue, and from collective statements
("we all buy off the same lad") over the alters named just before.

Everything here is pure text analysis; :mod:`qualframe.network.ties` writes it to the study.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from qualframe.coding.engines.base import sentence_spans
from qualframe.network import cues
from qualframe.network.candidates import (
    AlterCandidate,
    AlterTieCandidate,
    CaseNetwork,
    Mention,
    SentenceRef,
    Transcript,
    TurnLike,
)
from qualframe.network.mentions import (
    DEFAULT_PIPELINE,
    find_forms,
    load_pipeline,
    lower_case_transcript,
    name_spans,
    only_vocative,
    speaker_names,
)
from qualframe.network.names import base_name, display_name, same_person
from qualframe.network.roles import find_role_phrases, role_of_label
from qualframe.pack import NetworkVocabulary, compiled, get_pack
from qualframe.privacy.lexicon import Lexicon

__all__ = [
    "DEFAULT_PIPELINE",
    "AlterCandidate",
    "AlterTieCandidate",
    "CaseNetwork",
    "Mention",
    "SentenceRef",
    "Transcript",
    "TurnLike",
    "extract_case",
    "load_pipeline",
]


# -- the pipeline ---------------------------------------------------------------------------------


class _Clusters:
    """Union-find over name keys."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _adjacent_role(text: str, name: tuple[int, int], role: tuple[int, int]) -> bool:
    """Whether a role phrase stands beside a name as an apposition or predicate."""
    if role[1] <= name[0]:  # ROLE then NAME: "me mate Lee", "Our kid, Steve", "my key worker's Jo"
        gap = text[role[1] : name[0]]
        return bool(
            re.fullmatch(
                r",?\s+|(?:\s+now)?['’]s\s+|\s+(?:now\s+)?(?:is|was)\s+|,?\s+(?:called|named)\s+", gap
            )
        )
    gap = text[name[1] : role[0]]  # NAME then ROLE: "Kelly, me missus", "Rob's the man"
    return bool(
        re.fullmatch(
            r",\s*|(?:['’]s|\s+(?:is|was|were|has\s+been))\s+(?:still\s+|also\s+|always\s+)?(?:been\s+)?|"
            r",\s*(?:that['’]s|she['’]s|he['’]s|who['’]s|who\s+is)\s+",
            gap,
            re.IGNORECASE,
        )
    )


def extract_case(
    transcripts: Sequence[Transcript],
    *,
    ego_names: Iterable[str] = (),
    pipeline: str | None = None,
    vocabulary: NetworkVocabulary | None = None,
) -> CaseNetwork:
    """Alters, their mentions, the sentences about them and alter-alter ties for one case.

    ``vocabulary`` is the study pack's topic words (default: the default pack's).
    """
    vocab = vocabulary if vocabulary is not None else get_pack().network
    nlp, lexicon = load_pipeline(pipeline)
    egos = {base_name(n) for n in ego_names if n and n.strip()}
    mentions: list[Mention] = []
    sentences: list[SentenceRef] = []
    interviewer_text: dict[int, str] = {}  # sentence index of a turn's first sentence -> question
    lower_by_source: dict[int, bool] = {}
    turn_index = 0
    for tr in transcripts:
        parts = [t for t in tr.turns if t.role == "participant"] or [
            t for t in tr.turns if t.role != "interviewer"
        ]
        texts = [tr.text[t.start : t.end] for t in parts]
        asked = [tr.text[t.start : t.end] for t in tr.turns if t.role == "interviewer"]
        addressee, interviewer = speaker_names(asked, texts, lexicon, cues.role_words(vocab))
        egos |= addressee
        lower_mode = lower_case_transcript(texts)
        lower_by_source[tr.source_id] = lower_mode
        forms: dict[str, str] = {}
        votes: Counter[str] = Counter()
        for doc in nlp.pipe(texts):
            for s, e in name_spans(doc, lexicon, lower_mode, votes):
                forms.setdefault(doc.text[s:e].lower(), base_name(doc.text[s:e]))
        forms.update(
            {
                w: w
                for w, n in votes.items()
                if not w.startswith("any:") and w not in forms and (n >= 2 or votes[f"any:{w}"] >= 3)
            }
        )
        # neither the participant nor the interviewer: "Thanks for coming in, Mark", "I'm Jan",
        # "Hi, Jan" (a name the participant only ever addresses is the interviewer's)
        talking = egos | interviewer
        forms = {
            f: k
            for f, k in forms.items()
            if k
            and not any(same_person(k, name) for name in talking)
            and not only_vocative(texts, f, lexicon.is_ambiguous_name(k), lower_mode)
        }
        # every occurrence of every accepted form, longest forms first
        for turn in parts:
            chunk = tr.text[turn.start : turn.end]
            taken: list[tuple[int, int]] = []
            for form, key in sorted(forms.items(), key=lambda kv: -len(kv[0])):
                ambiguous = lexicon.is_ambiguous_name(key) and not form.startswith("[")
                for s, e in find_forms(chunk, form, ambiguous, lower_mode):
                    if any(s < e2 and s2 < e for s2, e2 in taken):
                        continue
                    taken.append((s, e))
                    mentions.append(
                        Mention(tr.source_id, turn.start + s, turn.start + e, chunk[s:e], "name", key)
                    )
            for rp in find_role_phrases(chunk, turn.start, vocab):
                if not any(rp.start < m.end and m.start < rp.end for m in mentions if m.kind == "name"):
                    mentions.append(
                        Mention(tr.source_id, rp.start, rp.end, rp.text, "role", rp.label, rp.role, rp.group)
                    )
        question = ""
        for turn in tr.turns:
            if turn.role == "interviewer":
                question = tr.text[turn.start : turn.end]
                continue
            if turn not in parts:
                continue
            chunk = tr.text[turn.start : turn.end]
            for n, (s, e) in enumerate(sentence_spans(chunk)):
                if n == 0:
                    interviewer_text[len(sentences)] = question
                sentences.append(
                    SentenceRef(
                        tr.source_id, turn.start + s, turn.start + e, chunk[s:e], turn_index, question
                    )
                )
            turn_index += 1
            question = ""
    mentions.sort(key=lambda m: (m.source_id, m.start))
    return _link(mentions, sentences, interviewer_text, lower_by_source, lexicon, vocab)


def _sentence_of(sentences: list[SentenceRef], m: Mention) -> int | None:
    for i, s in enumerate(sentences):
        if s.source_id == m.source_id and s.start <= m.start and m.end <= s.end:
            return i
    return None


def _link(
    mentions: list[Mention],
    sentences: list[SentenceRef],
    questions: dict[int, str],
    lower_by_source: dict[int, bool],
    lexicon: Lexicon,
    vocab: NetworkVocabulary,
) -> CaseNetwork:
    where = {id(m): _sentence_of(sentences, m) for m in mentions}
    names = [m for m in mentions if m.kind == "name"]
    roles = [m for m in mentions if m.kind == "role"]
    clusters = _Clusters()
    keys = sorted({m.key for m in names})
    for i, a in enumerate(keys):
        clusters.find(a)
        for b in keys[i + 1 :]:
            if same_person(a, b):
                clusters.union(a, b)
    # "Martin, but everyone's called him Spider": two names and an alias cue in one sentence
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        idx = where[id(m)]
        if idx is not None:
            by_sentence.setdefault(idx, []).append(m)
    for idx, ms in sorted(by_sentence.items()):
        text, base = sentences[idx].text, sentences[idx].start
        own = [m for m in ms if m.kind == "name"]
        prev = by_sentence.get(idx - 1, [])
        prev_text = sentences[idx - 1].text if idx and sentences[idx - 1].turn == sentences[idx].turn else ""
        if own and prev_text and cues.ALIAS_CUE.search(text):
            # "Dodger. Roger, his name is, Roger Pike, but nobody's called him Roger."
            names_only = [m for m in prev if m.kind == "name"]
            if names_only and not re.sub(
                r"[\W_]+", "", _strip_spans(prev_text, names_only, sentences[idx - 1].start)
            ):
                clusters.union(clusters.find(names_only[0].key), clusters.find(own[0].key))
        for first in own:
            for second in own:
                if first.end <= second.start and clusters.find(first.key) != clusters.find(second.key):
                    gap = text[first.end - base : second.start - base]
                    if cues.ALIAS_CUE.search(gap) and not re.search(r"\band\b", gap, re.IGNORECASE):
                        clusters.union(clusters.find(first.key), clusters.find(second.key))
    alters: list[AlterCandidate] = []
    index: dict[str, int] = {}
    for m in names:
        root = clusters.find(m.key)
        if root not in index:
            index[root] = len(alters)
            alters.append(AlterCandidate(label=""))
        alter = alters[index[root]]
        alter.mentions.append(m)
        alter.names.add(m.text)
    # role phrases beside a name belong to that name ("me mate Lee", "Rob's the man")
    attached: dict[int, int] = {}
    for idx, ms in by_sentence.items():
        text, base = sentences[idx].text, sentences[idx].start
        for r in (m for m in ms if m.kind == "role"):
            for n in sorted((m for m in ms if m.kind == "name"), key=lambda n: abs(n.start - r.start)):
                if _adjacent_role(text, (n.start - base, n.end - base), (r.start - base, r.end - base)):
                    attached[id(r)] = index[clusters.find(n.key)]
                    alters[attached[id(r)]].role_labels[r.key] += 1
                    break
        for n in (m for m in ms if m.kind == "name"):
            if re.search(r"\bour\s+$", text[max(0, n.start - base - 4) : n.start - base], re.IGNORECASE):
                alters[index[clusters.find(n.key)]].role_labels["family"] += 1
    key_to_alter = {k: index[clusters.find(k)] for k in keys}
    _set_sentence_alters(sentences, mentions, where, key_to_alter, attached, questions)
    # "He's the man", "She's me key worker": a predicate about the one alter referred back to
    for r in roles:
        idx = where[id(r)]
        if idx is None or id(r) in attached:
            continue
        s = sentences[idx]
        before = s.text[: r.start - s.start]
        if re.search(
            r"\b(?:he|she)(?:['’]s|\s+is|\s+was)(?:\s+(?:still|also|like|and|just|really|kind\s+of|sort\s+of))*\s+$",
            before,
            re.IGNORECASE,
        ):
            people = [a for a in (s.alters or s.carried) if not _is_group(alters, a)]
            if len(people) == 1:
                attached[id(r)] = people[0]
                alters[people[0]].role_labels[r.key] += 1
    named = len(alters)
    _infer_named_roles(alters, sentences, questions, vocab)
    # role phrases on their own: the one named alter with that role, else an alter per label
    by_label: dict[str, int] = {}
    for r in roles:
        if id(r) in attached:
            alters[attached[id(r)]].mentions.append(r)
            continue
        holders = [i for i in range(named) if r.key in alters[i].role_labels]
        if not holders and r.role in (vocab.supplier_role, "key worker", "partner"):
            holders = [i for i in range(named) if alters[i].role == r.role]
        if len(holders) == 1 and not r.group:
            alters[holders[0]].mentions.append(r)
            attached[id(r)] = holders[0]
            continue
        if r.key not in by_label:
            by_label[r.key] = len(alters)
            alters.append(AlterCandidate(label="", role=r.role or "other", group=r.group))
            alters[-1].role_labels[r.key] += 1
            alters[-1].why.append(f"role from the phrase {r.text!r}")
        alters[by_label[r.key]].mentions.append(r)
        attached[id(r)] = by_label[r.key]
    for s in sentences:
        s.alters, s.carried = set(), set()
    outside = {  # not part of "we": the supplier (dealer), and relatives or workers named only by role
        i
        for i, a in enumerate(alters)
        if a.role == vocab.supplier_role
        or (i >= named and a.role in ("family", "key worker", "professional", "other"))
    }
    _set_sentence_alters(sentences, mentions, where, key_to_alter, attached, questions, outside)
    for i, alter in enumerate(alters):
        _label(alter, i >= named)
        _uses_and_buying(i, alter, sentences, vocab)
    for i in range(named):
        if alters[i].role == "other" and (alters[i].uses or alters[i].buys_with):
            alters[i].role = "fellow user"
            alters[i].why.append("role: uses or buys with the participant")
    ties = _alter_ties(alters, sentences, vocab)
    return CaseNetwork(alters, sentences, ties)


def _strip_spans(text: str, spans: Sequence[Mention], base: int) -> str:
    for m in sorted(spans, key=lambda m: -m.start):
        text = text[: m.start - base] + text[m.end - base :]
    return text


def _is_group(alters: list[AlterCandidate], i: int) -> bool:
    return alters[i].group


def _set_sentence_alters(
    sentences: list[SentenceRef],
    mentions: list[Mention],
    where: dict[int, int | None],
    names: dict[str, int],
    attached: dict[int, int],
    questions: dict[int, str],
    not_in_we: set[int] = frozenset(),  # type: ignore[assignment]
) -> None:
    """Explicit alters per sentence, then who "he", "she", "we" and "they" refer back to.

    "He"/"she" take the one alter of the latest sentence that names exactly one; "we"/"they"
    take everyone named in the last three sentences that name someone (dealers excepted from
    "we": you buy off the man, you do not buy with him). References reach back at most three
    sentences without one, across a follow-up question that names nobody.
    """
    for m in mentions:
        idx = where[id(m)]
        if idx is None:
            continue
        alter = names.get(m.key) if m.kind == "name" else attached.get(id(m))
        if alter is not None:
            sentences[idx].alters.add(alter)
    recent: list[set[int]] = []
    single: int | None = None
    last_turn, gap = -1, 0
    for i, s in enumerate(sentences):
        if i and sentences[i - 1].source_id != s.source_id:
            recent, single = [], None
        if s.turn != last_turn:
            last_turn = s.turn
            q = questions.get(i, "")
            named = {
                alter
                for key, alter in names.items()
                if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", q, re.IGNORECASE)
            }
            # "Tell me a bit about Big Col." -> "He's the man."; a follow-up question that names
            # nobody ("What was good about it?") keeps the people of the answer before.
            if named:
                recent, gap = [named], 0
                single = next(iter(named)) if len(named) == 1 else None
            elif q and not cues.FOLLOW_UP.search(q) and len(q.split()) > 6:
                recent, single, gap = [], None, 0
        if s.alters:
            recent = [*recent[-2:], set(s.alters)]
            single = next(iter(s.alters)) if len(s.alters) == 1 else single
            gap = 0
            continue
        gap += 1
        if gap > 3:
            continue
        carried: set[int] = set()
        if cues.SINGULAR.search(s.text) and single is not None:
            carried.add(single)
        if cues.PLURAL.search(s.text) and recent:
            group = set().union(*recent)
            carried |= (group - not_in_we) or group
        if carried:
            s.carried, gap = carried, 0  # a chain of "he ... he ..." keeps its referent


def _infer_named_roles(
    alters: list[AlterCandidate],
    sentences: list[SentenceRef],
    questions: dict[int, str],
    vocab: NetworkVocabulary,
) -> None:
    """A named alter's role: a role phrase beside the name, else the pack's supplier cues, else the question."""
    supplier = compiled(vocab.supplier_cue)
    asked_roles = cues.question_roles(vocab)
    for i, alter in enumerate(alters):
        if alter.role_labels:
            roles = Counter(role_of_label(label, vocab) for label in alter.role_labels.elements())
            alter.role = min(roles, key=lambda r: (-roles[r], cues.ROLE_PRIORITY.index(r)))
            phrase = alter.role_labels.most_common(1)[0][0]
            alter.why.append(f"role from {phrase!r} beside the name")
            continue
        own = [s for s in sentences if s.alters == {i} or (not s.alters and s.carried == {i})]
        cue = next((m for s in own for m in [supplier.search(s.text)] if m), None) if supplier else None
        if cue:
            alter.role = vocab.supplier_role
            alter.why.append(f"role: dealing cue {cue.group()!r}")
            continue
        first = next((n for n, s in enumerate(sentences) if i in s.alters), None)
        if first is not None:
            turn_start = next(n for n, s in enumerate(sentences) if s.turn == sentences[first].turn)
            question = questions.get(turn_start, "")
            for pattern, role in asked_roles:
                if question and pattern.search(question):
                    alter.role = role
                    alter.why.append(f"role from the question {question.strip()[:60]!r}")
                    break


def _label(alter: AlterCandidate, role_only: bool) -> None:
    if role_only:
        label = next(iter(alter.role_labels))
        alter.label = label[:1].upper() + label[1:]
        alter.aliases = sorted({m.text for m in alter.mentions if m.text.lower() != label.lower()})[:12]
        return
    counts = Counter(display_name(m.text) for m in alter.mentions if m.kind == "name")
    alter.label = max(counts, key=lambda n: (counts[n], len(n)))
    aliases = {n for n in counts if n != alter.label}
    aliases |= {m.text.lower() for m in alter.mentions if m.kind == "role"}
    alter.aliases = sorted(aliases)[:12]


def _uses_and_buying(
    i: int, alter: AlterCandidate, sentences: list[SentenceRef], vocab: NetworkVocabulary
) -> None:
    about = [s for s in sentences if i in s.about]
    together, uses, abstains = (compiled(p) for p in (vocab.cohort_cue, vocab.uses_cue, vocab.abstains_cue))
    cue = next(
        (
            c
            for s in about
            for c in [cues.asserted_cue(s.text, together)]
            if c and cues.first_person(s.text, vocab)
        ),
        None,
    )
    if alter.role != vocab.supplier_role and cue:
        alter.buys_with = True
        alter.why.append(f"buys with the participant: {cue!r}")
    negative = next(
        (m.group() for s in about for m in [abstains.search(s.text) if abstains else None] if m), None
    )
    positive = next(
        (
            m.group()
            for s in about
            for m in [uses.search(s.text) if uses else None]
            if m and not (alter.role == vocab.supplier_role and together and together.search(m.group()))
        ),
        None,
    )
    if negative:
        alter.uses = False
        alter.why.append(f"does not use: {negative!r}")
    elif positive or alter.buys_with:
        alter.uses = True
        alter.why.append(f"uses: {positive or 'buys with the participant'!r}")


def _alter_ties(
    alters: list[AlterCandidate], sentences: list[SentenceRef], vocab: NetworkVocabulary
) -> list[AlterTieCandidate]:
    """Ties between alters: named together with the pack's cohort cue, or a collective statement."""
    together = compiled(vocab.cohort_cue)
    out: dict[tuple[int, int, str], AlterTieCandidate] = {}

    def add(a: int, b: int, tie_type: str, sentence: int, cue: str) -> None:
        if a == b or alters[a].group or alters[b].group:
            return
        a, b = min(a, b), max(a, b)
        out.setdefault((a, b, tie_type), AlterTieCandidate(a, b, tie_type, sentence, cue))

    for n, s in enumerate(sentences):
        buying = cues.asserted_cue(s.text, together)
        if not buying:
            continue
        group = set(s.alters)
        if cues.COLLECTIVE.search(s.text):
            for back in range(max(0, n - 2), n):
                if sentences[back].turn == s.turn:
                    group |= sentences[back].alters
        if len(group) < 2:
            continue
        dealers = {a for a in group if alters[a].role == vocab.supplier_role}
        buyers = sorted(group - dealers)
        for x in buyers:
            for y in buyers:
                if x < y:
                    add(x, y, vocab.cohort_tie, n, buying)
            for d in dealers:
                add(x, d, "transactional", n, buying)
    return sorted(out.values(), key=lambda t: (t.sentence, t.a, t.b))
