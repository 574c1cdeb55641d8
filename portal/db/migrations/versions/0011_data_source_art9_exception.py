"""a data source of sensitive data names the Art. 9(2) RGPD exception it rests on

Revision ID: 0011_data_source_art9
Revises: 0010_public_report
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_data_source_art9"
down_revision = "0010_public_report"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_source") as batch:
        batch.add_column(sa.Column("art9_exception", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("data_source") as batch:
        batch.drop_column("art9_exception")
