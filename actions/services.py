"""Process-wide services of the action server, built lazily once.

The repository talks to the database named by ``DATABASE_URL`` (see
:mod:`bot.settings`); every call goes through :func:`run_db`, which bounds it
in time so that a down or locked database yields an apology, not silence.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Callable, Optional, TypeVar

from bot.db.accounts import AccountRepository
from bot.db.repository import Repository
from bot.db.session import make_engine
from bot.domain.agencies import AgencyDirectory, default_directory
from bot.settings import load_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

_lock = threading.Lock()
_repository: Optional[Repository] = None


class DatabaseUnavailable(RuntimeError):
    """The database did not answer in time or failed."""


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


async def run_accounts(call: Callable[[AccountRepository], T], passthrough: tuple = ()) -> T:
    """Like :func:`run_db` for :class:`AccountRepository`; exceptions of the
    types in ``passthrough`` (e.g. ``NotLinkedError``) are re-raised as they are.

    Raises:
        DatabaseUnavailable: on timeout or any other error from the database layer.
    """
    return await _bounded(lambda: call(accounts()), passthrough)


async def _bounded(work: Callable[[], T], passthrough: tuple = ()) -> T:
    timeout = load_settings().db_timeout_s + 1
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), timeout)
    except asyncio.TimeoutError as error:
        logger.error("database call timed out after %.1f s", timeout)
        raise DatabaseUnavailable("timeout") from error
    except passthrough:
        raise
    except Exception as error:  # noqa: BLE001 - any failure below is "unavailable" to the user
        logger.exception("database call failed")
        raise DatabaseUnavailable(str(error)) from error
