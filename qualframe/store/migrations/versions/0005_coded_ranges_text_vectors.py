"""Assisted coding learns from decisions: passages marked coded (``coded_ranges``), and sentence
vectors cached in the study (``text_vectors``) so re-scoring after a fit is fast.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coded_ranges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("codebook_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["codebook_id"],
            ["codebooks.id"],
            name=op.f("fk_coded_ranges_codebook_id_codebooks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["coder_id"], ["users.id"], name=op.f("fk_coded_ranges_coder_id_users")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_coded_ranges_source_id_sources"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coded_ranges")),
    )
    op.create_index(op.f("ix_coded_ranges_coder_id"), "coded_ranges", ["coder_id"], unique=False)
    op.create_index(op.f("ix_coded_ranges_source_id"), "coded_ranges", ["source_id"], unique=False)
    op.create_table(
        "text_vectors",
        sa.Column("model", sa.String(length=300), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("model", "digest", name=op.f("pk_text_vectors")),
    )


def downgrade() -> None:
    op.drop_table("text_vectors")
    op.drop_index(op.f("ix_coded_ranges_source_id"), table_name="coded_ranges")
    op.drop_index(op.f("ix_coded_ranges_coder_id"), table_name="coded_ranges")
    op.drop_table("coded_ranges")
