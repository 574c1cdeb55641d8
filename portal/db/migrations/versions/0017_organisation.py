"""the collectivité's own facts (name, population, staff, contacts, DPO), set once by an administrator

Revision ID: 0017_organisation
Revises: 0016_benefit_measure_version
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0017_organisation"
down_revision = "0016_benefit_measure_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("staff_fte", sa.Integer(), nullable=True),
        sa.Column("contact", sa.String(300), nullable=False, server_default=""),
        sa.Column("dpo_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("dpo_contact", sa.String(300), nullable=False, server_default=""),
        sa.Column("is_territorial_collectivity", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("organisation")
