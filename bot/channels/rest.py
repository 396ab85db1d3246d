"""A hardened REST channel: input checks, a length cap, a rate limit, an apology on failure.

``credentials.yml``::

    bot.channels.rest.GuardedRestInput:
      max_message_chars: 1000      # longer messages get a polite note, not the NLU
      max_body_bytes: 65536        # larger request bodies: 413
      rate_limit_messages: 30      # per sender and per server process ...
      rate_limit_window_s: 60      # ... in this many seconds; then 429 + a polite reply
      max_concurrent: 16           # messages processed at once per server; others queue (FIFO)

Each may also come from the environment (``REST_MAX_MESSAGE_CHARS``,
``REST_RATE_LIMIT_MESSAGES``, ..., read by :mod:`bot.settings`) when the
credentials leave it out.

The URL stays ``POST /webhooks/rest/webhook`` with ``{"sender": ..., "message": ...}``.
The conversation is ``rest:<sender>`` (:mod:`bot.channels.conversations`): a
REST caller never reaches another channel's conversation, whatever sender it
names; the replies' ``recipient_id`` is the sender as sent (in the streaming
answer, ``?stream=true``, it is the conversation id).
Every malformed request gets a 4xx JSON answer (never a 500 or a traceback):
malformed JSON, invalid UTF-8, a JSON value that is not an object, a content type
other than JSON, a missing/null/non-string ``message``, a missing or empty
``sender`` (anonymous messages must not share one conversation) and an oversized
body. Control characters (PostgreSQL cannot store NUL) and lone surrogates are
removed before Rasa sees the text; an empty message gets a prompt.

The bound on custom actions (an apology instead of silence when the action
server fails) lives in :mod:`bot.server.patches`.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import unicodedata
from collections import OrderedDict, deque
from typing import Any, Awaitable, Callable, Deque, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.conversations import conversation_id, recipient
from bot.settings import expand, load_settings

logger = logging.getLogger(__name__)

SERVER_APOLOGY = (
    "Xin lỗi anh/chị, hệ thống đang bận hoặc gặp sự cố tạm thời nên chưa xử lý được "
    "tin nhắn này. Anh/chị vui lòng gửi lại sau ít phút."
)
EMPTY_PROMPT = (
    "Anh/chị vui lòng nhập câu hỏi về Văn bản số 797/BTTTT-THH, ví dụ: "
    "\"hạn báo cáo quý 3\" hoặc \"UBND tỉnh Quảng Ninh đã nộp báo cáo quý II chưa\"."
)
TOO_LONG_NOTE = (
    "Tin nhắn của anh/chị dài {length} ký tự, vượt quá giới hạn {limit} ký tự nên tôi "
    "chưa xử lý. Anh/chị vui lòng rút gọn câu hỏi (ví dụ: \"hạn báo cáo quý 3\") và gửi lại."
)
RATE_LIMIT_NOTE = (
    "Anh/chị đang gửi tin nhắn quá nhanh. Anh/chị vui lòng đợi khoảng {seconds} giây "
    "rồi gửi lại; tôi sẽ trả lời ngay khi có thể."
)

MAX_SENDER_CHARS = 128
_JSON_TYPES = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


# --------------------------------------------------------------------- text
def clean_text(text: str) -> str:
    """Drop what no store or model should see: control characters other than
    tab/newline (they become spaces), lone surrogates and zero-width marks other
    than ZWJ/ZWNJ. Keeps NFC/NFD as typed (the pipeline handles both)."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            out.append(" " if ch not in "\t\n" else ch)
        elif category == "Cs":
            continue
        elif category == "Cf" and ch not in "\u200c\u200d":
            continue
        else:
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------- rate limit
class SenderRateLimiter:
    """At most ``limit`` messages per sender in any ``window_s`` seconds.

    In-process (each Rasa server counts its own); nginx's ``limit_req`` in
    ``deploy/nginx.conf`` bounds a client across the cluster. Keeps at most
    ``max_senders`` senders (least recently seen are forgotten).
    """

    def __init__(self, limit: int, window_s: float, max_senders: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = int(limit)
        self.window_s = float(window_s)
        self.max_senders = max_senders
        self._clock = clock
        self._seen: "OrderedDict[str, Deque[float]]" = OrderedDict()

    def check(self, sender: str) -> Tuple[bool, float]:
        """Record one message; returns ``(allowed, seconds_until_allowed)``."""
        if self.limit <= 0:
            return True, 0.0
        now = self._clock()
        stamps = self._seen.pop(sender, None) or deque()
        while stamps and now - stamps[0] >= self.window_s:
            stamps.popleft()
        self._seen[sender] = stamps
        while len(self._seen) > self.max_senders:
            self._seen.popitem(last=False)
        if len(stamps) >= self.limit:
            return False, max(0.0, self.window_s - (now - stamps[0]))
        stamps.append(now)
        return True, 0.0


# ------------------------------------------------------------------ channel
class RestCollector(CollectingOutputChannel):
    """Rasa's collecting output with the conversation id (``rest:<sender>``)
    mapped back to the caller's own ``sender`` in every ``recipient_id``."""

    @staticmethod
    def _message(recipient_id: Text, *args: Any, **kwargs: Any) -> Dict:
        return CollectingOutputChannel._message(recipient(recipient_id), *args, **kwargs)


class BadRequest(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


class GuardedRestInput(RestInput):
    """Rasa's REST channel with input validation, length cap and rate limit."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GuardedRestInput":
        """Limits from ``credentials.yml``; those it leaves out come from
        :attr:`bot.settings.Settings.rest` (``REST_*``, then the defaults)."""
        credentials = credentials or {}
        defaults = load_settings().rest

        def number(key: str) -> float:
            value = expand(credentials.get(key))
            try:
                return float(value) if value is not None else float(getattr(defaults, key))
            except ValueError:
                logger.warning("REST channel setting %s=%r is not a number; using the default", key, value)
                return float(getattr(defaults, key))

        return cls(
            max_message_chars=int(number("max_message_chars")),
            max_body_bytes=int(number("max_body_bytes")),
            rate_limit_messages=int(number("rate_limit_messages")),
            rate_limit_window_s=number("rate_limit_window_s"),
            max_concurrent=int(number("max_concurrent")),
        )

    def __init__(self, max_message_chars: int = 1000, max_body_bytes: int = 64 * 1024,
                 rate_limit_messages: int = 30, rate_limit_window_s: float = 60,
                 max_concurrent: int = 16) -> None:
        self.max_message_chars = max_message_chars
        self.max_body_bytes = max_body_bytes
        self.limiter = SenderRateLimiter(rate_limit_messages, rate_limit_window_s)
        self.max_concurrent = max(1, max_concurrent)
        self._slots: Optional[asyncio.Semaphore] = None  # created in the server's event loop

    # ------------------------------------------------------------ parsing
    def parse_request(self, request: Request) -> Dict[str, Any]:
        """Validated ``{"sender", "message", "metadata", "input_channel"}``.

        Raises:
            BadRequest: with the 4xx status and a short reason.
        """
        body = request.body or b""
        if len(body) > self.max_body_bytes:
            raise BadRequest(413, f"request body over {self.max_body_bytes} bytes")
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if not _JSON_TYPES.match(content_type):
            raise BadRequest(415, "Content-Type must be application/json")
        try:
            payload = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise BadRequest(400, "body is not valid UTF-8") from None
        except ValueError:
            raise BadRequest(400, "body is not valid JSON") from None
        if not isinstance(payload, dict):
            raise BadRequest(400, "body must be a JSON object")

        sender = payload.get("sender")
        if isinstance(sender, bool) or not isinstance(sender, (str, int)):
            raise BadRequest(400, "'sender' (a string) is required")
        sender = str(sender).strip()
        if not sender or len(sender) > MAX_SENDER_CHARS or clean_text(sender) != sender:
            raise BadRequest(400, f"'sender' must be 1-{MAX_SENDER_CHARS} printable characters")

        message = payload.get("message")
        if not isinstance(message, str):
            raise BadRequest(400, "'message' (a string) is required")

        metadata = payload.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadRequest(400, "'metadata' must be a JSON object")
        input_channel = payload.get("input_channel")
        if input_channel is not None and not isinstance(input_channel, str):
            raise BadRequest(400, "'input_channel' must be a string")
        return {
            "sender": sender,
            "message": clean_text(message),
            "metadata": metadata,
            # never the client's choice: "telegram" here would let a website
            # visitor pass for a linked Telegram or Zalo account
            "input_channel": self.name(),
        }

    @staticmethod
    def _note(sender: str, text: str) -> List[Dict[str, Any]]:
        return [{"recipient_id": sender, "text": text}]

    @staticmethod
    async def _handle(on_new_message: Callable[[UserMessage], Awaitable[None]], message: UserMessage,
                      attempts: int = 3) -> None:
        """Pass ``message`` to Rasa; retry when the conversation lock could not
        be acquired (raised before any processing, so a retry never runs a
        message twice)."""
        from rasa.core.lock_store import LockError

        for attempt in range(1, attempts + 1):
            try:
                await on_new_message(message)
                return
            except LockError:
                if attempt == attempts:
                    raise
                logger.warning("conversation lock not acquired (attempt %d); retrying", attempt)
                await asyncio.sleep(0.5 * attempt)

    # ---------------------------------------------------------- blueprint
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                parsed = self.parse_request(request)
            except BadRequest as bad:
                return response.json({"error": bad.error}, status=bad.status)
            sender, text = parsed["sender"], parsed["message"]

            allowed, wait_s = self.limiter.check(sender)
            if not allowed:
                logger.info("rate limit reached for a sender; asked to wait %.0f s", wait_s)
                seconds = max(1, int(wait_s + 0.999))
                return response.json(self._note(sender, RATE_LIMIT_NOTE.format(seconds=seconds)),
                                     status=429, headers={"Retry-After": str(seconds)})
            if not text.strip():
                return response.json(self._note(sender, EMPTY_PROMPT))
            if len(text) > self.max_message_chars:
                return response.json(self._note(
                    sender, TOO_LONG_NOTE.format(length=len(text), limit=self.max_message_chars)))

            conversation = conversation_id(self.name(), sender)  # never another channel's tracker
            if request.args.get("stream", "").lower() == "true":
                return response.stream(
                    self.stream_response(on_new_message, text, conversation,
                                         parsed["input_channel"], parsed["metadata"]),
                    content_type="text/event-stream",
                )
            collector = RestCollector()
            if self._slots is None:
                self._slots = asyncio.Semaphore(self.max_concurrent)
            try:
                # At most max_concurrent messages in Rasa at once, the rest wait
                # in arrival order: under overload each message then finishes
                # quickly instead of all of them crawling (the NLU runs on the
                # event loop) until the load balancer gives up on them.
                async with self._slots:
                    await self._handle(on_new_message, UserMessage(
                        text, collector, conversation, input_channel=parsed["input_channel"],
                        metadata=parsed["metadata"]))
            except asyncio.CancelledError:
                logger.error("message processing was cancelled")
                return response.json(collector.messages + self._note(sender, SERVER_APOLOGY), status=503)
            except Exception:  # noqa: BLE001 - tracker store, lock store, ...: apologise
                logger.exception("message processing failed")
                return response.json(collector.messages + self._note(sender, SERVER_APOLOGY), status=503)
            return response.json(collector.messages)

        return webhook
