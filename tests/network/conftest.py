"""Shared helpers for the network tests: transcripts from text, small studies with a network."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qualframe.imports import import_files
from qualframe.io.transcript import transcript_from_text
from qualframe.network.extraction import CaseNetwork, Transcript, extract_case
from qualframe.store.study import Study

#: A participant talks about his mates, family, partner, dealer and key worker, with British slang,
#: a nickname and a second name for the same man, and says who buys with whom.
DEAN = """Interviewer: Thanks for coming in, Dean. Who did you knock about with back then?

P: Me mate Gareth mostly, but everyone calls him Gaz. Me and Gaz were in the same class at school. We had a right laugh, like brothers we were. Our kid, Steve, he doesn't use, never has. Kelly, me missus, she's on a script an' all.

Interviewer: And who do you buy with now?

P: Gaz and Kelly. We go halves most days. We all buy off the same lad, Big Tony. Anthony's the man round here, he does it on tick. Me mum still has me round for Sunday dinner. My key worker's Jo, she's sound. I can talk to my key worker about anything. Dean, me mum says, you're better than this.
"""


def extract(text: str, ego: tuple[str, ...] = (), source_id: int = 1) -> CaseNetwork:
    """Extract a case's network from a transcript given as text."""
    doc = transcript_from_text(text, "snippet", "txt")
    return extract_case([Transcript(source_id, doc.text, doc.turns)], ego_names=ego)


def by_label(net: CaseNetwork) -> dict[str, int]:
    """Alter label -> index."""
    return {a.label: i for i, a in enumerate(net.alters)}


@pytest.fixture
def dean_study(study: Study, write_file: Callable[[str, str], Path]) -> Study:
    """The shared study fixture with DEAN's interview imported as case P01."""
    import_files(study, [write_file("P01.txt", DEAN)], case="P01", user="tester")
    return study
