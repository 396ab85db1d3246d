""""Câu hỏi": what people ask, read from Rasa's SQL tracker store.

Rasa's ``SQLTrackerStore`` keeps one row per event in its table ``events``
(``sender_id`` = the namespaced conversation id, ``type_name`` ``user`` /
``action`` / ..., ``timestamp`` in seconds since the epoch, ``intent_name``,
``action_name``, ``data`` = the event as JSON). Nothing is copied elsewhere;
:func:`ensure_indexes` adds one index of our own so the queries stay fast.

A message is **unanswered** when its intent is the fallback or "out of scope"
or "not in the source" (:data:`UNANSWERED_INTENTS`), or when the turn it
started ran one of :data:`UNANSWERED_ACTIONS` (Rasa's core fallback) or sent a
reply marked :data:`bot.domain.questions.NOT_IN_SOURCE_MARK` (the article does
not cover it, said by an action answering other facts too). Messages whose
normalised text (:func:`group_key`) is the same form one group.

The users' ratings of answers come from the application database
(:func:`answer_ratings`, table ``answer_feedback``).

Days are local dates in Asia/Ho_Chi_Minh (UTC+7, no daylight saving);
``since`` arguments are local dates too.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Optional, Set

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.admin.masking import mask_id
from bot.admin.staff import audit_staff_action
from bot.channels.conversations import SEPARATOR
from bot.db import models as m
from bot.db.feedback import feedback_summary
from bot.domain.dates import local_time_text
from bot.domain.normalise import chat_fold
from bot.domain.questions import NOT_IN_SOURCE_MARK

UNANSWERED_INTENTS = ("nlu_fallback", "out_of_scope", "ask_not_in_source")
UNANSWERED_ACTIONS = ("action_default_fallback", "utter_default", "utter_out_of_scope",
                      "action_answer_not_in_source", "utter_not_in_source")
CHANNEL_PREFIXES = ("web", "telegram", "zalo", "rest")  # bot.channels.conversations namespaces
OTHER_CHANNEL = "khác"
LOCAL_OFFSET_S = 7 * 3600  # Asia/Ho_Chi_Minh is UTC+7 all year
MAX_EXAMPLES = 3
INDEX_NAME = "ix_events_type_timestamp"
# NOT_IN_SOURCE_MARK as it appears in a bot event's ``data`` (Rasa stores json.dumps of the event)
NOT_IN_SOURCE_DATA = "%" + json.dumps(NOT_IN_SOURCE_MARK)[1:-1] + "%"

EVENTS = sa.table("events", sa.column("id", sa.Integer), sa.column("sender_id", sa.String),
                  sa.column("type_name", sa.String), sa.column("timestamp", sa.Float),
                  sa.column("intent_name", sa.String), sa.column("action_name", sa.String),
                  sa.column("data", sa.Text))

_NOT_WORD = re.compile(r"[^\w]+")


def group_key(text: str) -> str:
    """The text near-identical questions share: the project's chat normaliser
    (:func:`bot.domain.normalise.chat_fold`: Telex residue, abbreviations,
    diacritics and case folded), punctuation dropped, spaces collapsed, at most
    255 characters. ``"Giá vàng hôm nay?"`` and ``"gia vang hom nay"`` share one."""
    return _NOT_WORD.sub(" ", chat_fold(text or "")).strip()[:255]


def handled_id(key: str) -> str:
    """What ``handled_question`` stores for group ``key``: its SHA-256 (hex), so
    the table and the audit keep no question text past the retention period."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def channel_of(sender_id: str) -> str:
    """The channel prefix of a conversation id (``telegram:1`` -> ``telegram``), or :data:`OTHER_CHANNEL`."""
    prefix = (sender_id or "").split(SEPARATOR, 1)[0]
    return prefix if prefix in CHANNEL_PREFIXES else OTHER_CHANNEL


def _channel_sql() -> sa.sql.ColumnElement:
    return sa.case(*[(EVENTS.c.sender_id.like(f"{p}{SEPARATOR}%"), p) for p in CHANNEL_PREFIXES],
                   else_=OTHER_CHANNEL)


def _day_number_sql(engine: Engine) -> sa.sql.ColumnElement:
    """Days since 1970-01-01 of the local date of ``timestamp`` (SQLite truncates
    a positive real on CAST; PostgreSQL rounds, so it needs FLOOR)."""
    shifted = (EVENTS.c.timestamp + LOCAL_OFFSET_S) / 86400
    if engine.dialect.name == "sqlite":
        return sa.cast(shifted, sa.Integer)
    return sa.func.floor(shifted)


def _epoch(day: date) -> float:
    """Seconds since the epoch at local midnight starting ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp() - LOCAL_OFFSET_S


def _local(ts: Optional[float]) -> str:
    return local_time_text(datetime.fromtimestamp(ts, timezone.utc)) if ts else ""


def ensure_indexes(engine: Engine) -> None:
    """Creates :data:`INDEX_NAME` on Rasa's ``events`` when missing (Rasa indexes
    only ``sender_id``): ``(type_name, timestamp)`` for the date-bounded scans,
    then every other column the console's counts read but ``data``, so they
    never touch the table itself (a year's range read through a narrower index
    is slower than a full scan). Does nothing when the table is not there yet."""
    if not sa.inspect(engine).has_table("events"):
        return
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON events "
                                   "(type_name, timestamp, sender_id, intent_name, action_name)")


def messages_per_day(engine: Engine, since: date) -> List[Dict[str, Any]]:
    """User messages per local day and channel from ``since`` on:
    ``[{"day": "YYYY-MM-DD", "channel": str, "count": int}]`` by day, then channel."""
    day = _day_number_sql(engine).label("day")
    channel = _channel_sql().label("channel")
    q = (sa.select(day, channel, sa.func.count().label("n")).select_from(EVENTS)
         .where(EVENTS.c.type_name == "user", EVENTS.c.timestamp >= _epoch(since))
         .group_by(day, channel).order_by(day, channel))
    with engine.connect() as connection:
        rows = connection.execute(q).all()
    epoch = date(1970, 1, 1)
    return [{"day": (epoch + timedelta(days=int(d))).isoformat(), "channel": c, "count": int(n)} for d, c, n in rows]


def top_intents(engine: Engine, since: date, limit: int = 10) -> List[Dict[str, Any]]:
    """The ``limit`` most frequent intents of user messages from ``since`` on:
    ``[{"intent": str, "count": int, "share": float 0..1}]``, most frequent first."""
    n = sa.func.count().label("n")
    q = (sa.select(EVENTS.c.intent_name, n).select_from(EVENTS)
         .where(EVENTS.c.type_name == "user", EVENTS.c.timestamp >= _epoch(since))
         .group_by(EVENTS.c.intent_name).order_by(n.desc(), EVENTS.c.intent_name))
    with engine.connect() as connection:
        rows = connection.execute(q).all()
    total = sum(int(r.n) for r in rows) or 1
    return [{"intent": r.intent_name or "", "count": int(r.n), "share": round(int(r.n) / total, 4)}
            for r in rows[:limit]]


def last_message_per_channel(engine: Engine, scan_limit: int = 20_000) -> Dict[str, str]:
    """Local time text of the latest user message of each channel seen among the
    latest ``scan_limit`` messages (newest first through the console's index, so
    it stops early; a channel silent for longer is left out)."""
    q = (sa.select(EVENTS.c.sender_id, EVENTS.c.timestamp).where(EVENTS.c.type_name == "user")
         .order_by(EVENTS.c.timestamp.desc()).limit(scan_limit))
    latest: Dict[str, str] = {}
    with engine.connect() as connection:
        for sender_id, ts in connection.execute(q):
            channel = channel_of(sender_id)
            if channel not in latest:
                latest[channel] = _local(ts)
                if all(p in latest for p in CHANNEL_PREFIXES):
                    break
    return latest


def _unanswered_messages(engine: Engine, since: date) -> Iterable[Any]:
    """User events from ``since`` on that ended unanswered (see the module docstring)."""
    start = _epoch(since)
    user = EVENTS.alias("u")
    turn_start = (sa.select(sa.func.max(user.c.id))
                  .where(user.c.sender_id == EVENTS.c.sender_id, user.c.type_name == "user",
                         user.c.id < EVENTS.c.id).scalar_subquery())
    failed_turns = (sa.select(turn_start).select_from(EVENTS)
                    .where(EVENTS.c.timestamp >= start,
                           sa.or_(sa.and_(EVENTS.c.type_name == "action", EVENTS.c.action_name.in_(UNANSWERED_ACTIONS)),
                                  sa.and_(EVENTS.c.type_name == "bot", EVENTS.c.data.like(NOT_IN_SOURCE_DATA)))))
    asked = EVENTS.alias("asked")
    q = (sa.select(asked.c.sender_id, asked.c.timestamp, asked.c.data)
         .where(asked.c.type_name == "user", asked.c.timestamp >= start,
                sa.or_(asked.c.intent_name.in_(UNANSWERED_INTENTS), asked.c.id.in_(failed_turns)))
         .order_by(asked.c.timestamp))
    with engine.connect() as connection:
        return connection.execute(q).all()


def unanswered(engine: Engine, since: date, handled: Set[str], include_handled: bool = False,
               limit: int = 200) -> List[Dict[str, Any]]:
    """Groups of unanswered questions asked from ``since`` on, most asked first
    (then most recent), at most ``limit``; groups whose :func:`handled_id` is in
    ``handled`` are left out unless ``include_handled``.

    Returns ``[{"key", "text" (latest wording), "examples" (up to 3 distinct
    wordings), "count", "first_seen", "last_seen" (local time text),
    "first_seen_at", "last_seen_at" (epoch seconds), "channels": {channel: n},
    "senders" (distinct people, masked ids: at most 3), "handled": bool}]``.
    """
    groups: Dict[str, Dict[str, Any]] = {}
    for sender_id, ts, data in _unanswered_messages(engine, since):
        try:
            text = str(json.loads(data or "{}").get("text") or "").strip()
        except ValueError:
            continue
        key = group_key(text)
        done = bool(key) and handled_id(key) in handled
        if not key or (done and not include_handled):
            continue
        g = groups.setdefault(key, {"key": key, "text": text, "examples": [], "count": 0, "first_seen_at": ts,
                                    "last_seen_at": ts, "channels": {}, "senders": set(), "handled": done})
        g["count"] += 1
        g["text"], g["last_seen_at"] = text, ts
        if text not in g["examples"] and len(g["examples"]) < MAX_EXAMPLES:
            g["examples"].append(text)
        channel = channel_of(sender_id)
        g["channels"][channel] = g["channels"].get(channel, 0) + 1
        g["senders"].add(sender_id)
    out = sorted(groups.values(), key=lambda g: (-g["count"], -g["last_seen_at"]))[:limit]
    for g in out:
        g["first_seen"], g["last_seen"] = _local(g["first_seen_at"]), _local(g["last_seen_at"])
        g["people"] = len(g["senders"])
        g["senders"] = [mask_id(s.split(SEPARATOR, 1)[-1]) for s in sorted(g["senders"])[:3]]
    return out


def answer_ratings(app_engine: Engine, since: date) -> List[Dict[str, Any]]:
    """The users' ratings of answers from the local date ``since`` on, worst-rated
    first (:func:`bot.db.feedback.feedback_summary`), ``last_seen`` as local time text."""
    with app_engine.connect() as connection:
        rows = feedback_summary(connection, since)
    return [dict(r, last_seen=local_time_text(r["last_seen"])) for r in rows]


def handled_keys(app_engine: Engine) -> Set[str]:
    """:func:`handled_id` of every group marked handled (application database)."""
    with app_engine.connect() as connection:
        return set(connection.execute(sa.select(m.HandledQuestion.key)).scalars())


def mark_handled(app_engine: Engine, key: str, username: str, handled: bool = True) -> bool:
    """Marks group ``key`` handled by ``username`` (or not, ``handled=False``),
    audited as ``mark_handled`` / ``unmark_handled``. Returns False when nothing
    changed (already in that state). Raises ``ValueError`` for an empty key."""
    key = (key or "").strip()
    if not key:
        raise ValueError("empty group key")
    digest = handled_id(key)
    with Session(app_engine, future=True) as s, s.begin():
        row = s.get(m.HandledQuestion, digest)
        if (row is not None) == handled:
            return False
        if handled:
            s.add(m.HandledQuestion(key=digest, handled_by=username))
        else:
            s.delete(row)
        audit_staff_action(s, username, "mark_handled" if handled else "unmark_handled",
                           detail={"group": digest[:16]})
        return True
