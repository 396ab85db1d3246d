"""Replies that survive a platform misbehaving mid-turn: never a lost turn.

Rasa sends a turn's replies (``OutputChannel.send_response``) before it saves
the turn's events; an exception from a platform (Telegram's 429 with a long
``retry_after``, a 5xx, Zalo's rate limit) used to leave Rasa there, so the
user's message and the bot's answer were never stored. The Telegram and Zalo
outputs therefore plan each reply as a list of platform calls and hand them to
an :class:`Outbox`, which never raises into Rasa:

- each call is made under the delivery policy (:mod:`bot.channels.delivery`);
- on a **transient** failure the call and every later call to that recipient
  wait in order, are stored as ``pending`` in ``undelivered_reply``
  (:mod:`bot.db.undelivered`) and are retried in the background after the
  wait the platform asked for (``retry_after``), else with back-off from
  ``base_wait_s`` up to ``max_wait_s``, for at most ``retry_window_s``;
  delivered ones become ``delivered``;
- on a **permanent** failure (blocked, chat not found, ...), or once the window
  is over, they become ``failed`` (logged once by the policy, stored here).

The waiting queue lives in the server's memory: after a restart the rows left
``pending`` are not retried, they stay in the table for the operator. A
failure to write the table is logged and does not stop the delivery.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Set

from bot.channels.config import short_id
from bot.channels.delivery import DeliveryFailed

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


@dataclass
class _Waiting:
    row_id: Optional[int]
    call: Call


def _default_store() -> Any:
    from bot.db.session import make_engine
    from bot.db.undelivered import UndeliveredStore

    return UndeliveredStore(make_engine())


class Outbox:
    """Delivers planned replies for one ``channel`` through ``send(call)``
    (a coroutine function making one call under the delivery policy and raising
    ``DeliveryFailed``), keeping undelivered ones (see the module docstring).

    ``store`` returns the :class:`bot.db.undelivered.UndeliveredStore` (built on
    first use); ``sleep`` waits (tests may inject one).
    """

    def __init__(self, channel: str, send: Callable[[Call], Awaitable[Any]], *,
                 store: Callable[[], Any] = _default_store, retry_window_s: float = 900.0,
                 base_wait_s: float = 2.0, max_wait_s: float = 300.0,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.channel = channel
        self.send = send
        self.retry_window_s = retry_window_s
        self.base_wait_s = base_wait_s
        self.max_wait_s = max_wait_s
        self.sleep = sleep
        self._store_factory = store
        self._store: Any = None
        self.waiting: Dict[str, List[_Waiting]] = {}
        self._tasks: Set[asyncio.Task] = set()

    # ------------------------------------------------------------ storing
    async def _db(self, what: str, *args: Any) -> Any:
        """Runs ``UndeliveredStore.<what>(*args)`` in a thread; logs and returns
        ``None`` when the database fails."""
        try:
            if self._store is None:
                self._store = await asyncio.to_thread(self._store_factory)
            return await asyncio.to_thread(getattr(self._store, what), *args)
        except Exception as error:  # noqa: BLE001 - the reply matters more than its record
            logger.error("undelivered reply not recorded (%s: %s)", type(error).__name__, str(error)[:200])
            return None

    # ---------------------------------------------------------- delivering
    async def deliver(self, recipient: str, calls: List[Call]) -> None:
        """Makes ``calls`` to ``recipient`` in order; what cannot be delivered
        now is kept (transient) or recorded as failed (permanent). Never raises
        ``DeliveryFailed``."""
        recipient = str(recipient)
        queue = self.waiting.get(recipient)
        if queue is not None:  # earlier replies still wait: keep the order
            for call in calls:
                row = await self._db("add", self.channel, recipient, call, WAITING, "pending", 0)
                queue.append(_Waiting(row, call))
            return
        for i, call in enumerate(calls):
            try:
                await self.send(call)
            except DeliveryFailed as failed:
                await self._keep(recipient, calls[i:], failed)
                return

    async def _keep(self, recipient: str, calls: List[Call], failed: DeliveryFailed) -> None:
        status = "failed" if failed.permanent else "pending"
        rows = [await self._db("add", self.channel, recipient, call,
                               failed.reason if n == 0 or failed.permanent else WAITING, status,
                               1 if n == 0 else 0) for n, call in enumerate(calls)]
        if failed.permanent:
            logger.error("%s reply to %s not delivered (permanent): recorded", self.channel, short_id(recipient))
            return
        self.waiting[recipient] = [_Waiting(row, call) for row, call in zip(rows, calls, strict=True)]
        wait = failed.retry_after_s if failed.retry_after_s is not None else self.base_wait_s
        logger.warning("%s reply to %s kept; retrying in %.0f s", self.channel, short_id(recipient), wait)
        task = asyncio.get_running_loop().create_task(self._drain(recipient, wait))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, recipient: str, wait: float) -> None:
        """Sends the waiting calls of ``recipient`` in order, waiting ``wait``
        first and as the platform asks after each transient failure."""
        queue = self.waiting[recipient]
        deadline = time.monotonic() + self.retry_window_s
        retries = 0
        while queue:
            await self.sleep(min(max(0.0, wait), self.max_wait_s))
            item = queue[0]
            try:
                await self.send(item.call)
            except DeliveryFailed as failed:
                if failed.permanent or time.monotonic() + (failed.retry_after_s or 0) > deadline:
                    for left in list(queue):
                        if left.row_id is not None:
                            await self._db("finish", left.row_id, "failed", failed.reason, 1 if left is item else 0)
                    queue.clear()
                    logger.error("%s reply to %s given up: %s", self.channel, short_id(recipient), failed.reason)
                    break
                retries += 1
                wait = failed.retry_after_s if failed.retry_after_s is not None else \
                    min(self.max_wait_s, self.base_wait_s * 2 ** retries)
                if item.row_id is not None:
                    await self._db("finish", item.row_id, "pending", failed.reason, 1)
                continue
            queue.pop(0)
            wait = 0.0
            if item.row_id is not None:
                await self._db("finish", item.row_id, "delivered", None, 1)
            logger.info("%s reply to %s delivered late", self.channel, short_id(recipient))
        if not queue:
            self.waiting.pop(recipient, None)

    async def close(self) -> None:
        """Cancels the background retries (the server stops); their rows stay ``pending``."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
