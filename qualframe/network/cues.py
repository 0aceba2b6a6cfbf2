"""The word patterns network extraction reads that every interview shares: reference, naming, assertion.

Kept apart from the logic so they can be read (and corrected) as a list. The topic's own cues
(doing the studied thing together, using, abstaining, supplying) come from the study's pack
(:class:`qualframe.pack.NetworkVocabulary`; the Houghton pack's are UK heroin talk); the helpers
here take them as arguments. Each is a cue for a suggestion a researcher reviews, not a rule.
"""

from __future__ import annotations

import re

from qualframe.pack import NetworkVocabulary, compiled, get_pack

__all__ = [
    "ALIAS_CUE",
    "COLLECTIVE",
    "FOLLOW_UP",
    "PLURAL",
    "QUESTION_ROLES",
    "ROLE_PRIORITY",
    "ROLE_WORDS",
    "SINGULAR",
    "VOCATIVE",
    "asserted_buying",
    "asserted_cue",
    "first_person",
    "question_roles",
    "role_words",
    "unasserted",
]

ALIAS_CUE = re.compile(
    r"\b(?:call(?:s|ed)?\s+(?:him|her)|known\s+as|(?:his|her)\s+(?:real\s+)?name(?:['’]s|\s+is|\s+was)|"
    r"real\s+name|short\s+for|nickname)\b",
    re.IGNORECASE,
)
FOLLOW_UP = re.compile(r"\b(?:it|that|this|them|they|he|she|him|her|those|then|more)\b", re.IGNORECASE)
VOCATIVE = re.compile(
    r"(?:^|,\s*|\b(?:[Ss]o|[Tt]hanks|[Tt]hank\s+you|[Rr]ight|[Oo]kay|OK|[Ww]ell|[Cc]heers)\s+)([A-Z][a-z]+)(?=\s*(?:[,.?!]|$))"
)
ROLE_WORDS = (
    r"brother|sister|mum|mam|dad|mate|pal|friend|partner|missus|wife|girlfriend|boyfriend|cousin|uncle|aunt|"
    r"nan|son|daughter|worker|kid"
)
SINGULAR = re.compile(r"\b(?:he|him|his|she|her|hers)\b", re.IGNORECASE)
PLURAL = re.compile(
    r"\b(?:we|us|our|they|them|their|them\s+two|the\s+(?:two|three|four|five)\s+of\s+us|together|each\s+other)\b",
    re.IGNORECASE,
)
COLLECTIVE = re.compile(
    r"\b(?:we\s+all|all\s+of\s+us|us\s+all|the\s+(?:two|three|four|five)\s+of\s+us|them\s+two|"
    r"between\s+(?:them|us)|we|us)\b",
    re.IGNORECASE,
)
#: Role words in the interviewer's question, for alters first named in the answer.
QUESTION_ROLES = (
    (re.compile(r"\b(?:mates|friends|pals|buddies)\b", re.I), "friend"),
    (re.compile(r"\b(?:family|mum|mam|mom|dad|brother|sister|parents)\b", re.I), "family"),
    (re.compile(r"\b(?:partner|girlfriend|boyfriend|wife|husband|missus)\b", re.I), "partner"),
    (re.compile(r"\b(?:key\s*worker|worker)\b", re.I), "key worker"),
    (re.compile(r"\b(?:flatmates?|roommates?|housemates?)\b", re.I), "housemate"),
    (re.compile(r"\b(?:boss|colleagues?|co-?workers?|workmates?|manager)\b", re.I), "colleague"),
)
ROLE_PRIORITY = (
    "partner",
    "family",
    "key worker",
    "professional",
    "dealer",
    "housemate",
    "colleague",
    "friend",
    "fellow user",
    "other",
)

# -- is a cue asserted? ---------------------------------------------------------------------------

_FILLER = re.compile(
    r",?\s*\b(?:you\s+know(?:\s+what\s+i\s+mean)?|i\s+mean|like|um+|uh+|er+m?|sort\s+of|kind\s+of|kinda)\b\s*,?",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r"[.;:!?,—–]|\s-\s|\b(?:but|and|so|because|cause|cos|although|though|while|whereas|then|until|till|or)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can['’]?t|won['’]t|don['’]?t|didn['’]?t|doesn['’]?t|isn['’]t|wasn['’]t|"
    r"aren['’]t|weren['’]t|haven['’]t|hasn['’]t|hadn['’]t|wouldn['’]t|couldn['’]t|shouldn['’]t|ain['’]t|"
    r"nobody|no\s+one|none|nothing|neither|nor|without|stopped|quit|no\s+longer|barely|hardly|"
    r"\w+n['’]t)\b",
    re.IGNORECASE,
)
_IRREALIS = re.compile(
    r"\b(?:if|unless|whether|wish|hope|hopefully|maybe|perhaps|imagine|should|could|might|may|will|"
    r"would\s+have|would['’]ve|['’]d\s+have|(?:would|['’]d)\s+(?:love|like|prefer|rather)|gonna|going\s+to|"
    r"wanna|want(?:s|ed)?\s+to|"
    r"(?:try|tries|tried|trying)\s+to|plan(?:s|ned|ning)?\s+to|supposed\s+to)\b|['’]ll\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"\b(?!(?:i|we|it|that|this)\b)[a-z]+\s+(?:said|says|say|told\s+\w+|tells\s+\w+|thinks|reckons|"
    r"believes|claims|blamed|blames|(?:was|is)\s+like\s*[,\"“])",
    re.IGNORECASE,
)
#: Words a participant uses for people in general, not anyone in particular.
_GENERIC = re.compile(
    r"\b(?:(?:loads|lots|a\s+lot|most|some|plenty)\s+of\s+people|(?:most|some|other)\s+people|everyone|"
    r"everybody)\b|^\W*(?:people|you)\b",
    re.IGNORECASE,
)


def unasserted(sentence: str, start: int) -> str | None:
    """Why a cue at ``start`` of ``sentence`` does not assert a tie, or None when it does.

    A tie cue counts only when the participant states it: not under a negation in its clause
    ("I don't wanna put pressure on them", "we can't hang out anymore"), not in a hypothetical,
    a wish, a plan or a future ("if you go halves with someone", "I'd love to see them"), not in
    someone else's reported words ("she said that if I kept hanging out with them"), not about
    people in general ("people club together"), and not in a question. The clause is the words
    since the last comma, full stop or conjunction, fillers ("you know", "like", "um") removed.
    """
    prefix = sentence[:start]
    if sentence.rstrip().endswith("?"):
        return "a question"
    reported = _REPORTED.search(_FILLER.sub(" ", prefix))
    if reported:
        return f"someone else's words ({reported.group().strip()!r})"
    clean = _FILLER.sub(" ", prefix)
    breaks = list(_CLAUSE_BREAK.finditer(clean))
    clause = clean[breaks[-1].end() :] if breaks else clean
    clause = " ".join(clause.split()[-10:])
    for pattern, why in ((_NEGATION, "negated"), (_IRREALIS, "not a fact")):
        m = pattern.search(clause)
        if m:
            return f"{why} ({m.group().strip()!r})"
    generic = _GENERIC.search(clause) or _GENERIC.search(clean)
    if generic and not re.search(r"\b(?:i|we|me|us)\b", clause, re.IGNORECASE):
        return f"about people in general ({generic.group().strip()!r})"
    return None


def _vocabulary(vocabulary: NetworkVocabulary | None) -> NetworkVocabulary:
    return vocabulary if vocabulary is not None else get_pack().network


def asserted_cue(sentence: str, pattern: re.Pattern[str] | None) -> str | None:
    """The first match of ``pattern`` the participant states (see :func:`unasserted`), or None."""
    for m in pattern.finditer(sentence) if pattern is not None else ():
        if unasserted(sentence, m.start()) is None:
            return m.group()
    return None


def asserted_buying(sentence: str, vocabulary: NetworkVocabulary | None = None) -> str | None:
    """The first cohort cue ("we go halves") the participant states, or None.

    The cue is the pack's :attr:`~qualframe.pack.NetworkVocabulary.cohort_cue` (``vocabulary``, by
    default the default pack's); see :func:`unasserted` for what counts as stated.
    """
    return asserted_cue(sentence, compiled(_vocabulary(vocabulary).cohort_cue))


def role_words(vocabulary: NetworkVocabulary | None = None) -> str:
    """The core's role words (kin, friends, workers) and the pack's, as one regex alternation."""
    return "|".join([ROLE_WORDS, *_vocabulary(vocabulary).role_words])


def question_roles(vocabulary: NetworkVocabulary | None = None) -> list[tuple[re.Pattern[str], str]]:
    """The core's question role patterns (friends, family, workers), then the pack's ("your dealer")."""
    extra = [(compiled(p), role) for p, role in _vocabulary(vocabulary).question_roles]
    return list(QUESTION_ROLES) + [(p, role) for p, role in extra if p is not None]


# "and" joins the buyers ("me and Gaz go halves"), so it does not end a clause here
_BUYING_CLAUSE_BREAK = re.compile(
    r"[.;:!?,—–]|\s-\s|\b(?:but|so|because|cause|cos|although|though|while|whereas|then|until|till)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(
    r"\b(?:i|i['’](?:m|d|ve|ll)|me|my|myself|we|we['’](?:d|re|ve|ll)|us|our|ourselves)\b", re.I
)


def first_person(sentence: str, vocabulary: NetworkVocabulary | None = None) -> bool:
    """Whether the participant takes part in the buying a sentence describes.

    "We go halves", "me and Gaz score", "Gaz goes halves with me": yes. "Him and Lenny, who's in
    the hostel with me, they go halves now": no - the participant is in the sentence but not in the
    clause that buys. The clause of each buying cue is read (commas, full stops and conjunctions
    bound it); without a cue, the whole sentence.
    """
    found = False
    cue = compiled(_vocabulary(vocabulary).cohort_cue)
    for m in cue.finditer(sentence) if cue is not None else ():
        found = True
        before = list(_BUYING_CLAUSE_BREAK.finditer(sentence, 0, m.start()))
        after = _BUYING_CLAUSE_BREAK.search(sentence, m.end())
        clause = sentence[before[-1].end() if before else 0 : after.start() if after else len(sentence)]
        if _FIRST_PERSON.search(clause):
            return True
    return not found and bool(_FIRST_PERSON.search(sentence))
