"""Speaker labels: finding them at the start of a turn and mapping them to roles.

Transcribers write labels in many ways: ``Interviewer:``, ``I:``, ``Q:``, ``P03:``, ``Dave:``,
``**Interviewer:**`` in Markdown, with or without a timestamp before or after. A line only counts
as a new turn when its label is a known role word, looks like a participant id, or recurs in the
document; so ``Note: the tape stopped`` in the middle of a turn stays text.

Roles are guessed, then correctable by the researcher (``qualframe speakers``): known interviewer
words win (Interviewer, Int, I, Q, Researcher, Moderator, Facilitator, and in clinical talk
Therapist, Counsellor, Clinician: the practitioner leads, the client is the participant); with two
labels and one of them known, the other takes the other role; with neither known, the speaker who
asks most questions is the interviewer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from qualframe.io.model import Turn
from qualframe.io.timestamps import TIMESTAMP_PATTERN, parse_timestamp

__all__ = [
    "INTERVIEWER_LABELS",
    "PARTICIPANT_LABELS",
    "assign_roles",
    "guess_role",
    "parse_turns",
]

INTERVIEWER_LABELS = frozenset(
    {
        "interviewer",
        "int",
        "i",
        "iv",
        "iwr",
        "ir",
        "q",
        "question",
        "researcher",
        "investigator",
        "moderator",
        "mod",
        "facilitator",
        "fac",
        "host",
        # Clinical and counselling sessions: the practitioner leads, the client is the participant.
        "therapist",
        "counsellor",
        "counselor",
        "clinician",
        "practitioner",
        "psychologist",
        "coach",
    }
)
#: Words that mark an interviewer role when a label starts with them ("Interviewer 2", "Therapist (JB)").
_INTERVIEWER_PREFIXES = ("interviewer", "researcher", "moderator", "facilitator", "therapist", "counsel")
PARTICIPANT_LABELS = frozenset(
    {"participant", "p", "a", "answer", "respondent", "resp", "interviewee", "client", "patient"}
)
# "R" means "Respondent" beside "I"/"Interviewer" but "Researcher" beside "P"/"Participant".
_AMBIGUOUS = frozenset({"r"})
_PARTICIPANT_ID = re.compile(r"^(?:p|participant|pt|r|resp|id|case)[ _\-#]?\d{1,4}[a-z]?$", re.IGNORECASE)

_TS = rf"(?P<ts>{TIMESTAMP_PATTERN})"
_NAME = r"[^\W\d_][\w'’.\-]*(?:[ ](?:[^\W_][\w'’.\-]*|\([^\W\d_][^)\n]{0,30}\))){0,3}"
_TS_AFTER = r"(?P<ts2>[\[(](?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?[\])])"
_LINE = re.compile(
    rf"^(?P<lead>[ \t]*(?:{_TS}[ \t]+)?(?:\*\*|__)?(?P<label>{_NAME})"
    rf"(?:[ \t]*{_TS_AFTER})?[ \t]*(?:\*\*|__)?:(?:\*\*|__)?[ \t]*)"
)
_TRAILING_TS = re.compile(r"[ \t]*#(?P<ts>\d{1,2}:\d{2}:\d{2}(?:[-.,]\d{1,3})?)#[ \t]*$")
_LEADING_TS_ONLY = re.compile(rf"^[ \t]*{_TS}[ \t]*$")


@dataclass
class _Line:
    start: int
    end: int
    label: str | None
    content_start: int
    time_ms: int | None


def _key(label: str) -> str:
    return " ".join(label.lower().replace("_", " ").split())


def guess_role(label: str | None, others: Iterable[str] = ()) -> str | None:
    """The role a label implies on its own, or None when it needs context (a name, ``R``)."""
    if label is None:
        return None
    key = _key(label)
    if key in INTERVIEWER_LABELS or key.startswith(_INTERVIEWER_PREFIXES):
        return "interviewer"
    if key in PARTICIPANT_LABELS or _PARTICIPANT_ID.match(key.replace(" ", "")):
        return "participant"
    if key in _AMBIGUOUS:
        other_roles = {guess_role(o) for o in others if _key(o) not in _AMBIGUOUS}
        if "interviewer" in other_roles:
            return "participant"
        if "participant" in other_roles:
            return "interviewer"
    return None


def assign_roles(turns: list[Turn], text: str) -> None:
    """Give every labelled turn a role, in place (see the module docstring for the rules)."""
    labels = [t.speaker for t in turns if t.speaker]
    distinct = list(dict.fromkeys(labels))
    roles: dict[str, str | None] = {lab: guess_role(lab, distinct) for lab in distinct}
    unknown = [lab for lab, role in roles.items() if role is None]
    if len(distinct) == 2 and len(unknown) == 1:
        # Two speakers, one known: the other has the other role ("Therapist" beside "Client").
        known = next(role for role in roles.values() if role is not None)
        roles[unknown[0]] = "participant" if known == "interviewer" else "interviewer"
        unknown = []
    if unknown and "interviewer" not in roles.values():
        if len(distinct) == 2 and len(unknown) == 1:
            # Two speakers, one of them a known participant label: the other leads the interview.
            roles[unknown[0]] = "interviewer"
        else:
            # Nobody is labelled as the interviewer: the one who asks the most questions is.
            questions: Counter[str] = Counter()
            for t in turns:
                if t.speaker in unknown and text[t.start : t.end].rstrip().endswith("?"):
                    questions[t.speaker] += 1
            if questions and (len(unknown) >= 2 or "participant" in roles.values()):
                top, count = questions.most_common(1)[0]
                if count >= 2:
                    roles[top] = "interviewer"
    for lab, role in roles.items():
        if role is None:
            roles[lab] = "participant"
    for t in turns:
        if t.speaker:
            t.role = roles[t.speaker] or "participant"


def _scan(text: str, hints: dict[int, tuple[str, int]]) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        if start in hints:
            label, content = hints[start]
            lines.append(_Line(start, end, label, start + content, None))
            continue
        m = _LINE.match(raw)
        if m:
            ts = m.group("ts") or m.group("ts2")
            lines.append(
                _Line(
                    start, end, m.group("label"), start + m.end("lead"), parse_timestamp(ts) if ts else None
                )
            )
        else:
            tm = _LEADING_TS_ONLY.match(raw)
            lines.append(_Line(start, end, None, start, parse_timestamp(tm.group("ts")) if tm else None))
    return lines


def _accepted_labels(lines: list[_Line], forced: Iterable[str]) -> set[str]:
    counts = Counter(_key(ln.label) for ln in lines if ln.label)
    originals = {_key(ln.label): ln.label for ln in lines if ln.label}
    accepted = {_key(label) for label in forced}
    for key, n in counts.items():
        if guess_role(key) is not None or key in _AMBIGUOUS or (n >= 2 and _looks_like_name(originals[key])):
            accepted.add(key)
    return accepted


def _looks_like_name(label: str) -> bool:
    """A recurring label is a speaker if it reads like a name: one word, or capitalised words."""
    words = label.split()
    if len(words) == 1:
        return True
    return all(w[0].isupper() or w[0].isdigit() or w[0] == "(" for w in words)


def parse_turns(text: str, hints: dict[int, tuple[str, int]] | None = None) -> list[Turn]:
    """Split normalised transcript text into turns.

    Lines that open with an accepted speaker label start a turn; other lines continue the current
    turn. Text before the first label (a header) becomes a turn with role ``other``. Without any
    label at all, each paragraph is a turn of unknown speaker, treated as the participant's words.
    ``hints`` maps a line's start offset to ``(label, content offset in the line)`` for labels a
    format marks by other means (a bold name in a Word document); hinted labels are always speakers.
    """
    hints = hints or {}
    lines = _scan(text, hints)
    accepted = _accepted_labels(lines, (label for label, _ in hints.values()))
    turns: list[Turn] = []
    pending_time: int | None = None
    current: Turn | None = None

    def close(t: Turn | None) -> None:
        if t is None:
            return
        content = text[t.start : t.end]
        stripped_end = t.start + len(content.rstrip())
        trailing = _TRAILING_TS.search(text, t.start, stripped_end)
        if trailing and trailing.end() == stripped_end:
            t.time_end_ms = parse_timestamp(trailing.group("ts"))
            stripped_end = trailing.start()
        body = text[t.start : stripped_end].rstrip()
        # A label on a line of its own ("Interviewer:" then the words below) leaves the newline
        # before the words; the turn starts at the first word.
        t.start, t.end = t.start + len(body) - len(body.lstrip()), t.start + len(body)
        if t.end > t.start or t.speaker:
            turns.append(t)

    if not accepted:
        return _paragraph_turns(text)
    for ln in lines:
        if ln.label and _key(ln.label) in accepted:
            close(current)
            time = ln.time_ms if ln.time_ms is not None else pending_time
            pending_time = None
            current = Turn(ln.content_start, ln.end, speaker=ln.label.strip(), time_start_ms=time)
        elif ln.label is None and ln.time_ms is not None:
            # A timestamp on its own line (the only unlabelled line _scan gives a time) belongs to
            # the next turn.
            pending_time = ln.time_ms
        elif current is None:
            if text[ln.start : ln.end].strip():
                first = len(text[ln.start : ln.end]) - len(text[ln.start : ln.end].lstrip())
                current = Turn(ln.start + first, ln.end, speaker=None, role="other")
        else:
            current.end = ln.end
    close(current)
    assign_roles(turns, text)
    return turns


def _paragraph_turns(text: str) -> list[Turn]:
    """One turn per paragraph (lines up to a blank line), found in one linear pass."""
    turns: list[Turn] = []
    start: int | None = None
    end = pos = 0
    for line in text.split("\n"):
        if line.strip():
            if start is None:
                start = pos + len(line) - len(line.lstrip())
            end = pos + len(line.rstrip())
        elif start is not None:
            turns.append(Turn(start, end, speaker=None, role="participant"))
            start = None
        pos += len(line) + 1
    if start is not None:
        turns.append(Turn(start, end, speaker=None, role="participant"))
    return turns
