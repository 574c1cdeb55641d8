"""portfolio: scoring weights versions, score inputs, budget lines, benefit measures, saved scenarios

Revision ID: 0004_portfolio
Revises: 0003_identity
Create Date: 2026-11-26 01:33:58.169674
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004_portfolio'
down_revision = '0003_identity'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('saved_scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('weights_version', sa.String(length=50), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_saved_scenario_created_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_scenario'))
    )
    op.create_table('scoring_weights_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=50), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_scoring_weights_version_created_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_weights_version')),
    sa.UniqueConstraint('version', name=op.f('uq_scoring_weights_version_version'))
    )
    op.create_table('benefit_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('measured', sa.Float(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_benefit_measure_recorded_by_id_person')),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_benefit_measure_use_case_id_use_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_measure'))
    )
    with op.batch_alter_table('benefit_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefit_measure_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('budget_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('voted', sa.Float(), nullable=False),
    sa.Column('committed', sa.Float(), nullable=False),
    sa.Column('spent', sa.Float(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('voted >= 0 AND committed >= 0 AND spent >= 0', name=op.f('ck_budget_line_amounts_positive')),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_budget_line_use_case_id_use_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_line')),
    sa.UniqueConstraint('use_case_id', 'year', name=op.f('uq_budget_line_use_case_year'))
    )
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_line_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('use_case_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('service_to_residents', sa.Integer(), nullable=True),
    sa.Column('efficiency_gain', sa.Integer(), nullable=True),
    sa.Column('strategic_alignment', sa.Integer(), nullable=True),
    sa.Column('reuse', sa.Integer(), nullable=True),
    sa.Column('data_readiness', sa.Integer(), nullable=True),
    sa.Column('technical_maturity', sa.Integer(), nullable=True),
    sa.Column('internal_skills', sa.Integer(), nullable=True),
    sa.Column('vendor_dependency', sa.Integer(), nullable=True),
    sa.Column('effort_days', sa.Float(), nullable=True),
    sa.Column('rationale', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('data_readiness IS NULL OR data_readiness BETWEEN 1 AND 5', name=op.f('ck_use_case_score_data_readiness_range')),
    sa.CheckConstraint('efficiency_gain IS NULL OR efficiency_gain BETWEEN 1 AND 5', name=op.f('ck_use_case_score_efficiency_gain_range')),
    sa.CheckConstraint('effort_days IS NULL OR effort_days >= 0', name=op.f('ck_use_case_score_effort_days_positive')),
    sa.CheckConstraint('internal_skills IS NULL OR internal_skills BETWEEN 1 AND 5', name=op.f('ck_use_case_score_internal_skills_range')),
    sa.CheckConstraint('reuse IS NULL OR reuse BETWEEN 1 AND 5', name=op.f('ck_use_case_score_reuse_range')),
    sa.CheckConstraint('service_to_residents IS NULL OR service_to_residents BETWEEN 1 AND 5', name=op.f('ck_use_case_score_service_to_residents_range')),
    sa.CheckConstraint('strategic_alignment IS NULL OR strategic_alignment BETWEEN 1 AND 5', name=op.f('ck_use_case_score_strategic_alignment_range')),
    sa.CheckConstraint('technical_maturity IS NULL OR technical_maturity BETWEEN 1 AND 5', name=op.f('ck_use_case_score_technical_maturity_range')),
    sa.CheckConstraint('vendor_dependency IS NULL OR vendor_dependency BETWEEN 1 AND 5', name=op.f('ck_use_case_score_vendor_dependency_range')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['person.id'], name=op.f('fk_use_case_score_updated_by_id_person')),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_use_case_score_use_case_id_use_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_use_case_score')),
    sa.UniqueConstraint('use_case_id', name=op.f('uq_use_case_score_use_case_id'))
    )



def downgrade() -> None:

    op.drop_table('use_case_score')
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_line_use_case_id'))

    op.drop_table('budget_line')
    with op.batch_alter_table('benefit_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefit_measure_use_case_id'))

    op.drop_table('benefit_measure')
    op.drop_table('scoring_weights_version')
    op.drop_table('saved_scenario')

