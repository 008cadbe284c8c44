"""themes and proposals: facilitators' theme corrections, proposals and their answers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 05:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('theme_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('automatic', sa.String(length=40), nullable=True),
    sa.Column('corrected_by', sa.String(length=255), nullable=False),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id')
    )
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flow_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_proposals_flow', 'proposals', ['flow_id'], unique=False)
    op.create_table('proposal_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id')
    )
    op.create_index(op.f('ix_proposal_members_proposal_id'), 'proposal_members', ['proposal_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_proposal_members_proposal_id'), table_name='proposal_members')
    op.drop_table('proposal_members')
    op.drop_index('ix_proposals_flow', table_name='proposals')
    op.drop_table('proposals')
    op.drop_table('theme_corrections')
