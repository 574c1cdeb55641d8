"""notifications and reminders: inbox items, deliveries (e-mail, digest, webhook), preferences, cursor

Revision ID: 0015_notifications
Revises: 0013_public_report_refusal
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_notifications"
down_revision = "0013_public_report_refusal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=1000), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["recipient_id"], ["person.id"],
                                name=op.f("fk_notification_delivery_recipient_id_person"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_delivery")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notification_delivery_idempotency_key")),
    )
    with op.batch_alter_table("notification_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_delivery_recipient_id"), ["recipient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_delivery_status"), ["status"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=True),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_delivery_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["recipient_id"], ["person.id"],
                                name=op.f("fk_notification_recipient_id_person"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["use_case_id"], ["use_case.id"],
                                name=op.f("fk_notification_use_case_id_use_case"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["email_delivery_id"], ["notification_delivery.id"],
                                name=op.f("fk_notification_email_delivery_id_notification_delivery"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("recipient_id", "source_key", name=op.f("uq_notification_recipient_id")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_recipient_id"), ["recipient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_use_case_id"), ["use_case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_email_delivery_id"), ["email_delivery_id"], unique=False)

    op.create_table(
        "notification_preference",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("email_enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_notification_preference_person_id_person"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_notification_preference")),
    )
    op.create_table(
        "notification_cursor",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_notification_cursor")),
    )


def downgrade() -> None:
    op.drop_table("notification_cursor")
    op.drop_table("notification_preference")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_email_delivery_id"))
        batch_op.drop_index(batch_op.f("ix_notification_use_case_id"))
        batch_op.drop_index(batch_op.f("ix_notification_recipient_id"))
    op.drop_table("notification")
    with op.batch_alter_table("notification_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_delivery_status"))
        batch_op.drop_index(batch_op.f("ix_notification_delivery_recipient_id"))
    op.drop_table("notification_delivery")
