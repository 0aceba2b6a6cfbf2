"""Codes can be marked structural (life phases, tie types, case classifications): saturation and
other counts of "new codes" leave them out by default, because they are present by design.

Revision ID: 0010
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("codes") as batch:
        batch.add_column(sa.Column("structural", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("codes") as batch:
        batch.drop_column("structural")
