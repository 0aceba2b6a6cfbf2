"""How one person is named in talk: given names, short forms and nicknames.

Participants call the same alter "Gareth" and "Gaz", "Anthony" and "Big Tony", "our kid" and
"Steve". :func:`same_person` decides whether two name forms can be one person (a table of
British short forms, the "-z" forms that replace an ``r`` - Gareth, Gary -> Gaz; Barry -> Baz -,
clipped forms - Colin -> Col -, and nickname prefixes such as "Big"). Phrases that name someone
by relation ("me mate", "our kid", "my flatmates") are :mod:`qualframe.network.roles`. The word
lists that tell names from everyday words are the privacy package's
(:mod:`qualframe.privacy.lexicon`), so both features agree on what a name is.
"""

from __future__ import annotations

import re

from qualframe.privacy.lexicon import NICKNAME_PREFIXES

__all__ = ["SHORT_FORMS", "base_name", "display_name", "same_person"]

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
