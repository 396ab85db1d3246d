"""Fake Telegram Bot API and Zalo OpenAPI servers, for tests on loopback.

Shared by the channel tests (``tests/channels``, against the running Rasa
server) and the reminder tests (``tests/test_reminders.py``, unit stage).

- ``FakeTelegram`` answers the Bot API (``/bot<token>/<method>``) and records
  every call; its first ``setWebhook`` answers 429 (retry after
  ``set_webhook_retry_after`` = 1 s). ``fail_next(chat_id, *answers)`` makes the
  next ``sendMessage`` calls to that chat get the given error answers
  (:func:`telegram_answer`, ``BLOCKED``, ``CHAT_NOT_FOUND``, ``BAD_GATEWAY``,
  :func:`too_many_requests`), recorded like the others.
- ``FakeZalo`` answers ``POST /v3.0/oa/message/cs`` (``error -216`` unless the
  ``access_token`` header is the current token) and the OAuth v4
  ``POST /v4/oa/access_token`` refresh (each refresh token works once).
  ``refuse(user_id)`` makes it answer messages to that user as Zalo does when
  the user has not interacted with the OA within the allowed window
  (``error -230``); ``fail_next(user_id, *answers)`` makes the next messages
  to that user get the given answers (:func:`zalo_http_error`, :func:`zalo_error`).

Each fake runs an aiohttp app on its own event loop in a daemon thread:
``start()``, then ``url``; ``stop()`` at the end.
"""
from __future__ import annotations

import asyncio
import secrets
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from aiohttp import web

from bot.server.launcher import free_port

TELEGRAM_TOKEN = "123456789:AAE-fake-telegram-token-for-tests_0123"
TELEGRAM_BOT_NAME = "TroLy797Bot"
ZALO_APP_ID = "3608465249409039671"
ZALO_APP_SECRET = "app-secret-for-tests"
ZALO_ACCESS_TOKEN = "zalo-access-token-initial"
ZALO_REFRESH_TOKEN = "zalo-refresh-token-initial"
# Zalo OpenAPI's answer when the user has not interacted with the OA recently:
# customer-support ("tư vấn") messages may only be sent within that window.
ZALO_NOT_INTERACTED = (-230, "User has not interacted with the OA in the past 7 days")


# An answer a fake gives instead of the normal one: (HTTP status, JSON body, extra headers).
Answer = Tuple[int, Dict[str, Any], Dict[str, str]]


def telegram_answer(status: int, description: str, retry_after: Optional[int] = None) -> Answer:
    """A Bot API error answer, as Telegram sends it."""
    body: Dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return status, body, {}


def too_many_requests(retry_after: int) -> Answer:
    """Telegram's flood control: 429 with ``parameters.retry_after`` (seconds)."""
    return telegram_answer(429, f"Too Many Requests: retry after {retry_after}", retry_after)


BLOCKED = telegram_answer(403, "Forbidden: bot was blocked by the user")
CHAT_NOT_FOUND = telegram_answer(400, "Bad Request: chat not found")
BAD_GATEWAY = telegram_answer(502, "Bad Gateway")


def zalo_http_error(status: int, retry_after: Optional[str] = None) -> Answer:
    """An HTTP error from Zalo's front end (e.g. 503), with a ``Retry-After`` header if given."""
    return status, {"error": status, "message": "HTTP error"}, ({"Retry-After": retry_after} if retry_after else {})


def zalo_error(code: int, message: str) -> Answer:
    """Zalo's way of refusing: HTTP 200 with ``error`` != 0 (e.g. -32, the rate limit)."""
    return 200, {"error": code, "message": message}, {}


class Sleeps:
    """An injected ``sleep`` that records the waits and returns at once."""

    def __init__(self) -> None:
        self.waits: List[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(float(seconds))


class _Fake:
    """An aiohttp app run on its own event loop in a daemon thread, recording calls."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._runner: Optional[web.AppRunner] = None

    def app(self) -> web.Application:  # pragma: no cover - overridden
        raise NotImplementedError

    def record(self, **call: Any) -> Dict[str, Any]:
        with self.lock:
            self.calls.append(call)
        return call

    def snapshot(self) -> List[Dict[str, Any]]:
        with self.lock:
            return list(self.calls)

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._runner = web.AppRunner(self.app())
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        assert ready.wait(10), "fake server did not start"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    def wait_for_calls(self, predicate: Callable[[Dict[str, Any]], bool], count: int = 1,
                       timeout_s: float = 30) -> List[Dict[str, Any]]:
        """The recorded calls matching ``predicate`` once there are ``count``; fails after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = [c for c in self.snapshot() if predicate(c)]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"expected {count} calls, got {len(found)}: {found}"
                return found
            time.sleep(0.1)


class FakeTelegram(_Fake):
    """A fake Telegram Bot API. ``calls``: ``{"method", "token", "params"}``."""

    def __init__(self) -> None:
        super().__init__()
        self.message_id = 1000
        self.set_webhook_attempts = 0
        self.set_webhook_retry_after = 1  # seconds asked for by the first setWebhook's 429
        self.throttle_once: set = set()  # chat ids whose next sendMessage gets a 429
        self.failures: Dict[str, List[Answer]] = {}  # chat id -> answers for its next sendMessage calls

    def fail_next(self, chat_id: Any, *answers: Answer) -> None:
        """The next ``len(answers)`` ``sendMessage`` calls to ``chat_id`` get these answers, in order."""
        with self.lock:
            self.failures.setdefault(str(chat_id), []).extend(answers)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        call = self.record(method=method, token=token, params=params)
        if token != TELEGRAM_TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if method == "setWebhook":
            self.set_webhook_attempts += 1
            if self.set_webhook_attempts == 1:
                status, body, _ = too_many_requests(self.set_webhook_retry_after)
                return web.json_response(body, status=status)
            return web.json_response({"ok": True, "result": True, "description": "Webhook was set"})
        if method == "sendMessage":
            with self.lock:
                queued = self.failures.get(str(params.get("chat_id")))
                answer = queued.pop(0) if queued else None
            if answer is not None:
                status, body, headers = answer
                return web.json_response(body, status=status, headers=headers)
        if method == "sendMessage" and str(params.get("chat_id")) in self.throttle_once:
            self.throttle_once.discard(str(params.get("chat_id")))
            status, body, _ = too_many_requests(1)
            return web.json_response(body, status=status)
        if method == "sendMessage":
            with self.lock:
                self.message_id += 1
                call["message_id"] = self.message_id  # the sent message's id, for replies to it
            chat_id = int(params["chat_id"])
            return web.json_response({"ok": True, "result": {
                "message_id": self.message_id, "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": {"id": 123456789, "is_bot": True, "first_name": "Trợ lý 797", "username": TELEGRAM_BOT_NAME},
                "text": params.get("text", "")}})
        if method == "answerCallbackQuery":
            return web.json_response({"ok": True, "result": True})
        if method == "getMe":
            return web.json_response({"ok": True, "result": {"id": 123456789, "is_bot": True,
                                                             "first_name": "Trợ lý 797", "username": TELEGRAM_BOT_NAME}})
        return web.json_response({"ok": True, "result": True})

    def sent_to(self, chat_id: int) -> List[Dict[str, Any]]:
        return [c["params"] for c in self.snapshot()
                if c["method"] == "sendMessage" and str(c["params"].get("chat_id")) == str(chat_id)]


class FakeZalo(_Fake):
    """A fake Zalo OpenAPI + OAuth v4 server.

    ``calls``: ``{"kind": "cs"|"refresh", "headers", "body"}``. ``access_token``
    is the only accepted token; ``expire()`` makes the current one invalid
    (the next ``cs`` call answers ``-216``) without changing the refresh token;
    ``refuse(user_id)`` makes messages to that user fail with ``-230``;
    ``fail_next(user_id, *answers)`` gives the next messages to that user these answers.
    """

    def __init__(self) -> None:
        super().__init__()
        self.access_token = ZALO_ACCESS_TOKEN
        self.refresh_token = ZALO_REFRESH_TOKEN
        self.valid = True
        self.refreshes = 0
        self.refused: Dict[str, Tuple[int, str]] = {}  # user id -> (error code, message)
        self.failures: Dict[str, List[Answer]] = {}  # user id -> answers for its next messages

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self.cs)
        app.router.add_post("/v4/oa/access_token", self.oauth)
        return app

    def expire(self) -> None:
        with self.lock:
            self.valid = False

    def refuse(self, user_id: str, error: Tuple[int, str] = ZALO_NOT_INTERACTED) -> None:
        """Messages to ``user_id`` get Zalo's ``error`` (default -230: no interaction
        within the window) instead of being delivered; they are still recorded."""
        with self.lock:
            self.refused[str(user_id)] = error

    def fail_next(self, user_id: str, *answers: Answer) -> None:
        """The next ``len(answers)`` messages to ``user_id`` get these answers, in order
        (before the token is checked)."""
        with self.lock:
            self.failures.setdefault(str(user_id), []).extend(answers)

    async def cs(self, request: web.Request) -> web.Response:
        body = await request.json()
        token = request.headers.get("access_token", "")
        self.record(kind="cs", headers={"access_token": token}, body=body)
        with self.lock:
            queued = self.failures.get(str(body["recipient"]["user_id"]))
            answer = queued.pop(0) if queued else None
        if answer is not None:
            status, payload, headers = answer
            return web.json_response(payload, status=status, headers=headers)
        with self.lock:
            ok = self.valid and token == self.access_token
        if not ok:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        with self.lock:
            refusal = self.refused.get(str(body["recipient"]["user_id"]))
        if refusal is not None:
            return web.json_response({"error": refusal[0], "message": refusal[1]})
        return web.json_response({"error": 0, "message": "Success",
                                  "data": {"message_id": secrets.token_hex(8), "user_id": body["recipient"]["user_id"]}})

    async def oauth(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        headers = {"secret_key": request.headers.get("secret_key", "")}
        self.record(kind="refresh", headers=headers, body=form)
        with self.lock:
            if (headers["secret_key"] != ZALO_APP_SECRET or form.get("app_id") != ZALO_APP_ID
                    or form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token):
                return web.json_response({"error": -14014, "error_name": "Invalid refresh token"})
            self.refreshes += 1
            self.access_token = f"zalo-access-token-{self.refreshes}"
            self.refresh_token = f"zalo-refresh-token-{self.refreshes}"
            self.valid = True
            return web.json_response({"access_token": self.access_token, "refresh_token": self.refresh_token,
                                      "expires_in": "90000"})

    def texts_to(self, user_id: str) -> List[str]:
        return [c["body"]["message"]["text"] for c in self.snapshot()
                if c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == user_id]
