"""The outbound delivery policy (bot.channels.delivery): transient errors retried
with back-off or the platform's Retry-After within bounds, permanent ones final
at once, every failure logged once and raised as DeliveryFailed, no secret in
any log line. Real HTTP on loopback for the status codes and timeouts."""
from __future__ import annotations

import asyncio
import logging
import socket
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Callable, List

import aiohttp
import pytest
from aiogram.utils import exceptions as tg
from aiohttp import web

from bot.channels.config import redact, short_id
from bot.channels.delivery import (
    DEFAULT_POLICY,
    DeliveryFailed,
    DeliveryPolicy,
    HTTPStatusError,
    PlatformError,
    deliver,
    parse_retry_after,
    telegram_error,
    transport_error,
    zalo_error,
)
from tests.support.fakes import Sleeps

TOKEN = "123456789:AAF-secretSECRETsecret_xyz"
ZALO_TOKEN = "zalo-access-token-VERYSECRET"
RECIPIENT = "987654321"


def policy(sleeps: Sleeps, **bounds: Any) -> DeliveryPolicy:
    values = dict(attempts=4, base_delay_s=1.0, max_delay_s=8.0, timeout_s=0.5)
    values.update(bounds)
    return DeliveryPolicy(sleep=sleeps, **values)


def errors(caplog) -> List[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.ERROR]


# --------------------------------------------------------------------------- #
# A stand-in messaging API on loopback, scripted answer by answer             #
# --------------------------------------------------------------------------- #
class ScriptedAPI:
    """POST /send answers from ``script`` in order (then 200 {"ok": true}):
    an int status, ``(status, headers)``, or ``"hang"`` (no answer for 2 s)."""

    def __init__(self, *script: Any) -> None:
        self.script = list(script)
        self.hits = 0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        step = self.script.pop(0) if self.script else 200
        if step == "hang":
            await asyncio.sleep(2)
            step = 200
        status, headers = step if isinstance(step, tuple) else (step, {})
        return web.json_response({"ok": status < 400}, status=status, headers=headers)


@pytest.fixture
async def api() -> AsyncIterator[Callable[..., ScriptedAPI]]:
    runners = []

    async def start(*script: Any) -> ScriptedAPI:
        fake = ScriptedAPI(*script)
        app = web.Application()
        app.router.add_post(f"/bot{TOKEN}/send", fake.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
        fake.url = f"http://127.0.0.1:{port}/bot{TOKEN}/send"
        return fake

    yield start
    for runner in runners:
        await runner.cleanup()


def post(session: aiohttp.ClientSession, url: str) -> Callable[[], Any]:
    """One attempt: POST, raise HTTPStatusError (with Retry-After) for a status >= 400."""

    async def send() -> Any:
        async with session.post(url, json={"chat_id": RECIPIENT, "text": "xin chào"}) as r:
            if r.status >= 400:
                raise HTTPStatusError(r.status, parse_retry_after(r.headers.get("Retry-After")))
            return await r.json()

    return send


# --------------------------------------------------------------------------- #
# The policy                                                                  #
# --------------------------------------------------------------------------- #
async def test_transient_errors_then_success(caplog):
    caplog.set_level(logging.INFO, logger="bot.channels.delivery")
    sleeps, calls = Sleeps(), []

    async def send():
        calls.append(1)
        if len(calls) < 3:
            raise aiohttp.ClientConnectionError("connection reset")
        return "ok"

    assert await deliver(send, what="t", policy=policy(sleeps)) == "ok"
    assert len(calls) == 3
    # exponential back-off (1 s, 2 s) with jitter in [0.5, 1]
    assert 0.5 <= sleeps.waits[0] <= 1 and 1 <= sleeps.waits[1] <= 2
    assert not errors(caplog)
    assert "delivered on attempt 3" in caplog.text


async def test_backoff_is_capped():
    sleeps = Sleeps()

    async def send():
        raise asyncio.TimeoutError()

    with pytest.raises(DeliveryFailed):
        await deliver(send, what="t", policy=policy(sleeps, attempts=6, base_delay_s=1, max_delay_s=3,
                                                    jitter=lambda: 1.0))
    assert sleeps.waits == [1, 2, 3, 3, 3]


async def test_retry_after_from_the_server_is_honoured(api):
    sleeps = Sleeps()
    server = await api((429, {"Retry-After": "3"}), (503, {"Retry-After": "2"}))
    async with aiohttp.ClientSession() as session:
        assert await deliver(post(session, server.url), what="t", policy=policy(sleeps)) == {"ok": True}
    assert sleeps.waits == [3, 2] and server.hits == 3


async def test_retry_after_above_the_cap_is_not_waited_for_and_is_recorded(api, caplog):
    sleeps = Sleeps()
    server = await api((429, {"Retry-After": "120"}))
    async with aiohttp.ClientSession() as session:
        with pytest.raises(DeliveryFailed) as failed:
            await deliver(post(session, server.url), what="telegram sendMessage", recipient=RECIPIENT,
                          policy=policy(sleeps, max_delay_s=8))
    assert sleeps.waits == [] and server.hits == 1
    assert failed.value.permanent is False and failed.value.attempts == 1 and failed.value.code == 429
    assert "asked to wait 120 s, longer than the 8 s cap" in failed.value.reason
    (error,) = errors(caplog)
    assert "delivery failed" in error.getMessage() and "transient" in error.getMessage()


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
async def test_a_permanent_error_is_tried_exactly_once(api, caplog, status):
    sleeps = Sleeps()
    server = await api(status)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(DeliveryFailed) as failed:
            await deliver(post(session, server.url), what="zalo message", policy=policy(sleeps))
    assert server.hits == 1 and sleeps.waits == []
    assert failed.value.permanent is True and failed.value.attempts == 1 and failed.value.reason == f"HTTP {status}"
    assert len(errors(caplog)) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 425, 429])
async def test_transient_statuses_are_retried(api, status):
    server = await api(status, status)
    async with aiohttp.ClientSession() as session:
        assert await deliver(post(session, server.url), what="t", policy=policy(Sleeps())) == {"ok": True}
    assert server.hits == 3


async def test_exhausted_attempts_raise_a_transient_failure(api, caplog):
    caplog.set_level(logging.INFO, logger="bot.channels.delivery")
    server = await api(*[503] * 10)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(DeliveryFailed) as failed:
            await deliver(post(session, server.url), what="t", policy=policy(Sleeps(), attempts=4))
    assert server.hits == 4
    assert failed.value.permanent is False and failed.value.attempts == 4 and failed.value.reason == "HTTP 503"
    assert isinstance(failed.value.__cause__, HTTPStatusError)
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 3
    (error,) = errors(caplog)
    assert error.getMessage() == "delivery failed: t: HTTP 503 (transient, 4 attempts)"


async def test_an_attempt_that_hangs_times_out_and_is_retried(api):
    server = await api("hang")
    async with aiohttp.ClientSession() as session:
        assert await deliver(post(session, server.url), what="t", policy=policy(Sleeps(), timeout_s=0.3)) == {"ok": True}
    assert server.hits == 2


async def test_timeouts_until_the_end_say_so():
    async def send():
        await asyncio.sleep(1)

    with pytest.raises(DeliveryFailed) as failed:
        await deliver(send, what="t", policy=policy(Sleeps(), attempts=2, timeout_s=0.05))
    assert failed.value.permanent is False and failed.value.attempts == 2
    assert failed.value.reason == "timed out (no answer within 0.05 s)"


async def test_an_unexpected_exception_is_permanent():
    calls = []

    async def send():
        calls.append(1)
        raise KeyError("result")

    with pytest.raises(DeliveryFailed) as failed:
        await deliver(send, what="t", policy=policy(Sleeps()))
    assert calls == [1] and failed.value.permanent


async def test_cancellation_is_not_retried_nor_logged(caplog):
    calls = []

    async def send():
        calls.append(1)
        raise asyncio.CancelledError()

    with pytest.raises(asyncio.CancelledError):
        await deliver(send, what="t", policy=policy(Sleeps()))
    assert calls == [1] and not errors(caplog)


async def test_secrets_are_masked_and_the_recipient_shortened(caplog):
    caplog.set_level(logging.DEBUG, logger="bot.channels.delivery")

    async def send():
        raise aiohttp.ClientConnectionError(
            f"cannot reach https://api.telegram.org/bot{TOKEN}/sendMessage "
            f"nor https://openapi.zalo.me/v3.0/oa/message?access_token=abc.def&x=1 with {ZALO_TOKEN}")

    with pytest.raises(DeliveryFailed) as failed:
        await deliver(send, what="telegram sendMessage", recipient=RECIPIENT, policy=policy(Sleeps(), attempts=2),
                      secrets=[ZALO_TOKEN, None])
    for secret in (TOKEN, "secretSECRET", "abc.def", ZALO_TOKEN, "VERYSECRET"):
        assert secret not in caplog.text and secret not in str(failed.value)
    assert "/bot***/sendMessage" in caplog.text and "access_token=***" in caplog.text
    assert RECIPIENT not in caplog.text and "987…21" in caplog.text
    assert failed.value.recipient == "987…21"


def test_default_policy_fits_the_reminder_timeout():
    from bot.officials.reminders.scheduler import SEND_TIMEOUT_S

    p = DEFAULT_POLICY
    worst = p.attempts * p.timeout_s + (p.attempts - 1) * p.max_delay_s
    assert worst < SEND_TIMEOUT_S


# --------------------------------------------------------------------------- #
# Classification                                                              #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("error, transient", [
    (tg.RetryAfter(5), True),
    (tg.NetworkError("aiohttp client throws an error: ClientConnectorError: refused"), True),
    (tg.RestartingTelegram(), True),
    (tg.TelegramAPIError("Bad Gateway"), True),                     # aiogram: a 5xx loses its status
    (tg.TelegramAPIError("Too Many Requests [429]"), True),
    (tg.TelegramAPIError("Request Timeout [408]"), True),
    (tg.TelegramAPIError("Payment Required [402]"), False),
    (tg.ChatNotFound("chat not found"), False),
    (tg.BadRequest("message text is empty"), False),
    (tg.BotBlocked("forbidden: bot was blocked by the user"), False),
    (tg.UserDeactivated("forbidden: user is deactivated"), False),
    (tg.Unauthorized("unauthorized"), False),
    (tg.MigrateToChat(-1001), False),
    (tg.NetworkError("File too large for uploading."), False),
    (asyncio.TimeoutError(), True),
])
def test_telegram_classification(error, transient):
    verdict = telegram_error(error)
    assert verdict.transient is transient
    assert verdict.reason.startswith(type(error).__name__) or verdict.reason.startswith("timed out")


def test_telegram_retry_after_is_read():
    assert telegram_error(tg.RetryAfter(7)).retry_after_s == 7


def test_aiogram_classes_from_real_answers():
    """What aiogram 2.15 raises for Telegram's actual answers (the classifier relies on it)."""
    from aiogram.bot.api import check_result

    def raised(status: int, description: str, **parameters: Any) -> Exception:
        body = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        import json

        with pytest.raises(tg.TelegramAPIError) as info:
            check_result("sendMessage", "application/json", status, json.dumps(body))
        return info.value

    assert isinstance(raised(403, "Forbidden: bot was blocked by the user"), tg.BotBlocked)
    assert isinstance(raised(400, "Bad Request: chat not found"), tg.ChatNotFound)
    assert raised(429, "Too Many Requests: retry after 4", retry_after=4).timeout == 4
    for status, transient in ((500, True), (502, True), (429, True), (408, True), (418, False)):
        assert telegram_error(raised(status, "Some description")).transient is transient, status


@pytest.mark.parametrize("code, transient", [(-32, True), (-213, False), (-227, False), (-230, False), (-232, False),
                                             (0, False)])
def test_zalo_classification(code, transient):
    verdict = zalo_error(PlatformError(code, "message"))
    assert verdict.transient is transient and verdict.code == code


@pytest.mark.parametrize("error, unreachable", [
    (tg.BotBlocked("forbidden: bot was blocked by the user"), True),
    (tg.UserDeactivated("forbidden: user is deactivated"), True),
    (tg.ChatNotFound("chat not found"), True),
    (tg.BadRequest("message text is empty"), False),
    (tg.RetryAfter(5), False),
    (tg.TelegramAPIError("Bad Gateway"), False),
    (PlatformError(-213, "not following"), True),
    (PlatformError(-230, "no interaction in 7 days"), True),
    (PlatformError(-32, "rate limit"), False),
    (PlatformError(-201, "invalid parameters"), False),
    (asyncio.TimeoutError(), False),
])
def test_a_recipient_who_cannot_be_reached_is_told_apart(error, unreachable):
    """Blocked, deactivated, chat gone (Telegram) and Zalo's "cannot message this user
    until they write" refusals are permanent *and* unreachable: reminders pause."""
    verdict = (zalo_error if isinstance(error, PlatformError) else telegram_error)(error)
    assert verdict.unreachable is unreachable
    assert not (verdict.unreachable and verdict.transient)


async def test_delivery_failed_carries_unreachable(sleeps):
    async def blocked():
        raise tg.BotBlocked("forbidden: bot was blocked by the user")

    with pytest.raises(DeliveryFailed) as failed:
        await deliver(blocked, what="telegram sendMessage", recipient="42", classify=telegram_error,
                      policy=DeliveryPolicy(sleep=sleeps))
    assert failed.value.permanent and failed.value.unreachable and failed.value.attempts == 1


def test_zalo_transport_errors_are_classified_like_http():
    assert zalo_error(HTTPStatusError(503)).transient and zalo_error(HTTPStatusError(503)).code == 503
    assert not zalo_error(HTTPStatusError(404)).transient
    assert zalo_error(aiohttp.ServerDisconnectedError()).transient


def test_transport_classification():
    assert transport_error(HTTPStatusError(429, 3.0)).retry_after_s == 3.0
    assert transport_error(HTTPStatusError(400, 3.0)).retry_after_s is None
    assert transport_error(ConnectionResetError()).transient
    assert not transport_error(ValueError("bad JSON")).transient


def test_parse_retry_after():
    now = datetime(2022, 3, 6, 8, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("3") == 3 and parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("Sun, 06 Mar 2022 08:00:30 GMT", now=now) == 30
    assert parse_retry_after("Sun, 06 Mar 2022 07:00:00 GMT", now=now) == 0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("-5") == 0


def test_short_id():
    assert short_id("987654321") == "987…21" and short_id("7712345678900000001") == "771…01"
    assert short_id("12345") == "12345" and short_id(-1001880000004) == "-10…04"


def test_redact():
    assert redact(f"https://api.telegram.org/bot{TOKEN}/sendMessage") == "https://api.telegram.org/bot***/sendMessage"
    assert redact("https://openapi.zalo.me/v3.0/oa/message?access_token=abc.def&x=1") == \
        "https://openapi.zalo.me/v3.0/oa/message?access_token=***&x=1"
    assert "s3cr3t" not in redact('{"secret_key": "s3cr3t"}')
    assert redact("plain s3cr3tvalue", secrets=["s3cr3tvalue"]) == "plain ***"
