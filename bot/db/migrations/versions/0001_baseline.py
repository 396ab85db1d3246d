"""Baseline: the schema as ``create_all`` made it up to the officials' workflow.

Databases made before migrations existed have some or all of these tables and
no ``alembic_version``: only the missing tables (with their indexes) are
created, so such a database is upgraded in place with its rows intact (a
database from before the officials' workflow gains those tables). A new
database gets them all.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-01
"""
from typing import Callable, Dict, List, Sequence, Tuple, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001_baseline"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UTC = sa.DateTime(timezone=True)  # bot.db.models.UTCDateTime is this type underneath


def _tables() -> List[Tuple[str, Callable[[], Sequence[sa.schema.SchemaItem]], Dict[str, List[str]]]]:
    """``(table, columns and constraints, {index name: columns})`` in creation order."""
    return [
        ("agency", lambda: [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("code", sa.String(32), nullable=False, unique=True),
            sa.Column("name", sa.String(255), nullable=False),
            sa.Column("kind", sa.String(32), nullable=False),
            sa.Column("aliases", sa.JSON(), nullable=False),
        ], {}),
        ("link_attempt", lambda: [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("channel", sa.String(32), nullable=False),
            sa.Column("user_id", sa.String(128), nullable=False),
            sa.Column("at", UTC, nullable=False),
            sa.Column("ok", sa.Boolean(), nullable=False),
        ], {"ix_link_attempt_at": ["at"]}),
        ("obligation", lambda: [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("code", sa.String(32), nullable=False, unique=True),
            sa.Column("kind", sa.String(32), nullable=False),
            sa.Column("year", sa.Integer(), nullable=False),
            sa.Column("quarter", sa.Integer(), nullable=True),
            sa.Column("title", sa.Text(), nullable=False),
            sa.Column("due_date", sa.Date(), nullable=False),
            sa.Column("due_date_origin", sa.String(32), nullable=False),
            sa.Column("due_date_source", sa.Text(), nullable=False),
        ], {}),
        ("agency_succession", lambda: [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("predecessor_id", sa.Integer(), sa.ForeignKey("agency.id", ondelete="CASCADE"), nullable=False),
            sa.Column("successor_name", sa.String(255), nullable=False),
            sa.Column("successor_id", sa.Integer(), sa.ForeignKey("agency.id"), nullable=True),
            sa.Column("effective", sa.Date(), nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("source", sa.Text(), nullable=False),
            sa.UniqueConstraint("predecessor_id", "successor_name", name="uq_succession"),
        ], {}),
        ("link_code", lambda: [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id"), nullable=False),
            sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
            sa.Column("created_at", UTC, nullable=False),
            sa.Column("expires_at", UTC, nullable=False),
            sa.Column("created_by", sa.String(128), nullable=False),
            sa.Column("used_at", UTC, nullable=True),
            sa.Column("used_by_channel", sa.String(32), nullable=True),
            sa.Column("used_by_user", sa.String(128), nullable=True),
            sa.Column("revoked_at", UTC, nullable=True),
        ], {"ix_link_code_agency_id": ["agency_id"]}),
        ("submission", lambda: [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id"), nullable=False),
            sa.Column("obligation_id", sa.Integer(), sa.ForeignKey("obligation.id"), nullable=False),
            sa.Column("received_on", sa.Date(), nullable=False),
            sa.Column("reference_number", sa.String(128), nullable=False),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("is_sample", sa.Boolean(), nullable=False),
            sa.Column("created_at", UTC, nullable=False),
            sa.UniqueConstraint("agency_id", "obligation_id", "reference_number", name="uq_submission"),
        ], {"ix_submission_agency_id": ["agency_id"], "ix_submission_obligation_id": ["obligation_id"]}),
        ("account_link", lambda: [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("channel", sa.String(32), nullable=False),
            sa.Column("user_id", sa.String(128), nullable=False),
            sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id"), nullable=False),
            sa.Column("link_code_id", sa.Integer(), sa.ForeignKey("link_code.id"), nullable=True),
            sa.Column("linked_at", UTC, nullable=False),
            sa.Column("revoked_at", UTC, nullable=True),
            sa.Column("subscribed", sa.Boolean(), nullable=False),
            sa.Column("last_inbound_at", UTC, nullable=True),
            sa.UniqueConstraint("channel", "user_id", name="uq_account_link"),
        ], {"ix_account_link_agency_id": ["agency_id"]}),
        ("audit_entry", lambda: [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("at", UTC, nullable=False),
            sa.Column("actor", sa.String(16), nullable=False),
            sa.Column("channel", sa.String(32), nullable=True),
            sa.Column("user_id", sa.String(128), nullable=True),
            sa.Column("action", sa.String(32), nullable=False),
            sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id"), nullable=True),
            sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submission.id"), nullable=True),
            sa.Column("message", sa.Text(), nullable=False),
            sa.Column("detail", sa.JSON(), nullable=False),
        ], {"ix_audit_entry_at": ["at"]}),
        ("reminder_delivery", lambda: [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("account_link_id", sa.Integer(), sa.ForeignKey("account_link.id"), nullable=False),
            sa.Column("obligation_id", sa.Integer(), sa.ForeignKey("obligation.id"), nullable=False),
            sa.Column("stage", sa.String(16), nullable=False),
            sa.Column("local_day", sa.Date(), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("claimed_at", UTC, nullable=False),
            sa.Column("finished_at", UTC, nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("text", sa.Text(), nullable=False),
            sa.UniqueConstraint("account_link_id", "obligation_id", "stage", name="uq_reminder_delivery"),
        ], {"ix_reminder_delivery_account_link_id": ["account_link_id"]}),
    ]


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, items, indexes in _tables():
        if name in existing:
            continue
        op.create_table(name, *items())
        for index, columns in indexes.items():
            op.create_index(index, name, columns)


def downgrade() -> None:
    for name, _, _ in reversed(_tables()):
        op.drop_table(name)
