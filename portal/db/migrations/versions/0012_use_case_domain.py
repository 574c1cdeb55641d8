"""a use case names the public policy domain it serves (the Eurocities standard's 21 domains)

Revision ID: 0012_use_case_domain
Revises: 0011_data_source_art9
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_use_case_domain"
down_revision = "0011_data_source_art9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("use_case") as batch:
        batch.add_column(sa.Column("domain", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("use_case") as batch:
        batch.drop_column("domain")
