"""perf indexes: a participant's last message, and delivery reports by platform id

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 18:30:00.000000
"""
from collections.abc import Sequence

from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The SMS webhook reads a participant's last message (the question a number answers).
    op.create_index('ix_outbox_participant', 'outbox', ['participant_id', 'id'], unique=False)
    # Status callbacks that name no outbox row find it by the platform's message id.
    op.create_index('ix_outbox_external_id', 'outbox', ['external_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_external_id', table_name='outbox')
    op.drop_index('ix_outbox_participant', table_name='outbox')
