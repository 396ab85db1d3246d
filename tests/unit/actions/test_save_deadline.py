"""The reply to an official's "có" matches the database under lock contention.

Another connection holds locks while ``action_save_submission`` runs (a
reminder pass or an import holding SQLite's write lock or a long read; on
PostgreSQL, table locks), with ``DB_TIMEOUT_S=2``. After every reply the test
waits until the locks are gone and well past the deadline, then counts the
rows: "nothing was recorded" must mean no row, "recorded" one row. Real SQLite
files and a real PostgreSQL database (127.0.0.1:5432).
"""
from __future__ import annotations

import sqlite3
import threading
import time
from typing import Callable, List

import psycopg2
import pytest
from sqlalchemy import func, select

from actions import official_replies as say
from actions.officials import ActionSaveSubmission
from bot.db import models as m
from tests.unit.actions import test_officials as officials
from tests.unit.actions.test_officials import link, run, tracker

engine, accounts = officials.engine, officials.accounts  # the migrated SQLite / PostgreSQL fixtures

DEADLINE_S = 2.0


@pytest.fixture
def bounded(engine, monkeypatch):
    monkeypatch.setenv("DB_TIMEOUT_S", str(DEADLINE_S))
    return engine


def rows(engine, reference: str) -> int:
    with engine.connect() as c:
        subs = c.execute(select(func.count()).select_from(m.Submission)
                         .where(m.Submission.reference_number == reference)).scalar_one()
        audit = c.execute(select(func.count()).select_from(m.AuditEntry)
                          .where(m.AuditEntry.action == "record_submission")).scalar_one()
    return subs if subs == audit or subs == 0 else -1  # -1: a submission without its audit entry


class Locks:
    """Locks taken now from other connections, each released after its delay."""

    def __init__(self) -> None:
        self.timers: List[threading.Timer] = []

    def hold(self, release: Callable[[], None], seconds: float) -> None:
        timer = threading.Timer(seconds, release)
        timer.start()
        self.timers.append(timer)

    def wait_past(self) -> None:
        """Until every lock is released, then past the deadline and its grace."""
        for timer in self.timers:
            timer.join()
        time.sleep(DEADLINE_S)


def sqlite_connection(engine) -> sqlite3.Connection:
    return sqlite3.connect(engine.url.database, isolation_level=None, check_same_thread=False)


def sqlite_write_lock(locks: Locks, engine, seconds: float) -> None:
    c = sqlite_connection(engine)
    c.execute("BEGIN IMMEDIATE")  # what a reminder pass or an import holds while it writes
    locks.hold(lambda: (c.execute("ROLLBACK"), c.close()), seconds)


def sqlite_read(locks: Locks, engine, seconds: float) -> None:
    c = sqlite_connection(engine)
    c.execute("BEGIN")
    c.execute("SELECT count(*) FROM submission").fetchone()  # a long read, e.g. a reminder pass
    locks.hold(lambda: (c.execute("COMMIT"), c.close()), seconds)


def pg_table_lock(locks: Locks, engine, table: str, seconds: float) -> None:
    c = psycopg2.connect(engine.url.render_as_string(hide_password=False))
    c.cursor().execute(f"LOCK TABLE {table} IN SHARE MODE")  # blocks inserts, not reads
    locks.hold(lambda: (c.rollback(), c.close()), seconds)


async def save(reference: str, message_id: str) -> str:
    slots = {"sub_pending": True, "sub_agency_code": "QUANGNINH", "sub_obligation": "BC-2022-Q1",
             "sub_received_on": "2022-03-14", "sub_reference": reference, "sub_message_id": message_id}
    reply, _, _ = await run(ActionSaveSubmission(), tracker("có", intent="affirm", slots=slots))
    return reply


async def test_sqlite_reply_matches_database(accounts, bounded):
    if bounded.dialect.name != "sqlite":
        pytest.skip("SQLite locks")
    await link(accounts)

    # the write lock is held past the deadline: nothing recorded, and nothing appears later
    locks = Locks()
    sqlite_write_lock(locks, bounded, DEADLINE_S + 1.5)
    reply = await save("1/BC-UBND", "m-1")
    locks.wait_past()
    assert reply == say.SAVE_FAILED and rows(bounded, "1/BC-UBND") == 0

    # the writer lets go within the deadline while a long read is still open:
    # recorded, and the reply says so
    locks = Locks()
    sqlite_read(locks, bounded, DEADLINE_S + 1.3)
    sqlite_write_lock(locks, bounded, DEADLINE_S / 2)
    reply = await save("2/BC-UBND", "m-2")
    locks.wait_past()
    assert reply.startswith("Đã ghi nhận: Tỉnh Quảng Ninh gửi báo cáo quý I/2022"), reply
    assert rows(bounded, "2/BC-UBND") == 1


async def test_postgresql_reply_matches_database(accounts, bounded):
    if bounded.dialect.name != "postgresql":
        pytest.skip("PostgreSQL locks")
    await link(accounts)

    # inserts into submission blocked past the deadline
    locks = Locks()
    pg_table_lock(locks, bounded, "submission", DEADLINE_S + 1.5)
    reply = await save("1/BC-UBND", "m-1")
    locks.wait_past()
    assert reply == say.SAVE_FAILED and rows(bounded, "1/BC-UBND") == 0

    # each wait shorter than the deadline, together longer: the submission table
    # frees up in time, the audit table only after the deadline
    locks = Locks()
    pg_table_lock(locks, bounded, "submission", DEADLINE_S * 0.75)
    pg_table_lock(locks, bounded, "audit_entry", DEADLINE_S + 1.3)
    reply = await save("2/BC-UBND", "m-2")
    locks.wait_past()
    assert reply == say.SAVE_FAILED and rows(bounded, "2/BC-UBND") == 0

    # released within the deadline: recorded, and the reply says so
    locks = Locks()
    pg_table_lock(locks, bounded, "submission", DEADLINE_S / 2)
    reply = await save("3/BC-UBND", "m-3")
    locks.wait_past()
    assert reply.startswith("Đã ghi nhận: Tỉnh Quảng Ninh gửi báo cáo quý I/2022"), reply
    assert rows(bounded, "3/BC-UBND") == 1
