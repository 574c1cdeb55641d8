"""public register of algorithms: append-only publications and withdrawals

Revision ID: 0007_public_register
Revises: 0006_analysis
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_public_register"
down_revision = "0006_analysis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_register_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["use_case_id"], ["use_case.id"],
                                name=op.f("fk_public_register_entry_use_case_id_use_case"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_register_entry")),
    )
    with op.batch_alter_table("public_register_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_register_entry_use_case_id"), ["use_case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("public_register_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_register_entry_use_case_id"))
    op.drop_table("public_register_entry")
