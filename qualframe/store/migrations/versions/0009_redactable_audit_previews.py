"""Redactable audit previews: participant text an event quotes sits beside the hash chain.

``audit_events`` gains ``preview`` (the quoted text: a coded passage, an alter's label, a memo's
title) and ``preview_digest`` (its SHA-256, which the event's hash covers). The append-only trigger
on UPDATE is narrowed so that only ``preview`` may change: pseudonymisation replaces the names in
it, records the new preview's digest in its own event, and the chain still verifies. Events
written before this revision have neither column set and hash exactly as before.

Revision ID: 0009
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Every column of audit_events except ``preview``: updating any of them is refused.
_SEALED = (
    'id, "at", user_id, action, entity_type, entity_id, summary, details, prev_hash, hash, preview_digest'
)


def upgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preview", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("preview_digest", sa.String(length=64), nullable=True))
    op.execute(
        f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE OF {_SEALED} ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )


def downgrade() -> None:
    for verb in ("update", "delete"):  # rebuilding the table in batch mode would drop them anyway
        op.execute(f"DROP TRIGGER IF EXISTS audit_events_no_{verb}")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("preview_digest")
        batch_op.drop_column("preview")
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )
