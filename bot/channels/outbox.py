"""Replies that survive a platform misbehaving mid-turn, and a restart: never a lost turn.

Rasa sends a turn's replies (``OutputChannel.send_response``) before it saves
the turn's events; an exception from a platform (Telegram's 429 with a long
``retry_after``, a 5xx, Zalo's rate limit) used to leave Rasa there, so the
user's message and the bot's answer were never stored. The Telegram and Zalo
outputs therefore plan each reply as a list of platform calls and hand them to
an :class:`Outbox`, which never raises into Rasa:

- each call is made under the delivery policy (:mod:`bot.channels.delivery`,
  ``DEFAULT_POLICY``: a few quick retries within the turn);
- on a **transient** failure the call and every later call to that recipient
  are stored as ``pending`` in ``undelivered_reply`` (:mod:`bot.db.undelivered`),
  the first with ``next_attempt_at``: the wait the platform asked for
  (``retry_after``), else the back-off of ``LATER_POLICY`` (the same
  :class:`~bot.channels.delivery.DeliveryPolicy` formula, 2 s doubling up to
  5 minutes). A later reply to a recipient with replies still waiting is
  stored behind them, so the order holds;
- the **database is the queue**: every server retries the pending rows of its
  channel in the background -- at start-up, whenever a row falls due, and at
  least every ``poll_s`` seconds -- so rows left by a restart or by another
  server are picked up. Each row is claimed atomically before it is sent
  (:meth:`bot.db.undelivered.UndeliveredStore.claim`), so two servers on
  PostgreSQL never both send it; a server that dies mid-send leaves the row
  ``sending`` and another claims it after ``lease_s`` (at least once);
- delivered rows become ``delivered``; on a **permanent** failure (blocked,
  chat not found, ...) the row and the ones waiting behind it become
  ``failed``; a row still undelivered ``retry_window_s`` (15 minutes) after it
  was stored becomes ``failed`` ("hết thời gian"). Operators see them with
  ``python -m bot undelivered`` (:mod:`bot.cli.reminders`).

A failure to read or write the table is logged and does not stop the delivery
of the turn's reply.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional

from bot.channels.config import short_id
from bot.channels.delivery import LATER_POLICY, DeliveryFailed, DeliveryPolicy, Verdict

logger = logging.getLogger(__name__)

Call = Dict[str, Any]  # {"method": ..., "params": {...}}: one platform call, JSON-serialisable

# While set (inside :func:`planning`), an output records its platform calls here instead of making them.
PLANNED: "contextvars.ContextVar[Optional[List[Call]]]" = contextvars.ContextVar("planned_calls", default=None)


@contextlib.contextmanager
def planning() -> "Iterator[List[Call]]":
    """Within the block, outputs append the platform calls of a reply to the
    yielded list (:data:`PLANNED`) instead of making them."""
    calls: List[Call] = []
    token = PLANNED.set(calls)
    try:
        yield calls
    finally:
        PLANNED.reset(token)


WAITING = "waiting behind an undelivered reply"
OUT_OF_TIME = "hết thời gian gửi lại"


def _default_store() -> Any:
    from bot.db.session import make_engine
    from bot.db.undelivered import UndeliveredStore

    return UndeliveredStore(make_engine())


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Outbox:
    """Delivers planned replies for one ``channel`` through ``send(call)``
    (a coroutine function making one call under the delivery policy and raising
    ``DeliveryFailed``), keeping undelivered ones (see the module docstring).

    ``store`` returns the :class:`bot.db.undelivered.UndeliveredStore` (built on
    first use); ``policy`` gives the back-off between later deliveries;
    ``retry_window_s`` (seconds after a row was stored) bounds them;
    ``poll_s`` is the longest pause of the background loop; ``lease_s`` how
    long a claimed row is left to its server; ``now`` returns the UTC time;
    ``background=False`` never starts the loop (the caller runs
    :meth:`drain_once`, as the tests do with an injected clock).
    """

    def __init__(self, channel: str, send: Callable[[Call], Awaitable[Any]], *,
                 store: Callable[[], Any] = _default_store, policy: DeliveryPolicy = LATER_POLICY,
                 retry_window_s: float = 900.0, poll_s: float = 30.0, lease_s: float = 120.0,
                 now: Callable[[], datetime] = _utcnow, background: bool = True) -> None:
        self.channel = channel
        self.send = send
        self.policy = policy
        self.retry_window_s = retry_window_s
        self.poll_s = poll_s
        self.lease = timedelta(seconds=lease_s)
        self.now = now
        self.background = background
        self._store_factory = store
        self._store: Any = None
        self._task: Optional[asyncio.Task] = None
        self._wake: Optional[asyncio.Event] = None

    # ------------------------------------------------------------ storing
    async def _db(self, what: str, *args: Any, **kwargs: Any) -> Any:
        """Runs ``UndeliveredStore.<what>(*args)`` in a thread; logs and returns
        ``None`` when the database fails."""
        try:
            if self._store is None:
                self._store = await asyncio.to_thread(self._store_factory)
            return await asyncio.to_thread(getattr(self._store, what), *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - the reply matters more than its record
            logger.error("undelivered replies: %s failed (%s: %s)", what, type(error).__name__, str(error)[:200])
            return None

    def wait_s(self, tries: int, failed: DeliveryFailed) -> float:
        """Seconds before the next delivery of a reply tried ``tries`` times
        (>= 1) that failed transiently with ``failed``: the platform's
        ``retry_after_s`` when given, else ``policy``'s back-off."""
        if failed.retry_after_s is not None:
            return max(0.0, failed.retry_after_s)
        wait = self.policy.wait_before_retry(max(1, tries), Verdict(True, failed.reason))
        return self.policy.max_delay_s if wait is None else wait

    # ---------------------------------------------------------- delivering
    async def deliver(self, recipient: str, calls: List[Call]) -> None:
        """Makes ``calls`` to ``recipient`` in order; what cannot be delivered
        now is kept (transient) or recorded as failed (permanent). Never raises
        ``DeliveryFailed``."""
        recipient = str(recipient)
        if calls and await self._db("has_unfinished", self.channel, recipient):  # keep the order
            for call in calls:
                await self._db("add", self.channel, recipient, call, WAITING, "pending", 0)
            self.start()
            return
        for i, call in enumerate(calls):
            try:
                await self.send(call)
            except DeliveryFailed as failed:
                await self._keep(recipient, calls[i:], failed)
                return

    async def _keep(self, recipient: str, calls: List[Call], failed: DeliveryFailed) -> None:
        if failed.permanent:
            for n, call in enumerate(calls):
                await self._db("add", self.channel, recipient, call, failed.reason, "failed", 1 if n == 0 else 0)
            logger.error("%s reply to %s not delivered (permanent): recorded", self.channel, short_id(recipient))
            return
        wait = self.wait_s(1, failed)
        due = self.now() + timedelta(seconds=wait)
        for n, call in enumerate(calls):
            await self._db("add", self.channel, recipient, call, failed.reason if n == 0 else WAITING, "pending",
                           1 if n == 0 else 0, due if n == 0 else None)
        logger.warning("%s reply to %s kept; retrying in %.0f s", self.channel, short_id(recipient), wait)
        self.start()

    async def drain_once(self) -> Optional[datetime]:
        """One pass over the channel's unfinished rows: for each recipient, in
        order, claims and sends the rows that are due, stopping at the first
        that is not due, claimed elsewhere or fails transiently.

        Output: the earliest ``next_attempt_at`` still ahead (UTC), or ``None``.
        Never raises (database errors are logged).
        """
        rows = await self._db("unfinished", self.channel) or []
        by_recipient: Dict[str, List[Any]] = {}
        for row in rows:
            by_recipient.setdefault(row.recipient, []).append(row)
        ahead: List[datetime] = []
        for recipient, queue in by_recipient.items():
            when = await self._drain(recipient, queue)
            if when is not None:
                ahead.append(when)
        return min(ahead) if ahead else None

    async def _drain(self, recipient: str, queue: List[Any]) -> Optional[datetime]:
        """Sends the due rows of one recipient in order; returns when the first
        row left waits until, if it waits for a time."""
        for i, row in enumerate(queue):
            now = self.now()
            if row.status == "pending" and row.next_attempt_at is not None and row.next_attempt_at > now:
                return row.next_attempt_at
            if not await self._db("claim", row.id, self.lease):
                return None  # another server has it (or it is not due any more)
            if now > row.created_at + timedelta(seconds=self.retry_window_s):
                await self._db("finish", row.id, "failed", f"{OUT_OF_TIME}: {row.error or ''}".strip(": "), 0)
                logger.error("%s reply to %s given up: out of time", self.channel, short_id(recipient))
                continue
            try:
                await self.send(row.call)
            except asyncio.CancelledError:  # the server stops mid-send: the next start (or server) retries it
                await self._db("finish", row.id, "pending", row.error, 0, row.next_attempt_at)
                raise
            except DeliveryFailed as failed:
                if failed.permanent:
                    await self._db("finish", row.id, "failed", failed.reason, 1)
                    for left in queue[i + 1:]:
                        if await self._db("claim", left.id, self.lease):
                            await self._db("finish", left.id, "failed", failed.reason, 0)
                    logger.error("%s reply to %s given up: %s", self.channel, short_id(recipient), failed.reason)
                    return None
                due = self.now() + timedelta(seconds=self.wait_s(row.attempts + 1, failed))
                if due > row.created_at + timedelta(seconds=self.retry_window_s):
                    await self._db("finish", row.id, "failed", f"{OUT_OF_TIME}: {failed.reason}", 1)
                    logger.error("%s reply to %s given up: %s", self.channel, short_id(recipient), failed.reason)
                    continue
                await self._db("finish", row.id, "pending", failed.reason, 1, due)
                return due
            except Exception as error:  # noqa: BLE001 - a call that cannot be made again: record it
                await self._db("finish", row.id, "failed", f"{type(error).__name__}: {str(error)[:200]}", 1)
                logger.error("%s reply to %s failed: %s", self.channel, short_id(recipient), type(error).__name__)
                continue
            await self._db("finish", row.id, "delivered", None, 1)
            logger.info("%s reply to %s delivered late", self.channel, short_id(recipient))
        return None

    # ------------------------------------------------------ the background
    def start(self) -> None:
        """Starts (once) the background loop that retries the pending rows, in
        the running event loop; wakes it if it is already running. The Rasa
        server calls it at start-up (``after_server_start``)."""
        if not self.background:
            return
        if self._task is not None and not self._task.done():
            if self._wake is not None:
                self._wake.set()
            return
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                when = await self.drain_once()
            except Exception as error:  # noqa: BLE001 - the loop must outlive one bad pass
                logger.error("undelivered replies: pass failed (%s)", type(error).__name__)
                when = None
            pause = self.poll_s
            if when is not None:
                pause = min(pause, max(0.05, (when - self.now()).total_seconds()))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), pause)

    async def close(self) -> None:
        """Stops the background loop (the server stops); rows stay ``pending``
        for the next start, or for another server."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
