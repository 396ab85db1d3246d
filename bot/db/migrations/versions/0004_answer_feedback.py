"""Users' ratings of the assistant's answers (``answer_feedback``, bot.db.feedback).

Revision ID: 0004_answer_feedback
Revises: 0003_reminder_pause
Create Date: 2026-12-02
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004_answer_feedback"
down_revision: Union[str, Sequence[str], None] = "0003_reminder_pause"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UTC = sa.DateTime(timezone=True)  # bot.db.models.UTCDateTime is this type underneath


def upgrade() -> None:
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UTC, nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("answer_key", sa.String(128), nullable=False),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
    )
    op.create_index("ix_answer_feedback_at", "answer_feedback", ["at"])
    op.create_index("ix_answer_feedback_sender_id", "answer_feedback", ["sender_id"])
    op.create_index("ix_answer_feedback_answer_key", "answer_feedback", ["answer_key"])


def downgrade() -> None:
    op.drop_table("answer_feedback")
