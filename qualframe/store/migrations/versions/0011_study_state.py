"""Study state versions: a counter per table, bumped by triggers in the writing transaction, so
analysis results can be cached until a write changes what they read (issue 18).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The tables whose changes can change a finding, a page or an export. Not counted: the audit log
# (append-only, its own chain), web sessions, study facts, and caches (vectors, LLM answers).
# Frozen here, as a migration must be; qualframe.store.state.TRACKED_TABLES names the same list.
TABLES = (
    "users",
    "cases",
    "attributes",
    "attribute_values",
    "sources",
    "segments",
    "codebooks",
    "codes",
    "codings",
    "memos",
    "suggestion_runs",
    "engine_states",
    "coded_ranges",
    "themes",
    "theme_codes",
    "assignments",
    "reconciliations",
    "matrix_cells",
    "alters",
    "alter_mentions",
    "ties",
    "alter_ties",
    "tie_evidence",
)
VERBS = ("insert", "update", "delete")


def upgrade() -> None:
    op.create_table(
        "study_state",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_study_state")),
    )
    op.execute(
        "INSERT INTO study_state (name, version) VALUES "
        + ", ".join(f"('{t}', 0)" for t in TABLES)
        + ", ('generation', abs(random()))"
    )
    for table in TABLES:
        for verb in VERBS:
            op.execute(
                f"CREATE TRIGGER study_state_{table}_{verb} AFTER {verb.upper()} ON {table} BEGIN "
                f"UPDATE study_state SET version = version + 1 WHERE name = '{table}'; END"
            )


def downgrade() -> None:
    for table in TABLES:
        for verb in VERBS:
            op.execute(f"DROP TRIGGER IF EXISTS study_state_{table}_{verb}")
    op.drop_table("study_state")
