"""the sheet records what the transparency standards and the CRPA explanation ask (proportionality,
impact assessments, training data, performance, oversight, rollback, parameters and operations…)

Revision ID: 0018_transparency_fields
Revises: 0017_organisation
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_transparency_fields"
down_revision = "0017_organisation"
branch_labels = None
depends_on = None

#: Free texts of the sheet, empty (NULL) until someone writes them.
TEXTS = ("remark", "proportionality", "training_data", "data_bias", "dpia_summary", "technical_description",
         "methods_and_models", "performance", "alternatives_considered", "product_information", "aia_summary",
         "monitoring_summary", "rollback")
#: Addresses (the AIPD, the code, the product page, the algorithmic impact assessment).
URLS = ("dpia_url", "codebase_url", "product_page", "aia_url")


def upgrade() -> None:
    with op.batch_alter_table("use_case") as batch:
        batch.add_column(sa.Column("contact_phone", sa.String(50), nullable=True))
        for name in TEXTS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=True))
        for name in URLS:
            batch.add_column(sa.Column(name, sa.String(500), nullable=True))
        # the CRPA explanation (R311-3-1-2): parameters with their source and weight, and the operations
        batch.add_column(sa.Column("parameters", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("operations", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("use_case") as batch:
        for name in ("operations", "parameters", *reversed(URLS), *reversed(TEXTS), "contact_phone"):
            batch.drop_column(name)
