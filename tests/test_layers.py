"""Imports inside functions are the exception, and each one says why (issue 20).

The layer contract in ``.importlinter`` (run by ``make lint``) keeps every package importing only
from the layers below it, with no exceptions. What it cannot see is an import hidden inside a
function to dodge a cycle or a layer. Such an import is allowed only where a heavy or optional
dependency, or the start-up time of a command, needs it, or to break a genuine cycle, and it says
which with a ``# lazy: <reason>`` comment: on the import itself, or on the comment line just
above a run of imports (one comment covers the run). A module whose every function imports lazily
for one reason (the command line's modules: a command loads only what it runs) says so once with a
``# lazy-module: <reason>`` line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "qualframe"
_LAZY = re.compile(r"#\s*lazy:\s*\S")
_LAZY_MODULE = re.compile(r"^#\s*lazy-module:\s*\S", re.MULTILINE)


def _is_qualframe(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "qualframe"
    return any(alias.name.split(".")[0] == "qualframe" for alias in node.names)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runs(tree: ast.AST) -> list[list[ast.Import | ast.ImportFrom]]:
    """Runs of consecutive qualframe imports inside function bodies (not under ``if TYPE_CHECKING:``)."""
    runs: list[list[ast.Import | ast.ImportFrom]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            run: list[ast.Import | ast.ImportFrom] = []
            for child in block:
                if isinstance(child, ast.Import | ast.ImportFrom) and inside and _is_qualframe(child):
                    run.append(child)
                    continue
                if run:
                    runs.append(run)
                    run = []
            if run:
                runs.append(run)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                continue
            visit(child, inside)

    visit(tree, False)
    return runs


def unexplained_imports(path: Path) -> list[str]:
    """The function-level qualframe imports of ``path`` that do not say why they are there."""
    text = path.read_text(encoding="utf-8")
    if _LAZY_MODULE.search(text):
        return []
    lines = text.splitlines()
    out = []
    for run in _runs(ast.parse(text)):
        first = run[0].lineno
        above = lines[first - 2].strip() if first > 1 else ""
        if _LAZY.search(above) and above.startswith("#"):
            continue
        for node in run:
            if not any(
                _LAZY.search(lines[n - 1]) for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)
            ):
                out.append(f"{path.relative_to(PACKAGE.parent).as_posix()}:{node.lineno}")
    return out


def test_every_import_inside_a_function_says_why() -> None:
    modules = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)
    assert [where for path in modules for where in unexplained_imports(path)] == []


def test_the_check_sees_an_unexplained_import(tmp_path: Path) -> None:
    """The check above must be able to fail, and must accept what it says it accepts."""
    module = PACKAGE / "_probe_for_test_layers.py"
    try:
        module.write_text(
            "def bad():\n"
            "    from qualframe.errors import InputError\n"
            "    return InputError\n"
            "\n"
            "def good():\n"
            "    # lazy: a heavy optional dependency\n"
            "    from qualframe.cluster import dask_client\n"
            "    from qualframe.config import settings\n"
            "    return dask_client, settings\n"
            "\n"
            "def also_good():\n"
            "    from qualframe.ids import stable_guid  # lazy: breaks a cycle\n"
            "    return stable_guid\n",
            encoding="utf-8",
        )
        assert unexplained_imports(module) == ["qualframe/_probe_for_test_layers.py:2"]
    finally:
        module.unlink()
