"""refused posts of the public report form, counted per hour, entry and reason (never who posted)

Revision ID: 0013_public_report_refusal
Revises: 0012_use_case_domain
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_public_report_refusal"
down_revision = "0012_use_case_domain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_report_refusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["use_case_id"], ["use_case.id"],
                                name=op.f("fk_public_report_refusal_use_case_id_use_case"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_report_refusal")),
        sa.UniqueConstraint("hour", "use_case_id", "reason",
                            name=op.f("uq_public_report_refusal_hour")),
    )
    with op.batch_alter_table("public_report_refusal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_report_refusal_use_case_id"), ["use_case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("public_report_refusal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_report_refusal_use_case_id"))
    op.drop_table("public_report_refusal")
