"""Keys from passphrases, and authenticated encryption of whole files.

Two things in qualframe are encrypted with a passphrase: an encrypted study (its SQLCipher database
and its stored originals) and the pseudonymisation key file. Both use the same primitives, kept here
so that they are written once and reviewed once:

* a passphrase becomes a 256-bit master key with **Argon2id** (memory-hard, RFC 9106; the salt and
  cost parameters travel with the encrypted thing, so they can be raised later without breaking old
  files);
* independent sub-keys for each purpose come from the master key with **HKDF-SHA256**, so the key
  that opens the database never doubles as the key that seals a file;
* files are sealed with **AES-256-GCM** (a random 96-bit nonce per file; the 128-bit tag detects
  any change), with "associated data" binding a ciphertext to its purpose, so that one sealed file
  cannot be swapped for another.

Nothing here ever writes a key or a passphrase to disk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import asdict, dataclass
from typing import Any

from qualframe.errors import EncryptionError

__all__ = [
    "SEAL_MAGIC",
    "KdfParams",
    "derive_master_key",
    "key_check_value",
    "open_sealed",
    "seal",
    "subkey",
]

#: Every sealed blob starts with these bytes, so a sealed file is recognisable and versioned.
SEAL_MAGIC = b"QFSEAL1\x00"
_NONCE = 12


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters and the salt; stored beside whatever they protect (they are not secret)."""

    salt: str  # base64
    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 2
    name: str = "argon2id"

    @classmethod
    def new(cls) -> KdfParams:
        """Fresh parameters with a random 128-bit salt."""
        return cls(salt=base64.b64encode(os.urandom(16)).decode("ascii"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KdfParams:
        """Parameters read back from JSON; refuses anything but Argon2id with sane costs."""
        try:
            params = cls(
                salt=str(data["salt"]),
                time_cost=int(data["time_cost"]),
                memory_kib=int(data["memory_kib"]),
                parallelism=int(data["parallelism"]),
                name=str(data.get("name", "argon2id")),
            )
            base64.b64decode(params.salt, validate=True)
        except (KeyError, TypeError, ValueError):
            raise EncryptionError(
                "the key-derivation settings are damaged; the file cannot be opened."
            ) from None
        if params.name != "argon2id" or not (
            1 <= params.time_cost <= 50
            and 8 <= params.memory_kib <= 4 * 1024**2
            and 1 <= params.parallelism <= 64
        ):
            raise EncryptionError("the key-derivation settings are not ones qualframe accepts.")
        return params


def derive_master_key(passphrase: str, params: KdfParams) -> bytes:
    """The 32-byte master key for ``passphrase`` (Argon2id; takes about a second on purpose)."""
    from argon2.low_level import Type, hash_secret_raw

    if not passphrase:
        raise EncryptionError("the passphrase is empty; give a passphrase.")
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        base64.b64decode(params.salt),
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def subkey(master: bytes, purpose: str) -> bytes:
    """An independent 32-byte key for one ``purpose`` (HKDF-SHA256 over the master key)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"qualframe {purpose}".encode()).derive(
        master
    )


def key_check_value(master: bytes) -> str:
    """A value stored in clear that tells a wrong passphrase from a right one (reveals nothing else)."""
    return hmac.new(subkey(master, "key check"), b"qualframe key check", hashlib.sha256).hexdigest()


def seal(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` (AES-256-GCM), bound to ``associated`` data."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(_NONCE)
    return SEAL_MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes, blob: bytes, associated: bytes, *, what: str = "the file") -> bytes:
    """Decrypt a :func:`seal` blob; any change to it (or the wrong key) is a clear error."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not blob.startswith(SEAL_MAGIC) or len(blob) < len(SEAL_MAGIC) + _NONCE + 16:
        raise EncryptionError(f"{what} is not an encrypted qualframe file.")
    nonce = blob[len(SEAL_MAGIC) : len(SEAL_MAGIC) + _NONCE]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(SEAL_MAGIC) + _NONCE :], associated)
    except InvalidTag:
        raise EncryptionError(
            f"{what} cannot be decrypted: the passphrase is wrong or the file was altered."
        ) from None
