"""Replies a platform did not take when the turn ran (``undelivered_reply``),
written and retried by :mod:`bot.channels.outbox` in the Rasa server(s).

A row is ``pending`` (to be tried at ``next_attempt_at``, or as soon as the
replies before it to the same recipient are through), ``sending`` (claimed by
one server, see :meth:`UndeliveredStore.claim`), ``delivered`` or ``failed``.

Timestamps are aware UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Engine

from bot.db import models as m

PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"
STATUSES = (PENDING, SENDING, DELIVERED, FAILED)


@dataclass(frozen=True)
class UndeliveredView:
    """One row: ``channel``, ``recipient``, ``call`` (``{"method", "params"}``),
    ``status`` (``pending``, ``sending``, ``delivered``, ``failed``), ``error``,
    ``attempts``; timestamps UTC, ``next_attempt_at`` ``None`` when not set."""

    id: int
    channel: str
    recipient: str
    call: Dict[str, Any]
    status: str
    error: Optional[str]
    attempts: int
    created_at: datetime
    updated_at: datetime
    next_attempt_at: Optional[datetime] = None


class UndeliveredStore:
    """The ``undelivered_reply`` table of the agency database (``engine``,
    from :func:`bot.db.session.make_engine`; created by ``python -m bot
    init-db``). ``now`` gives the UTC time (tests inject a clock). Every method
    raises ``sqlalchemy.exc.SQLAlchemyError`` when the database fails."""

    def __init__(self, engine: Engine, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.engine = engine
        self.now = now

    def add(self, channel: str, recipient: str, call: Dict[str, Any], error: str, status: str = PENDING,
            attempts: int = 1, next_attempt_at: Optional[datetime] = None) -> int:
        """Stores one reply not delivered; returns its id."""
        now = self.now()
        with self.engine.begin() as c:
            return int(c.execute(insert(m.UndeliveredReply).values(
                channel=channel, recipient=str(recipient), call=call, status=status, error=error,
                attempts=attempts, created_at=now, updated_at=now,
                next_attempt_at=next_attempt_at)).inserted_primary_key[0])

    def finish(self, row_id: int, status: str, error: Optional[str] = None, attempts: int = 0,
               next_attempt_at: Optional[datetime] = None) -> None:
        """Sets the row's ``status`` (and ``error``, ``next_attempt_at``) and adds
        ``attempts`` to its count."""
        with self.engine.begin() as c:
            c.execute(update(m.UndeliveredReply).where(m.UndeliveredReply.id == row_id).values(
                status=status, error=error, updated_at=self.now(), next_attempt_at=next_attempt_at,
                attempts=m.UndeliveredReply.attempts + attempts))

    def has_unfinished(self, channel: str, recipient: str) -> bool:
        """True when ``recipient`` of ``channel`` has a reply ``pending`` or
        ``sending``: a new reply must wait behind it to keep the order."""
        t = m.UndeliveredReply
        with self.engine.connect() as c:
            return c.execute(select(t.id).where(t.channel == channel, t.recipient == str(recipient),
                                                t.status.in_((PENDING, SENDING))).limit(1)).first() is not None

    def unfinished(self, channel: str, limit: int = 500) -> List[UndeliveredView]:
        """The ``pending`` and ``sending`` rows of ``channel``, oldest first (at most ``limit``)."""
        return self._select(lambda t: (t.channel == channel, t.status.in_((PENDING, SENDING))), limit)

    def claim(self, row_id: int, lease: timedelta) -> bool:
        """Takes the row for sending, atomically: ``True`` for exactly one caller.

        A row can be claimed when it is ``pending`` and due (``next_attempt_at``
        unset or passed), or ``sending`` for longer than ``lease`` (its server
        died mid-send: the reply may then go out twice, never zero times). One
        conditional ``UPDATE``: on PostgreSQL a second server's update waits for
        the row lock, re-reads the status and changes nothing; SQLite serialises writers.
        """
        t = m.UndeliveredReply
        now = self.now()
        with self.engine.begin() as c:
            result = c.execute(update(t).where(
                t.id == row_id,
                or_(and_(t.status == PENDING, or_(t.next_attempt_at.is_(None), t.next_attempt_at <= now)),
                    and_(t.status == SENDING, t.updated_at < now - lease)),
            ).values(status=SENDING, updated_at=now).execution_options(synchronize_session=False))
            return result.rowcount == 1

    def rows(self, recipient: Optional[str] = None, status: Optional[str] = None,
             limit: Optional[int] = None) -> List[UndeliveredView]:
        """The rows (of ``recipient``, with ``status``), oldest first.

        Raises:
            ValueError: unknown ``status``.
        """
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")

        def where(t):
            out = []
            if recipient is not None:
                out.append(t.recipient == str(recipient))
            if status is not None:
                out.append(t.status == status)
            return out

        return self._select(where, limit)

    def counts(self) -> Dict[str, int]:
        """Rows by status (every status present, 0 when none)."""
        t = m.UndeliveredReply
        out = {s: 0 for s in STATUSES}
        with self.engine.connect() as c:
            for status, n in c.execute(select(t.status, func.count()).group_by(t.status)):
                out[status] = int(n)
        return out

    def _select(self, where: Callable[[Any], Any], limit: Optional[int]) -> List[UndeliveredView]:
        t = m.UndeliveredReply
        query = select(t.id, t.channel, t.recipient, t.call, t.status, t.error, t.attempts,
                       t.created_at, t.updated_at, t.next_attempt_at).where(*where(t)).order_by(t.id)
        if limit is not None:
            query = query.limit(max(1, int(limit)))
        with self.engine.connect() as c:
            return [UndeliveredView(r.id, r.channel, r.recipient, r.call, r.status, r.error, r.attempts,
                                    r.created_at, r.updated_at, r.next_attempt_at) for r in c.execute(query)]
