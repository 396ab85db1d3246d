"""bot.channels.outbox through the real Telegram output, over HTTP to the fake
Bot API, with the undelivered replies stored in a real database (SQLite and
PostgreSQL): a reply a platform refuses mid-turn never raises into Rasa; it is
kept in the database, retried after the platform's wait in order -- by this
server or, after a restart, by the next one, once -- or recorded as failed."""
from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta, timezone

import pytest

from bot.channels.delivery import DeliveryPolicy
from bot.channels.outbox import OUT_OF_TIME, Outbox
from bot.channels.telegram import TelegramOutput
from bot.db.session import make_engine
from bot.db.undelivered import UndeliveredStore
from tests.support.fakes import BAD_GATEWAY, BLOCKED, TELEGRAM_TOKEN, too_many_requests

TWO_PARAGRAPHS = "Đoạn một.\n\nĐoạn hai."
T0 = datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def make_output(fake_telegram, sleeps, engine, clock, **outbox) -> TelegramOutput:
    out = TelegramOutput(TELEGRAM_TOKEN, fake_telegram.url,
                         DeliveryPolicy(attempts=2, base_delay_s=0.5, max_delay_s=8, timeout_s=5, sleep=sleeps))
    out.outbox = Outbox("telegram", lambda c: out.call(c["method"], c["params"]),
                        store=lambda: UndeliveredStore(engine, now=clock), now=clock, background=False, **outbox)
    return out


async def closed(out: TelegramOutput) -> None:
    await out.outbox.close()
    if out._session is not None:
        await out._session.close()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
async def output(fake_telegram, sleeps, migrated_engine, clock):
    out = make_output(fake_telegram, sleeps, migrated_engine, clock)
    yield out, UndeliveredStore(migrated_engine)
    await closed(out)


async def test_a_long_flood_wait_keeps_the_reply_and_sends_it_after_the_wait(fake_telegram, output, clock):
    out, store = output
    fake_telegram.fail_next(1101, too_many_requests(60))
    await out.send_response("telegram:1101", {"text": TWO_PARAGRAPHS})  # does not raise, does not wait
    rows = store.rows(recipient="1101")
    assert [(r.status, r.call["params"]["text"]) for r in rows] == [("pending", "Đoạn một."), ("pending", "Đoạn hai.")]
    assert "longer than the 8 s cap" in rows[0].error and rows[1].error == "waiting behind an undelivered reply"
    assert rows[0].next_attempt_at == T0 + timedelta(seconds=60)  # Telegram's retry_after, exactly
    # a later reply of the same chat waits behind them, in order
    await out.send_response("telegram:1101", {"text": "Câu sau."})
    clock.advance(59)
    assert await out.outbox.drain_once() == T0 + timedelta(seconds=60)  # not yet
    assert len(fake_telegram.sent_to(1101)) == 1
    clock.advance(2)
    assert await out.outbox.drain_once() is None
    assert [p["text"] for p in fake_telegram.sent_to(1101)] == ["Đoạn một.", "Đoạn một.", "Đoạn hai.", "Câu sau."]
    assert [r.status for r in store.rows(recipient="1101")] == ["delivered"] * 3


async def test_server_errors_beyond_the_policy_are_retried_later_with_the_policys_back_off(fake_telegram, output,
                                                                                           clock):
    out, store = output
    fake_telegram.fail_next(1102, BAD_GATEWAY, BAD_GATEWAY, BAD_GATEWAY)
    await out.send_response("telegram:1102", {"text": "Xin chào"})
    (row,) = store.rows(recipient="1102")
    # LATER_POLICY's first back-off: 2 s times the jitter in [0.5, 1]
    assert row.status == "pending" and T0 + timedelta(seconds=1) <= row.next_attempt_at <= T0 + timedelta(seconds=2)
    clock.advance(2)
    await out.outbox.drain_once()  # the third 502, then it goes through (within one delivery)
    assert [p["text"] for p in fake_telegram.sent_to(1102)] == ["Xin chào"] * 4
    (row,) = store.rows(recipient="1102")
    assert row.status == "delivered" and row.attempts == 2  # the turn's delivery, then one later


async def test_a_refusal_is_recorded_as_failed_without_retries(fake_telegram, output, clock):
    out, store = output
    fake_telegram.fail_next(1103, BLOCKED)
    await out.send_response("telegram:1103", {"text": TWO_PARAGRAPHS})
    assert [r.status for r in store.rows(recipient="1103")] == ["failed", "failed"]
    clock.advance(3600)
    await out.outbox.drain_once()
    assert len(fake_telegram.sent_to(1103)) == 1


async def test_a_reply_still_refused_after_the_window_is_given_up(fake_telegram, migrated_engine, sleeps, clock):
    out = make_output(fake_telegram, sleeps, migrated_engine, clock, retry_window_s=120)
    try:
        fake_telegram.fail_next(1105, too_many_requests(50), too_many_requests(50), too_many_requests(50))
        await out.send_response("telegram:1105", {"text": "Xin chào"})
        clock.advance(51)
        await out.outbox.drain_once()  # second 429: due at 101 s, still within 120 s
        assert UndeliveredStore(migrated_engine).rows(recipient="1105")[0].status == "pending"
        clock.advance(51)
        await out.outbox.drain_once()  # third 429: 152 s would be past the window
        (row,) = UndeliveredStore(migrated_engine).rows(recipient="1105")
        assert row.status == "failed" and row.error.startswith(OUT_OF_TIME) and row.attempts == 3
        clock.advance(3600)
        await out.outbox.drain_once()
        assert len(fake_telegram.sent_to(1105)) == 3
    finally:
        await closed(out)


async def test_pending_replies_are_sent_once_by_the_next_server_after_a_restart(fake_telegram, migrated_engine,
                                                                                 sleeps, clock):
    first = make_output(fake_telegram, sleeps, migrated_engine, clock)
    fake_telegram.fail_next(1106, too_many_requests(30))
    await first.send_response("telegram:1106", {"text": TWO_PARAGRAPHS})
    await closed(first)  # the server stops before the wait is over

    url = migrated_engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url, timeout_s=10) for _ in range(2)]
    servers = [make_output(fake_telegram, sleeps, e, clock) for e in engines]  # after the restart: two of them
    try:
        clock.advance(31)
        await asyncio.gather(*(s.outbox.drain_once() for s in servers))
        await asyncio.gather(*(s.outbox.drain_once() for s in servers))
    finally:
        for s in servers:
            await closed(s)
        for e in engines:
            e.dispose()
    assert [p["text"] for p in fake_telegram.sent_to(1106)] == ["Đoạn một.", "Đoạn một.", "Đoạn hai."]
    assert [r.status for r in UndeliveredStore(migrated_engine).rows(recipient="1106")] == ["delivered"] * 2


def test_a_row_is_claimed_by_one_server_only(migrated_engine):
    store = UndeliveredStore(migrated_engine)
    row = store.add("telegram", "1107", {"method": "sendMessage", "params": {"chat_id": 1107, "text": "x"}}, "429")
    url = migrated_engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url, timeout_s=10) for _ in range(4)]
    barrier, won = threading.Barrier(len(engines)), []

    def claim(engine) -> None:
        barrier.wait()
        won.append(UndeliveredStore(engine).claim(row, timedelta(minutes=2)))

    threads = [threading.Thread(target=claim, args=(e,)) for e in engines]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for e in engines:
            e.dispose()
    assert sorted(won) == [False, False, False, True]
    assert store.rows(recipient="1107")[0].status == "sending"
    # a claim left by a server that died is taken over after the lease, not before
    later = UndeliveredStore(migrated_engine, now=lambda: datetime.now(timezone.utc) + timedelta(minutes=3))
    assert not store.claim(row, timedelta(minutes=2)) and later.claim(row, timedelta(minutes=2))


async def test_a_database_failure_does_not_raise_into_rasa(fake_telegram, sleeps, caplog):
    def broken():
        raise RuntimeError("database down")

    out = TelegramOutput(TELEGRAM_TOKEN, fake_telegram.url, DeliveryPolicy(attempts=1, sleep=sleeps))
    out.outbox = Outbox("telegram", lambda c: out.call(c["method"], c["params"]), store=broken, background=False)
    fake_telegram.fail_next(1104, too_many_requests(30))
    await out.send_response("telegram:1104", {"text": "Xin chào"})
    assert "undelivered replies: add failed (RuntimeError: database down)" in caplog.text
    await out.outbox.drain_once()
    await out._session.close()


async def test_the_operator_sees_undelivered_replies(fake_telegram, output, migrated_engine, monkeypatch, capsys):
    out, _ = output
    fake_telegram.fail_next(1108, BLOCKED)
    await out.send_response("telegram:1108", {"text": "Câu trả lời bị từ chối"})
    fake_telegram.fail_next(1109, too_many_requests(60))
    await out.send_response("telegram:1109", {"text": "Câu trả lời đang chờ"})
    monkeypatch.setenv("DATABASE_URL", migrated_engine.url.render_as_string(hide_password=False))
    from bot.cli import main

    assert main(["undelivered", "--status", "failed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["Mã", "Lúc", "(giờ"] and len(lines) == 4
    for part in ("thất bại", "telegram", "1108", "Câu trả lời bị từ chối", "bot was blocked by the user"):
        assert part in lines[2], part
    assert lines[3] == "Tổng: chờ gửi lại 1, đang gửi 0, đã gửi muộn 0, thất bại 1"
    assert main(["undelivered", "--status", "delivered"]) == 0
    assert capsys.readouterr().out.startswith("Không có câu trả lời nào được gửi muộn.\n")
