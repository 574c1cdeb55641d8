"""the people around each use case: services' needs (triaged into ideas), the agents who use it
(groups, training sessions, feedback per period) and residents' service-quality measures

Revision ID: 0019_needs_and_people
Revises: 0018_transparency_fields
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019_needs_and_people'
down_revision = '0018_transparency_fields'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agent_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('service', sa.String(length=200), nullable=False),
    sa.Column('n_suggestions', sa.Integer(), nullable=False),
    sa.Column('n_useful', sa.Integer(), nullable=False),
    sa.Column('n_wrong', sa.Integer(), nullable=False),
    sa.Column('n_overridden', sa.Integer(), nullable=False),
    sa.Column('override_reasons', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('n_suggestions >= 0 AND n_useful >= 0 AND n_wrong >= 0 AND n_overridden >= 0', name=op.f('ck_agent_feedback_counts_positive')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_agent_feedback_recorded_by_id_person')),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_agent_feedback_use_case_id_use_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_feedback')),
    sa.UniqueConstraint('use_case_id', 'period', 'service', name='uq_agent_feedback_period_service')
    )
    with op.batch_alter_table('agent_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_feedback_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('resident_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('indicator', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('higher_is_better', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_resident_measure_recorded_by_id_person')),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_resident_measure_use_case_id_use_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_measure')),
    sa.UniqueConstraint('use_case_id', 'indicator', 'period', name='uq_resident_measure_indicator_period')
    )
    with op.batch_alter_table('resident_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_measure_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('service_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('difficulty', sa.Text(), nullable=False),
    sa.Column('frequency', sa.String(length=20), nullable=False),
    sa.Column('beneficiaries', sa.String(length=300), nullable=False),
    sa.Column('service', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('use_case_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('triaged_by_id', sa.Integer(), nullable=True),
    sa.Column('triaged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['service_need.id'], name=op.f('fk_service_need_merged_into_id_service_need')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['person.id'], name=op.f('fk_service_need_submitted_by_id_person')),
    sa.ForeignKeyConstraint(['triaged_by_id'], ['person.id'], name=op.f('fk_service_need_triaged_by_id_person')),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_service_need_use_case_id_use_case'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_need'))
    )
    with op.batch_alter_table('service_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_need_service'), ['service'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_need_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_need_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('training_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('trainer', sa.String(length=200), nullable=True),
    sa.Column('service', sa.String(length=200), nullable=True),
    sa.Column('attendees', sa.JSON(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_training_session_recorded_by_id_person')),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_training_session_use_case_id_use_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_session'))
    )
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_session_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('use_case_user_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=200), nullable=False),
    sa.Column('agents', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('agents >= 0', name=op.f('ck_use_case_user_group_agents_positive')),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_case.id'], name=op.f('fk_use_case_user_group_use_case_id_use_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_use_case_user_group')),
    sa.UniqueConstraint('use_case_id', 'service', name='uq_use_case_user_group_service')
    )
    with op.batch_alter_table('use_case_user_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_use_case_user_group_use_case_id'), ['use_case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('use_case_user_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_use_case_user_group_use_case_id'))

    op.drop_table('use_case_user_group')
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_session_use_case_id'))

    op.drop_table('training_session')
    with op.batch_alter_table('service_need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_need_use_case_id'))
        batch_op.drop_index(batch_op.f('ix_service_need_status'))
        batch_op.drop_index(batch_op.f('ix_service_need_service'))

    op.drop_table('service_need')
    with op.batch_alter_table('resident_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_measure_use_case_id'))

    op.drop_table('resident_measure')
    with op.batch_alter_table('agent_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_feedback_use_case_id'))

    op.drop_table('agent_feedback')
