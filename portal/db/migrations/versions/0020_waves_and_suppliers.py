"""deployment in waves (plan, waves, go/no-go decisions, rollback plan) and bought AI (contract, supplier's
documents); wave decisions are append-only

Self-contained: creates its own tables and triggers and touches no earlier table.

Revision ID: 0020_waves_and_suppliers
Revises: 0019_needs_and_people
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_waves_and_suppliers"
down_revision = "0019_needs_and_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deployment_wave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('scope_kind', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=True),
    sa.Column('share', sa.Float(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('periods', sa.JSON(), nullable=False),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_deployment_wave_use_case_id_use_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deployment_wave')),
    sa.UniqueConstraint('use_case_id', 'number', name=op.f('uq_deployment_wave_use_case_id'))
    )
    with op.batch_alter_table('deployment_wave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_wave_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('rollback_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('procedure', sa.Text(), nullable=False),
    sa.Column('decider', sa.String(length=300), nullable=False),
    sa.Column('delay_days', sa.Integer(), nullable=False),
    sa.Column('tested_on', sa.Date(), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_rollback_plan_use_case_id_use_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollback_plan')),
    sa.UniqueConstraint('use_case_id', name=op.f('uq_rollback_plan_use_case_id'))
    )
    op.create_table('supplier_contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('supplier', sa.String(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('renewal', sa.String(length=20), nullable=False),
    sa.Column('notice_days', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_supplier_contract_use_case_id_use_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_contract')),
    sa.UniqueConstraint('use_case_id', name=op.f('uq_supplier_contract_use_case_id'))
    )
    op.create_table('supplier_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('stored_path', sa.String(length=500), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_by_name', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_supplier_document_use_case_id_use_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_document'))
    )
    with op.batch_alter_table('supplier_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_document_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('wave_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('authority', sa.String(length=32), nullable=False),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('act_number', sa.String(length=100), nullable=True),
    sa.Column('act_date', sa.Date(), nullable=True),
    sa.Column('session_date', sa.Date(), nullable=True),
    sa.Column('readings', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=300), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_wave_decision_use_case_id_use_case')),
    sa.ForeignKeyConstraint(['wave_id'], ['deployment_wave.id'], name=op.f('fk_wave_decision_wave_id_deployment_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wave_decision'))
    )
    with op.batch_alter_table('wave_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wave_decision_use_case_id'), ['use_case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wave_decision_wave_id'), ['wave_id'], unique=False)
    _protect_wave_decisions()



def downgrade() -> None:
    _unprotect_wave_decisions()
    with op.batch_alter_table('wave_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wave_decision_wave_id'))
        batch_op.drop_index(batch_op.f('ix_wave_decision_use_case_id'))

    op.drop_table('wave_decision')
    with op.batch_alter_table('supplier_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_document_use_case_id'))

    op.drop_table('supplier_document')
    op.drop_table('supplier_contract')
    op.drop_table('rollback_plan')
    with op.batch_alter_table('deployment_wave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_wave_use_case_id'))

    op.drop_table('deployment_wave')


#: A wave's go/no-go, once recorded, is never edited or erased (as gate decisions, migration 0002).
_TABLE = "wave_decision"


def _protect_wave_decisions() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION vigie_wave_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: wave decisions are immutable', TG_TABLE_NAME; END $$"
        )
        op.execute(f"CREATE TRIGGER {_TABLE}_no_update_delete BEFORE UPDATE OR DELETE ON {_TABLE} "
                   "FOR EACH ROW EXECUTE FUNCTION vigie_wave_append_only()")
        op.execute(f"CREATE TRIGGER {_TABLE}_no_truncate BEFORE TRUNCATE ON {_TABLE} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION vigie_wave_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {_TABLE}_no_{verb.lower()} BEFORE {verb} ON {_TABLE} "
                       f"BEGIN SELECT RAISE(ABORT, '{_TABLE} is append-only: wave decisions are immutable'); END")


def _unprotect_wave_decisions() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_no_truncate ON {_TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_no_update_delete ON {_TABLE}")
        op.execute("DROP FUNCTION IF EXISTS vigie_wave_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_no_{verb}")
