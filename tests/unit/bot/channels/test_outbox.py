"""bot.channels.outbox through the real Telegram output, over HTTP to the fake
Bot API, with the undelivered replies stored in a real database (SQLite and
PostgreSQL): a reply a platform refuses mid-turn never raises into Rasa; it is
kept, retried after the platform's wait in order, or recorded as failed."""
from __future__ import annotations

import asyncio

import pytest

from bot.channels.delivery import DeliveryPolicy
from bot.channels.outbox import Outbox
from bot.channels.telegram import TelegramOutput
from bot.db.undelivered import UndeliveredStore
from tests.support.fakes import BAD_GATEWAY, BLOCKED, TELEGRAM_TOKEN, too_many_requests

TWO_PARAGRAPHS = "Đoạn một.\n\nĐoạn hai."


@pytest.fixture
async def output(fake_telegram, sleeps, migrated_engine):
    out = TelegramOutput(TELEGRAM_TOKEN, fake_telegram.url,
                         DeliveryPolicy(attempts=2, base_delay_s=0.5, max_delay_s=8, timeout_s=5, sleep=sleeps))
    out.outbox = Outbox("telegram", lambda c: out.call(c["method"], c["params"]),
                        store=lambda: UndeliveredStore(migrated_engine), sleep=sleeps)
    yield out, UndeliveredStore(migrated_engine)
    await out.outbox.close()
    if out._session is not None:
        await out._session.close()


async def drained(out: TelegramOutput) -> None:
    await asyncio.gather(*list(out.outbox._tasks))


async def test_a_long_flood_wait_keeps_the_reply_and_sends_it_after_the_wait(fake_telegram, output, sleeps):
    out, store = output
    fake_telegram.fail_next(1101, too_many_requests(60))
    await out.send_response("telegram:1101", {"text": TWO_PARAGRAPHS})  # does not raise, does not wait
    rows = store.rows(recipient="1101")
    assert [(r.status, r.call["params"]["text"]) for r in rows] == [("pending", "Đoạn một."), ("pending", "Đoạn hai.")]
    assert "longer than the 8 s cap" in rows[0].error and rows[1].error == "waiting behind an undelivered reply"
    # a later reply of the same chat waits behind them, in order
    await out.send_response("telegram:1101", {"text": "Câu sau."})
    await drained(out)
    assert 60 in sleeps.waits  # Telegram's retry_after, exactly
    assert [p["text"] for p in fake_telegram.sent_to(1101)] == ["Đoạn một.", "Đoạn một.", "Đoạn hai.", "Câu sau."]
    assert [r.status for r in store.rows(recipient="1101")] == ["delivered"] * 3
    assert out.outbox.waiting == {}


async def test_server_errors_beyond_the_policy_are_retried_later(fake_telegram, output, sleeps):
    out, store = output
    fake_telegram.fail_next(1102, BAD_GATEWAY, BAD_GATEWAY, BAD_GATEWAY)
    await out.send_response("telegram:1102", {"text": "Xin chào"})
    assert [r.status for r in store.rows(recipient="1102")] == ["pending"]
    await drained(out)  # the third 502 comes from the first background retry, then it goes through
    assert [p["text"] for p in fake_telegram.sent_to(1102)] == ["Xin chào"] * 4
    (row,) = store.rows(recipient="1102")
    assert row.status == "delivered" and row.attempts == 2  # the turn's delivery, then one in the background


async def test_a_refusal_is_recorded_as_failed_without_retries(fake_telegram, output, sleeps):
    out, store = output
    fake_telegram.fail_next(1103, BLOCKED)
    await out.send_response("telegram:1103", {"text": TWO_PARAGRAPHS})
    assert out.outbox._tasks == set() and out.outbox.waiting == {}
    assert [r.status for r in store.rows(recipient="1103")] == ["failed", "failed"]
    assert len(fake_telegram.sent_to(1103)) == 1


async def test_a_database_failure_does_not_stop_the_delivery(fake_telegram, sleeps):
    def broken():
        raise RuntimeError("database down")

    out = TelegramOutput(TELEGRAM_TOKEN, fake_telegram.url, DeliveryPolicy(attempts=1, sleep=sleeps))
    out.outbox = Outbox("telegram", lambda c: out.call(c["method"], c["params"]), store=broken, sleep=sleeps)
    fake_telegram.fail_next(1104, too_many_requests(30))
    await out.send_response("telegram:1104", {"text": "Xin chào"})
    await drained(out)
    assert [p["text"] for p in fake_telegram.sent_to(1104)] == ["Xin chào", "Xin chào"]
    await out._session.close()
