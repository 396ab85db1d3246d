"""The reminders' delivery log: subscribed accounts and one row per reminder
(account, obligation, stage), claimed before it is sent so that it is never
sent twice (see :mod:`bot.officials.reminders`).

Timestamps are aware UTC; ``local_day`` is a local Asia/Ho_Chi_Minh date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Collection, Dict, List, Optional, Set, Tuple

from sqlalchemy import delete, func, insert, select, true, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.db import models as m

SENT, FAILED, SENDING, UNKNOWN, RETRY = "sent", "failed", "sending", "unknown", "retry"
STALE_AFTER = timedelta(minutes=10)  # a "sending" row older than this is reported as unknown


@dataclass(frozen=True)
class Subscriber:
    """A subscribed account: ``channel`` ("telegram" | "zalo"), ``user_id`` (Telegram
    chat id or Zalo user id, as text) and the code of the agency it is linked to."""

    account_id: int
    channel: str
    user_id: str
    agency_code: str


@dataclass(frozen=True)
class PausedView:
    """An account whose reminders are paused: the platform said it cannot be
    reached (``reason``, secret-free) at ``paused_at`` (UTC)."""

    account_id: int
    channel: str
    user_id: str
    agency_code: str
    agency_name: str
    paused_at: datetime
    reason: str


@dataclass(frozen=True)
class DeliveryView:
    """One row of the delivery log; ``status`` is ``sent``, ``failed``, ``retry``
    (a transient failure: a later pass sends it while the stage is still due),
    ``sending`` (claimed less than :data:`STALE_AFTER` ago) or ``unknown``
    (claimed longer ago and never finished). Timestamps are UTC; ``local_day`` a local date."""

    id: int
    claimed_at: datetime
    finished_at: Optional[datetime]
    status: str
    channel: str
    user_id: str
    agency_code: str
    agency_name: str
    obligation_code: str
    stage: str
    local_day: date
    error: Optional[str]
    text: str


class ReminderStore:
    """Subscribers and the delivery log in the agency database.

    ``engine`` comes from :func:`bot.db.session.make_engine` (SQLite or
    PostgreSQL); the tables are created by ``python -m bot init-db``.
    ``now`` returns the current UTC time (tests inject a clock). Database
    failures propagate as ``sqlalchemy.exc.SQLAlchemyError``.
    """

    def __init__(self, engine: Engine, stale_after: timedelta = STALE_AFTER,
                 now: Optional[Callable[[], datetime]] = None) -> None:
        self.engine = engine
        self.stale_after = stale_after
        self._now = now or (lambda: datetime.now(timezone.utc))

    def now(self) -> datetime:
        """The current time in UTC (aware)."""
        return self._now().astimezone(timezone.utc)

    def subscribers(self) -> List[Subscriber]:
        """Accounts with ``revoked_at IS NULL`` and ``subscribed = true`` whose
        reminders are not paused, by id."""
        q = (select(m.AccountLink.id, m.AccountLink.channel, m.AccountLink.user_id, m.Agency.code)
             .join(m.Agency, m.Agency.id == m.AccountLink.agency_id)
             .where(m.AccountLink.revoked_at.is_(None), m.AccountLink.subscribed == true(),
                    ~select(m.ReminderPause.account_link_id)
                    .where(m.ReminderPause.account_link_id == m.AccountLink.id).exists())
             .order_by(m.AccountLink.id))
        with self.engine.connect() as c:
            return [Subscriber(int(i), ch, str(uid), code) for i, ch, uid, code in c.execute(q)]

    def obligation_ids(self) -> Dict[str, int]:
        """Obligation id by code."""
        with self.engine.connect() as c:
            return {code: int(i) for i, code in c.execute(select(m.Obligation.id, m.Obligation.code))}

    def delivered(self, account_ids: Collection[int]) -> Dict[Tuple[int, str], Set[str]]:
        """Stages in the log by ``(account_id, obligation_code)``: any status but
        ``retry`` (those may still go out)."""
        out: Dict[Tuple[int, str], Set[str]] = {}
        if not account_ids:
            return out
        q = (select(m.ReminderDelivery.account_link_id, m.Obligation.code, m.ReminderDelivery.stage)
             .join(m.Obligation, m.Obligation.id == m.ReminderDelivery.obligation_id)
             .where(m.ReminderDelivery.account_link_id.in_(list(account_ids)),
                    m.ReminderDelivery.status != RETRY))
        with self.engine.connect() as c:
            for account_id, code, stage in c.execute(q):
                out.setdefault((int(account_id), code), set()).add(stage)
        return out

    def claim(self, account_id: int, obligation_id: int, stage: str, local_day: date, text: str) -> Optional[int]:
        """Insert the (account, obligation, stage) row with status ``sending``, or
        take over that row when it is ``retry`` (a transient failure earlier).

        Output: the row id, or ``None`` when the row exists in any other status
        (another scheduler, an earlier run, or a run before a clock change has
        it): then the caller must not send. Both ways are one atomic statement
        (the unique key; a conditional ``UPDATE``), so one caller wins.
        """
        try:
            with self.engine.begin() as c:
                result = c.execute(insert(m.ReminderDelivery).values(
                    account_link_id=account_id, obligation_id=obligation_id, stage=stage, local_day=local_day,
                    status=SENDING, claimed_at=self.now(), text=text))
                return int(result.inserted_primary_key[0])
        except IntegrityError:
            pass
        d = m.ReminderDelivery
        key = (d.account_link_id == account_id, d.obligation_id == obligation_id, d.stage == stage)
        with self.engine.begin() as c:
            taken = c.execute(update(d).where(*key, d.status == RETRY).values(
                status=SENDING, claimed_at=self.now(), local_day=local_day, text=text, finished_at=None))
            if taken.rowcount != 1:
                return None
            return int(c.execute(select(d.id).where(*key)).scalar_one())

    def finish(self, delivery_id: int, error: Optional[str] = None, *, retry: bool = False) -> None:
        """Mark a claimed row ``sent`` (``error`` None), ``failed`` with ``error``,
        or ``retry`` with ``error`` (``retry=True``: a transient failure, a later
        pass may claim it again). Only a row still ``sending`` changes."""
        status = SENT if error is None else RETRY if retry else FAILED
        with self.engine.begin() as c:
            c.execute(update(m.ReminderDelivery)
                      .where(m.ReminderDelivery.id == delivery_id, m.ReminderDelivery.status == SENDING)
                      .values(status=status, error=error, finished_at=self.now()))

    # ------------------------------------------------------------ pauses
    def pause(self, account_id: int, reason: str) -> bool:
        """Pause the reminders of account ``account_id`` (the platform said it
        cannot be reached; ``reason`` is kept for the operator). ``True`` if it
        was not paused already."""
        try:
            with self.engine.begin() as c:
                c.execute(insert(m.ReminderPause).values(account_link_id=account_id, paused_at=self.now(),
                                                         reason=reason[:500]))
            return True
        except IntegrityError:
            return False

    def resume(self, channel: str, user_id: str) -> bool:
        """Resume the reminders of the account ``(channel, user_id)`` (it wrote
        again). ``True`` if they were paused. Reads first, so that the common
        case (nothing paused) takes no write lock."""
        p, a = m.ReminderPause, m.AccountLink
        q = (select(p.account_link_id).join(a, a.id == p.account_link_id)
             .where(a.channel == channel, a.user_id == str(user_id)))
        with self.engine.connect() as c:
            ids = [int(i) for (i,) in c.execute(q)]
        if not ids:
            return False
        with self.engine.begin() as c:
            return c.execute(delete(p).where(p.account_link_id.in_(ids))).rowcount > 0

    def paused(self) -> List[PausedView]:
        """Linked, subscribed accounts whose reminders are paused, oldest pause first."""
        p, a, ag = m.ReminderPause, m.AccountLink, m.Agency
        q = (select(a.id, a.channel, a.user_id, ag.code, ag.name, p.paused_at, p.reason)
             .join(a, a.id == p.account_link_id).join(ag, ag.id == a.agency_id)
             .where(a.revoked_at.is_(None), a.subscribed == true())
             .order_by(p.paused_at, a.id))
        with self.engine.connect() as c:
            return [PausedView(int(r[0]), r[1], str(r[2]), r[3], r[4], r[5], r[6] or "") for r in c.execute(q)]

    def _effective(self, status: str, claimed_at: datetime) -> str:
        if status == SENDING and claimed_at < self.now() - self.stale_after:
            return UNKNOWN
        return status

    def deliveries(self, status: Optional[str] = None, limit: int = 50) -> List[DeliveryView]:
        """The newest ``limit`` log rows, optionally only those with ``status``
        (``sent``, ``failed``, ``retry``, ``unknown`` or ``sending``), newest first.

        Raises:
            ValueError: unknown ``status``.
        """
        if status not in (None, SENT, FAILED, RETRY, UNKNOWN, SENDING):
            raise ValueError(f"unknown status {status!r}")
        d, a, ag, o = m.ReminderDelivery, m.AccountLink, m.Agency, m.Obligation
        q = (select(d.id, d.claimed_at, d.finished_at, d.status, a.channel, a.user_id, ag.code, ag.name, o.code,
                    d.stage, d.local_day, d.error, d.text)
             .join(a, a.id == d.account_link_id).join(ag, ag.id == a.agency_id).join(o, o.id == d.obligation_id))
        cutoff = self.now() - self.stale_after
        if status == UNKNOWN:
            q = q.where(d.status == SENDING, d.claimed_at < cutoff)
        elif status == SENDING:
            q = q.where(d.status == SENDING, d.claimed_at >= cutoff)
        elif status is not None:
            q = q.where(d.status == status)
        q = q.order_by(d.claimed_at.desc(), d.id.desc()).limit(max(1, int(limit)))
        with self.engine.connect() as c:
            rows = c.execute(q).all()
        return [DeliveryView(id=int(r[0]), claimed_at=r[1], finished_at=r[2],
                             status=self._effective(r[3], r[1]), channel=r[4], user_id=str(r[5]),
                             agency_code=r[6], agency_name=r[7], obligation_code=r[8], stage=r[9],
                             local_day=r[10], error=r[11], text=r[12] or "")
                for r in rows]

    def count_unknown(self) -> int:
        """Rows claimed more than :data:`STALE_AFTER` ago and never finished."""
        d = m.ReminderDelivery
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(d).where(
                d.status == SENDING, d.claimed_at < self.now() - self.stale_after)).scalar_one())
