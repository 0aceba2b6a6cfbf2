"""One exception hierarchy, with messages written for researchers.

Every error a user can cause derives from :class:`QualframeError`. Its message is one plain sentence
that says what went wrong and, where possible, what to do about it. The command line prints that
sentence alone (no traceback) and exits with status 2; the web workbench shows it on the page.
Anything that is *not* a :class:`QualframeError` is a bug in qualframe.
"""

from __future__ import annotations

__all__ = [
    "AmbiguousQuoteError",
    "BusyError",
    "CodebookError",
    "ConflictError",
    "DuplicateImportError",
    "EncryptionError",
    "InputError",
    "NotAStudyError",
    "NotAllowedError",
    "NotFoundError",
    "QualframeError",
    "QuoteNotFoundError",
    "StudyError",
    "UnsupportedFormatError",
]


class QualframeError(Exception):
    """Base class: a problem the user can understand and fix."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        # Keep it to one line: the CLI prints exactly this.
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        """The one-line, human-readable message."""
        return str(self.args[0]) if self.args else self.__class__.__name__


class InputError(QualframeError):
    """A file or value given by the user cannot be used (malformed, empty, wrong encoding...)."""


class UnsupportedFormatError(InputError):
    """The file's extension names a format qualframe does not read or write."""


class CodebookError(InputError):
    """A codebook file or a codebook edit is invalid."""


class StudyError(QualframeError):
    """The study folder or database is in a state that prevents the operation."""


class BusyError(StudyError):
    """Another process holds the study's write lock for longer than the busy timeout."""


class NotAStudyError(StudyError):
    """The folder given is not a qualframe study."""


class EncryptionError(StudyError):
    """An encrypted study cannot be opened (missing or wrong passphrase)."""


class NotFoundError(QualframeError):
    """A named thing (source, code, case, coder, coding) does not exist in the study."""


class ConflictError(QualframeError):
    """The operation would create a duplicate or contradict the study's current state."""


class DuplicateImportError(ConflictError):
    """A file with the same content was imported before."""


class QuoteNotFoundError(NotFoundError):
    """A quote given for a coding does not occur in the source text."""


class AmbiguousQuoteError(ConflictError):
    """A quote occurs more than once and no occurrence was chosen."""


class NotAllowedError(QualframeError):
    """The person may not do or see this now (for example: study-wide results while coding blind)."""
