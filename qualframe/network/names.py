"""How one person is named in talk: given names, short forms, nicknames and role phrases.

Participants call the same alter "Gareth" and "Gaz", "Anthony" and "Big Tony", "our kid" and
"Steve". :func:`same_person` decides whether two name forms can be one person (a table of
British short forms, the "-z" forms that replace an ``r`` - Gareth, Gary -> Gaz; Barry -> Baz -,
clipped forms - Colin -> Col -, and nickname prefixes such as "Big"); :data:`ROLE_PHRASES` lists
the phrases that name someone by their relation to the participant ("me mate", "our kid", "the
man", "my key worker"), each with a label and a role from :data:`~qualframe.store.models.ALTER_ROLES`.
The word lists that tell names from everyday words are the privacy package's
(:mod:`qualframe.privacy.lexicon`), so both features agree on what a name is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualframe.privacy.lexicon import NICKNAME_PREFIXES

__all__ = [
    "ROLE_PHRASES",
    "SHORT_FORMS",
    "RolePhrase",
    "base_name",
    "display_name",
    "find_role_phrases",
    "same_person",
]

#: Formal given name -> short forms heard in UK speech (both directions are used).
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "alexander": ("alex", "al", "sandy"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "ant", "anto"),
    "antony": ("tony", "ant"),
    "barry": ("baz", "bazza"),
    "benjamin": ("ben", "benny", "benno"),
    "bernadette": ("bernie", "bernie"),
    "charles": ("charlie", "chas", "chaz"),
    "christopher": ("chris", "kit", "chrissy"),
    "colin": ("col",),
    "daniel": ("dan", "danny", "dano"),
    "darren": ("daz", "dazza"),
    "david": ("dave", "davey", "davo", "dai"),
    "deborah": ("debbie", "debs", "deb"),
    "dennis": ("den",),
    "derek": ("del", "dez"),
    "edward": ("ed", "eddie", "ted", "teddy"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "bess"),
    "francis": ("frank", "frankie"),
    "gareth": ("gaz", "gazza", "gaz"),
    "gary": ("gaz", "gazza"),
    "gerald": ("gerry", "ged"),
    "gerard": ("gerry", "ged"),
    "james": ("jim", "jimmy", "jamie", "jimbo"),
    "jennifer": ("jen", "jenny"),
    "joanne": ("jo",),
    "joseph": ("joe", "joey"),
    "john": ("johnny", "jack", "johnno", "jonno"),
    "jonathan": ("jon", "jonny", "jonno", "johnno"),
    "katherine": ("kate", "kath", "katie", "kat"),
    "kathleen": ("kath", "kathy"),
    "kenneth": ("ken", "kenny"),
    "kerry": ("kez",),
    "kevin": ("kev",),
    "kieran": ("kiz",),
    "lawrence": ("laurie", "lol"),
    "leonard": ("len", "lenny"),
    "margaret": ("maggie", "peggy", "mags", "meg"),
    "martin": ("marty",),
    "matthew": ("matt", "matty"),
    "michael": ("mick", "mickey", "micky", "mike", "mikey", "macca"),
    "nathan": ("nath", "nate"),
    "nicholas": ("nick", "nicky"),
    "nicola": ("nicky", "nic"),
    "oliver": ("ollie", "olly", "ol"),
    "patrick": ("pat", "paddy"),
    "peter": ("pete",),
    "raymond": ("ray",),
    "rebecca": ("becky", "becca", "bex"),
    "richard": ("rich", "richie", "ricky", "dick"),
    "robert": ("rob", "robbie", "bob", "bobby", "robbo"),
    "ronald": ("ron", "ronnie"),
    "samantha": ("sam", "sammy"),
    "samuel": ("sam", "sammy"),
    "sharon": ("shaz", "shazza"),
    "stephen": ("steve", "stevie", "stevo"),
    "steven": ("steve", "stevie", "stevo"),
    "stuart": ("stu",),
    "susan": ("sue", "suzy"),
    "terence": ("terry", "tel", "tez"),
    "terry": ("tez", "tel"),
    "thomas": ("tom", "tommy", "tommo"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "vic", "tori"),
    "vincent": ("vin", "vinny", "vince"),
    "warren": ("waz", "wazza"),
    "william": ("bill", "billy", "will", "willy", "liam"),
}

_FORMS: dict[str, set[str]] = {}
for _formal, _shorts in SHORT_FORMS.items():
    _FORMS.setdefault(_formal, set()).add(_formal)
    for _short in _shorts:
        _FORMS.setdefault(_short, set()).add(_formal)


def base_name(name: str) -> str:
    """A name form as a comparable key: lower case, nickname prefix and possessive removed.

    ``"Big Col's"`` -> ``"col"``; ``"Martin Hale"`` -> ``"martin hale"``.
    """
    words = re.sub(r"['’]s$", "", name.strip()).lower().split()
    while len(words) > 1 and words[0] in NICKNAME_PREFIXES:
        words = words[1:]
    return " ".join(words)


def display_name(name: str) -> str:
    """A name form as a label: each word capitalised, as a transcriber would write it."""
    return " ".join(w[:1].upper() + w[1:] for w in re.sub(r"['’]s$", "", name.strip()).split())


def _z_form(short: str, long: str) -> bool:
    """British ``-z`` hypocoristics replace an ``r``: Gareth/Gary -> Gaz, Barry -> Baz, Terry -> Tez."""
    m = re.fullmatch(r"([a-z]+?)(?:zz?a|zz?er|z)", short)
    return m is not None and long.startswith(m.group(1) + "r") and short != long


def _clipped(short: str, long: str) -> bool:
    """Clipped forms: Col -> Colin, Kev -> Kevin, Stu -> Stuart, Jord -> Jordan (3+ letters)."""
    return len(short) >= 3 and len(long) >= len(short) + 2 and long.startswith(short)


def same_person(a: str, b: str) -> bool:
    """Whether two name forms can name the same person (see the module docstring).

    Multi-word names compare by their first word when the other is one word ("Roger Pike" and
    "Roger"); two full names must agree entirely.
    """
    x, y = base_name(a), base_name(b)
    if not x or not y:
        return False
    if x == y:
        return True
    xs, ys = x.split(), y.split()
    if len(xs) > 1 and len(ys) > 1:
        return False
    x, y = xs[0], ys[0]
    if x == y:
        return True
    fx, fy = _FORMS.get(x, {x}), _FORMS.get(y, {y})
    if fx & fy or x in fy or y in fx:
        return True
    return any(_z_form(short, long) or _clipped(short, long) for short, long in ((x, y), (y, x)))


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
_ADJ = r"(?:(?:best|old|older|little|big|younger|eldest|oldest|youngest|new|ex|late|step)[\s-])?"
#: (noun pattern, label, role, is a group) for phrases after "my"/"me"/"our".
_POSSESSED: tuple[tuple[str, str, str, bool], ...] = (
    (r"mates|pals|friends|buddies", "mates", "friend", True),
    (r"mate|pal|friend|bezzie|buddy", "mate", "friend", False),
    (
        r"missus|mrs|wife|girlfriend|bird|partner|fella|boyfriend|husband|other\s+half",
        "partner",
        "partner",
        False,
    ),
    (r"mum|mam|mom|mother|ma", "mum", "family", False),
    (r"dad|father|old\s+man", "dad", "family", False),
    (r"brother|bro", "brother", "family", False),
    (r"sister|sis", "sister", "family", False),
    (r"nan|nana|nanna|gran|grandma|granny", "nan", "family", False),
    (r"grandad|granddad|grandpa", "grandad", "family", False),
    (r"uncle", "uncle", "family", False),
    (r"aunt|auntie|aunty", "aunt", "family", False),
    (r"cousin", "cousin", "family", False),
    (r"son", "son", "family", False),
    (r"daughter", "daughter", "family", False),
    (r"kids|children", "children", "family", True),
    (r"key\s*worker|drug\s+worker|support\s+worker|worker", "key worker", "key worker", False),
    (r"dealer", "dealer", "dealer", False),
    (r"doctor|gp|prescriber", "doctor", "other", False),
    (r"sponsor|peer\s+mentor|mentor", "peer mentor", "other", False),
    (r"probation\s+officer", "probation officer", "other", False),
)
#: Phrases that stand on their own (no possessive): slang for relations the study is about.
_STANDALONE: tuple[tuple[str, str, str, bool], ...] = (
    (r"our\s+kid", "brother", "family", False),
    (r"the\s+man", "dealer", "dealer", False),
    (r"the\s+dealer", "dealer", "dealer", False),
    (r"the\s+(?:chemist|pharmacist)", "pharmacist", "other", False),
    (
        r"the\s+(?:lads|boys|crew)|me\s+lads|(?:our|that|the\s+whole)\s+lot|us\s+lot",
        "the lads",
        "friend",
        True,
    ),
    (r"(?:my|me|our)\s+key\s*worker", "key worker", "key worker", False),
)
_ROLE_RE = re.compile(
    "|".join(
        [rf"(?P<s{i}>\b{pattern}\b)" for i, (pattern, *_rest) in enumerate(_STANDALONE)]
        + [rf"(?P<p{i}>\b{_POSS}\s+{_ADJ}(?:{pattern})\b)" for i, (pattern, *_rest) in enumerate(_POSSESSED)]
    ),
    re.IGNORECASE,
)
#: Everything :func:`find_role_phrases` recognises, for documentation: (pattern, label, role, group).
ROLE_PHRASES: tuple[tuple[str, str, str, bool], ...] = _STANDALONE + tuple(
    (f"{_POSS} {_ADJ}({p})", label, role, group) for p, label, role, group in _POSSESSED
)
# "the man at the chemist", "the man himself": not the dealer.
_NOT_DEALER = re.compile(r"\s+(?:at|from|in|on|who|with|himself|upstairs|next)\b", re.IGNORECASE)


def find_role_phrases(text: str, offset: int = 0) -> list[RolePhrase]:
    """Role phrases in ``text`` (spans shifted by ``offset``), longest match first at each place."""
    out: list[RolePhrase] = []
    for m in _ROLE_RE.finditer(text):
        key = next(k for k, v in m.groupdict().items() if v is not None)
        table = _STANDALONE if key[0] == "s" else _POSSESSED
        _, label, role, group = table[int(key[1:])]
        if m.group().lower().startswith("the") and label == "dealer" and _NOT_DEALER.match(text, m.end()):
            continue
        if label in ("son", "daughter", "children") and re.match(r"\s+(?:of|in\s+law)", text[m.end() :]):
            continue
        out.append(RolePhrase(offset + m.start(), offset + m.end(), m.group(), label, role, group))
    return out
