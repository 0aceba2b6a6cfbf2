"""Alters: the roles housemate, colleague and professional, and whether an alter is a group.

Network extraction now proposes flatmates, colleagues, bosses and professionals (a GP, a lawyer,
a probation officer) and groups ("my friends", "my parents") as well as single people; the role
check constraint gains the three roles and ``alters.is_group`` records a group (false for every
alter proposed before).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_OLD = ("friend", "partner", "family", "fellow user", "dealer", "key worker", "other")
_NEW = (
    "friend",
    "partner",
    "family",
    "fellow user",
    "dealer",
    "key worker",
    "housemate",
    "colleague",
    "professional",
    "other",
)


def upgrade() -> None:
    with op.batch_alter_table("alters", schema=None, recreate="always") as batch_op:
        batch_op.add_column(sa.Column("is_group", sa.Boolean(), server_default="0", nullable=False))
        batch_op.drop_constraint(op.f("ck_alters_role"), type_="check")
        batch_op.create_check_constraint("role", f"role IN {_NEW}")


def downgrade() -> None:
    op.execute(f"UPDATE alters SET role = 'other' WHERE role NOT IN {_OLD}")
    with op.batch_alter_table("alters", schema=None, recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_alters_role"), type_="check")
        batch_op.create_check_constraint("role", f"role IN {_OLD}")
        batch_op.drop_column("is_group")
