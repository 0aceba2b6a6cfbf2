"""One configuration object, read from the environment once.

qualframe has few settings and most come from the environment, so that the same study behaves the
same from the command line, a notebook and the web workbench. Every setting is documented here and
in README.md (a test checks that).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ENVIRONMENT", "LETTER_COUNTRIES", "Settings", "settings"]

#: Every environment variable qualframe reads, with what it does.
ENVIRONMENT = {
    "QUALFRAME_USER": "who you are in the audit log and as a coder when no --coder is given "
    "(default: your login name)",
    "QUALFRAME_PASSPHRASE": "passphrase of an encrypted study, and of the pseudonymisation key file "
    "(otherwise you are prompted)",
    "QUALFRAME_TOKEN": "access token for `qualframe serve` (otherwise one is generated and printed)",
    "QUALFRAME_MAX_IMPORT_MB": "largest file `qualframe import` accepts, in MB (default 200)",
    "QUALFRAME_MAX_RECORDING_HOURS": "longest recording `qualframe transcribe` accepts, in hours (default 4)",
    "QUALFRAME_DEBUG": "set to 1 to see Python tracebacks instead of one-line errors",
    "QUALFRAME_CACHE": "folder for files qualframe derives and can rebuild, such as the sentence "
    "model exported for ONNX Runtime (default: $XDG_CACHE_HOME/qualframe or ~/.cache/qualframe)",
    "QUALFRAME_ENCODER": "runtime of the sentence model: auto (ONNX Runtime when installed, else "
    "PyTorch; the default), onnx or torch",
    "QUALFRAME_PAPER": "paper size of Word reports: a4 or letter (default: letter where the locale's "
    "country uses it, such as en_US or fr_CA, otherwise A4)",
    "QUALFRAME_ALLOWED_HOSTS": "more host names the workbench answers to, comma-separated (besides "
    "127.0.0.1, localhost and its --host), e.g. the name of a TLS proxy in front of a team server",
    "QUALFRAME_BUSY_TIMEOUT": "seconds a command waits for another one writing to the same study before "
    "it says the study is busy (default 30)",
}

#: Countries (locale territories) that use US Letter rather than A4.
LETTER_COUNTRIES = frozenset(
    {"US", "CA", "MX", "PH", "CL", "CO", "VE", "CR", "GT", "DO", "PR", "PA", "SV", "NI"}
)


def _locale_paper() -> str:
    """``letter`` when the locale's territory uses it (``LC_PAPER``, ``LC_ALL`` or ``LANG``), else ``a4``."""
    for var in ("LC_PAPER", "LC_ALL", "LANG"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            territory = value.split(".", 1)[0].split("@", 1)[0].partition("_")[2].upper()
            return "letter" if territory in LETTER_COUNTRIES else "a4"
    return "a4"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "researcher"


def _seconds(value: str, default: float) -> float:
    try:
        seconds = float(value) if value.strip() else default
    except ValueError:
        return default
    return seconds if seconds >= 0 else default


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "qualframe"


@dataclass(frozen=True)
class Settings:
    """Process-wide settings; build a new one with :meth:`from_env` to pick up changes."""

    user: str = field(default_factory=_login_name)
    passphrase: str | None = None
    token: str | None = None
    max_import_bytes: int = 200 * 1024**2
    max_recording_seconds: float = 4 * 3600
    debug: bool = False
    cache_dir: Path = field(default_factory=lambda: _default_cache())
    encoder_runtime: str = "auto"
    paper: str = "a4"
    allowed_hosts: tuple[str, ...] = ()
    busy_timeout: float = 30.0

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from the environment variables listed in :data:`ENVIRONMENT`."""
        env = os.environ
        max_mb = env.get("QUALFRAME_MAX_IMPORT_MB", "")
        max_hours = env.get("QUALFRAME_MAX_RECORDING_HOURS", "")
        return cls(
            user=env.get("QUALFRAME_USER") or _login_name(),
            passphrase=env.get("QUALFRAME_PASSPHRASE") or None,
            token=env.get("QUALFRAME_TOKEN") or None,
            max_import_bytes=int(float(max_mb) * 1024**2) if max_mb.strip() else 200 * 1024**2,
            max_recording_seconds=float(max_hours) * 3600 if max_hours.strip() else 4 * 3600,
            debug=env.get("QUALFRAME_DEBUG") == "1",
            cache_dir=Path(env["QUALFRAME_CACHE"]).expanduser()
            if env.get("QUALFRAME_CACHE")
            else _default_cache(),
            encoder_runtime=env.get("QUALFRAME_ENCODER") or "auto",
            paper=(env.get("QUALFRAME_PAPER") or _locale_paper()).strip().lower(),
            allowed_hosts=tuple(
                h.strip() for h in env.get("QUALFRAME_ALLOWED_HOSTS", "").split(",") if h.strip()
            ),
            busy_timeout=_seconds(env.get("QUALFRAME_BUSY_TIMEOUT", ""), 30.0),
        )


def settings() -> Settings:
    """The current settings (read fresh, so tests and long-running servers see changes)."""
    return Settings.from_env()
