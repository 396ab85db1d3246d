"""Process-wide services of the action server, built lazily once.

The repository talks to the database named by ``DATABASE_URL`` (see
:mod:`bot.settings`); every call goes through :func:`run_db` or
:func:`run_accounts`, which bound it in time so that a down or locked database
yields an apology, not silence.

The bound is enforced inside the worker thread (:func:`bot.db.session.deadline`):
a call that did not finish by ``DB_TIMEOUT_S`` seconds has rolled its
transaction back, so :class:`DatabaseUnavailable` means "nothing was written".
Only if the thread is still busy one second after that deadline (a stalled disk
or network, not a lock) does the caller get :class:`OutcomeUnknown`, which
never claims that nothing was written.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Callable, Optional, TypeVar

from bot.db.accounts import AccountRepository
from bot.db.handoffs import HandoffStore
from bot.db.repository import Repository
from bot.db.session import deadline, make_engine
from bot.domain.agencies import AgencyDirectory, default_directory
from bot.settings import load_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

_lock = threading.Lock()
_repository: Optional[Repository] = None


# How long past the in-thread deadline the caller still waits for the thread.
GRACE_S = 1.0


class DatabaseUnavailable(RuntimeError):
    """The database did not answer in time or failed; any transaction of the call
    was rolled back (nothing of it was written)."""


class OutcomeUnknown(DatabaseUnavailable):
    """The worker thread outlived its deadline by :data:`GRACE_S`: whether its
    transaction was committed is not known yet. Never tell the user "nothing was
    written" on this one."""


def repository() -> Repository:
    """The shared :class:`Repository` (engine from the settings)."""
    global _repository
    with _lock:
        if _repository is None:
            _repository = Repository(make_engine())
        return _repository


def accounts() -> AccountRepository:
    """The shared :class:`AccountRepository` (same engine as :func:`repository`)."""
    return AccountRepository(repository().engine)


def directory() -> AgencyDirectory:
    """The shared agency directory (data/agencies.yml and succession.yml)."""
    return default_directory()


async def run_db(call: Callable[[Repository], T]) -> T:
    """Run ``call(repository())`` in a worker thread, bounded by the DB timeout.

    Raises:
        DatabaseUnavailable: on timeout or any error from the database layer.
    """
    return await _bounded(lambda: call(repository()))


async def run_accounts(call: Callable[[AccountRepository], T], passthrough: tuple = (), *,
                       write: bool = False) -> T:
    """Like :func:`run_db` for :class:`AccountRepository`; exceptions of the
    types in ``passthrough`` (e.g. ``NotLinkedError``) are re-raised as they are.
    ``write``: the call writes, so on SQLite its transactions take the write lock
    at ``BEGIN IMMEDIATE`` (waiting, within the deadline, for another writer
    such as a reminder pass or an import) instead of failing at the first write.

    Raises:
        OutcomeUnknown: the thread outlived the deadline (see the module).
        DatabaseUnavailable: on timeout or any other error from the database
            layer; nothing was written.
    """
    return await _bounded(lambda: call(accounts()), passthrough, write=write)


async def run_handoffs(call: Callable[[HandoffStore], T]) -> T:
    """Like :func:`run_accounts` for :class:`bot.db.handoffs.HandoffStore`, a
    write (same engine as :func:`repository`).

    Raises:
        OutcomeUnknown, DatabaseUnavailable: as :func:`run_accounts`.
    """
    return await _bounded(lambda: call(HandoffStore(repository().engine)), write=True)


async def _bounded(work: Callable[[], T], passthrough: tuple = (), *, write: bool = False) -> T:
    """``work()`` in a worker thread under one deadline of ``DB_TIMEOUT_S`` seconds,
    counted from now (time spent queueing for a thread counts too)."""
    limit = load_settings().db_timeout_s
    end = time.monotonic() + limit

    def bounded() -> T:
        with deadline(limit, immediate=write, until=end):
            return work()

    task = asyncio.ensure_future(asyncio.to_thread(bounded))
    try:
        # shield: on timeout the thread runs on; its outcome is logged below
        return await asyncio.wait_for(asyncio.shield(task), limit + GRACE_S)
    except asyncio.TimeoutError as error:
        logger.error("database call still running %.1f s after its %.1f s deadline", GRACE_S, limit)
        task.add_done_callback(_log_late_outcome)
        raise OutcomeUnknown("the worker thread outlived its deadline") from error
    except passthrough:
        raise
    except Exception as error:  # noqa: BLE001 - any failure below is "unavailable" to the user
        logger.exception("database call failed")
        raise DatabaseUnavailable(str(error)) from error


def _log_late_outcome(task: "asyncio.Future") -> None:
    error = None if task.cancelled() else task.exception()
    logger.error("late database call finished: %s", "failed (%r)" % (error,) if error else "succeeded")
