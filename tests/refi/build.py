"""Hand-written REFI-QDA projects that mimic what other tools export, quirks included.

The XML is written here as text, independently of qualframe's writer, and every position is
computed from the text the way the mimicked tool counts (UTF-16 units, CRLF as one character,
1-based...), so an import test checks qualframe against the file, not against itself.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

NS = "urn:QDA-XML:project:1.0"


def guid(label: str) -> str:
    """A GUID derived from a label, so tests can refer to things by name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"test/{label}")).upper()


def position(text: str, index: int, *, utf16: bool = False, crlf_as_one: bool = False) -> int:
    """Where ``text[index]`` is for a tool that counts UTF-16 units and/or CRLF as one character."""
    before = text[:index]
    if crlf_as_one:
        before = before.replace("\r\n", "\n")
    return len(before.encode("utf-16-le")) // 2 if utf16 else len(before)


@dataclass
class Sel:
    """A selection of the words ``words`` (the ``occurrence``-th time they occur) coded with ``code``."""

    words: str
    code: str | None
    user: str | None = None
    name: str | None = None
    description: str | None = None
    occurrence: int = 1
    coding_user: str | None = None


@dataclass
class Src:
    """A text source: ``text`` written to ``path`` inside the zip (or nowhere when ``path`` is None)."""

    name: str
    text: str
    selections: list[Sel] = field(default_factory=list)
    path: str | None = "sources/{guid}.txt"
    attr: str = "plainTextPath"
    ref: str | None = None
    extra: str = ""
    data: bytes | None = None
    key: str | None = None

    @property
    def id(self) -> str:
        """The label its GUIDs derive from (its name unless two sources share one)."""
        return self.key or self.name


def span(text: str, sel: Sel) -> tuple[int, int]:
    """Code-point start and end of ``sel.words`` in ``text``."""
    start = -1
    for _ in range(sel.occurrence):
        start = text.index(sel.words, start + 1)
    return start, start + len(sel.words)


def selection_xml(
    src: Src, sel: Sel, n: int, count: dict[str, bool], one_based: bool, inclusive: bool
) -> str:
    a, b = span(src.text, sel)
    start, end = position(src.text, a, **count), position(src.text, b, **count)  # type: ignore[arg-type]
    start += one_based
    end += one_based - inclusive
    attrs = f'guid="{guid(f"{src.id}/sel{n}")}" startPosition="{start}" endPosition="{end}"'
    if sel.name is not None:
        attrs += f" name={quoteattr(sel.name)}"
    if sel.user:
        attrs += f' creatingUser="{guid(sel.user)}" creationDateTime="2023-05-01T10:00:00Z"'
    body = f"<Description>{sel.description}</Description>" if sel.description else ""
    if sel.code:
        who = sel.coding_user or sel.user
        coder = f' creatingUser="{guid(who)}"' if who else ""
        body += f'<Coding guid="{guid(f"{src.id}/coding{n}")}"{coder}><CodeRef targetGUID="{guid(sel.code)}"/></Coding>'
    return f"<PlainTextSelection {attrs}>{body}</PlainTextSelection>"


def project_xml(
    *,
    origin: str,
    sources: list[Src],
    codes: str = "",
    users: Sequence[str] = (),
    creator: str | None = None,
    extra: str = "",
    tail: str = "",
    count: dict[str, bool] | None = None,
    one_based: bool = False,
    inclusive: bool = False,
    namespace: str = NS,
) -> str:
    """``project.qde`` for ``sources`` coded as described, positions counted per ``count``."""
    count = count or {}
    user_xml = "".join(f'<User guid="{guid(u)}" name="{u}"/>' for u in users)
    source_xml = ""
    for src in sources:
        path = (src.path or "").format(guid=guid(src.id))
        ref = src.ref if src.ref is not None else f"internal://{guid(src.id)}.txt"
        if src.path and src.path.lower().startswith("sources/") and src.ref is None:
            ref = "internal://" + path.split("/", 1)[1]
        sels = "".join(
            selection_xml(src, s, n, count, one_based, inclusive) for n, s in enumerate(src.selections)
        )
        source_xml += (
            f'<TextSource guid="{guid(src.id)}" name={quoteattr(src.name)} {src.attr}={quoteattr(ref)}>'
            f"{sels}{src.extra}</TextSource>"
        )
    made = f' creatingUserGUID="{guid(creator)}"' if creator else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{namespace}" name="Mimic" origin="{origin}"'
        f' creationDateTime="2023-05-01T09:00:00Z"{made}>'
        + (f"<Users>{user_xml}</Users>" if user_xml else "")
        + (f"<CodeBook><Codes>{codes}</Codes></CodeBook>" if codes else "")
        + extra
        + (f"<Sources>{source_xml}</Sources>" if source_xml else "")
        + tail
        + "</Project>"
    )


def code(
    name: str, children: str = "", codable: bool = True, colour: str | None = None, key: str | None = None
) -> str:
    """A ``<Code>`` element named ``name`` with GUID ``guid(key or name)``."""
    c = f' color="{colour}"' if colour else ""
    g = guid(key or name)
    return f'<Code guid="{g}" name={quoteattr(name)} isCodable="{str(codable).lower()}"{c}>{children}</Code>'


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    """A zip holding ``members`` (text is written as UTF-8)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return buffer.getvalue()


def write_qdpx(
    path: Path,
    xml: str,
    sources: list[Src],
    extra: dict[str, bytes | str] | None = None,
    qde: str = "project.qde",
) -> Path:
    """A ``.qdpx`` with ``xml`` as its ``.qde`` and every source that has a path."""
    members: dict[str, bytes | str] = {qde: xml}
    for src in sources:
        if src.path and not src.path.startswith("/"):
            members[src.path.format(guid=guid(src.id))] = src.data if src.data is not None else src.text
    members.update(extra or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(zip_bytes(members))
    return path
