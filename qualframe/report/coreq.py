"""COREQ: the 32-item checklist for reporting qualitative research, filled from the study.

Tong A, Sainsbury P, Craig J (2007) Consolidated criteria for reporting qualitative research
(COREQ): a 32-item checklist for interviews and focus groups. Int J Qual Health Care 19(6): 349-357.

Each item is answered from the study's own data where it can be (sample size, coders, coding tree,
saturation, software, quotations...), flagged ``partly`` where the data gives only part of the
answer, and marked ``to complete`` where only the researchers know (their credentials, the
setting, whether transcripts were returned). A researcher fills any item by writing a study memo
titled ``COREQ <number>`` (``qualframe memo add STUDY --title "COREQ 5" --text "..."``); that text
then answers the item.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Any

__all__ = ["COREQ_ITEMS", "CoreqDomain", "CoreqItem", "coreq_checklist", "coreq_memos"]

#: (number, domain, topic, guide question), as in Tong et al. (2007), Table 1.
COREQ_ITEMS: list[tuple[int, str, str, str]] = [
    (
        1,
        "Research team and reflexivity",
        "Interviewer/facilitator",
        "Which author/s conducted the interview or focus group?",
    ),
    (2, "Research team and reflexivity", "Credentials", "What were the researcher's credentials?"),
    (3, "Research team and reflexivity", "Occupation", "What was their occupation at the time of the study?"),
    (4, "Research team and reflexivity", "Gender", "Was the researcher male or female?"),
    (
        5,
        "Research team and reflexivity",
        "Experience and training",
        "What experience or training did the researcher have?",
    ),
    (
        6,
        "Research team and reflexivity",
        "Relationship established",
        "Was a relationship established prior to study commencement?",
    ),
    (
        7,
        "Research team and reflexivity",
        "Participant knowledge of the interviewer",
        "What did the participants know about the researcher?",
    ),
    (
        8,
        "Research team and reflexivity",
        "Interviewer characteristics",
        "What characteristics were reported about the interviewer/facilitator?",
    ),
    (
        9,
        "Study design",
        "Methodological orientation and theory",
        "What methodological orientation was stated to underpin the study?",
    ),
    (10, "Study design", "Sampling", "How were participants selected?"),
    (11, "Study design", "Method of approach", "How were participants approached?"),
    (12, "Study design", "Sample size", "How many participants were in the study?"),
    (
        13,
        "Study design",
        "Non-participation",
        "How many people refused to participate or dropped out? Reasons?",
    ),
    (14, "Study design", "Setting of data collection", "Where was the data collected?"),
    (
        15,
        "Study design",
        "Presence of non-participants",
        "Was anyone else present besides the participants and researchers?",
    ),
    (16, "Study design", "Description of sample", "What are the important characteristics of the sample?"),
    (
        17,
        "Study design",
        "Interview guide",
        "Were questions, prompts, guides provided by the authors? Was it pilot tested?",
    ),
    (18, "Study design", "Repeat interviews", "Were repeat interviews carried out? If yes, how many?"),
    (
        19,
        "Study design",
        "Audio/visual recording",
        "Did the research use audio or visual recording to collect the data?",
    ),
    (
        20,
        "Study design",
        "Field notes",
        "Were field notes made during and/or after the interview or focus group?",
    ),
    (21, "Study design", "Duration", "What was the duration of the interviews or focus group?"),
    (22, "Study design", "Data saturation", "Was data saturation discussed?"),
    (
        23,
        "Study design",
        "Transcripts returned",
        "Were transcripts returned to participants for comment and/or correction?",
    ),
    (24, "Analysis and findings", "Number of data coders", "How many data coders coded the data?"),
    (
        25,
        "Analysis and findings",
        "Description of the coding tree",
        "Did authors provide a description of the coding tree?",
    ),
    (
        26,
        "Analysis and findings",
        "Derivation of themes",
        "Were themes identified in advance or derived from the data?",
    ),
    (27, "Analysis and findings", "Software", "What software, if applicable, was used to manage the data?"),
    (
        28,
        "Analysis and findings",
        "Participant checking",
        "Did participants provide feedback on the findings?",
    ),
    (
        29,
        "Analysis and findings",
        "Quotations presented",
        "Were participant quotations presented to illustrate the themes/findings? Was each quotation identified?",
    ),
    (
        30,
        "Analysis and findings",
        "Data and findings consistent",
        "Was there consistency between the data presented and the findings?",
    ),
    (
        31,
        "Analysis and findings",
        "Clarity of major themes",
        "Were major themes clearly presented in the findings?",
    ),
    (
        32,
        "Analysis and findings",
        "Clarity of minor themes",
        "Is there a description of diverse cases or discussion of minor themes?",
    ),
]

DOMAINS = ("Research team and reflexivity", "Study design", "Analysis and findings")
TO_COMPLETE = "to complete"


@dataclass(frozen=True)
class CoreqItem:
    """One checklist item with its answer, how complete it is, and where the report shows it."""

    number: int
    topic: str
    question: str
    answer: str
    status: str  # "from the study", "partly", "researcher", "to complete"
    section: str | None = None


@dataclass(frozen=True)
class CoreqDomain:
    """One of COREQ's three domains."""

    number: int
    name: str
    items: list[CoreqItem]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def coreq_checklist(facts: dict[str, Any], memos: dict[int, str]) -> list[CoreqDomain]:
    """The checklist answered from ``facts`` (gathered by the report) and ``COREQ n`` memos."""
    answers: dict[int, tuple[str, str, str | None]] = {}

    def put(n: int, answer: str, status: str = "from the study", section: str | None = None) -> None:
        answers[n] = (answer, status, section)

    interviewers = facts.get("interviewers") or []
    if interviewers:
        put(
            1,
            f"Interviews conducted by {', '.join(interviewers)} (case attribute 'interviewer'); name them.",
            "partly",
            "sample",
        )
    books = facts.get("codebooks") or []
    if books:
        put(
            9,
            "Thematic analysis with an a priori framework: " + "; ".join(books) + ". State the orientation.",
            "partly",
            "codebook",
        )
    n_cases = facts.get("cases", 0)
    if n_cases:
        put(
            12,
            f"{_plural(n_cases, 'participant')} ({_plural(facts.get('sources', 0), 'transcript')}).",
            section="sample",
        )
    sample = facts.get("sample_description")
    if sample:
        put(16, sample, section="sample")
    repeats = facts.get("repeat_cases", 0)
    if n_cases:
        put(
            18,
            f"{repeats} of {n_cases} participants have more than one transcript."
            if repeats
            else "No: one transcript per participant.",
            section="summary",
        )
    recorded = facts.get("timed_sources", 0)
    if facts.get("transcription"):
        put(19, facts["transcription"], section="summary")
    elif recorded:
        put(
            19,
            f"{recorded} transcripts carry recording timestamps; say how interviews were recorded.",
            "partly",
        )
    duration = facts.get("duration")
    words = facts.get("words") or []
    if duration:
        put(21, duration, "from the study" if facts.get("duration_complete") else "partly", "summary")
    elif words:
        put(
            21,
            f"Transcripts have a median of {statistics.median(words):,.0f} words (range {min(words):,}-{max(words):,}); no transcript has timestamps; give the duration in minutes (a case attribute 'duration_min' fills this item).",
            "partly",
            "summary",
        )
    if facts.get("saturation"):
        put(22, facts["saturation"], section="saturation")
    coders = facts.get("coders") or []
    if coders:
        text = f"{_plural(len(coders), 'coder')} ({', '.join(coders)})."
        if facts.get("double_coded"):
            text += f" {facts['double_coded']} transcripts were coded independently by two coders"
            text += f"; {facts['reliability']}." if facts.get("reliability") else "."
        put(24, text, section="reliability" if facts.get("reliability") else None)
    if facts.get("coding_tree"):
        put(25, facts["coding_tree"], section="codebook")
    if facts.get("themes"):
        put(26, facts["themes"], "partly", "themes")
    put(27, facts.get("software", "qualframe"), section="summary")
    if facts.get("quotations"):
        put(29, facts["quotations"], section="themes" if facts.get("themes") else "quotes")
    if facts.get("framework"):
        put(30, facts["framework"], "partly", "framework")
    if facts.get("major_themes"):
        put(31, facts["major_themes"], section="themes")
    if facts.get("minor_themes"):
        put(32, facts["minor_themes"], "partly", "themes")

    domains = []
    for d, name in enumerate(DOMAINS, start=1):
        items = []
        for number, domain, topic, question in COREQ_ITEMS:
            if domain != name:
                continue
            if number in memos:
                answer, status, section = memos[number], "researcher", None
            else:
                answer, status, section = answers.get(number, (TO_COMPLETE, TO_COMPLETE, None))
            items.append(CoreqItem(number, topic, question, answer, status, section))
        domains.append(CoreqDomain(d, name, items))
    return domains


_MEMO_TITLE = re.compile(r"^\s*COREQ\s*(?:item\s*)?(\d{1,2})\b", re.IGNORECASE)


def coreq_memos(memos: list[Any]) -> dict[int, str]:
    """Study memos titled ``COREQ n`` (n from 1 to 32): the researcher's answers."""
    out = {}
    for m in memos:
        match = _MEMO_TITLE.match(m.title or "")
        if match and 1 <= int(match.group(1)) <= 32:
            out[int(match.group(1))] = m.text
    return out
