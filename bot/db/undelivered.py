"""Replies a platform did not take when the turn ran (``undelivered_reply``),
written by :mod:`bot.channels.outbox` in the Rasa server.

Timestamps are aware UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from bot.db import models as m

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True)
class UndeliveredView:
    """One row: ``channel``, ``recipient``, ``call`` (``{"method", "params"}``),
    ``status`` (``pending``, ``delivered``, ``failed``), ``error``, ``attempts``."""

    id: int
    channel: str
    recipient: str
    call: Dict[str, Any]
    status: str
    error: Optional[str]
    attempts: int
    created_at: datetime
    updated_at: datetime


class UndeliveredStore:
    """The ``undelivered_reply`` table of the agency database (``engine``,
    from :func:`bot.db.session.make_engine`; created by ``python -m bot
    init-db``). ``now`` gives the UTC time (tests inject a clock). Every method
    raises ``sqlalchemy.exc.SQLAlchemyError`` when the database fails."""

    def __init__(self, engine: Engine, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.engine = engine
        self.now = now

    def add(self, channel: str, recipient: str, call: Dict[str, Any], error: str, status: str = PENDING,
            attempts: int = 1) -> int:
        """Stores one reply not delivered; returns its id."""
        now = self.now()
        with self.engine.begin() as c:
            return int(c.execute(insert(m.UndeliveredReply).values(
                channel=channel, recipient=str(recipient), call=call, status=status, error=error,
                attempts=attempts, created_at=now, updated_at=now)).inserted_primary_key[0])

    def finish(self, row_id: int, status: str, error: Optional[str] = None, attempts: int = 0) -> None:
        """Sets the row's ``status`` (and ``error``) and adds ``attempts`` to its count."""
        with self.engine.begin() as c:
            c.execute(update(m.UndeliveredReply).where(m.UndeliveredReply.id == row_id).values(
                status=status, error=error, updated_at=self.now(),
                attempts=m.UndeliveredReply.attempts + attempts))

    def rows(self, recipient: Optional[str] = None, status: Optional[str] = None) -> List[UndeliveredView]:
        """The rows (of ``recipient``, with ``status``), oldest first."""
        t = m.UndeliveredReply
        query = select(t.id, t.channel, t.recipient, t.call, t.status, t.error, t.attempts,
                       t.created_at, t.updated_at).order_by(t.id)
        if recipient is not None:
            query = query.where(t.recipient == str(recipient))
        if status is not None:
            query = query.where(t.status == status)
        with self.engine.connect() as c:
            return [UndeliveredView(r.id, r.channel, r.recipient, r.call, r.status, r.error, r.attempts,
                                    r.created_at, r.updated_at) for r in c.execute(query)]
