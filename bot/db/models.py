"""SQLAlchemy 1.4 declarative models (queries use the 2.0 style).

The tables are made and changed only by the migrations in
``bot/db/migrations/`` (:func:`bot.db.migrate.upgrade`); a change here needs a
new migration (a test compares the two).

Dates (``received_on``, ``due_date``, ``effective``) are local calendar dates in
Asia/Ho_Chi_Minh; ``created_at`` is a UTC timestamp.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

Base = declarative_base()


class UTCDateTime(TypeDecorator):
    """A timestamp that comes back timezone-aware (UTC) from every database.

    SQLite keeps no time zone and returns naive values; PostgreSQL returns aware
    ones. Values are stored in UTC (a naive value is taken as UTC) and read back
    as aware UTC, so callers compare and format them without special cases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Agency(Base):
    """A 2022 addressee of Văn bản 797/BTTTT-THH."""

    __tablename__ = "agency"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), nullable=False, unique=True)
    name = Column(String(255), nullable=False)
    kind = Column(String(32), nullable=False)
    aliases = Column(JSON, nullable=False, default=list)


class AgencySuccession(Base):
    """What became of an agency after 2022 (operator data)."""

    __tablename__ = "agency_succession"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_name", name="uq_succession"),)

    id = Column(Integer, primary_key=True)
    predecessor_id = Column(Integer, ForeignKey("agency.id", ondelete="CASCADE"), nullable=False)
    successor_name = Column(String(255), nullable=False)
    successor_id = Column(Integer, ForeignKey("agency.id"), nullable=True)
    effective = Column(Date, nullable=False)
    kind = Column(String(16), nullable=False, default="merge")
    source = Column(Text, nullable=False, default="")

    predecessor = relationship(Agency, foreign_keys=[predecessor_id])
    successor = relationship(Agency, foreign_keys=[successor_id])


class Obligation(Base):
    """Something every addressee must send: the 2022 plan or a quarterly report."""

    __tablename__ = "obligation"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), nullable=False, unique=True)
    kind = Column(String(32), nullable=False)  # plan | quarterly_report
    year = Column(Integer, nullable=False)
    quarter = Column(Integer, nullable=True)
    title = Column(Text, nullable=False)
    due_date = Column(Date, nullable=False)
    due_date_origin = Column(String(32), nullable=False)  # operator_default | directive
    due_date_source = Column(Text, nullable=False)


class Submission(Base):
    """A document an agency sent for an obligation."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("agency_id", "obligation_id", "reference_number", name="uq_submission"),
    )

    id = Column(Integer, primary_key=True)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=False, index=True)
    obligation_id = Column(Integer, ForeignKey("obligation.id"), nullable=False, index=True)
    received_on = Column(Date, nullable=False)
    reference_number = Column(String(128), nullable=False, default="")
    note = Column(Text, nullable=False, default="")
    is_sample = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime(), nullable=False, default=_utcnow)

    agency = relationship(Agency)
    obligation = relationship(Obligation)


# --------------------------------------------------------------------------- #
# Officials' workflow (identity, audit, reminders).                            #
# --------------------------------------------------------------------------- #
class LinkCode(Base):
    """A one-time code an operator issues so that a chat account can link to an agency.

    Only a SHA-256 of the code is stored. ``used_at`` / ``revoked_at`` end it;
    ``expires_at`` (UTC) bounds it in time.
    """

    __tablename__ = "link_code"

    id = Column(Integer, primary_key=True)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=False, index=True)
    code_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    expires_at = Column(UTCDateTime(), nullable=False)
    created_by = Column(String(128), nullable=False, default="operator")
    used_at = Column(UTCDateTime(), nullable=True)
    used_by_channel = Column(String(32), nullable=True)
    used_by_user = Column(String(128), nullable=True)
    revoked_at = Column(UTCDateTime(), nullable=True)

    agency = relationship(Agency)


class AccountLink(Base):
    """A chat account (channel + user id) linked to one agency: the "official" role.

    One row per account; ``revoked_at`` set means the account is public again.
    ``subscribed`` switches deadline reminders on; ``last_inbound_at`` (UTC) is the
    time of the account's latest message (Zalo lets an OA write freely only
    within a window after it).
    """

    __tablename__ = "account_link"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_account_link"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    user_id = Column(String(128), nullable=False)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=False, index=True)
    link_code_id = Column(Integer, ForeignKey("link_code.id"), nullable=True)
    linked_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    revoked_at = Column(UTCDateTime(), nullable=True)
    subscribed = Column(Boolean, nullable=False, default=False)
    last_inbound_at = Column(UTCDateTime(), nullable=True)

    agency = relationship(Agency)


class LinkAttempt(Base):
    """One attempt to use a link code (for the lock-out after repeated failures)."""

    __tablename__ = "link_attempt"

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    user_id = Column(String(128), nullable=False)
    at = Column(UTCDateTime(), nullable=False, default=_utcnow, index=True)
    ok = Column(Boolean, nullable=False)


class AuditEntry(Base):
    """Who changed what, from where and when (append-only, but for ``submission_id``, see below).

    ``actor`` is ``official`` (a linked chat account), ``operator`` (CLI) or
    ``import`` (file import); ``action`` e.g. ``link``, ``unlink``, ``revoke_link``,
    ``issue_code``, ``record_submission``, ``import_submissions``, ``subscribe``,
    ``unsubscribe``, ``withdraw_submission``, ``correct_submission`` (detail:
    the record ``before`` and ``after``; a withdrawn row is deleted and the
    ``submission_id`` of older entries is cleared, see :mod:`bot.db.corrections`).
    ``message`` is the chat text that asked for it (as typed).
    """

    __tablename__ = "audit_entry"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime(), nullable=False, default=_utcnow, index=True)
    actor = Column(String(16), nullable=False)
    channel = Column(String(32), nullable=True)
    user_id = Column(String(128), nullable=True)
    action = Column(String(32), nullable=False)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=True)
    submission_id = Column(Integer, ForeignKey("submission.id"), nullable=True)
    message = Column(Text, nullable=False, default="")
    detail = Column(JSON, nullable=False, default=dict)


class ReminderDelivery(Base):
    """One reminder for one account about one obligation at one stage.

    The unique key (account, obligation, stage) makes sending idempotent: a row is
    claimed (``status`` ``sending``) before the message goes out, so a restart, a
    second scheduler or a clock change cannot send it twice. ``stage`` is
    ``before_<N>`` (N days before the due date) or ``overdue``. ``status`` ends as
    ``sent`` or ``failed`` (``error`` says why), or ``retry`` after a transient
    failure (a later pass may claim it again); a ``sending`` row left by a crash
    is reported as ``unknown``, never re-sent.
    """

    __tablename__ = "reminder_delivery"
    __table_args__ = (
        UniqueConstraint("account_link_id", "obligation_id", "stage", name="uq_reminder_delivery"),
    )

    id = Column(Integer, primary_key=True)
    account_link_id = Column(Integer, ForeignKey("account_link.id"), nullable=False, index=True)
    obligation_id = Column(Integer, ForeignKey("obligation.id"), nullable=False)
    stage = Column(String(16), nullable=False)
    local_day = Column(Date, nullable=False)  # Asia/Ho_Chi_Minh date it was due to go out
    status = Column(String(16), nullable=False, default="sending")
    claimed_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    finished_at = Column(UTCDateTime(), nullable=True)
    error = Column(Text, nullable=True)
    text = Column(Text, nullable=False, default="")

    account = relationship(AccountLink)
    obligation = relationship(Obligation)


class ReminderPause(Base):
    """The reminders of one account are paused: the platform said at
    ``paused_at`` (UTC) that the account cannot be reached (``reason``: blocked
    the bot, deleted the account, chat gone). The row is deleted when the
    account writes again (:mod:`bot.officials.reminders.pause`)."""

    __tablename__ = "reminder_pause"

    account_link_id = Column(Integer, ForeignKey("account_link.id"), primary_key=True)
    paused_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    reason = Column(Text, nullable=False, default="")


class UndeliveredReply(Base):
    """A reply of the assistant that a platform did not take when the turn ran
    (:mod:`bot.channels.outbox`): the turn itself is saved, the reply waits here.

    ``channel`` and ``recipient`` (the platform's chat or user id) say where it
    goes; ``call`` is the platform call to make again (JSON: method and
    parameters); ``status`` is ``pending`` (to be retried after the platform's
    wait), ``delivered`` or ``failed`` (a permanent refusal, or out of time);
    ``error`` the latest reason; ``attempts`` the deliveries tried so far
    (each under the delivery policy, which may retry within one);
    ``next_attempt_at`` (UTC) when a ``pending`` row may be tried again.
    A row being sent is ``sending`` (claimed by one server at ``updated_at``).
    """

    __tablename__ = "undelivered_reply"

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    recipient = Column(String(128), nullable=False, index=True)
    call = Column(JSON, nullable=False)
    status = Column(String(16), nullable=False, default="pending")
    error = Column(Text, nullable=True)
    attempts = Column(Integer, nullable=False, default=1)
    created_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    updated_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    next_attempt_at = Column(UTCDateTime(), nullable=True)


class AnswerFeedback(Base):
    """A user's rating of one answer of the assistant (:mod:`bot.db.feedback`).

    ``answer_key`` names what produced the rated answer (the response or
    intent, e.g. ``utter_directive_purpose`` or ``ask_directive_facts``), so
    ratings of the same answer count together; ``answer_text`` is the text the
    user saw. ``channel`` and ``sender_id`` (the conversation id of the
    tracker store) say who rated, ``helpful`` how; ``comment`` is what the user
    said was wrong (personal data: purged after ``CONVERSATION_RETENTION_DAYS``
    like the conversations). ``at`` is UTC.
    """

    __tablename__ = "answer_feedback"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime(), nullable=False, default=_utcnow, index=True)
    channel = Column(String(32), nullable=True)
    sender_id = Column(String(160), nullable=False, index=True)
    answer_key = Column(String(128), nullable=False, index=True)
    answer_text = Column(Text, nullable=False, default="")
    helpful = Column(Boolean, nullable=False)
    comment = Column(Text, nullable=True)


# --------------------------------------------------------------------------- #
# Operators' console (bot.admin).                                              #
# --------------------------------------------------------------------------- #
class StaffAccount(Base):
    """A person who signs in to the operators' console (``python -m bot staff``).

    ``password_hash`` is an argon2id hash (argon2-cffi); ``revoked_at`` set means
    the account can no longer sign in. Times are UTC.
    """

    __tablename__ = "staff_account"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    revoked_at = Column(UTCDateTime(), nullable=True)
    last_login_at = Column(UTCDateTime(), nullable=True)


class HandledQuestion(Base):
    """A group of unanswered questions an operator marked as handled in the
    console: it leaves the default view. ``key`` is the SHA-256 (hex) of the
    group's normalised text (:func:`bot.admin.insight.handled_id`), so no
    question text is kept here; ``handled_by`` the staff username."""

    __tablename__ = "handled_question"

    key = Column(String(255), primary_key=True)
    handled_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    handled_by = Column(String(64), nullable=False)
class Handoff(Base):
    """A conversation handed off to the ministry's staff (:mod:`bot.channels.handoff`).

    ``conversation`` is the Rasa conversation id (``telegram:<chat>``,
    ``zalo:<user>``, ``web:<session>``, ``rest:<sender>``); ``channel`` and
    ``user_id`` the account as stored elsewhere. ``group_chat_id`` and
    ``group_message_id`` locate the message that opened the thread in the staff
    group (``None`` until it was posted). ``status`` is ``open`` or ``closed``;
    ``closed_by`` ``user``, ``staff`` or ``idle``. Timestamps are UTC;
    ``last_activity_at`` moves with every message either way (idle expiry).
    """

    __tablename__ = "handoff"

    id = Column(Integer, primary_key=True)
    conversation = Column(String(200), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    user_id = Column(String(128), nullable=False)
    agency_id = Column(Integer, ForeignKey("agency.id"), nullable=True)
    status = Column(String(16), nullable=False, default="open", index=True)
    summary = Column(Text, nullable=False, default="")
    group_chat_id = Column(String(64), nullable=False)
    group_message_id = Column(Integer, nullable=True)
    opened_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    last_activity_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    closed_at = Column(UTCDateTime(), nullable=True)
    closed_by = Column(String(16), nullable=True)


class HandoffMessage(Base):
    """One message relayed during a hand-off: ``direction`` ``user`` (to the
    group), ``staff`` (to the user) or ``note`` (the assistant's own note to
    the user, e.g. that staff closed it). ``source_key`` names the platform message
    it came from (e.g. ``telegram:-100123:57``); unique per hand-off, so a
    retried update is relayed once. ``group_message_id``: the message in the
    staff group (the relayed copy, or the staff member's reply), so that a
    reply to it stays in the thread. ``status``: ``pending`` (not yet with the
    user: REST and widget users get it on their next message), ``delivered``
    or ``failed`` (``error`` says why)."""

    __tablename__ = "handoff_message"
    __table_args__ = (UniqueConstraint("handoff_id", "source_key", name="uq_handoff_message"),)

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoff.id"), nullable=False, index=True)
    direction = Column(String(8), nullable=False)
    text = Column(Text, nullable=False)
    source_key = Column(String(128), nullable=False)
    group_message_id = Column(Integer, nullable=True, index=True)
    status = Column(String(16), nullable=False, default="delivered")
    error = Column(Text, nullable=True)
    created_at = Column(UTCDateTime(), nullable=False, default=_utcnow)
    delivered_at = Column(UTCDateTime(), nullable=True)
