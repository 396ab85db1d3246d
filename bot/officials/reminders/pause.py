"""Reminders paused for an account the platform says cannot be reached, and
resumed when that account writes to the assistant again.

The scheduler (:mod:`bot.officials.reminders.scheduler`) pauses an account
when a reminder fails with a permanent refusal about the recipient
(``DeliveryFailed.unreachable``, classified in :mod:`bot.channels.delivery`:
Telegram 403 "bot was blocked by the user" / "user is deactivated", 400 "chat
not found"; Zalo -213, -227, -230, -232). The Telegram and Zalo connectors call
:func:`resume_on_message` for every message a person sends them, which clears
the pause (:meth:`bot.db.reminders.ReminderStore.resume`). Operators see paused
accounts with ``python -m bot reminders paused``.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Optional

from bot.channels.config import short_id

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_store: Optional[Any] = None


def _default_store() -> Any:
    global _store
    with _lock:
        if _store is None:
            from bot.db.reminders import ReminderStore
            from bot.db.session import make_engine

            _store = ReminderStore(make_engine())
        return _store


async def resume_on_message(channel: str, user_id: Any, store: Optional[Any] = None) -> bool:
    """Resumes the reminders of the account ``(channel, user_id)`` (raw platform
    id, e.g. ``("telegram", "12345")``) if they were paused; called by the
    connectors when that account writes. One indexed read when nothing is
    paused; runs in a thread.

    Output: ``True`` when a pause was cleared. Never raises: a database error
    is logged and the message goes on.
    """
    try:
        resumed = await asyncio.to_thread(lambda: (store or _default_store()).resume(channel, str(user_id)))
    except Exception as error:  # noqa: BLE001 - the user's message matters more than the pause
        logger.warning("reminders: could not check the pause of %s %s (%s)", channel, short_id(user_id),
                       type(error).__name__)
        return False
    if resumed:
        logger.info("reminders resumed for %s %s: the account wrote again", channel, short_id(user_id))
    return bool(resumed)
