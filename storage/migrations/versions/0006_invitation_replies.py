"""invitation replies: what a participant answered to a message that invited them

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 04:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A panel invitation or a follow-up answered "oui" or "non" (empty: no answer yet).
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("reply", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("reply")
