"""the public reports errors in, asks about or contests a published register entry

Revision ID: 0010_public_report
Revises: 0009_session_last_seen
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_public_report"
down_revision = "0009_session_last_seen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["use_case_id"], ["use_case.id"],
                                name=op.f("fk_public_report_use_case_id_use_case"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_report")),
    )
    with op.batch_alter_table("public_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_report_use_case_id"), ["use_case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("public_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_report_use_case_id"))
    op.drop_table("public_report")
