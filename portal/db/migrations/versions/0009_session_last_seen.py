"""sessions remember when they were last used, so an idle one can end

Revision ID: 0009_session_last_seen
Revises: 0008_role_source
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_session_last_seen"
down_revision = "0008_role_source"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identity_session") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identity_session") as batch:
        batch.drop_column("last_seen_at")
