"""A transcript laid out as a source: ``Speaker 1: ...`` paragraphs, turns, and every word's offsets.

The layout is the one qualframe gives imported subtitles (:mod:`qualframe.io.subtitles`): one
``Speaker: text`` paragraph per turn, blank lines between, so a transcribed interview reads,
searches, codes and exports like any other. Roles are guessed by the same rule as for imported
transcripts (the speaker who asks most questions is the interviewer) and corrected with
``qualframe speakers``.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualframe.io.model import ParsedDocument, Turn
from qualframe.io.speakers import assign_roles
from qualframe.transcription.engine import Transcript

__all__ = ["WordSpan", "speaker_label", "transcript_document"]


@dataclass(frozen=True)
class WordSpan:
    """A word's code-point span in the source text, its times (ms) and confidence."""

    start: int
    end: int
    time_start_ms: int
    time_end_ms: int
    probability: float | None


def speaker_label(number: int) -> str:
    """``Speaker 1`` for speaker 0: the label a researcher renames with ``qualframe speakers``."""
    return f"Speaker {number + 1}"


def transcript_document(transcript: Transcript, name: str) -> tuple[ParsedDocument, list[WordSpan]]:
    """The transcript as a document ready to store, and its words' spans in that document's text."""
    groups: list[list[int]] = []
    for i, word in enumerate(transcript.words):
        if groups and transcript.words[groups[-1][-1]].speaker == word.speaker:
            groups[-1].append(i)
        else:
            groups.append([i])
    parts: list[str] = []
    turns: list[Turn] = []
    spans: list[WordSpan] = []
    pos = 0
    for group in groups:
        words = [transcript.words[i] for i in group]
        label = f"{speaker_label(words[0].speaker)}: "
        line = label
        for n, w in enumerate(words):
            token = w.text.strip()
            if n and (w.text[:1].isspace() or token.startswith("[inaudible")):
                line += " "
            begin = pos + len(line)
            line += token
            spans.append(
                WordSpan(begin, pos + len(line), round(w.start * 1000), round(w.end * 1000), w.probability)
            )
        turns.append(
            Turn(
                pos + len(label),
                pos + len(line),
                speaker_label(words[0].speaker),
                "participant",
                round(words[0].start * 1000),
                round(words[-1].end * 1000),
            )
        )
        parts.append(line)
        pos += len(line) + 2
    text = "\n\n".join(parts)
    assign_roles(turns, text)
    options = transcript.options
    meta = {
        "recording": {
            "seconds": round(transcript.seconds, 3),
            "speech_seconds": round(transcript.speech_seconds, 3),
            "speakers": transcript.speakers,
            "language": transcript.language,
            "inaudible": transcript.inaudible,
            **options.describe(),
        }
    }
    doc = ParsedDocument(name=name, text=text, format="recording", turns=turns, meta=meta)
    doc.check()
    return doc, spans
