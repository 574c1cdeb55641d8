"""indexes for a large portfolio: the audit trail searched by person, period and use case; late
obligations; the latest monitoring run of each use case (issue 23, decision record 0086)

Revision ID: 0021_scale_indexes
Revises: 0020_waves_and_suppliers
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0021_scale_indexes"
down_revision = "0020_waves_and_suppliers"
branch_labels = None
depends_on = None

#: (index name, table, columns); names follow the models' naming convention.
INDEXES = (
    ("ix_audit_event_actor_id", "audit_event", ["actor_id"]),
    ("ix_audit_event_at", "audit_event", ["at"]),
    ("ix_audit_event_use_case_seq", "audit_event", ["use_case_id", "seq"]),
    ("ix_obligation_record_due_date", "obligation_record", ["due_date"]),
    ("ix_monitoring_run_use_case_id_id", "monitoring_run", ["use_case_id", "id"]),
    ("ix_use_case_end_date", "use_case", ["end_date"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
