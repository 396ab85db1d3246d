"""Reminders paused for unreachable accounts; undelivered replies retried from the database.

- ``reminder_pause``: one row per account whose reminders are paused because a
  platform said it cannot be reached (bot.officials.reminders), deleted when
  it writes again. A table of its own, so that ``account_link`` keeps its shape.
- ``undelivered_reply.next_attempt_at``: when a pending reply may be tried
  again, so that any server, after a restart too, picks it up (bot.channels.outbox).

Revision ID: 0003_reminder_pause
Revises: 0002_undelivered_reply
Create Date: 2026-12-02
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003_reminder_pause"
down_revision: Union[str, Sequence[str], None] = "0002_undelivered_reply"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UTC = sa.DateTime(timezone=True)  # bot.db.models.UTCDateTime is this type underneath


def upgrade() -> None:
    op.create_table(
        "reminder_pause",
        sa.Column("account_link_id", sa.Integer(), sa.ForeignKey("account_link.id"), primary_key=True),
        sa.Column("paused_at", UTC, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    with op.batch_alter_table("undelivered_reply") as batch:
        batch.add_column(sa.Column("next_attempt_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("undelivered_reply") as batch:
        batch.drop_column("next_attempt_at")
    op.drop_table("reminder_pause")
