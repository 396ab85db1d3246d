"""Hand-offs to the ministry's staff and the messages relayed in them (bot.channels.handoff).

Revision ID: 0006_handoff
Revises: 0003_reminder_pause
Create Date: 2026-12-02
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006_handoff"
down_revision: Union[str, Sequence[str], None] = "0005_staff_account"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UTC = sa.DateTime(timezone=True)  # bot.db.models.UTCDateTime is this type underneath


def upgrade() -> None:
    op.create_table(
        "handoff",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation", sa.String(200), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("group_chat_id", sa.String(64), nullable=False),
        sa.Column("group_message_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", UTC, nullable=False),
        sa.Column("last_activity_at", UTC, nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("closed_by", sa.String(16), nullable=True),
    )
    op.create_table(
        "handoff_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("handoff_id", sa.Integer(), sa.ForeignKey("handoff.id"), nullable=False, index=True),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_key", sa.String(128), nullable=False),
        sa.Column("group_message_id", sa.Integer(), nullable=True, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("delivered_at", UTC, nullable=True),
        sa.UniqueConstraint("handoff_id", "source_key", name="uq_handoff_message"),
    )


def downgrade() -> None:
    op.drop_table("handoff_message")
    op.drop_table("handoff")
