"""How well network extraction finds people and types ties, against a hand-annotated gold set.

The gold set is a JSON file of **offsets and labels only** (the transcripts stay where they are):
for each transcript, the people the participant mentions - each with a role, whether a group, and
every mention as ``[start, end, [tie types the sentence states about them]]`` in code points of
the text qualframe imports - plus a SHA-256 of that text, so that a changed importer is an error
rather than a silent misalignment. See ``tests/network/data/README.md`` for the guidelines.

Scores (:func:`score_transcript`, summed by :func:`total`):

* **alters**: gold and proposed alters are paired one to one, most shared mentions first (a gold
  mention is shared when a proposed mention of the alter overlaps it). Recall is paired gold
  alters over gold alters; precision is paired proposed alters over proposed alters. A proposed
  alter that merges two gold people pairs with one of them; the other counts as missed.
* **roles**: among paired alters, the proposed role equals the gold role.
* **tie types**: for each gold mention of a paired alter, the set of tie types the proposal states
  for that alter in the sentence holding the mention, against the gold set (often empty: most
  mentions state no tie). Accuracy is exact-set agreement; precision and recall are over
  (mention, type) pairs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualframe.errors import InputError
from qualframe.network.extraction import CaseNetwork

__all__ = [
    "GOLD_FORMAT",
    "GoldAlter",
    "GoldTranscript",
    "NetworkScore",
    "load_network_gold",
    "score_transcript",
    "text_digest",
    "total",
]

GOLD_FORMAT = "qualframe-network-gold/1"


@dataclass(frozen=True)
class GoldAlter:
    """One person or group in the gold set: role, group, mentions with their tie types."""

    id: str
    role: str
    group: bool
    mentions: tuple[tuple[int, int, frozenset[str]], ...]


@dataclass(frozen=True)
class GoldTranscript:
    """A transcript's gold annotations."""

    file: str
    split: str
    sha256: str
    alters: tuple[GoldAlter, ...]


@dataclass
class NetworkScore:
    """Counts behind the scores (they add up over transcripts)."""

    gold_alters: int = 0
    proposed_alters: int = 0
    paired: int = 0
    roles_right: int = 0
    groups_right: int = 0
    gold_mentions: int = 0
    mentions_found: int = 0
    typed_mentions: int = 0
    types_exact: int = 0
    types_empty_gold: int = 0
    type_tp: int = 0
    type_fp: int = 0
    type_fn: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Paired gold alters over gold alters."""
        return self.paired / self.gold_alters if self.gold_alters else 0.0

    @property
    def precision(self) -> float:
        """Paired proposed alters over proposed alters."""
        return self.paired / self.proposed_alters if self.proposed_alters else 0.0

    @property
    def role_accuracy(self) -> float:
        """Right roles among paired alters."""
        return self.roles_right / self.paired if self.paired else 0.0

    @property
    def type_accuracy(self) -> float:
        """Exact agreement of the tie-type set per gold mention of a paired alter."""
        return self.types_exact / self.typed_mentions if self.typed_mentions else 0.0

    @property
    def empty_baseline(self) -> float:
        """The accuracy of proposing no tie type at all (the share of mentions with none)."""
        return self.types_empty_gold / self.typed_mentions if self.typed_mentions else 0.0

    @property
    def type_precision(self) -> float:
        """Right (mention, type) pairs over proposed ones."""
        n = self.type_tp + self.type_fp
        return self.type_tp / n if n else 0.0

    @property
    def type_recall(self) -> float:
        """Right (mention, type) pairs over gold ones."""
        n = self.type_tp + self.type_fn
        return self.type_tp / n if n else 0.0


def text_digest(text: str) -> str:
    """SHA-256 of a transcript's imported text (how the gold set checks it reads the same text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_network_gold(path: Path) -> list[GoldTranscript]:
    """Read a gold file (see the module docstring); raises :class:`InputError` on a malformed one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path.name} cannot be read as JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != GOLD_FORMAT:
        raise InputError(f"{path.name} is not a {GOLD_FORMAT} file.")
    out = []
    for file, entry in sorted(data.get("transcripts", {}).items()):
        alters = tuple(
            GoldAlter(
                str(a["id"]),
                str(a["role"]),
                bool(a["group"]),
                tuple((int(s), int(e), frozenset(types)) for s, e, types in a["mentions"]),
            )
            for a in entry["alters"]
        )
        out.append(GoldTranscript(file, str(entry["split"]), str(entry["sha256"]), alters))
    return out


def _pairs(gold: Sequence[GoldAlter], net: CaseNetwork) -> dict[int, int]:
    """Gold alter index -> proposed alter index, most shared mentions first, one to one."""
    shared: list[tuple[int, int, int]] = []
    for g, alter in enumerate(gold):
        for p, cand in enumerate(net.alters):
            n = sum(any(m.start < e and s < m.end for m in cand.mentions) for s, e, _ in alter.mentions)
            if n:
                shared.append((n, g, p))
    out: dict[int, int] = {}
    used: set[int] = set()
    for _, g, p in sorted(shared, key=lambda x: (-x[0], x[1], x[2])):
        if g not in out and p not in used:
            out[g] = p
            used.add(p)
    return out


def score_transcript(
    gold: GoldTranscript,
    net: CaseNetwork,
    types_of: Callable[[int], Mapping[str, Any]],
    text: str = "",
) -> NetworkScore:
    """Score one transcript's extraction; ``types_of(i)`` gives the tie types of sentence ``i``."""
    score = NetworkScore(gold_alters=len(gold.alters), proposed_alters=len(net.alters))
    pairs = _pairs(gold.alters, net)
    score.paired = len(pairs)
    for g, alter in enumerate(gold.alters):
        score.gold_mentions += len(alter.mentions)
        score.mentions_found += sum(
            any(m.start < e and s < m.end for c in net.alters for m in c.mentions)
            for s, e, _ in alter.mentions
        )
        if g not in pairs:
            s, e, _ = alter.mentions[0]
            score.missed.append(f"{gold.file}: {alter.role}{' group' if alter.group else ''} {text[s:e]!r}")
            continue
        cand = net.alters[pairs[g]]
        score.roles_right += cand.role == alter.role
        score.groups_right += cand.group == alter.group
        for s, _, types in alter.mentions:
            score.typed_mentions += 1
            score.types_empty_gold += not types
            sentence = next(
                (i for i, ref in enumerate(net.sentences) if ref.start <= s < ref.end),
                None,
            )
            stated: set[str] = set()
            if sentence is not None and pairs[g] in net.sentences[sentence].about:
                stated = set(types_of(sentence))
            score.types_exact += stated == set(types)
            score.type_tp += len(stated & types)
            score.type_fp += len(stated - types)
            score.type_fn += len(types - stated)
    for p, cand in enumerate(net.alters):
        if p not in pairs.values():
            score.extra.append(f"{gold.file}: {cand.role} {cand.label!r} ({len(cand.mentions)} mentions)")
    return score


def total(scores: Sequence[NetworkScore]) -> NetworkScore:
    """The scores of several transcripts added up."""
    out = NetworkScore()
    for s in scores:
        for name in out.__dataclass_fields__:
            value = getattr(s, name)
            if isinstance(value, list):
                getattr(out, name).extend(value)
            else:
                setattr(out, name, getattr(out, name) + value)
    return out
