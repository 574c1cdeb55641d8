"""benefit measures carry a version, like every other editable row (a stale correction is refused)

Revision ID: 0016_benefit_measure_version
Revises: 0015_notifications
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_benefit_measure_version"
down_revision = "0015_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # existing measures start at version 1, as SQLAlchemy numbers a new row
    with op.batch_alter_table("benefit_measure") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("benefit_measure") as batch:
        batch.alter_column("version", server_default=None, existing_type=sa.Integer(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("benefit_measure") as batch:
        batch.drop_column("version")
