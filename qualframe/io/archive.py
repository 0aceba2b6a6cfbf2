"""Safe reading of zip-based formats (``.docx``, ``.qdpx``).

Archives from outside are hostile until proven otherwise: a zip bomb expands a few kilobytes into
gigabytes, and member names like ``../../etc/passwd`` escape a folder. Every zip qualframe opens
goes through :func:`open_zip`, which checks sizes, ratios and names before anything is extracted.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from qualframe.errors import InputError

__all__ = ["MAX_MEMBER_BYTES", "MAX_TOTAL_BYTES", "open_zip", "read_member"]

MAX_TOTAL_BYTES = 2 * 1024**3
MAX_MEMBER_BYTES = 512 * 1024**2
MAX_RATIO = 200
MAX_MEMBERS = 100_000


def open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip after checking it is not a bomb and has no escaping names."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InputError(
            f"{name} is not a valid zip-based file (it may be damaged or mislabelled)."
        ) from None
    except NotImplementedError as exc:  # e.g. a header claiming "zip file version 6.4"
        raise InputError(f"{name} is a kind of zip file that cannot be read here ({exc}).") from None
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{name} holds {len(infos)} files; refusing an archive this large.")
    total = 0
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or (info.filename[1:2] == ":"):
            raise InputError(f"{name} contains an unsafe file name ({info.filename!r}); refusing to read it.")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > 1024**2 and ratio > MAX_RATIO):
            raise InputError(
                f"{name} looks like a zip bomb ({info.filename!r} expands too far); refusing it."
            )
    if total > MAX_TOTAL_BYTES:
        raise InputError(f"{name} expands to more than {MAX_TOTAL_BYTES // 1024**3} GB; refusing it.")
    return zf


def read_member(zf: zipfile.ZipFile, member: str, name: str) -> bytes:
    """Read one member, never more than its declared size (a lying header cannot bomb us)."""
    info = zf.getinfo(member)
    with zf.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise InputError(f"{name}: {member!r} is larger than its archive entry says; refusing it.")
    return data
