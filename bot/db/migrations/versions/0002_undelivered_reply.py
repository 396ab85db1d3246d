"""Replies a platform did not take when the turn ran (bot.channels.outbox).

Revision ID: 0002_undelivered_reply
Revises: 0001_baseline
Create Date: 2026-12-02
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002_undelivered_reply"
down_revision: Union[str, Sequence[str], None] = "0001_baseline"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UTC = sa.DateTime(timezone=True)  # bot.db.models.UTCDateTime is this type underneath


def upgrade() -> None:
    op.create_table(
        "undelivered_reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(128), nullable=False),
        sa.Column("call", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
    )
    op.create_index("ix_undelivered_reply_recipient", "undelivered_reply", ["recipient"])


def downgrade() -> None:
    op.drop_index("ix_undelivered_reply_recipient", table_name="undelivered_reply")
    op.drop_table("undelivered_reply")
