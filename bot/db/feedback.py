"""Users' ratings of the assistant's answers (``answer_feedback``): written by
the chat's feedback actions (:mod:`actions.feedback`), read by the operators'
console and purged by ``python -m bot privacy``.

Every function takes an open SQLAlchemy ``Session`` or ``Connection``
(``session``) and leaves the commit to the caller, so a rating can be part of
a larger transaction. Timestamps are aware UTC; ``since`` dates are local
Asia/Ho_Chi_Minh dates. Database failures propagate as
``sqlalchemy.exc.SQLAlchemyError``.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any, Dict, List, Optional, Union
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from bot.db import models as m
from bot.settings import TIMEZONE

Executor = Union[Session, Connection]


def record_feedback(session: Executor, *, sender_id: str, answer_key: str, answer_text: str, helpful: bool,
                    channel: Optional[str] = None, comment: Optional[str] = None,
                    at: Optional[datetime] = None) -> int:
    """Stores one rating of the answer ``answer_key`` (what produced it, e.g.
    ``utter_directive_purpose``) whose text was ``answer_text``, by
    conversation ``sender_id`` of ``channel``; ``at`` defaults to now (UTC).
    Returns the new row's id."""
    return int(session.execute(insert(m.AnswerFeedback).values(
        at=at or datetime.now(timezone.utc), channel=channel, sender_id=sender_id, answer_key=answer_key,
        answer_text=answer_text, helpful=helpful, comment=comment)).inserted_primary_key[0])


def add_comment(session: Executor, feedback_id: int, comment: str) -> bool:
    """Sets what the user said was wrong on rating ``feedback_id`` (the text,
    stripped). Returns False when there is no such rating (purged meanwhile)."""
    result = session.execute(update(m.AnswerFeedback).where(m.AnswerFeedback.id == feedback_id)
                             .values(comment=comment.strip()))
    return result.rowcount > 0


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(TIMEZONE)).astimezone(timezone.utc)


def feedback_summary(session: Executor, since: Optional[date] = None) -> List[Dict[str, Any]]:
    """The ratings per answer, from the local date ``since`` on (all when None).

    Output: one dict per ``answer_key``: ``{"answer_key": str, "answer_text":
    str (the latest text rated), "helpful": int, "not_helpful": int,
    "comments": [str] (oldest first, empty ones left out), "last_seen":
    datetime (aware UTC, latest rating)}``, worst-rated first: the highest
    share of "not helpful", then the most "not helpful", then the latest.
    """
    t = m.AnswerFeedback
    where = [] if since is None else [t.at >= _local_midnight_utc(since)]
    counts = session.execute(
        select(t.answer_key,
               func.sum(case((t.helpful.is_(True), 1), else_=0)),
               func.sum(case((t.helpful.is_(False), 1), else_=0)),
               func.max(t.at))
        .where(*where).group_by(t.answer_key)).all()
    texts: Dict[str, str] = {}
    comments: Dict[str, List[str]] = {}
    for key, text, comment in session.execute(
            select(t.answer_key, t.answer_text, t.comment).where(*where).order_by(t.at, t.id)):
        texts[key] = text
        if comment:
            comments.setdefault(key, []).append(comment)
    rows = []
    for key, helpful, not_helpful, last_seen in counts:  # max() keeps the column's type: aware UTC
        rows.append({"answer_key": key, "answer_text": texts.get(key, ""), "helpful": int(helpful or 0),
                     "not_helpful": int(not_helpful or 0), "comments": comments.get(key, []),
                     "last_seen": last_seen})
    rows.sort(key=lambda r: (-r["not_helpful"] / max(1, r["helpful"] + r["not_helpful"]), -r["not_helpful"],
                             -r["last_seen"].timestamp()))
    return rows


def purge_comments(session: Executor, before: datetime) -> int:
    """Clears the comments (users' own words) of ratings made before ``before``
    (aware UTC); the ratings stay. Returns how many were cleared."""
    t = m.AnswerFeedback
    return session.execute(update(t).where(t.at < before, t.comment.isnot(None)).values(comment=None)).rowcount


def forget_senders(session: Executor, sender_ids: List[str]) -> int:
    """Deletes every rating made by the conversations ``sender_ids``. Returns how many."""
    if not sender_ids:
        return 0
    t = m.AnswerFeedback
    return session.execute(delete(t).where(t.sender_id.in_(sender_ids))).rowcount


class FeedbackStore:
    """:func:`record_feedback` and :func:`add_comment`, each in a transaction of
    its own on ``engine`` (the agency database; for the chat's actions)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rate(self, **rating: Any) -> int:
        """:func:`record_feedback` with the keyword arguments ``rating``; returns the id."""
        with Session(self.engine) as s, s.begin():
            return record_feedback(s, **rating)

    def comment(self, feedback_id: int, comment: str) -> bool:
        """:func:`add_comment`, committed."""
        with Session(self.engine) as s, s.begin():
            return add_comment(s, feedback_id, comment)
