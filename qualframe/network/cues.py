"""The word patterns network extraction reads: reference, buying, dealing, using, naming.

Kept apart from the logic so they can be read (and corrected) as a list. They are written for UK
interview talk about heroin use; each is a cue for a suggestion a researcher reviews, not a rule.
"""

from __future__ import annotations

import re

__all__ = [
    "ALIAS_CUE",
    "COLLECTIVE",
    "CO_BUYING",
    "DEALER_CUE",
    "FOLLOW_UP",
    "NOT_USING",
    "PLURAL",
    "QUESTION_ROLES",
    "ROLE_PRIORITY",
    "ROLE_WORDS",
    "SINGULAR",
    "USES",
    "VOCATIVE",
    "asserted_buying",
    "first_person",
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
    r"nan|son|daughter|worker|dealer|kid"
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
#: Buying together: pooling money, going halves, buying off the same dealer.
CO_BUYING = re.compile(
    r"\b(?:chip(?:s|ped|ping)?\s+in|go(?:es|ing)?\s+halves|went\s+halves|halves|put(?:s|ting)?\s+in\s+(?:together|with)|"
    r"put\s+together|we\s+put\s+in|pool(?:s|ed|ing)?|split\s+it|club(?:bed|bing)?\s+together|"
    r"(?:buy|buys|buying|bought|score|scoring|get|getting)\s+(?:\w+\s+)?(?:off|from)\s+the\s+same|"
    r"(?:buy|score|scoring|buying)\s+together|get(?:ting)?\s+it\s+together|sort\s+it\s+between|"
    r"we\s+(?:all\s+)?(?:buy|score|get)\s+(?:off|from))\b",
    re.IGNORECASE,
)
DEALER_CUE = re.compile(
    r"\b(?:dealer|dealing|deals|sells|selling|on\s+(?:a\s+)?tick|tick\s+till|(?:buy|buying|bought|get|"
    r"getting|got|score|scoring|scored)\s+(?:it\s+|gear\s+|a\s+bag\s+)?(?:off|from)\s+(?:him|her))\b",
    re.IGNORECASE,
)
USES = re.compile(
    r"\b(?:(?:he|she|they)(?:['’](?:s|re|d)|\s+(?:is|was|were|are|had\s+been|has\s+been))\s+(?:still\s+|already\s+|"
    r"always\s+|been\s+)?(?:using|on\s+(?:a|the)\s+script|on\s+(?:the\s+)?gear|at\s+it|dabbling|smoking\s+it|"
    r"clucking|a\s+user|hooked)|(?:he|she|they)\s+(?:uses|used|smokes|smoked|injects|scores|scored)|dabbl\w*|"
    r"junkie|smackhead|go(?:es)?\s+halves|chip\s+in|(?:use|using|used)\s+together|"
    r"we(?:['’]d|\s+would)?\s+(?:all\s+)?(?:use|used|were\s+using))\b",
    re.IGNORECASE,
)
NOT_USING = re.compile(
    r"\b(?:(?:doesn['’]t|does\s+not|don['’]t|never|didn['’]t|wouldn['’]t|won['’]t)\s+(?:use|touch|do\s+(?:it|gear|drugs))|"
    r"never\s+has|never\s+used|(?:is|been|she['’]s|he['’]s|stayed)\s+clean|not\s+in\s+it|straight\s+(?:as|edge)|"
    r"doesn['’]t\s+touch)\b",
    re.IGNORECASE,
)
#: Role words in the interviewer's question, for alters first named in the answer.
QUESTION_ROLES = (
    (re.compile(r"\b(?:mates|friends|pals|buddies)\b", re.I), "friend"),
    (re.compile(r"\b(?:family|mum|mam|mom|dad|brother|sister|parents)\b", re.I), "family"),
    (re.compile(r"\b(?:partner|girlfriend|boyfriend|wife|husband|missus)\b", re.I), "partner"),
    (re.compile(r"\b(?:dealer)\b", re.I), "dealer"),
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


def asserted_buying(sentence: str) -> str | None:
    """The first buying-together cue the participant states (see :func:`unasserted`), or None."""
    for m in CO_BUYING.finditer(sentence):
        if unasserted(sentence, m.start()) is None:
            return m.group()
    return None


# "and" joins the buyers ("me and Gaz go halves"), so it does not end a clause here
_BUYING_CLAUSE_BREAK = re.compile(
    r"[.;:!?,—–]|\s-\s|\b(?:but|so|because|cause|cos|although|though|while|whereas|then|until|till)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(
    r"\b(?:i|i['’](?:m|d|ve|ll)|me|my|myself|we|we['’](?:d|re|ve|ll)|us|our|ourselves)\b", re.I
)


def first_person(sentence: str) -> bool:
    """Whether the participant takes part in the buying a sentence describes.

    "We go halves", "me and Gaz score", "Gaz goes halves with me": yes. "Him and Lenny, who's in
    the hostel with me, they go halves now": no - the participant is in the sentence but not in the
    clause that buys. The clause of each buying cue is read (commas, full stops and conjunctions
    bound it); without a cue, the whole sentence.
    """
    found = False
    for m in CO_BUYING.finditer(sentence):
        found = True
        before = list(_BUYING_CLAUSE_BREAK.finditer(sentence, 0, m.start()))
        after = _BUYING_CLAUSE_BREAK.search(sentence, m.end())
        clause = sentence[before[-1].end() if before else 0 : after.start() if after else len(sentence)]
        if _FIRST_PERSON.search(clause):
            return True
    return not found and bool(_FIRST_PERSON.search(sentence))
