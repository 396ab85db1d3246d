"""The hardened REST channel (bot.channels.rest) and the action guard, without
a model: the channel runs in a real Sanic server on loopback, with a stand-in
for Rasa's message handler."""
from __future__ import annotations

import json
import uuid
from typing import List

import aiohttp
import pytest
from sanic import Sanic

from bot.channels.rest import (
    EMPTY_PROMPT,
    SERVER_APOLOGY,
    GuardedRestInput,
    SenderRateLimiter,
    clean_text,
)
from bot.server.launcher import free_port


class Echo:
    """Stands in for Rasa: answers every message with its text."""

    def __init__(self) -> None:
        self.seen: List = []
        self.fail = False
        self.lock_failures = 0

    async def __call__(self, message) -> None:
        self.seen.append(message)
        if self.lock_failures:
            from rasa.core.lock_store import LockError

            self.lock_failures -= 1
            raise LockError("Could not acquire lock")
        if self.fail:
            raise RuntimeError("tracker store down")
        await message.output_channel.send_text_message(message.sender_id, f"echo:{message.text}")


@pytest.fixture
async def channel(monkeypatch):
    monkeypatch.setattr(Sanic, "test_mode", True)  # lets Sanic set up a second app in one process
    echo = Echo()
    rest = GuardedRestInput.from_credentials({"max_message_chars": 1000, "rate_limit_messages": 5,
                                               "rate_limit_window_s": 60})
    app = Sanic(f"t{uuid.uuid4().hex[:8]}")
    app.blueprint(rest.blueprint(echo), url_prefix="/webhooks/rest")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                     access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    async with aiohttp.ClientSession() as session:
        yield session, f"http://127.0.0.1:{port}/webhooks/rest/webhook", echo
    server.close()
    await server.wait_closed()


async def post(session, url, data, content_type="application/json"):
    headers = {"Content-Type": content_type} if content_type else {}
    async with session.post(url, data=data, headers=headers) as r:
        return r.status, await r.text()


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        (b'{"sender": "u1", "message": "xin ch', "application/json", 400),  # malformed JSON
        (b'[{"sender": "u1", "message": "hi"}]', "application/json", 400),  # array
        (b'"hi"', "application/json", 400),
        (b'{"sender": "u1", "message": "hi"}', "text/plain", 415),
        (b'{"sender": "u1", "message": "hi"}', "application/x-www-form-urlencoded", 415),
        (b'{"sender": "u1", "message": "hi"}', None, 415),
        (b'{"sender": "u1"}', "application/json", 400),  # missing message
        (b'{"sender": "u1", "message": null}', "application/json", 400),
        (b'{"sender": "u1", "message": 42}', "application/json", 400),
        (b'{"message": "hi"}', "application/json", 400),  # missing sender
        (b'{"sender": null, "message": "hi"}', "application/json", 400),
        (b'{"sender": "  ", "message": "hi"}', "application/json", 400),
        (b'{"sender": "' + b"x" * 200 + b'", "message": "hi"}', "application/json", 400),
        (b'{"sender": "u1", "message": "hi", "metadata": [1]}', "application/json", 400),
        (b'{"sender": "u1", "message": "\xff\xfe h\xe0"}', "application/json", 400),  # invalid UTF-8
        (b'{"sender": "u1", "message": "' + b"a" * (1024 * 1024) + b'"}', "application/json", 413),
    ],
)
async def test_bad_requests_get_4xx_and_never_reach_rasa(channel, body, content_type, status):
    session, url, echo = channel
    got, text = await post(session, url, body, content_type)
    assert got == status, text
    assert "error" in json.loads(text)
    assert "Traceback" not in text
    assert echo.seen == []
    # ... and the server keeps serving
    ok, text = await post(session, url, json.dumps({"sender": "ok", "message": "chào"}).encode())
    assert ok == 200 and json.loads(text)[0]["text"] == "echo:chào"


async def test_charset_and_json_suffix_accepted(channel):
    session, url, _ = channel
    body = json.dumps({"sender": 7, "message": "quý 3"}).encode()
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        status, text = await post(session, url, body, content_type)
        assert status == 200 and json.loads(text) == [{"recipient_id": "7", "text": "echo:quý 3"}]


@pytest.mark.parametrize("message", ["", "   ", "\n\t", "\x00\x01"])
async def test_empty_message_gets_a_prompt(channel, message):
    session, url, echo = channel
    status, text = await post(session, url, json.dumps({"sender": "e", "message": message}).encode())
    assert status == 200 and json.loads(text)[0]["text"] == EMPTY_PROMPT
    assert echo.seen == []


async def test_long_message_gets_a_polite_note(channel):
    session, url, echo = channel
    status, text = await post(session, url, json.dumps({"sender": "l", "message": "hạn " * 1250}).encode())
    reply = json.loads(text)[0]["text"]
    assert status == 200 and "5000 ký tự" in reply and "1000" in reply
    assert echo.seen == []


async def test_control_characters_and_surrogates_removed(channel):
    session, url, echo = channel
    body = '{"sender": "c", "message": "h\\u1ea1n\\u0000 b\\u00e1o\\u200b c\\u00e1o\\ud800"}'
    status, text = await post(session, url, body.encode())
    assert status == 200
    assert echo.seen[0].text == "hạn  báo cáo"


async def test_rate_limit_is_per_sender_with_polite_reply(channel):
    session, url, echo = channel
    for i in range(5):
        status, _ = await post(session, url, json.dumps({"sender": "fast", "message": f"m{i}"}).encode())
        assert status == 200
    status, text = await post(session, url, json.dumps({"sender": "fast", "message": "m5"}).encode())
    assert status == 429
    assert "quá nhanh" in json.loads(text)[0]["text"]
    status, _ = await post(session, url, json.dumps({"sender": "other", "message": "hi"}).encode())
    assert status == 200
    assert [m.text for m in echo.seen] == ["m0", "m1", "m2", "m3", "m4", "hi"]


async def test_processing_failure_gets_an_apology_not_500(channel):
    session, url, echo = channel
    echo.fail = True
    status, text = await post(session, url, json.dumps({"sender": "f", "message": "hi"}).encode())
    assert status == 503 and json.loads(text)[-1]["text"] == SERVER_APOLOGY


async def test_lock_error_is_retried_then_answered(channel):
    session, url, echo = channel
    echo.lock_failures = 2
    status, text = await post(session, url, json.dumps({"sender": "lk", "message": "hi"}).encode())
    assert status == 200 and json.loads(text)[0]["text"] == "echo:hi"
    assert len(echo.seen) == 3


def test_rate_limiter_window_slides():
    now = [0.0]
    limiter = SenderRateLimiter(2, 10, max_senders=2, clock=lambda: now[0])
    assert limiter.check("a")[0] and limiter.check("a")[0]
    allowed, wait = limiter.check("a")
    assert not allowed and wait == pytest.approx(10)
    now[0] = 10.5
    assert limiter.check("a")[0]
    limiter.check("b"), limiter.check("c")
    assert len(limiter._seen) == 2  # bounded memory


def test_clean_text_keeps_vietnamese_nfd_and_newlines():
    nfd = "ha\u0323n ba\u0301o ca\u0301o\n"
    assert clean_text(nfd) == nfd
    assert clean_text("a\x00b\x7fc\u200bd\u200de") == "a b c" "d\u200de"












async def test_client_cannot_choose_the_input_channel(channel):
    """A website client claiming "telegram" must not pass for a linked Telegram account."""
    session, url, echo = channel
    body = json.dumps({"sender": "5550001", "message": "có", "input_channel": "telegram"}).encode()
    status, _ = await post(session, url, body)
    assert status == 200
    assert echo.seen[-1].input_channel == "rest" and echo.seen[-1].sender_id == "rest:5550001"


async def test_conversation_is_namespaced_and_replies_name_the_sender(channel):
    """A REST caller naming a Telegram chat id gets conversation ``rest:<id>``,
    never ``telegram:<id>`` or the bare id; the reply's recipient_id is the sender as sent."""
    session, url, echo = channel
    for sender in ("880000001", "telegram:880000001"):
        status, body = await post(session, url, json.dumps({"sender": sender, "message": "chào"}).encode())
        assert status == 200
        replies = json.loads(body)
        assert echo.seen[-1].sender_id == f"rest:{sender}"
        assert replies[0]["recipient_id"] == sender, replies
