"""``qualframe transcribe``: recordings in, timed and speaker-labelled sources out, all or nothing.

Every recording is checked first (readable audio, not empty, not longer than
``QUALFRAME_MAX_RECORDING_HOURS``, not imported before, its name free), then transcribed; only
when all of them succeeded are they written, in one transaction through the same writer as
``qualframe import`` (:func:`qualframe.sources.store_files`): the recording is stored as the
source's original (sealed with AES-256-GCM in an encrypted study), the turns as segments, and every
word with its times. A failure or an interruption anywhere leaves the study exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualframe.config import settings
from qualframe.errors import ConflictError, DuplicateImportError, InputError
from qualframe.io.audio import AUDIO_EXTENSIONS, AudioInfo, decode_audio, probe_audio
from qualframe.io.model import ParsedDocument
from qualframe.io.timestamps import format_ms
from qualframe.sources import ImportReport, PendingFile, store_files
from qualframe.store.audit import record
from qualframe.store.queries.accounts import user_by_id
from qualframe.store.queries.sources import name_in_use, transcribed_as
from qualframe.store.study import Study
from qualframe.store.words import insert_words

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qualframe.store.models import Source
from qualframe.transcription.document import WordSpan, transcript_document
from qualframe.transcription.engine import TranscriptionOptions, transcribe_samples

__all__ = ["FileProgress", "Recording", "check_recordings", "transcribe_files"]

#: Called with (file name, seconds done in it, its seconds, seconds done in all, seconds in all, stage).
FileProgress = Callable[[str, float, float, float, float, str], None]
#: Shorter recordings hold too little speech to transcribe.
MIN_SECONDS = 0.5


@dataclass(frozen=True)
class Recording:
    """A recording that passed the checks: where it is, what its header says, its digest."""

    path: Path
    info: AudioInfo
    sha256: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_recordings(study: Study, paths: Sequence[Path], *, name: str | None = None) -> list[Recording]:
    """Refuse bad recordings before minutes are spent on them (one-line errors, nothing changed)."""
    if not paths:
        raise InputError("no recordings given to transcribe.")
    if name is not None and len(paths) > 1:
        raise InputError("--name can only be used when transcribing a single recording.")
    limit = settings().max_recording_seconds
    out: list[Recording] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path} does not exist.")
        if not path.is_file():
            raise InputError(f"{path} is not a file.")
        if path.suffix.lower() not in AUDIO_EXTENSIONS:
            raise InputError(
                f"{path.name}: qualframe transcribes {', '.join(AUDIO_EXTENSIONS)} recordings; "
                "import transcripts with 'qualframe import'."
            )
        info = probe_audio(path, path.name)
        if info.seconds > limit:
            raise InputError(
                f"{path.name} lasts {format_ms(round(info.seconds * 1000))}, longer than the "
                f"{limit / 3600:g}-hour limit for one recording; split it, or raise "
                "QUALFRAME_MAX_RECORDING_HOURS."
            )
        if 0 < info.seconds < MIN_SECONDS:
            raise InputError(f"{path.name} lasts {info.seconds:.2f} s: too short to hold an interview.")
        out.append(Recording(path, info, _sha256(path)))
    names = [name or r.path.stem for r in out]
    digests: dict[str, str] = {}
    for rec in out:
        if rec.sha256 in digests:
            raise DuplicateImportError(f"{rec.path.name} and {digests[rec.sha256]} are the same recording.")
        digests[rec.sha256] = rec.path.name
    if len(set(names)) < len(names):
        raise ConflictError("two recordings would both be called the same; transcribe one with --name.")
    with study.read() as session:
        done = transcribed_as(session, digests)
        if done is not None:
            raise DuplicateImportError(f"that recording was already transcribed or imported as {done!r}.")
        taken = name_in_use(session, names)
        if taken is not None:
            raise ConflictError(
                f"the study already has a source called {taken!r}; give the new one another name with --name."
            )
    return out


def transcribe_files(
    study: Study,
    paths: Sequence[str | os.PathLike[str]],
    *,
    options: TranscriptionOptions | None = None,
    case: str | None = None,
    name: str | None = None,
    user: str | None = None,
    progress: FileProgress | None = None,
) -> ImportReport:
    """Transcribe recordings into ``study``: one source per recording, all or none of them."""
    options = options or TranscriptionOptions()
    recordings = check_recordings(study, [Path(p) for p in paths], name=name)
    total = sum(r.info.seconds for r in recordings)
    before = 0.0
    pending: list[PendingFile] = []
    words: dict[int, list[WordSpan]] = {}
    for rec in recordings:
        data = rec.path.read_bytes()
        samples = decode_audio(data, rec.path.name)
        seconds = len(samples) / 16_000

        def step(
            done: float, _total: float, stage: str, rec: Recording = rec, offset: float = before
        ) -> None:
            if progress is not None:
                progress(rec.path.name, done, _total, offset + done, max(total, offset + _total), stage)

        transcript = transcribe_samples(samples, options, name=rec.path.name, progress=step)
        del samples
        doc, spans = transcript_document(transcript, name or rec.path.stem)
        doc.meta["recording"]["file_seconds"] = round(rec.info.seconds, 3)
        doc.meta["recording"]["codec"] = rec.info.codec
        words[id(doc)] = spans
        pending.append(PendingFile(rec.path, data, rec.sha256, [doc]))
        before += max(seconds, rec.info.seconds)

    def store_words(session: Session, source: Source, item: PendingFile, doc: ParsedDocument) -> None:
        stored = insert_words(session, source.id, words[id(doc)])
        facts = doc.meta["recording"]
        actor = user_by_id(session, source.imported_by_id) if source.imported_by_id else None
        record(
            session,
            actor,
            "source.transcribe",
            f"transcribed {item.path.name} on this machine with Whisper {facts['model']}"
            f"{' (verbatim)' if facts['verbatim'] else ''}: {facts['speakers']} speakers, {stored} words",
            entity_type="source",
            entity_id=source.id,
            details={k: v for k, v in facts.items() if k != "codec"},
        )

    report = store_files(
        study, pending, case=case, name=name, user=user, operation="transcribe", on_source=store_words
    )
    for doc_list in (p.docs for p in pending):
        for doc in doc_list:
            facts: dict[str, Any] = doc.meta["recording"]
            if facts["inaudible"]:
                report.warnings.append(
                    f"{doc.name}: {facts['inaudible']} stretches of speech could not be made out; "
                    "they are marked [inaudible hh:mm:ss] for checking by ear."
                )
            if facts["speakers"] == 1 and options.speakers is None:
                report.warnings.append(
                    f"{doc.name}: only one voice was told apart; if two people speak, try --speakers 2."
                )
    return report
