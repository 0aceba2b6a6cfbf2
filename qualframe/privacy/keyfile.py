"""The pseudonymisation key: which original became which pseudonym, sealed with a passphrase.

The key is the only way back from "[Name 3]" to the participant's friend, so it never enters the
study database, clear or encrypted: it lives in its own file, which the researcher can keep on other
media than the study (the default is beside the study folder, never inside it) and give to whoever
holds re-identification rights. The file is JSON with a clear header (format, key-derivation settings,
key id, study) and the book itself sealed with AES-256-GCM under a key derived with Argon2id from the
passphrase; the header is the sealed data's associated data, so editing it breaks the seal too.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from qualframe.crypto import KdfParams, derive_master_key, open_sealed, seal, subkey
from qualframe.errors import EncryptionError, InputError
from qualframe.privacy.pseudonyms import PseudonymBook

__all__ = ["KEY_FILE_FORMAT", "default_key_path", "read_key_file", "write_key_file"]

KEY_FILE_FORMAT = "qualframe-pseudonym-key/1"


def default_key_path(study_path: Path) -> Path:
    """Beside the study folder, not inside it: sharing the folder never shares the key."""
    study_path = study_path.resolve()
    return study_path.parent / f"{study_path.name}.pseudonym-key"


def _header(data: dict[str, Any]) -> bytes:
    fields = {k: data[k] for k in ("format", "kdf", "key_id", "study")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")


def write_key_file(path: Path, book: PseudonymBook, passphrase: str, *, study: str) -> None:
    """Seal ``book`` into ``path`` (written to a temporary name, flushed, then renamed; mode 0600)."""
    params = KdfParams.new()
    data: dict[str, Any] = {
        "format": KEY_FILE_FORMAT,
        "kdf": params.to_dict(),
        "key_id": book.key_id,
        "study": study,
    }
    key = subkey(derive_master_key(passphrase, params), "pseudonym key file")
    payload = json.dumps(book.to_dict(), ensure_ascii=False).encode("utf-8")
    data["sealed"] = base64.b64encode(seal(key, payload, _header(data))).decode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, indent=2) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_key_file(path: Path, passphrase: str) -> PseudonymBook:
    """Open a key file; a wrong passphrase or any change to the file is a one-line error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != KEY_FILE_FORMAT:
            raise ValueError
        params = KdfParams.from_dict(data["kdf"])
        sealed = base64.b64decode(data["sealed"], validate=True)
        header = _header(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise InputError(f"{path} is not a qualframe pseudonymisation key file.") from None
    key = subkey(derive_master_key(passphrase, params), "pseudonym key file")
    payload = open_sealed(key, sealed, header, what=f"the key file {path.name}")
    try:
        book = PseudonymBook.from_dict(json.loads(payload))
    except (ValueError, KeyError, TypeError):
        raise EncryptionError(f"the key file {path.name} decrypts but its content is damaged.") from None
    if book.key_id != data["key_id"]:
        raise EncryptionError(f"the key file {path.name} has been tampered with (its key id does not match).")
    return book
