"""Hand-offs to staff and the messages relayed in them (``handoff``,
``handoff_message``), with their audit trail entries.

Written by the action server (a hand-off is opened) and by the Rasa server(s)
(:mod:`bot.channels.handoff`: relaying, closing, idle expiry). Everything lives
in the agency database, so a restart or a second server loses nothing.
Timestamps are aware UTC. Every method opens its own transaction and raises
``sqlalchemy.exc.SQLAlchemyError`` when the database fails.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, List, Optional

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import models as m

OPEN, CLOSED = "open", "closed"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
USER, STAFF, NOTE, IDLE = "user", "staff", "note", "idle"  # NOTE: the assistant's own note to the user
MAX_AUDIT_CHARS = 2000


@dataclass(frozen=True)
class HandoffView:
    """One hand-off: ``conversation`` (Rasa conversation id), ``channel`` and
    ``user_id`` (as the database stores accounts), ``status`` (``open`` or
    ``closed``), ``group_chat_id`` and ``group_message_id`` (the thread in the
    staff group; ``None`` until posted), ``summary`` (what staff were shown),
    ``closed_by`` (``user``, ``staff``, ``idle`` or ``None``); times UTC."""

    id: int
    conversation: str
    channel: str
    user_id: str
    status: str
    group_chat_id: str
    group_message_id: Optional[int]
    summary: str
    opened_at: datetime
    last_activity_at: datetime
    closed_by: Optional[str] = None


@dataclass(frozen=True)
class RelayedView:
    """One relayed message: ``direction`` ``user`` or ``staff``, ``text``,
    ``status`` (``pending``, ``delivered``, ``failed``), ``error``."""

    id: int
    handoff_id: int
    direction: str
    text: str
    status: str
    error: Optional[str]
    group_message_id: Optional[int]


def _view(row: m.Handoff) -> HandoffView:
    return HandoffView(row.id, row.conversation, row.channel, row.user_id, row.status, row.group_chat_id,
                       row.group_message_id, row.summary, row.opened_at, row.last_activity_at, row.closed_by)


def _relayed(row: m.HandoffMessage) -> RelayedView:
    return RelayedView(row.id, row.handoff_id, row.direction, row.text, row.status, row.error,
                       row.group_message_id)


class HandoffStore:
    """The hand-off tables of the agency database (``engine`` from
    :func:`bot.db.session.make_engine`; created by ``python -m bot init-db``).
    ``now`` returns the UTC time (tests inject a clock)."""

    def __init__(self, engine: Engine, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.engine = engine
        self.now = now

    def _session(self) -> Session:
        return Session(self.engine, future=True, expire_on_commit=False)

    def _audit(self, c: Session, actor: str, action: str, handoff: m.Handoff, message: str = "",
               detail: Optional[dict] = None) -> None:
        c.execute(insert(m.AuditEntry).values(
            at=self.now(), actor=actor, action=action, channel=handoff.channel, user_id=handoff.user_id,
            agency_id=handoff.agency_id, message=(message or "")[:MAX_AUDIT_CHARS],
            detail=dict(detail or {}, handoff_id=handoff.id)))

    def _row(self, c: Session, handoff_id: int) -> m.Handoff:
        return c.execute(select(m.Handoff).where(m.Handoff.id == handoff_id)).scalars().one()

    # ----------------------------------------------------------------- hand-offs
    def open(self, conversation: str, channel: str, user_id: str, group_chat_id: str, summary: str,
             agency_id: Optional[int] = None) -> HandoffView:
        """Opens a hand-off for ``conversation`` (or returns the one already
        open: a repeated "có" opens nothing twice). Audited as ``handoff_open``."""
        with self._session() as c, c.begin():
            existing = self._open_row(c, conversation)
            if existing is not None:
                return _view(existing)
            now = self.now()
            handoff_id = c.execute(insert(m.Handoff).values(
                conversation=conversation, channel=channel, user_id=str(user_id), agency_id=agency_id,
                status=OPEN, summary=summary, group_chat_id=str(group_chat_id), opened_at=now,
                last_activity_at=now)).inserted_primary_key[0]
            row = self._row(c, handoff_id)
            self._audit(c, USER, "handoff_open", row, summary)
            return _view(row)

    @staticmethod
    def _open_row(c: Session, conversation: str) -> Optional[m.Handoff]:
        return c.execute(select(m.Handoff).where(m.Handoff.conversation == conversation, m.Handoff.status == OPEN)
                         .order_by(m.Handoff.id.desc()).limit(1)).scalars().first()

    def open_for(self, conversation: str) -> Optional[HandoffView]:
        """The open hand-off of ``conversation``, or ``None``."""
        with self._session() as c:
            row = self._open_row(c, conversation)
            return _view(row) if row is not None else None

    def get(self, handoff_id: int) -> Optional[HandoffView]:
        """The hand-off ``handoff_id`` (open or closed), or ``None``."""
        with self._session() as c:
            row = c.execute(select(m.Handoff).where(m.Handoff.id == handoff_id)).scalars().first()
            return _view(row) if row is not None else None

    def unposted(self) -> List[HandoffView]:
        """Open hand-offs whose message to the staff group is not posted yet, oldest first."""
        with self._session() as c:
            rows = c.execute(select(m.Handoff).where(m.Handoff.status == OPEN, m.Handoff.group_message_id.is_(None))
                             .order_by(m.Handoff.id)).scalars().all()
            return [_view(r) for r in rows]

    def set_group_message(self, handoff_id: int, message_id: int) -> bool:
        """Records where the hand-off's thread starts in the staff group; False
        when another server recorded it first (only one thread per hand-off)."""
        with self._session() as c, c.begin():
            done = c.execute(update(m.Handoff).where(m.Handoff.id == handoff_id,
                                                     m.Handoff.group_message_id.is_(None))
                             .values(group_message_id=int(message_id))).rowcount
            return bool(done)

    def by_group_message(self, group_chat_id: str, message_id: int) -> Optional[HandoffView]:
        """The **open** hand-off whose thread in ``group_chat_id`` holds
        ``message_id`` (its first message or a relayed one), or ``None``."""
        relayed = select(m.HandoffMessage.handoff_id).where(m.HandoffMessage.group_message_id == int(message_id))
        with self._session() as c:
            row = c.execute(select(m.Handoff).where(
                m.Handoff.status == OPEN, m.Handoff.group_chat_id == str(group_chat_id),
                or_(m.Handoff.group_message_id == int(message_id), m.Handoff.id.in_(relayed)))
                .limit(1)).scalars().first()
            return _view(row) if row is not None else None

    def close(self, handoff_id: int, by: str, message: str = "") -> Optional[HandoffView]:
        """Closes the hand-off (``by``: ``user``, ``staff`` or ``idle``); returns it
        closed, or ``None`` when it was not open (closed already, by another
        side or server). Audited as ``handoff_close``."""
        with self._session() as c, c.begin():
            done = c.execute(update(m.Handoff).where(m.Handoff.id == handoff_id, m.Handoff.status == OPEN)
                             .values(status=CLOSED, closed_at=self.now(), closed_by=by)).rowcount
            if not done:
                return None
            row = self._row(c, handoff_id)
            self._audit(c, by if by != IDLE else "system", "handoff_close", row, message, {"closed_by": by})
            return _view(row)

    def idle(self, idle_for: timedelta) -> List[HandoffView]:
        """Open hand-offs with no message either way for ``idle_for``, oldest first."""
        with self._session() as c:
            rows = c.execute(select(m.Handoff).where(m.Handoff.status == OPEN,
                                                     m.Handoff.last_activity_at < self.now() - idle_for)
                             .order_by(m.Handoff.id)).scalars().all()
            return [_view(r) for r in rows]

    # ------------------------------------------------------------------ messages
    def add_message(self, handoff_id: int, direction: str, text: str, source_key: str,
                    status: str = DELIVERED, group_message_id: Optional[int] = None) -> Optional[RelayedView]:
        """Records a relayed message (``direction`` ``user``, ``staff`` or ``note``) and moves
        the hand-off's ``last_activity_at``. Returns ``None`` when ``source_key``
        was recorded already for this hand-off (a retried update: relay it
        once). Audited as ``handoff_message``."""
        try:
            with self._session() as c, c.begin():
                now = self.now()
                message_id = c.execute(insert(m.HandoffMessage).values(
                    handoff_id=handoff_id, direction=direction, text=text, source_key=source_key, status=status,
                    group_message_id=group_message_id, created_at=now,
                    delivered_at=now if status == DELIVERED else None)).inserted_primary_key[0]
                c.execute(update(m.Handoff).where(m.Handoff.id == handoff_id).values(last_activity_at=now))
                self._audit(c, direction if direction != NOTE else "system", "handoff_message", self._row(c, handoff_id), text,
                            {"direction": direction, "message_id": message_id})
                row = c.execute(select(m.HandoffMessage).where(m.HandoffMessage.id == message_id)).scalars().one()
                return _relayed(row)
        except IntegrityError:
            return None

    def finish_message(self, message_id: int, status: str, error: Optional[str] = None,
                       group_message_id: Optional[int] = None) -> None:
        """Sets a relayed message's ``status`` (and ``error``, and the id of its
        copy in the staff group when given)."""
        values = dict(status=status, error=error, delivered_at=self.now() if status == DELIVERED else None)
        if group_message_id is not None:
            values["group_message_id"] = int(group_message_id)
        with self._session() as c, c.begin():
            c.execute(update(m.HandoffMessage).where(m.HandoffMessage.id == message_id).values(**values))

    def pending_for(self, conversation: str) -> List[RelayedView]:
        """Staff messages (and the assistant's notes) not yet delivered to ``conversation`` (any hand-off of
        it, open or just closed), oldest first."""
        with self._session() as c:
            rows = c.execute(select(m.HandoffMessage).join(m.Handoff, m.Handoff.id == m.HandoffMessage.handoff_id)
                             .where(m.Handoff.conversation == conversation, m.HandoffMessage.direction.in_((STAFF, NOTE)),
                                    m.HandoffMessage.status == PENDING)
                             .order_by(m.HandoffMessage.id)).scalars().all()
            return [_relayed(r) for r in rows]

    def messages(self, handoff_id: int) -> List[RelayedView]:
        """Every message relayed in the hand-off, in order."""
        with self._session() as c:
            rows = c.execute(select(m.HandoffMessage).where(m.HandoffMessage.handoff_id == handoff_id)
                             .order_by(m.HandoffMessage.id)).scalars().all()
            return [_relayed(r) for r in rows]
