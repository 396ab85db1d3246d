"""Outbound delivery helper (bot.channels.delivery): retries with backoff, then
logged as failed and raised; secrets never logged. Includes a real HTTP
stand-in for a messaging API that answers 5xx or hangs."""
from __future__ import annotations

import asyncio
import logging
import socket

import aiohttp
import pytest
from aiohttp import web

from bot.channels.delivery import DeliveryFailed, RetryPolicy, deliver, redact

FAST = RetryPolicy(attempts=4, base_delay_s=0.01, max_delay_s=0.05, timeout_s=0.3)
TOKEN = "123456789:AAF-secretSECRETsecret_xyz"


class Sleeps:
    def __init__(self):
        self.waits = []

    async def __call__(self, seconds):
        self.waits.append(seconds)


async def test_retries_then_succeeds():
    sleeps, calls = Sleeps(), []

    async def send():
        calls.append(1)
        if len(calls) < 3:
            raise aiohttp.ClientConnectionError("reset")
        return 200, "ok"

    assert await deliver(send, what="t", policy=RetryPolicy(attempts=4, base_delay_s=1, max_delay_s=8),
                         sleep=sleeps) == (200, "ok")
    assert len(calls) == 3
    # exponential backoff with jitter in [0.5, 1]
    assert 0.5 <= sleeps.waits[0] <= 1 and 1 <= sleeps.waits[1] <= 2


async def test_gives_up_logs_and_raises_without_secrets(caplog):
    caplog.set_level(logging.INFO, logger="bot.channels.delivery")

    async def send():
        raise aiohttp.ClientConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/sendMessage")

    with pytest.raises(DeliveryFailed) as failed:
        await deliver(send, what="telegram sendMessage", recipient="987654321", policy=FAST,
                      secrets=[TOKEN], sleep=Sleeps())
    assert failed.value.attempts == 4
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "delivery failed" in errors[0].getMessage()
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 3
    assert TOKEN not in caplog.text and "secretSECRET" not in caplog.text
    assert "987654321" not in caplog.text  # recipient shortened


async def test_permanent_4xx_not_retried(caplog):
    calls = []

    async def send():
        calls.append(1)
        return 403, "forbidden"

    with pytest.raises(DeliveryFailed, match="HTTP 403"):
        await deliver(send, what="zalo message", policy=FAST, sleep=Sleeps())
    assert calls == [1]


async def test_retry_after_honoured():
    sleeps, calls = Sleeps(), []

    class Response:
        def __init__(self, status, headers):
            self.status, self.headers = status, headers

    async def send():
        calls.append(1)
        return Response(429, {"Retry-After": "3"}) if len(calls) == 1 else Response(200, {})

    await deliver(send, what="t", policy=RetryPolicy(max_delay_s=8), sleep=sleeps)
    assert sleeps.waits == [3]


def test_redact():
    assert redact(f"https://api.telegram.org/bot{TOKEN}/sendMessage") == \
        "https://api.telegram.org/bot***/sendMessage"
    assert redact("https://openapi.zalo.me/v3.0/oa/message?access_token=abc.def&x=1") == \
        "https://openapi.zalo.me/v3.0/oa/message?access_token=***&x=1"
    assert "s3cr3t" not in redact('{"secret_key": "s3cr3t"}')
    assert redact("plain s3cr3tvalue", secrets=["s3cr3tvalue"]) == "plain ***"


@pytest.mark.parametrize("fault", ["5xx", "timeout"])
async def test_real_http_api_failing_then_recovering(fault, caplog):
    """A stand-in messaging API on loopback: fails twice (503 or hangs), then answers."""
    hits = []

    async def handler(request):
        hits.append(await request.json())
        if len(hits) <= 2:
            if fault == "5xx":
                return web.Response(status=503, text="unavailable")
            await asyncio.sleep(0.5)  # longer than the 0.3 s attempt timeout
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/bot{token}/sendMessage", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage"
    try:
        async with aiohttp.ClientSession() as session:
            async def send():
                async with session.post(url, json={"chat_id": 1, "text": "xin chào"}) as r:
                    return r.status, await r.json(content_type=None) if r.status == 200 else None

            status, body = await deliver(send, what="telegram sendMessage", policy=FAST, secrets=[TOKEN])
        assert status == 200 and body == {"ok": True}
        assert len(hits) == 3 and all(h["text"] == "xin chào" for h in hits)

        async def always_down():
            async with aiohttp.ClientSession() as s2:
                async with s2.post(f"http://127.0.0.1:{port}/nothing", json={}) as r:
                    return r.status, None

        with pytest.raises(DeliveryFailed, match="HTTP 404"):
            await deliver(always_down, what="x", policy=FAST)
    finally:
        await asyncio.sleep(0.3)  # let the abandoned slow handlers finish
        await runner.cleanup()
    assert TOKEN not in caplog.text
