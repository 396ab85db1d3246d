"""The Zalo client (bot.channels.zalo) over HTTP against a fake Zalo OpenAPI:
messages go through the delivery policy (server errors and the rate limit
retried, refusals such as -230 final at once), an expired access token is
refreshed once and the message sent again, and tokens shared by two processes
(the Rasa server and the reminder scheduler) through one token file are
refreshed once: a refresh token works once, so the second client must adopt
the first one's new pair instead of refreshing again."""
from __future__ import annotations

import asyncio
import logging
from typing import List

import pytest

from bot.channels.delivery import DeliveryFailed, DeliveryPolicy
from bot.channels.zalo import ZaloClient, ZaloTokens
from tests.support.fakes import (
    ZALO_ACCESS_TOKEN,
    ZALO_APP_ID,
    ZALO_APP_SECRET,
    ZALO_REFRESH_TOKEN,
    FakeZalo,
    zalo_error,
    zalo_http_error,
)

USER = "7712345678900000001"


def client(fake: FakeZalo, path, policy: DeliveryPolicy = DeliveryPolicy(attempts=1)) -> ZaloClient:
    tokens = ZaloTokens(ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN, path)
    return ZaloClient(ZALO_APP_ID, ZALO_APP_SECRET, tokens, fake.url, fake.url, policy=policy)


@pytest.fixture
async def zalo(fake_zalo, tmp_path, sleeps):
    c = client(fake_zalo, tmp_path / "zalo_tokens.json",
               DeliveryPolicy(attempts=4, base_delay_s=0.5, max_delay_s=8, timeout_s=5, sleep=sleeps))
    yield c
    await c.close()


def kinds(fake: FakeZalo) -> List[str]:
    return [c["kind"] for c in fake.snapshot()]


def errors(caplog) -> List[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.ERROR]


async def test_a_message_is_delivered(fake_zalo, zalo):
    data = await zalo.send_text(USER, "Xin chào")
    assert data["user_id"] == USER and fake_zalo.texts_to(USER) == ["Xin chào"]


async def test_a_closed_7_day_window_is_final_at_once(fake_zalo, zalo, sleeps, caplog):
    fake_zalo.refuse(USER)  # -230: the user has not written to the OA for 7 days
    with pytest.raises(DeliveryFailed) as failed:
        await zalo.send_text(USER, "Nhắc hạn: ...")
    assert kinds(fake_zalo) == ["cs"] and sleeps.waits == []
    assert failed.value.permanent and failed.value.code == -230 and failed.value.attempts == 1
    assert failed.value.reason == "Zalo API error -230: User has not interacted with the OA in the past 7 days"
    (error,) = errors(caplog)
    assert error.getMessage().startswith("delivery failed: zalo message to 771…01: Zalo API error -230")
    assert USER not in caplog.text


async def test_an_expired_token_is_refreshed_then_the_message_delivered(fake_zalo, zalo, caplog):
    fake_zalo.expire()  # the next message gets -216
    await zalo.send_text(USER, "Xin chào")
    assert kinds(fake_zalo) == ["cs", "refresh", "cs"]
    assert fake_zalo.snapshot()[-1]["headers"]["access_token"] == "zalo-access-token-1"
    assert fake_zalo.texts_to(USER) == ["Xin chào", "Xin chào"]
    assert not errors(caplog)  # a token error is not a delivery failure
    assert zalo.tokens.refresh_token == "zalo-refresh-token-1"


async def test_a_token_still_refused_after_the_refresh_is_a_permanent_failure(fake_zalo, zalo, caplog):
    fake_zalo.fail_next(USER, zalo_error(-216, "Access token is invalid"), zalo_error(-216, "Access token is invalid"))
    with pytest.raises(DeliveryFailed) as failed:
        await zalo.send_text(USER, "Xin chào")
    assert kinds(fake_zalo) == ["cs", "refresh", "cs"]  # refreshed once, never twice
    assert failed.value.permanent and failed.value.code == -216
    assert len(errors(caplog)) == 1


async def test_a_refused_refresh_token_fails_the_message(fake_zalo, zalo, caplog):
    fake_zalo.expire()
    fake_zalo.refresh_token = "a-refresh-token-we-do-not-have"
    with pytest.raises(DeliveryFailed) as failed:
        await zalo.send_text(USER, "Xin chào")
    assert kinds(fake_zalo) == ["cs", "refresh"]
    assert failed.value.permanent and "access token rejected (-216) and not refreshed" in failed.value.reason
    messages = [r.getMessage() for r in errors(caplog)]
    assert messages[0].startswith("delivery failed: zalo token refresh")
    assert messages[-1].startswith("delivery failed: zalo message to 771…01")
    for secret in (ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN, ZALO_APP_SECRET):
        assert secret not in caplog.text and secret not in str(failed.value)


async def test_server_errors_are_retried_honouring_retry_after(fake_zalo, zalo, sleeps):
    fake_zalo.fail_next(USER, zalo_http_error(503, retry_after="2"), zalo_http_error(502))
    await zalo.send_text(USER, "Xin chào")
    assert kinds(fake_zalo) == ["cs", "cs", "cs"]
    assert sleeps.waits[0] == 2 and 0.5 <= sleeps.waits[1] <= 1


async def test_the_rate_limit_is_retried(fake_zalo, zalo, sleeps):
    fake_zalo.fail_next(USER, zalo_error(-32, "Your application reached limit call api"))
    await zalo.send_text(USER, "Xin chào")
    assert kinds(fake_zalo) == ["cs", "cs"] and len(sleeps.waits) == 1


async def test_attempts_are_bounded_and_the_failure_is_transient(fake_zalo, zalo, sleeps):
    fake_zalo.fail_next(USER, *[zalo_http_error(503)] * 10)
    with pytest.raises(DeliveryFailed) as failed:
        await zalo.send_text(USER, "Xin chào")
    assert kinds(fake_zalo) == ["cs"] * 4 and len(sleeps.waits) == 3
    assert not failed.value.permanent and failed.value.attempts == 4 and failed.value.code == 503


@pytest.mark.parametrize("status", [400, 403, 404])
async def test_other_http_client_errors_are_final(fake_zalo, zalo, sleeps, status):
    fake_zalo.fail_next(USER, zalo_http_error(status))
    with pytest.raises(DeliveryFailed) as failed:
        await zalo.send_text(USER, "Xin chào")
    assert kinds(fake_zalo) == ["cs"] and failed.value.permanent and sleeps.waits == []


async def test_second_process_adopts_the_refreshed_pair(fake_zalo, tmp_path):
    path = tmp_path / "zalo_tokens.json"
    server, scheduler = client(fake_zalo, path), client(fake_zalo, path)  # both read the settings' pair
    try:
        fake_zalo.expire()
        await server.send_text("u1", "một")      # -216, refresh with the settings' refresh token, resend
        await scheduler.send_text("u2", "hai")   # -216 with the old token: must not refresh again
    finally:
        await server.close()
        await scheduler.close()
    refreshes = [c for c in fake_zalo.snapshot() if c["kind"] == "refresh"]
    assert len(refreshes) == 1
    delivered = [(c["body"]["recipient"]["user_id"], c["body"]["message"]["text"]) for c in fake_zalo.snapshot()
                 if c["kind"] == "cs" and c["headers"]["access_token"] == "zalo-access-token-1"]
    assert delivered == [("u1", "một"), ("u2", "hai")]
    assert scheduler.tokens.refresh_token == "zalo-refresh-token-1"


async def test_concurrent_refreshes_from_two_clients_use_the_token_once(fake_zalo, tmp_path):
    path = tmp_path / "zalo_tokens.json"
    a, b = client(fake_zalo, path), client(fake_zalo, path)
    try:
        fake_zalo.expire()
        results = await asyncio.gather(a.send_text("u1", "a"), b.send_text("u2", "b"), return_exceptions=True)
    finally:
        await a.close()
        await b.close()
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len([c for c in fake_zalo.snapshot() if c["kind"] == "refresh"]) == 1
