"""SQL lives in ``qualframe/store/`` (issue 20): a ratchet that only lets the list of exceptions shrink.

Every module of ``qualframe`` outside ``qualframe/store/`` is parsed with :mod:`ast` and searched for
SQL being built or run: a runtime import from SQLAlchemy or a SQLite driver (one under
``if TYPE_CHECKING:`` is typing only and allowed), a call of ``select``/``insert``/``update``/
``delete``/``text`` or ``func.*`` (or of anything imported from SQLAlchemy), ``.execute``/
``.scalars``/``.scalar``/``.query``/``.exec_driver_sql``/``.executescript``/``.raw_connection`` on
anything, and ``get``/``add``/``add_all``/``delete``/``merge`` on a session. The modules that still hold SQL are
listed in :data:`STILL_HOLDING_SQL`, each with the reason it is still there. A module that is not on
the list and gains SQL fails; a module on the list that no longer holds SQL fails too, so the list
stays true and only ever gets shorter. The query functions these modules should call live in
``qualframe/store/queries/`` (one module per aggregate): they take a ``Session`` and return plain
values.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "qualframe"

#: Statement builders of SQLAlchemy, flagged when called by their bare name.
SQL_BUILDERS = frozenset({"select", "insert", "update", "delete", "text"})
#: Methods that run SQL whatever they are called on.
RUNNERS = frozenset(
    {"execute", "scalars", "scalar", "query", "exec_driver_sql", "executescript", "raw_connection"}
)
#: Database drivers: importing one outside the store is reaching the database around it.
DRIVERS = frozenset({"sqlalchemy", "sqlite3", "sqlcipher3"})
#: Methods that run SQL when called on a session (``dict.get`` is not one).
SESSION_METHODS = frozenset({"get", "add", "add_all", "delete", "merge"})
SESSION_NAMES = frozenset({"s", "w", "conn", "connection"})

#: Modules outside ``store/`` that still build or run SQL, and why they have not moved yet.
#: Remove a line when its module is cleared (the test says so); never add one.
STILL_HOLDING_SQL: dict[str, str] = {}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _typing_only(tree: ast.Module) -> set[int]:
    """Ids of the nodes inside an ``if TYPE_CHECKING:`` body (never run)."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for stmt in node.body:
                hidden.update(id(n) for n in ast.walk(stmt))
    return hidden


def _receiver(node: ast.expr) -> str:
    """The last name of what a method is called on: ``self.session`` -> ``session``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def sql_in(source: str, name: str = "<module>") -> list[str]:
    """Where ``source`` builds or runs SQL: ``name:line what`` for each place."""
    tree = ast.parse(source)
    hidden = _typing_only(tree)
    found: list[str] = []
    from_sqlalchemy: set[str] = set()  # names bound to SQLAlchemy at run time
    bound_elsewhere: set[str] = set()  # names this module defines or imports from elsewhere
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound_elsewhere.add(node.name)
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in DRIVERS:
                    from_sqlalchemy.add((alias.asname or alias.name).split(".")[0])
                    found.append(f"{name}:{node.lineno} import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            names = {a.asname or a.name for a in node.names}
            if (node.module or "").split(".")[0] in DRIVERS and node.level == 0:
                from_sqlalchemy |= names
                found.append(f"{name}:{node.lineno} from {node.module} import {', '.join(sorted(names))}")
            else:
                bound_elsewhere |= names
    for node in ast.walk(tree):
        if id(node) in hidden or not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            if func.id in from_sqlalchemy or (func.id in SQL_BUILDERS and func.id not in bound_elsewhere):
                found.append(f"{name}:{node.lineno} {func.id}()")
        elif isinstance(func, ast.Attribute):
            owner = _receiver(func.value)
            if owner in from_sqlalchemy or owner == "func":
                found.append(f"{name}:{node.lineno} {owner}.{func.attr}()")
            elif func.attr in RUNNERS:
                found.append(f"{name}:{node.lineno} .{func.attr}()")
            elif func.attr in SESSION_METHODS and (owner in SESSION_NAMES or "session" in owner):
                found.append(f"{name}:{node.lineno} {owner}.{func.attr}()")
    return found


def _holding_sql() -> dict[str, list[str]]:
    holding: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("store/"):
            continue
        found = sql_in(path.read_text(encoding="utf-8"), rel)
        if found:
            holding[rel] = found
    return holding


def test_no_new_module_builds_sql_outside_the_store() -> None:
    new = {rel: found for rel, found in _holding_sql().items() if rel not in STILL_HOLDING_SQL}
    assert new == {}, (
        "SQL belongs in qualframe/store/ (a query module per aggregate in store/queries/): "
        f"move it there and call it with a session. Found: {new}"
    )


def test_every_module_on_the_list_still_holds_sql() -> None:
    """A cleared module leaves the list, so the list stays true and only shrinks."""
    holding = _holding_sql()
    cleared = sorted(rel for rel in STILL_HOLDING_SQL if rel not in holding)
    assert cleared == [], f"these modules hold no SQL any more: remove them from STILL_HOLDING_SQL: {cleared}"


def test_every_listed_module_exists_and_says_why() -> None:
    for rel, reason in STILL_HOLDING_SQL.items():
        assert (PACKAGE / rel).is_file(), rel
        assert reason.strip() and "\n" not in reason, rel


def test_the_shells_hold_no_sql() -> None:
    """The CLI and the web app are thin shells: never on the list."""
    assert not [rel for rel in STILL_HOLDING_SQL if rel.startswith(("cli/", "web/"))]


def test_the_check_sees_each_kind_of_sql() -> None:
    """The scan must be able to fail: each way of reaching the database is caught."""
    source = (
        "import sqlalchemy as sa\n"
        "from sqlalchemy import select, func\n"
        "def f(session, study):\n"
        "    session.execute(select(X).where(func.length(X.a) > 1))\n"
        "    session.get(X, 1)\n"
        "    study.session.add(X())\n"
        "    sa.update(X)\n"
        "    rows = session.scalars(text('SELECT 1'))\n"
    )
    found = sql_in(source, "bad.py")
    kinds = sorted(f.split(" ", 1)[1] for f in found)
    assert kinds == sorted(
        [
            "import sqlalchemy",
            "from sqlalchemy import func, select",
            ".execute()",
            "select()",
            "func.length()",
            "session.get()",
            "session.add()",
            "sa.update()",
            ".scalars()",
            "text()",
        ]
    )


def test_the_check_sees_sql_around_the_orm() -> None:
    """Raw driver access is SQL too: a driver import, driver-level SQL, a raw connection."""
    source = (
        "import sqlite3\n"
        "def f(session, engine):\n"
        "    session.connection().exec_driver_sql('PRAGMA secure_delete = ON')\n"
        "    engine.raw_connection()\n"
    )
    assert len(sql_in(source)) == 3


def test_the_check_leaves_plain_code_alone() -> None:
    """Typing-only imports, a dict's ``get`` and a module's own ``delete`` are not SQL."""
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from qualframe.store.queries import memos\n"
        "if TYPE_CHECKING:\n"
        "    from sqlalchemy.orm import Session\n"
        "def delete(items: dict[str, int], key: str) -> int | None:\n"
        "    return items.get(key)\n"
        "def f(session: Session) -> None:\n"
        "    delete({}, 'a')\n"
        "    memos.list_memos(session)\n"
        "    session.info.get('x')\n"
    )
    assert sql_in(source) == []


def test_a_regression_in_a_cleared_module_is_caught(tmp_path: Path) -> None:
    """Adding one query to a module that held none puts it among the modules with SQL."""
    clean = "from qualframe.store.queries import memos\n\ndef f(session):\n    return memos.count(session)\n"
    assert sql_in(clean) == []
    regressed = clean + "\ndef g(session, Memo):\n    return session.execute(select(Memo)).all()\n"
    assert len(sql_in(regressed)) == 2
