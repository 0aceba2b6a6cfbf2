"""The renovation's structural promises, checked against the code itself.

* one writer of codings: nothing outside ``qualframe/store/codings.py`` builds a ``Coding`` row,
  bulk-inserts, updates or deletes the table, or assigns the fields only codings have;
* the shells call use cases: no module of ``qualframe/cli/`` or ``qualframe/web/`` opens a study
  transaction or resolves the acting user itself;
* one visibility rule: only ``qualframe/visibility.py`` decides whose work is hidden, so no other
  module reads ``Assignment.blind`` or an assignment's ``status`` to filter what a person sees.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "qualframe"
WRITER = PACKAGE / "store" / "codings.py"
#: Fields that exist on codings only: assigning one is changing a coding.
CODING_ONLY_FIELDS = {"deleted_at", "decided_by_id", "run_id", "coder_id"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _name(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _coding_writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = _name(node.func)
            if func == "Coding":
                found.append(f"{path.name}:{node.lineno} builds a Coding")
            if func in ("insert", "update", "delete") and node.args and _name(node.args[0]) == "Coding":
                found.append(f"{path.name}:{node.lineno} {func}(Coding)")
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for t in target.elts if isinstance(target, ast.Tuple) else [target]:
                if not isinstance(t, ast.Attribute):
                    continue
                owner = _name(t.value).lower()
                if t.attr in CODING_ONLY_FIELDS or (
                    "coding" in owner and t.attr in {"origin", "code_id", "start", "end"}
                ):
                    found.append(f"{path.name}:{node.lineno} sets {_name(t.value)}.{t.attr}")
    return found


def test_codings_are_written_only_by_the_coding_writer() -> None:
    offenders = [w for p in _modules() if p != WRITER for w in _coding_writes(p)]
    assert offenders == []


def test_the_writer_check_sees_a_write_when_there_is_one(tmp_path: Path) -> None:
    """The check above must be able to fail: a module that writes a coding is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(session, coding, Coding):\n"
        "    coding.deleted_at = None\n"
        "    coding.start, coding.end = 1, 2\n"
        "    session.add(Coding(start=0))\n",
        encoding="utf-8",
    )
    assert len(_coding_writes(bad)) == 4  # deleted_at, start, end, and the new row


def test_only_the_visibility_rule_reads_blindness() -> None:
    allowed = {
        PACKAGE / "visibility.py",
        PACKAGE / "store" / "assignments.py",
        PACKAGE / "store" / "models.py",
    }
    readers = []
    for path in _modules():
        if path in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        if "Assignment.blind" in text or "Assignment.status" in text:
            readers.append(path.relative_to(PACKAGE).as_posix())
    assert readers == []


#: Modules that may write files themselves: the store (originals, backups, the study marker), the key
#: file, the originals and backups pseudonymisation seals inside the study (they never leave it), the
#: registry, and commands whose files belong to no study (agreement, evaluation, simulation runs).
FILE_WRITERS = {
    "store/files.py",
    "store/study.py",
    "privacy/keyfile.py",
    "privacy/copies.py",
    "outputs/registry.py",
    "analysis/agreement.py",
    "evaluation/run.py",
    "evaluation/curve.py",
    "cli/assist.py",
    "simulate/files.py",
    "simulate/plots.py",
}


def test_files_leave_a_study_only_through_the_output_registry() -> None:
    writers = []
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in FILE_WRITERS:
            continue
        text = path.read_text(encoding="utf-8")
        if any(call in text for call in ("write_atomic(", ".write_bytes(", ".write_text(", ".savefig(path")):
            writers.append(rel)
    assert writers == []


def _shell_transactions(path: Path, root: Path = PACKAGE) -> list[str]:
    """Calls in a CLI or web module that open a study transaction or resolve the acting user."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        # Study.write(activity=...) and Study.read(), not file.read(n)
        bare = not node.args and {k.arg for k in node.keywords} <= {"activity"}
        if isinstance(func, ast.Attribute) and func.attr in ("write", "read") and bare:
            found.append(f"{path.relative_to(root)}:{node.lineno} opens a transaction")
        if _name(func) == "resolve_user":
            found.append(f"{path.relative_to(root)}:{node.lineno} resolves the user itself")
    return found


def test_the_command_line_and_the_workbench_call_use_cases_and_open_no_transaction() -> None:
    """A use case opens its one transaction and resolves who acts; the shells only call it."""
    shells = sorted((PACKAGE / "cli").rglob("*.py")) + sorted((PACKAGE / "web").rglob("*.py"))
    assert [f for path in shells for f in _shell_transactions(path)] == []


def test_the_transaction_check_sees_one_when_there_is_one(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f(st):\n    with st.write() as session:\n        resolve_user(session, 'me')\n",
        encoding="utf-8",
    )
    assert _shell_transactions(probe, tmp_path) == [
        "probe.py:2 opens a transaction",
        "probe.py:3 resolves the user itself",
    ]
