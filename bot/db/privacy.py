"""Personal data in what the assistant stores (Decree 13/2023/NĐ-CP): raw
message texts are kept only ``CONVERSATION_RETENTION_DAYS``, and one person's
conversations are deleted on request (``python -m bot privacy``, :mod:`bot.cli.privacy`).

Two databases are touched: the conversations (Rasa's SQL tracker store, table
``events``; ``conversations``) and the agency database (``engine``). Either
``conversations`` may be ``None`` (no tracker store to clean) and a database
without an ``events`` table is left alone.

What counts as a raw text:

- tracker events: a user message's ``text`` (and the copy in ``parse_data``,
  with the entities read from it), a bot message's ``text`` (answers repeat
  what was typed: names, document numbers), and the values of the slots that
  hold typed text (:data:`TEXT_SLOTS`); intents, actions and timestamps stay,
  so the conversations still count in statistics;
- audit entries: ``message`` (the chat text that asked for the change); who,
  when, which action and the record's before/after stay;
- ratings of answers: the ``comment`` (:mod:`bot.db.feedback`).

Forgetting one person (a conversation id such as ``telegram:880000001``)
deletes the conversation's tracker events, its ratings, its replies waiting
for delivery and its link attempts, and blanks the ``message`` of its audit
entries. Linked accounts are kept: a link is the agency's record of who may
report for it (``python -m bot revoke-link`` ends it), and the audit trail of
what was reported keeps who did it. The deletion itself is audited
(``forget_conversation``: who was forgotten and how many rows, no text).

Times are aware UTC; Rasa's event ``timestamp`` is seconds since the epoch.
Database failures propagate as ``sqlalchemy.exc.SQLAlchemyError`` (nothing is
changed in the database whose transaction failed).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.channels.conversations import identity
from bot.db import models as m
from bot.db.feedback import forget_senders, purge_comments

# Slots whose values are text as the user typed it (domain.yml).
TEXT_SLOTS = ("sub_message", "feedback_comment")
FORGET = "forget_conversation"

_EVENTS = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                   sa.column("timestamp"), sa.column("data"))


@dataclass(frozen=True)
class Purged:
    """How many rows :func:`purge_texts` cleared: ``events`` (tracker events),
    ``audit_entries`` and ``feedback_comments``."""

    events: int = 0
    audit_entries: int = 0
    feedback_comments: int = 0


@dataclass(frozen=True)
class Forgotten:
    """What :func:`forget_conversation` did: rows deleted (``events``,
    ``feedback``, ``undelivered``, ``link_attempts``), audit entries whose
    message was blanked (``audit_entries``) and whether a linked account was
    kept (``linked_account_kept``)."""

    events: int = 0
    feedback: int = 0
    undelivered: int = 0
    link_attempts: int = 0
    audit_entries: int = 0
    linked_account_kept: bool = False


def scrub_event(type_name: str, data: Dict[str, Any]) -> bool:
    """Removes the raw texts from one tracker event's ``data`` (a dict, changed
    in place; ``type_name`` as in the ``events`` table). Returns True when
    anything was removed."""
    changed = False
    if type_name in ("user", "bot") and data.get("text"):
        data["text"] = None
        changed = True
    parse = data.get("parse_data")
    if type_name == "user" and isinstance(parse, dict):
        if parse.get("text"):
            parse["text"] = None
            changed = True
        if parse.get("entities"):
            parse["entities"] = []
            changed = True
        if data.get("entities"):
            data["entities"] = []
    if type_name == "slot" and data.get("name") in TEXT_SLOTS and data.get("value") is not None:
        data["value"] = None
        changed = True
    return changed


def _scrub_events(conversations: Engine, where: Any) -> int:
    if not sa.inspect(conversations).has_table("events"):
        return 0
    changed = []
    with conversations.begin() as c:
        rows = c.execute(sa.select(_EVENTS.c.id, _EVENTS.c.type_name, _EVENTS.c.data)
                         .where(where, _EVENTS.c.type_name.in_(("user", "bot", "slot")))).all()
        for event_id, type_name, raw in rows:
            try:
                data = json.loads(raw or "{}")
            except ValueError:
                continue
            if scrub_event(type_name, data):
                changed.append({"event_id": event_id, "scrubbed": json.dumps(data)})
        if changed:  # one executemany: row by row took 110 s for 100,000 events
            c.execute(_EVENTS.update().where(_EVENTS.c.id == sa.bindparam("event_id"))
                      .values(data=sa.bindparam("scrubbed")), changed)
    return len(changed)


def purge_texts(engine: Engine, conversations: Optional[Engine], before: datetime) -> Purged:
    """Removes the raw texts (see the module docstring) older than ``before``
    (aware UTC) from both databases. Idempotent. Output: :class:`Purged`."""
    events = 0
    if conversations is not None:
        events = _scrub_events(conversations, _EVENTS.c.timestamp < before.timestamp())
    with Session(engine) as s, s.begin():
        audit = s.execute(sa.update(m.AuditEntry).where(m.AuditEntry.at < before, m.AuditEntry.message != "")
                          .values(message="")).rowcount
        comments = purge_comments(s, before)
    return Purged(events=events, audit_entries=audit, feedback_comments=comments)


def forget_conversation(engine: Engine, conversations: Optional[Engine], sender_id: str,
                        now: Optional[datetime] = None) -> Forgotten:
    """Deletes the conversation ``sender_id`` (a tracker key such as
    ``telegram:880000001``; see the module docstring for what goes and what
    stays) and audits it as the operator. Output: :class:`Forgotten`.

    Raises:
        ValueError: ``sender_id`` is empty.
    """
    sender_id = (sender_id or "").strip()
    if not sender_id:
        raise ValueError("a conversation id is needed")
    channel, user_id = identity(sender_id)
    events = 0
    if conversations is not None and sa.inspect(conversations).has_table("events"):
        with conversations.begin() as c:
            events = c.execute(_EVENTS.delete().where(_EVENTS.c.sender_id == sender_id)).rowcount
    with Session(engine) as s, s.begin():
        feedback = forget_senders(s, [sender_id])
        undelivered = s.execute(sa.delete(m.UndeliveredReply).where(
            m.UndeliveredReply.channel == channel, m.UndeliveredReply.recipient == user_id)).rowcount
        attempts = s.execute(sa.delete(m.LinkAttempt).where(
            m.LinkAttempt.channel == channel, m.LinkAttempt.user_id == user_id)).rowcount
        audit = s.execute(sa.update(m.AuditEntry).where(
            m.AuditEntry.channel == channel, m.AuditEntry.user_id == user_id, m.AuditEntry.message != "")
            .values(message="")).rowcount
        linked = s.execute(sa.select(m.AccountLink.id).where(
            m.AccountLink.channel == channel, m.AccountLink.user_id == user_id,
            m.AccountLink.revoked_at.is_(None))).first() is not None
        result = Forgotten(events=events, feedback=feedback, undelivered=undelivered, link_attempts=attempts,
                           audit_entries=audit, linked_account_kept=linked)
        entry = dict(actor="operator", action=FORGET, channel=channel, user_id=user_id, message="",
                     detail={"conversation": sender_id, **result.__dict__})
        if now is not None:
            entry["at"] = now
        s.add(m.AuditEntry(**entry))
    return result
