"""Rasa's conversations (the tracker store's ``events`` table) moved into the
per-channel namespaces of :mod:`bot.channels.conversations`.

Before the namespaces a conversation was keyed by the bare platform id
(``880000001``); now it is ``telegram:880000001``. Trackers that a SQL tracker
store (PostgreSQL in the scale-out configuration, SQLite for ``make run``)
kept from before are renamed by :func:`namespace_legacy_conversations`, so the
people writing again find their conversation. The agency database (linked
accounts, the audit trail, reminders) stores ``(channel, user id)`` with the
raw id and needs no change.

A legacy conversation is renamed only when all its user messages came from
one channel: a tracker that two channels wrote into (the very mix-up the
namespaces end) or a Telegram group's (one context per member now) is left
as it is, and reported.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Dict, List, Set

import sqlalchemy as sa

from bot.channels.conversations import CHANNELS, PREFIXES, SEPARATOR, conversation_id

logger = logging.getLogger(__name__)


@dataclass
class Renamed:
    """What :func:`namespace_legacy_conversations` did: ``renamed`` (old id ->
    new id) and ``left`` (old id -> why it was left alone)."""

    renamed: Dict[str, str] = field(default_factory=dict)
    left: Dict[str, str] = field(default_factory=dict)


def _namespaced(sender_id: str) -> bool:
    prefix, sep, rest = sender_id.partition(SEPARATOR)
    return bool(sep and rest) and prefix in CHANNELS


def namespace_legacy_conversations(engine: sa.engine.Engine) -> Renamed:
    """Renames every un-namespaced conversation in the tracker store's
    ``events`` table (``engine``: its database) to ``<prefix>:<id>`` of the one
    channel its user messages came from, in one transaction. Idempotent: a
    second run finds nothing to rename. A database without an ``events``
    table is left alone.

    Output: :class:`Renamed`. Raises ``sqlalchemy.exc.SQLAlchemyError`` when
    the database cannot be read or written (nothing is changed then).
    """
    result = Renamed()
    if not sa.inspect(engine).has_table("events"):
        return result
    events = sa.table("events", sa.column("sender_id"), sa.column("type_name"), sa.column("data"))
    with engine.begin() as c:
        channels: Dict[str, Set[str]] = {}
        for sender_id, type_name, data in c.execute(sa.select(events.c.sender_id, events.c.type_name,
                                                              events.c.data)):
            if _namespaced(sender_id):
                continue
            seen = channels.setdefault(sender_id, set())
            if type_name == "user":
                try:
                    seen.add(json.loads(data or "{}").get("input_channel") or "")
                except ValueError:
                    seen.add("")
        taken = {row[0] for row in c.execute(sa.select(events.c.sender_id).distinct())}
        for sender_id, seen in sorted(channels.items()):
            why = _why_left(sender_id, seen)
            new_id = "" if why else conversation_id(next(iter(seen)), sender_id)
            if not why and new_id in taken:
                why = f"{new_id} already exists"
            if why:
                result.left[sender_id] = why
                continue
            c.execute(events.update().where(events.c.sender_id == sender_id).values(sender_id=new_id))
            result.renamed[sender_id] = new_id
    for old, why in result.left.items():
        logger.warning("conversation %s left un-namespaced: %s", old, why)
    return result


def _why_left(sender_id: str, seen: Set[str]) -> str:
    if len(seen) != 1:
        return "no user message" if not seen else f"written from several channels: {sorted(seen)}"
    channel = next(iter(seen))
    if channel not in PREFIXES:
        return f"unknown channel {channel!r}"
    if channel == "telegram" and sender_id.startswith("-"):
        return "a Telegram group: each member has their own conversation now"
    return ""


def summary(result: Renamed) -> List[str]:
    """Lines for the operator: one per renamed or left conversation."""
    return ([f"{old} -> {new}" for old, new in result.renamed.items()]
            + [f"{old}: giữ nguyên ({why})" for old, why in result.left.items()])
