r"""Decoding and normalising text at the import boundary.

Every importer passes its text through :func:`normalise`, so the stored text has one shape:
Unicode NFC, newlines as ``\\n``, no byte-order mark. Offsets everywhere else are code points into
that text; the REFI-QDA reader converts other offset conventions at the boundary.
"""

from __future__ import annotations

import re
import unicodedata

from qualframe.errors import InputError

__all__ = ["check_clean", "decode_text", "looks_binary", "normalise"]

# Control characters that never occur in a real transcript (tab, newline, CR and form feed do).
_BAD_CONTROLS = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\f"}
_BAD_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def normalise(text: str) -> str:
    r"""Return ``text`` in qualframe's stored form: NFC, ``\\n`` newlines, no BOM."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)


def looks_binary(data: bytes) -> bool:
    """True when ``data`` is clearly not text (NUL bytes outside UTF-16, many control bytes)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bool(head) and controls / len(head) > 0.05


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode a text file's bytes; return ``(text, encoding)``.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read as they are. Files that are not
    valid UTF-8 are read as Windows-1252 (what Word's "Save as plain text" writes on Windows) only
    when that yields clean text; anything else is refused rather than guessed, because a wrong
    guess would silently corrupt every quote.
    """
    if looks_binary(data):
        raise InputError(f"{name} looks like a binary file, not text; check the file and its extension.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{name} claims to be UTF-16 but is not valid UTF-16 ({exc.reason}).") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    if text and not any(ch in _BAD_CONTROLS for ch in text):
        return text, "cp1252"
    raise InputError(
        f"{name} is not valid UTF-8 text (byte {utf8_error.start}); save it as UTF-8 and import it again."
    )


def check_clean(text: str, name: str) -> None:
    """Refuse text that carries control characters a transcript cannot contain."""
    bad = _BAD_CONTROL.search(text)
    if bad:
        raise InputError(
            f"{name} contains a control character (U+{ord(bad.group()):04X}) at position {bad.start()}."
        )
