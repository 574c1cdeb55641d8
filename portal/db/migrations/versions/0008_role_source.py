"""role assignments say where they come from: granted in Vigie, or by the group mapping

Revision ID: 0008_role_source
Revises: 0007_public_register
Create Date: 2026-11-26

Assignments made before this revision count as granted in Vigie ("vigie"): the group mapping never
revokes them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_role_source"
down_revision = "0007_public_register"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("role_assignment") as batch:
        batch.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="vigie"))


def downgrade() -> None:
    with op.batch_alter_table("role_assignment") as batch:
        batch.drop_column("source")
