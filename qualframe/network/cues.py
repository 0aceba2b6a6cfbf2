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
    r"\b(?:chip(?:s|ped|ping)?\s+in|go(?:es|ing)?\s+halves|went\s+halves|halves|put(?:ting)?\s+in\s+together|"
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
    (re.compile(r"\b(?:mates|friends|pals)\b", re.I), "friend"),
    (re.compile(r"\b(?:family|mum|mam|dad|brother|sister|parents)\b", re.I), "family"),
    (re.compile(r"\b(?:partner|girlfriend|wife|missus)\b", re.I), "partner"),
    (re.compile(r"\b(?:dealer)\b", re.I), "dealer"),
    (re.compile(r"\b(?:key\s*worker|worker)\b", re.I), "key worker"),
)
ROLE_PRIORITY = ("partner", "family", "key worker", "dealer", "friend", "fellow user", "other")
