"""Names of sources, codes, cases and themes lose invisible and direction-changing characters.

New names are cleaned where they enter a study (``qualframe.io.text.clean_name``); this cleans
the names of studies made before, so that a name imported from a hostile file (``P0\\u202e1``,
``P01\\u200b``) no longer displays as, or hides behind, another one. A name that would then equal
another one in the same scope gets `` (2)``, `` (3)``... No table changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: Table, the column that scopes uniqueness (None: the whole table), longest name, the fallback.
_TABLES = (
    ("sources", None, 300, "untitled"),
    ("cases", None, 200, "case"),
    ("themes", None, 300, "theme"),
    ("codes", "codebook_id", 200, "code"),
)


def upgrade() -> None:
    from qualframe.naming import clean_name

    bind = op.get_bind()
    for table, scope, longest, fallback in _TABLES:
        scope_column = f", {scope}" if scope else ", NULL"
        rows = bind.execute(sa.text(f"SELECT id, name{scope_column} FROM {table} ORDER BY id")).all()
        taken: dict[object, set[str]] = {}
        for _, name, group in rows:
            taken.setdefault(group, set()).add(name.casefold())
        for row_id, name, group in rows:
            cleaned = clean_name(name)[:longest] or fallback
            if cleaned == name:
                continue
            names = taken[group]
            names.discard(name.casefold())
            candidate, n = cleaned, 2
            while candidate.casefold() in names:
                candidate, n = f"{cleaned} ({n})", n + 1
            names.add(candidate.casefold())
            bind.execute(
                sa.text(f"UPDATE {table} SET name = :name WHERE id = :id"), {"name": candidate, "id": row_id}
            )


def downgrade() -> None:
    # The characters removed were invisible or spoofing ones; they are not put back.
    pass
