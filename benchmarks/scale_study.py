"""A generated study at the scale of issue 18: 1,000 interviews, 1,000 cases, 50,000 codings, 10 coders.

``python benchmarks/scale_study.py --out DIR`` builds it (about a minute of CPU on the development
machine) or reuses the one already in ``DIR`` when it was built with the same parameters, so every
scale benchmark (``benchmarks/bench_scale.py``) starts from the same study. What it holds:

* ``--sources`` labelled transcripts of about ``--words`` words (interviewer and participant turns,
  a timestamp on every third turn, words drawn from the demo corpus), imported with ``import_files``;
* one case per transcript with four typed attributes (age, ORT, site, interview date), imported
  with ``import_cases`` so each source is linked to its case;
* the three built-in codebooks, two themes over the groupthink codes, 100 memos;
* ``--codings`` manual codings by ``--coders`` coders, every span inside a participant turn (a
  sentence run or the whole turn): each source has a primary coder; every fifth source is also
  coded by a second coder (the same passages, a third of them with another code or other
  boundaries), so reliability, the selection rule and the disagreement list have work to do;
* ``--suggestions`` pending engine suggestions, so the review queue is not empty.

Codings are inserted in bulk through the one coding writer (``CodingWriter.add_many``) and audited
as one ``bench.generate`` event: what is measured is reading and analysing them, not writing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from qualframe.analysis.themes import add_theme
from qualframe.cases import import_cases
from qualframe.codebook.service import BUILTIN_CODEBOOKS, add_codebook_spec, builtin_spec, code_path
from qualframe.ids import stable_guid
from qualframe.imports import import_files
from qualframe.memos import add_memo
from qualframe.store.audit import record
from qualframe.store.codings import CodingWriter, NewCoding
from qualframe.store.models import Code, Segment, Source
from qualframe.store.study import Study
from qualframe.store.users import resolve_user

try:  # run as ``python benchmarks/scale_study.py`` or imported as ``benchmarks.scale_study``
    from bench_import import make_transcript, vocabulary
except ModuleNotFoundError:
    from benchmarks.bench_import import make_transcript, vocabulary

__all__ = ["DEFAULTS", "add_networks", "build_scale_study", "coders", "ensure_scale_study"]

#: The sizes named in issue 18.
DEFAULTS: dict[str, int] = {
    "sources": 1000,
    "words": 5000,
    "codings": 50_000,
    "coders": 10,
    "suggestions": 5000,
    "seed": 18,
}
_MARKER = "scale-study.json"
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def coders(n: int) -> list[str]:
    """The generated coders' names."""
    return [f"coder{i + 1:02d}" for i in range(n)]


def _spans(rng: random.Random, text: str, turns: list[tuple[int, int]], k: int) -> list[tuple[int, int]]:
    """``k`` distinct passages inside participant turns: a run of sentences, or the whole turn."""
    out: set[tuple[int, int]] = set()
    while len(out) < k:
        start, end = rng.choice(turns)
        body = text[start:end]
        # the words after "P0001: " are the turn's talk
        lead = body.find(": ") + 2 if ": " in body[:40] else 0
        if rng.random() < 0.3:
            span = (start + lead, end)
        else:
            sentences = [(start + m.start(), start + m.end()) for m in _SENTENCE.finditer(body, lead)]
            if not sentences:
                continue
            i = rng.randrange(len(sentences))
            j = min(len(sentences), i + rng.randint(1, 3))
            span = (sentences[i][0], sentences[j - 1][1])
        a, b = span
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= 5:
            out.add((a, b))
    return sorted(out)


def build_scale_study(folder: Path, params: dict[str, int], *, log: Any = print) -> Study:
    """Build the study in ``folder`` (which must not exist yet); see the module docstring."""
    rng = random.Random(params["seed"])
    words = vocabulary()
    folder.mkdir(parents=True)
    study = Study.init(folder / "study", title="Scale benchmark (generated)")
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(1, params["sources"] + 1):
            path = Path(tmp) / f"P{i:04d}.txt"
            path.write_text(make_transcript(rng, words, params["words"], i), encoding="utf-8")
            files.append(path)
        t = time.perf_counter()
        import_files(study, files, user="lead")
        log(f"imported {len(files)} transcripts in {time.perf_counter() - t:.1f} s")
        cases = Path(tmp) / "cases.csv"
        rows = ["case,age,ort,site,interview_date"]
        for i in range(1, params["sources"] + 1):
            rows.append(
                f"P{i:04d},{rng.randint(19, 64)},{rng.choice(['methadone', 'buprenorphine', 'none'])},"
                f"site{rng.randint(1, 12):02d},2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            )
        cases.write_text("\n".join(rows) + "\n", encoding="utf-8")
        import_cases(study, cases, user="lead")
    with study.write() as session:
        lead = resolve_user(session, "lead")
        for name in BUILTIN_CODEBOOKS:
            add_codebook_spec(session, builtin_spec(name), lead)
    add_theme(
        study,
        "Belonging to the using group",
        status="defined",
        codes=["janis-groupthink:Illusion of unanimity", "janis-groupthink:Self-censorship"],
        user="lead",
    )
    add_theme(
        study,
        "Justifying continued use",
        codes=[
            "janis-groupthink:Collective rationalisation",
            "janis-groupthink:Belief in inherent morality of the group",
        ],
        user="lead",
    )
    t = time.perf_counter()
    names = coders(params["coders"])
    with study.write() as session:
        people = [resolve_user(session, n) for n in names]
        engine = resolve_user(session, "engine-bench", kind="engine")
        codes = [
            c
            for c in session.execute(select(Code).order_by(Code.id)).scalars()
            if c.codable and c.codebook.name in ("janis-groupthink", "network-ties")
        ]
        labels = {c.id: code_path(c) for c in codes}
        sources = list(session.execute(select(Source.id, Source.guid, Source.text).order_by(Source.id)))
        per_source = max(2, params["codings"] // len(sources))
        rows_out: list[NewCoding] = []
        for n, (sid, sguid, text) in enumerate(sources):
            turns = [
                (s.start, s.end)
                for s in session.execute(
                    select(Segment).where(Segment.source_id == sid, Segment.role == "participant")
                ).scalars()
            ]
            primary = people[n % len(people)]
            double = n % 5 == 0
            k = per_source // 2 if double else per_source
            spans = _spans(rng, text, turns, k)
            picks = [rng.choice(codes) for _ in spans]
            for (a, b), code in zip(spans, picks, strict=True):
                rows_out.append(_row(sguid, sid, a, b, code, primary))
            if double:
                second = people[(n + 1 + n // 5) % len(people)]
                if second is primary:
                    second = people[(n + 1) % len(people)]
                for (a, b), code in zip(spans, picks, strict=True):
                    roll = rng.random()
                    if roll < 0.15:
                        code = rng.choice(codes)
                    elif roll < 0.3:
                        a = min(b - 5, a + rng.randint(0, 20))
                    rows_out.append(_row(sguid, sid, a, b, code, second))
            for a, b in _spans(rng, text, turns, max(1, params["suggestions"] // len(sources))):
                code = rng.choice(codes)
                rows_out.append(
                    _row(sguid, sid, a, b, code, engine, origin="suggested", confidence=rng.random())
                )
        writer = CodingWriter(session, lead)
        written = writer.add_many(rows_out, lengths={sid: len(text) for sid, _, text in sources})
        record(
            session,
            lead,
            "bench.generate",
            f"generated {written} codings for the scale benchmark",
            details={"params": params, "codes": sorted(labels.values())},
        )
    log(f"wrote {written} codings in {time.perf_counter() - t:.1f} s")
    for i in range(100):
        add_memo(
            study,
            f"source:P{rng.randint(1, params['sources']):04d}",
            " ".join(rng.choice(words) for _ in range(60)),
            title=f"Memo {i + 1}",
            user=rng.choice(names),
        )
    return study


def _row(
    source_guid: str,
    source_id: int,
    start: int,
    end: int,
    code: Code,
    coder: Any,
    *,
    origin: str = "manual",
    confidence: float | None = None,
) -> NewCoding:
    return NewCoding(
        guid=stable_guid("coding", source_guid, str(start), str(end), code.guid, coder.guid, origin),
        source_id=source_id,
        start=start,
        end=end,
        code_id=code.id,
        coder_id=coder.id,
        origin=origin,
        engine="bench" if origin == "suggested" else None,
        confidence=confidence,
    )


def add_networks(study_dir: Path, *, alters: int = 8, seed: int = 18) -> int:
    """Give every case an ego-network: ``alters`` confirmed alters, ties by life phase, co-buyers.

    For the network exports and pages at scale (the generated study has no networks of its own).
    Written straight into the tables, as a review would leave them: each alter mentioned once in its
    case's transcript, a tie in two to four phases (shared moments early, transactional later,
    as the study found), and the first three alters of a case buying together. Returns the alters.
    """
    import sqlite3

    from qualframe.store.models import ALTER_ROLES, LIFE_PHASES

    rng = random.Random(seed)
    names = ["Gaz", "Dean", "Shaz", "Kelly", "Mick", "Tony", "Leanne", "Wayne", "Jo", "Lee", "Mo", "Sam"]
    con = sqlite3.connect(study_dir / "study.db")
    made = 0
    with con:
        cases = con.execute(
            "SELECT c.id, s.id FROM cases c JOIN sources s ON s.case_id = c.id ORDER BY c.id"
        ).fetchall()
        for case_id, source_id in cases:
            ids = []
            for k in range(alters):
                label = f"{rng.choice(names)} {k}"
                cur = con.execute(
                    "INSERT INTO alters (guid, case_id, label, role, uses, buys_with, is_group, aliases, "
                    "status, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, '[]', 'confirmed', '2026-01-01 00:00:00')",
                    (
                        stable_guid("bench-alter", str(case_id), str(k)),
                        case_id,
                        label,
                        rng.choice(ALTER_ROLES),
                        rng.random() < 0.7,
                        k < 3,
                    ),
                )
                alter = int(cur.lastrowid or 0)
                ids.append(alter)
                start = 40 * k
                con.execute(
                    'INSERT INTO alter_mentions (alter_id, source_id, start, "end") VALUES (?, ?, ?, ?)',
                    (alter, source_id, start, start + 4),
                )
                first = rng.randrange(0, 2)
                for phase in LIFE_PHASES[first : first + rng.randint(2, 3)]:
                    kind = "shared-moment" if phase in ("pre-use", "recreational") else "transactional"
                    con.execute(
                        "INSERT INTO ties (alter_id, phase, tie_type, strength, status) "
                        "VALUES (?, ?, ?, 1.0, 'confirmed')",
                        (alter, phase, kind),
                    )
            for a, b in ((0, 1), (0, 2), (1, 2)):
                con.execute(
                    "INSERT INTO alter_ties (alter_a_id, alter_b_id, tie_type, phase, status) "
                    "VALUES (?, ?, 'co-buying', 'dependent', 'confirmed')",
                    (ids[a], ids[b]),
                )
            made += alters
    con.close()
    return made


def ensure_scale_study(folder: Path, params: dict[str, int] | None = None, *, log: Any = print) -> Path:
    """The study folder of a scale study built with ``params`` in ``folder`` (built when missing).

    Without ``params``, a scale study already in ``folder`` is used whatever its sizes.
    """
    marker = folder / _MARKER
    if params is None and marker.is_file():
        return folder / "study"
    params = {**DEFAULTS, **(params or {})}
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")) == params:
        return folder / "study"
    if folder.exists():
        shutil.rmtree(folder)
    t = time.perf_counter()
    study = build_scale_study(folder, params, log=log)
    study.close()
    marker.write_text(json.dumps(params, sort_keys=True), encoding="utf-8")
    log(f"built the scale study in {folder} in {time.perf_counter() - t:.1f} s")
    return folder / "study"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "qualframe-scale")
    for key, value in DEFAULTS.items():
        parser.add_argument(f"--{key}", type=int, default=value)
    args = parser.parse_args(argv)
    params = {key: getattr(args, key) for key in DEFAULTS}
    print(ensure_scale_study(args.out, params))
    return 0


if __name__ == "__main__":
    sys.exit(main())
