"""People named by their relation: "my flatmates", "me missus", "our kid", "the man", "my boss".

Participants name most of their network by relation, not by name: family ("my parents", "me mam
and dad", "my mother-in-law"), partners and exes, friends one at a time ("my friend", "a mate of
mine", "one of my buddies") or as a group ("my friends", "the lads", "my friend group"),
flatmates, colleagues and bosses, professionals ("my GP", "my lawyer", "my PO") and neighbours;
the study pack adds its topic's own (:attr:`qualframe.pack.NetworkVocabulary.role_nouns` and
``role_phrases``: the Houghton pack's dealers, "my plug", "the man"). :func:`find_role_phrases`
finds those phrases in a participant's turn; each gets a label (one alter per label unless a name
is beside it), a role from :data:`~qualframe.store.models.ALTER_ROLES` and whether it names a group.

Phrases come in five shapes:

* a first-person possessive and a relation noun: *my*, *me*, *mi*, *our* (*my best friend*, *me
  old man*, *my ex-wife*, *my step-dad*);
* a second relation noun joined to one by *and*/*or* keeps the determiner: *my mum and dad*, *my
  wife and kids*, *my brothers and sisters*;
* *his*, *her*, *their* and a relation noun: a person in the network of someone the participant
  talks about (*her mother*, *his father*), labelled with the determiner and given role ``other``;
* *a friend (of mine)*, *one of my mates*, *a couple of friends*: a friend, one at a time or a few;
* phrases that stand on their own, slang included: *our kid* (a brother), the pack's (*the man*,
  the Houghton pack's dealer; not *the man at the chemist*), *the lads*, *that lot*, *the missus*,
  *the kids*, *the chemist*, and kin terms used as names (*Mum said*, *Dad was there*).

The table is written for interview talk in UK and US English; each phrase is a cue for a
suggestion the researcher reviews, not a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qualframe.pack import NetworkVocabulary, get_pack

__all__ = ["ROLE_PHRASES", "RolePhrase", "find_role_phrases", "role_of_label"]


@dataclass(frozen=True)
class RolePhrase:
    """A phrase that names someone by relation: its span, label (``"mum"``) and role."""

    start: int
    end: int
    text: str
    label: str
    role: str
    group: bool = False


_POSS = r"(?:my|me|mi|our)"
_THIRD = r"(?:his|her|their)"
_ADJ = (
    r"(?:(?:(?:very\s+)?(?:best|old|older|little|big|younger|eldest|oldest|youngest|baby|new|late|former|"
    r"current|own|closest|close|good|dear|real|true|biological|two|three|four|whole|other|only|favourite|favorite)"
    r"[\s-])+)?"
)
#: (noun pattern, label, role, is a group), plural nouns before singular ones.
_NOUNS: tuple[tuple[str, str, str, bool], ...] = (
    # friends
    (
        r"friends|mates|pals|buddies|homies|homeboys|besties|friend\s+group|group\s+of\s+friends|"
        r"circle\s+of\s+friends|social\s+circle|friendship\s+group|crew|gang|posse",
        "friends",
        "friend",
        True,
    ),
    (r"mate|pal|friend|bezzie|buddy|bestie|bff|homie|homeboy", "friend", "friend", False),
    # partners and exes
    (
        r"ex(?:[\s-]?(?:wife|husband|girlfriend|boyfriend|partner|fianc[eé]e?|missus))?",
        "ex-partner",
        "partner",
        False,
    ),
    (
        r"missus|mrs|wife|girlfriend|bird|partner|fella|boyfriend|husband|hubby|spouse|fianc[eé]e?|"
        r"other\s+half|significant\s+other|old\s+lady",
        "partner",
        "partner",
        False,
    ),
    # family: groups, then in-laws and step-family, then one person
    (r"parents|folks", "parents", "family", True),
    (r"kids|children|little\s+ones", "children", "family", True),
    (
        r"family(?:\s+members)?(?!\s+(?:doctor|gp|home|history|tree|business|name|car|friend))|relatives",
        "family",
        "family",
        True,
    ),
    (r"brothers\s+and\s+sisters|siblings|brothers|sisters", "siblings", "family", True),
    (r"grandparents", "grandparents", "family", True),
    (r"grandkids|grandchildren|grandbabies", "grandchildren", "family", True),
    (r"cousins", "cousins", "family", True),
    (r"in[\s-]laws", "in-laws", "family", True),
    (r"(?:mother|mum|mom)[\s-]in[\s-]law", "mother-in-law", "family", False),
    (r"(?:father|dad)[\s-]in[\s-]law", "father-in-law", "family", False),
    (r"(?:brother|sister|son|daughter)[\s-]in[\s-]law", "in-law", "family", False),
    (r"step[\s-]?(?:mum|mom|mam|mother)", "stepmother", "family", False),
    (r"step[\s-]?(?:dad|father)", "stepfather", "family", False),
    (r"(?:step|half)[\s-]?(?:brother|sister)", "step-sibling", "family", False),
    (r"mum|mam|mom|mother|ma|mummy|mommy|mama|momma", "mum", "family", False),
    (r"dad|father|old\s+man|daddy|papa|pops", "dad", "family", False),
    (r"brother|bro", "brother", "family", False),
    (r"sister|sis", "sister", "family", False),
    (r"nan|nana|nanna|gran|grandma|granny|grandmother", "nan", "family", False),
    (r"grandad|granddad|grandpa|grandfather", "grandad", "family", False),
    (r"grandson|granddaughter|grandchild", "grandchild", "family", False),
    (r"uncle", "uncle", "family", False),
    (r"aunt|auntie|aunty", "aunt", "family", False),
    (r"cousin", "cousin", "family", False),
    (r"nephew", "nephew", "family", False),
    (r"niece", "niece", "family", False),
    (r"son(?!\s+of\s+a\b)", "son", "family", False),
    (r"daughter", "daughter", "family", False),
    (r"child|baby|kid(?!\s+(?:brother|sister))", "child", "family", False),
    # people one lives with
    (r"roommates|room-mates|flatmates|housemates|roomies", "housemates", "housemate", True),
    (r"roommate|room-mate|flatmate|housemate|roomie", "housemate", "housemate", False),
    # work
    (r"colleagues|co-?workers|workmates|work\s+mates", "colleagues", "colleague", True),
    (r"colleague|co-?worker|workmate", "colleague", "colleague", False),
    (r"boss|manager|supervisor|employer|line\s+manager|foreman|gaffer", "boss", "colleague", False),
    (r"classmates|teammates|team\s+mates", "classmates", "other", True),
    (r"neighbours|neighbors", "neighbours", "other", True),
    (r"neighbour|neighbor", "neighbour", "other", False),
    # services and professionals
    (
        r"key\s*worker|drug\s+worker|support\s+worker|recovery\s+worker|worker",
        "key worker",
        "key worker",
        False,
    ),
    (r"(?:family\s+)?(?:doctor|gp)|doc|physician|prescriber", "doctor", "professional", False),
    (r"nurse|midwife", "nurse", "professional", False),
    (r"psychiatrist", "psychiatrist", "professional", False),
    (r"therapist|counsell?or|psychologist", "therapist", "professional", False),
    (r"social\s+worker|case\s*worker|case\s+manager", "social worker", "professional", False),
    (r"probation\s+officer|parole\s+officer|po", "probation officer", "professional", False),
    (r"lawyer|attorney|solicitor|barrister", "lawyer", "professional", False),
    (r"teacher|professor|tutor|lecturer", "teacher", "professional", False),
    (r"coach|trainer", "coach", "professional", False),
    (r"pastor|priest|vicar|minister|rabbi|imam", "pastor", "professional", False),
    (r"pharmacist|chemist", "pharmacist", "professional", False),
    (r"landlord|landlady", "landlord", "other", False),
    (r"sponsor|peer\s+mentor|mentor", "peer mentor", "other", False),
)
# Kin and role words that a third-person possessive can take ("her mother", "his mates").
_THIRD_OK = {
    "friends",
    "friend",
    "ex-partner",
    "partner",
    "parents",
    "children",
    "family",
    "siblings",
    "mum",
    "dad",
    "brother",
    "sister",
    "nan",
    "grandad",
    "son",
    "daughter",
    "housemates",
    "housemate",
    "boss",
    "colleagues",
}
#: Phrases that stand on their own: (pattern, label, role, is a group).
_STANDALONE: tuple[tuple[str, str, str, bool], ...] = (
    (r"our\s+kid", "brother", "family", False),
    (r"the\s+(?:chemist|pharmacist)", "pharmacist", "professional", False),
    (
        r"the\s+(?:lads|boys|crew|guys)|me\s+lads|(?:our|that|the\s+whole)\s+lot|us\s+lot",
        "the lads",
        "friend",
        True,
    ),
    (r"(?:my|me|our)\s+key\s*worker", "key worker", "key worker", False),
    (r"the\s+(?:wife|missus|mrs|hubby|old\s+lady|other\s+half)", "partner", "partner", False),
    (r"the\s+(?:kids|children|little\s+ones)", "children", "family", True),
    (r"the\s+boss", "boss", "colleague", False),
    (r"the\s+(?:doctor|doc|gp)", "doctor", "professional", False),
    (r"the\s+neighbou?rs", "neighbours", "other", True),
    (r"the\s+neighbou?r", "neighbour", "other", False),
    (
        r"(?:a\s+(?:good\s+|close\s+|old\s+|best\s+)?(?:friend|mate|buddy|pal)\s+of\s+(?:mine|ours))",
        "friend",
        "friend",
        False,
    ),
    (r"one\s+of\s+(?:my|me|our)\s+(?:friends|mates|pals|buddies)", "friend", "friend", False),
    (
        r"(?:a\s+(?:couple|few)\s+(?:of\s+)?|some\s+)(?:(?:of\s+)?(?:my|me|our)\s+)?(?:good\s+|close\s+|old\s+)?"
        r"(?:friends|mates|pals|buddies)",
        "some friends",
        "friend",
        True,
    ),
    (
        r"(?:a|one)\s+(?:good\s+|close\s+|old\s+|best\s+)?(?:friend|mate|buddy|pal)"
        r"(?!\s+of\s+(?:his|hers|theirs|yours)\b)",
        "friend",
        "friend",
        False,
    ),
    (r"the\s+girls", "the girls", "other", True),
)
# Kin terms used as names, capitalised: "Mum said", "I rang Dad".
_KIN_NAMES = re.compile(
    r"(?<![\w'’-])(Mum|Mom|Mam|Mummy|Mommy|Dad|Daddy|Nan|Nana|Gran|Grandma|Grandpa|Grandad|"
    r"(?<!\ba\s)(?<!\ban\s)(?<!\bthe\s)(?<!\byour\s)(?<!\bhis\s)(?<!\bher\s)(?:mum|mom|dad)"
    r"(?=\s+(?:\w+(?:s|ed)|is|was|and|has|had|would|will|just|always|never|still|got|gets|goes)\b))"
    r"(?![\w'’-])"
)
# "I have a brother", "I've got two kids", "she had an aunt": a relative introduced as had.
_NOT_HAD = {
    "bird",
    "plug",
    "connect",
    "po",
    "ma",
    "pa",
    "doc",
    "worker",
    "gang",
    "crew",
    "circle",
    "baby",
    "kid",
}
_HAVE_NP = (
    r"\b(?:i|we|he|she|they)(?:\s+(?:also|still|do|did|just|only|really))?"
    r"(?:['’]ve\s+got|['’]ve|\s+have\s+got|\s+have|\s+has|\s+had|\s+got)\s+(?P<np>(?:a|an|one|two|three|four|five|six)\s+{adj}(?P<noun>{nouns}))\b"
)
# Titles before a name: "Aunt Jan", "Uncle Joe", "Dr Patel", "Coach Brown".
_TITLES = re.compile(r"\b(Aunt|Auntie|Aunty|Uncle|Cousin|Dr|Doctor|Coach)\.?(?=\s+[A-Z][a-z])")
_TITLE_LABEL = {"aunt": "aunt", "auntie": "aunt", "aunty": "aunt", "uncle": "uncle", "cousin": "cousin"}
_KIN_LABEL = {
    "mum": "mum",
    "mom": "mum",
    "mam": "mum",
    "mummy": "mum",
    "mommy": "mum",
    "dad": "dad",
    "daddy": "dad",
    "nan": "nan",
    "nana": "nan",
    "gran": "nan",
    "grandma": "nan",
    "grandpa": "grandad",
    "grandad": "grandad",
}
# Nouns a participant often narrows with one more word: "my gym teacher", "my school friends".
_MODIFIED = {
    "friends",
    "friend",
    "teacher",
    "coach",
    "doctor",
    "nurse",
    "therapist",
    "social worker",
    "key worker",
    "peer mentor",
    "lawyer",
    "colleagues",
}
_MODIFIER = r"(?:(?!(?:and|or|but|own|the|a|an|to|of|is|was)\b)[a-z]+\s+)?"
_Row = tuple[str, str, str, bool]
# "the man at the chemist", "the man himself": not the supplier.
_NOT_SUPPLIER = re.compile(r"\s+(?:at|from|in|on|who|with|himself|upstairs|next)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Tables:
    """The phrase table of one study pack: the core's rows and the pack's, compiled once."""

    standalone: tuple[_Row, ...]
    nouns: tuple[_Row, ...]
    role_re: re.Pattern[str]
    joined: re.Pattern[str]
    noun_res: tuple[re.Pattern[str], ...]
    have: re.Pattern[str]


@lru_cache(maxsize=16)
def _tables(extra_standalone: tuple[_Row, ...] = (), extra_nouns: tuple[_Row, ...] = ()) -> _Tables:
    standalone, nouns = _STANDALONE + extra_standalone, _NOUNS + extra_nouns
    noun_alt = "|".join(f"(?:{p})" for p, *_ in nouns)
    role_re = re.compile(
        "|".join(
            [rf"(?P<s{i}>\b{pattern}\b)" for i, (pattern, *_rest) in enumerate(standalone)]
            + [
                rf"(?P<p{i}>\b{_POSS}\s+{_ADJ}{_MODIFIER if label in _MODIFIED else ''}(?:{pattern})\b)"
                for i, (pattern, label, *_rest) in enumerate(nouns)
            ]
            + [rf"(?P<t{i}>\b{_THIRD}\s+{_ADJ}(?:{pattern})\b)" for i, (pattern, *_rest) in enumerate(nouns)]
        ),
        re.IGNORECASE,
    )
    # A second noun sharing the determiner: "my mum and dad", "my wife and kids".
    joined = re.compile(rf"(?:\s*,\s*|\s+(?:and|&|or|n)\s+)(?:{_ADJ})({noun_alt})\b", re.IGNORECASE)
    noun_res = tuple(re.compile(rf"(?:{p})", re.IGNORECASE) for p, *_ in nouns)
    have = re.compile(_HAVE_NP.format(adj=_ADJ, nouns=noun_alt), re.IGNORECASE)
    return _Tables(standalone, nouns, role_re, joined, noun_res, have)


def _pack_tables(vocabulary: NetworkVocabulary | None) -> _Tables:
    vocab = vocabulary if vocabulary is not None else get_pack().network
    return _tables(tuple(vocab.role_phrases), tuple(vocab.role_nouns))


#: Everything :func:`find_role_phrases` recognises in every study, for documentation:
#: (pattern, label, role, group). A study pack adds its own.
ROLE_PHRASES: tuple[tuple[str, str, str, bool], ...] = _STANDALONE + tuple(
    (f"{_POSS} ({p})", label, role, group) for p, label, role, group in _NOUNS
)


def role_of_label(label: str, vocabulary: NetworkVocabulary | None = None) -> str:
    """The role a role phrase's label implies (``"mum"`` -> ``"family"``), ``other`` if unknown.

    ``vocabulary`` is the study pack's (default: the default pack's), whose phrases count too.
    """
    tables = _pack_tables(vocabulary)
    for _, lab, role, _ in (*tables.standalone, *tables.nouns):
        if lab == label:
            return role
    return "family" if label == "family" else "other"


def _noun_row(tables: _Tables, noun: str) -> _Row | None:
    for regex, row in zip(tables.noun_res, tables.nouns, strict=True):
        if regex.fullmatch(noun):
            return row
    return None


def find_role_phrases(
    text: str, offset: int = 0, vocabulary: NetworkVocabulary | None = None
) -> list[RolePhrase]:
    """Role phrases in ``text`` (spans shifted by ``offset``), longest match first at each place.

    The core's phrases and those of the study pack ``vocabulary`` (default: the default pack's).
    """
    vocab = vocabulary if vocabulary is not None else get_pack().network
    tables = _pack_tables(vocab)
    out: list[RolePhrase] = []
    for m in tables.role_re.finditer(text):
        key = next(k for k, v in m.groupdict().items() if v is not None)
        kind, index = key[0], int(key[1:])
        _, label, role, group = (tables.standalone if kind == "s" else tables.nouns)[index]
        words = m.group()
        if (
            words.lower().startswith("the")
            and role == vocab.supplier_role
            and _NOT_SUPPLIER.match(text, m.end())
        ):
            continue
        if kind == "t":
            if label not in _THIRD_OK:
                continue
            determiner = words.split()[0].lower()
            label, role = f"{determiner} {label}", "other"
        out.append(RolePhrase(offset + m.start(), offset + m.end(), words, label, role, group))
        if kind in "pt" or words.lower().startswith("the "):
            for j in tables.joined.finditer(text, m.end()):
                if j.start() != m.end():
                    break
                row = _noun_row(tables, j.group(1))
                if row is None:
                    break
                _, label2, role2, group2 = row
                if kind == "t":
                    if label2 not in _THIRD_OK:
                        break
                    label2, role2 = f"{words.split()[0].lower()} {label2}", "other"
                out.append(
                    RolePhrase(offset + j.start(1), offset + j.end(1), j.group(1), label2, role2, group2)
                )
                break
    taken = [(r.start, r.end) for r in out]
    for m in tables.have.finditer(text):
        row = _noun_row(tables, m.group("noun"))
        s, e = offset + m.start("np"), offset + m.end("np")
        if m.group("noun").lower() in _NOT_HAD or row is None or any(s < e2 and s2 < e for s2, e2 in taken):
            continue
        _, label, role, group = row
        out.append(RolePhrase(s, e, m.group("np"), label, role, group))
        taken.append((s, e))
    for m in _TITLES.finditer(text):
        s, e = offset + m.start(), offset + m.end(1)
        if any(s < e2 and s2 < e for s2, e2 in taken):
            continue
        label = _TITLE_LABEL.get(m.group(1).lower(), m.group(1).lower())
        label = {"dr": "doctor"}.get(label, label)
        out.append(RolePhrase(s, e, m.group(1), label, role_of_label(label, vocab), False))
        taken.append((s, e))
    for m in _KIN_NAMES.finditer(text):
        s, e = offset + m.start(), offset + m.end()
        if any(s < e2 and s2 < e for s2, e2 in taken):
            continue
        label = _KIN_LABEL[m.group(1).lower()]
        out.append(RolePhrase(s, e, m.group(), label, role_of_label(label, vocab), False))
    return sorted(out, key=lambda r: r.start)
