"""analysis: bindings, runs and artifacts

Revision ID: 0006_analysis
Revises: 0005_monitoring
Create Date: 2026-11-26 01:34:48.918670
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006_analysis'
down_revision = '0005_monitoring'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('analysis_binding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('module_key', sa.String(length=64), nullable=False),
    sa.Column('bound_by_id', sa.Integer(), nullable=True),
    sa.Column('bound_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_analysis_binding_use_case_id_use_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_binding')),
    sa.UniqueConstraint('use_case_id', name=op.f('uq_analysis_binding_use_case_id'))
    )
    op.create_table('analysis_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('module_key', sa.String(length=64), nullable=False),
    sa.Column('module_version', sa.String(length=32), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('input_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('progress_label', sa.String(length=200), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_reference', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_analysis_run_use_case_id_use_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_run'))
    )
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_run_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('analysis_artifact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=True),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], name=op.f('fk_analysis_artifact_run_id_analysis_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_artifact')),
    sa.UniqueConstraint('run_id', 'kind', 'name', name=op.f('uq_analysis_artifact_run_id'))
    )
    with op.batch_alter_table('analysis_artifact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_artifact_run_id'), ['run_id'], unique=False)



def downgrade() -> None:
    
    with op.batch_alter_table('analysis_artifact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_artifact_run_id'))

    op.drop_table('analysis_artifact')
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_run_use_case_id'))

    op.drop_table('analysis_run')
    op.drop_table('analysis_binding')
