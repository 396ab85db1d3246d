"""The operators' console: staff accounts and unanswered questions marked handled.

- ``staff_account``: who may sign in to ``/admin/`` (``python -m bot staff``),
  with an argon2id password hash.
- ``handled_question``: groups of unanswered questions an operator marked as
  handled (keyed by the SHA-256 of the group's normalised text: no question text
  is kept), so they leave the default view.

Revision ID: 0005_staff_account
Revises: 0004_answer_feedback
Create Date: 2026-12-02
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005_staff_account"
down_revision: Union[str, Sequence[str], None] = "0004_answer_feedback"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UTC = sa.DateTime(timezone=True)  # bot.db.models.UTCDateTime is this type underneath


def upgrade() -> None:
    op.create_table(
        "staff_account",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("last_login_at", UTC, nullable=True),
    )
    op.create_table(
        "handled_question",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("handled_at", UTC, nullable=False),
        sa.Column("handled_by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("handled_question")
    op.drop_table("staff_account")
