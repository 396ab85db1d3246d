"""Zalo Official Account connector (webhook in, OA v3 "customer support" API out).

Loaded from ``credentials.yml`` as ``bot.channels.zalo.ZaloInput``; the webhook
is ``POST /webhooks/zalo/webhook`` and ``GET /webhooks/zalo/`` is a health check.

Incoming events
    Every event is verified before anything else: the ``X-ZEvent-Signature``
    header must equal ``mac=`` + hex SHA-256 of
    ``app_id + raw body + timestamp + OA secret key`` (the timestamp is the
    event's ``timestamp`` field, in milliseconds), compared in constant time,
    and the timestamp must be at most ``max_event_age_s`` old (or ahead).
    A missing or wrong signature, a stale event or another app's event gets
    401 and is not processed. A verified event is acknowledged at once with
    200 and handled in the background (Zalo expects an answer within about
    two seconds and retries otherwise); a retried event (same ``msg_id``) is
    handled once. Ids are kept as strings (large integers are parsed as text).

    - ``user_send_text``: answered by the assistant.
    - stickers, images, GIFs, files, audio, video, locations, links, contact
      cards: one short polite reply saying the assistant reads text only.
    - ``follow``: a greeting (``/greet``); ``unfollow``, echoes of the OA's own
      messages (``oa_send_*``), ``user_seen_message`` etc.: nothing.

Outgoing messages
    ``POST {api_base}/v3.0/oa/message/cs`` with header ``access_token`` and
    ``{"recipient": {"user_id": ...}, "message": {"text": ...}}``; success is
    ``error == 0``. Every call goes through the delivery policy of
    :mod:`bot.channels.delivery` with :func:`~bot.channels.delivery.zalo_error`:
    network errors, timeouts, HTTP 5xx/408/425/429 and Zalo's rate limit
    (-32) are retried with back-off; other Zalo errors (-213, -227, -230: the
    7-day window closed, -232, ...) are final at once; a failure is logged
    once and raised as ``DeliveryFailed``. Error ``-216`` (access token
    invalid) or ``-124`` (expired) is not a delivery failure: it triggers one
    refresh at ``{oauth_base}/v4/oa/access_token`` (form ``refresh_token``,
    ``app_id``, ``grant_type=refresh_token``, header ``secret_key`` = app
    secret); the new access *and refresh* token are written to
    ``token_file`` (each refresh token works once), then the message is sent
    again once, under the policy afresh. Tokens are never logged.

    Conversations are keyed ``zalo:<user id>`` (:mod:`bot.channels.conversations`).
    Buttons become a numbered list ("1. ...") under the text; a reply of just
    that number sends the button's payload (:class:`ZaloChoices`) -- only as
    the user's next message after the list and within
    ``ZALO_CHOICE_TTL_MINUTES``; a number typed later, in another context, is
    ordinary text. Zalo's v3 API has no plain quick replies for
    customer-support messages.

Shared short-lived state (:mod:`bot.channels.state`): the event keys already
handled and the numbered lists live in Redis (scale-out) or a small SQL
table, so every server sees them and a restart forgets nothing.
"""
from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Set, Text, Tuple, cast

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import CHOOSE_BY_NUMBER, TEXT_ONLY
from bot.channels.config import ZALO_REQUIRED
from bot.channels.conversations import conversation_id, recipient
from bot.channels.delivery import (
    DEFAULT_POLICY,
    DeliveryFailed,
    DeliveryPolicy,
    HTTPStatusError,
    PlatformError,
    deliver,
    parse_retry_after,
    record_failure,
    zalo_error,
)
from bot.channels.handoff import relay
from bot.channels.outbox import PLANNED, Outbox, planning
from bot.channels.state import ZALO_CHOICES, ZALO_EVENTS, ChannelState, SeenOnce, channel_state
from bot.officials.reminders.pause import resume_on_message
from bot.settings import channel_state_settings, expand

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://openapi.zalo.me"
DEFAULT_OAUTH_BASE = "https://oauth.zaloapp.com"
SIGNATURE_HEADER = "X-ZEvent-Signature"
TOKEN_ERRORS = {-216, -124}  # access token invalid / expired
TEXT_LIMIT = 2000  # characters per Zalo text message
MEDIA_EVENTS = {
    "user_send_image", "user_send_gif", "user_send_sticker", "user_send_file", "user_send_audio",
    "user_send_video", "user_send_location", "user_send_link", "user_send_business_card",
}


class ZaloAPIError(PlatformError):
    """Zalo answered with ``error != 0`` (``code``, ``message``), or an unusable response (code 0)."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(code, message)
        self.args = (f"Zalo API error {code}: {message}",)


def zalo_signature(app_id: Text, body: bytes, timestamp: Text, oa_secret_key: Text) -> Text:
    """The expected ``X-ZEvent-Signature`` header value for an event body."""
    digest = hashlib.sha256(app_id.encode() + body + str(timestamp).encode() + oa_secret_key.encode())
    return "mac=" + digest.hexdigest()


def split_text(text: Text, limit: int = TEXT_LIMIT) -> List[Text]:
    """``text`` cut into parts of at most ``limit`` characters, at paragraph or line ends where possible."""
    parts: List[Text] = []
    text = text.strip()
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        parts.append(text)
    return parts


class ZaloTokens:
    """The OA access/refresh token pair, stored durably in ``path`` (JSON, mode 0600).

    The file wins over the settings once it exists: after a refresh the
    refresh token from the settings has been used up.
    """

    def __init__(self, access_token: Text, refresh_token: Text, path: Optional[Path]) -> None:
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.path = path
        if path and path.exists():
            try:
                stored = json.loads(path.read_text())
                self.access_token = stored.get("access_token") or access_token
                self.refresh_token = stored.get("refresh_token") or refresh_token
            except (OSError, ValueError):
                logger.warning("Zalo: token file %s is unreadable, using the settings", path)

    def reload(self) -> None:
        """Adopts the pair another process (the Rasa server or the reminder
        scheduler) stored after its own refresh; keeps ours if the file is unreadable."""
        if not self.path or not self.path.exists():
            return
        try:
            stored = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return
        self.access_token = stored.get("access_token") or self.access_token
        self.refresh_token = stored.get("refresh_token") or self.refresh_token

    @contextlib.asynccontextmanager
    async def exclusive(self, timeout_s: float = 30) -> AsyncIterator[None]:
        """Holds an advisory lock on ``<path>.lock`` so that only one process
        refreshes at a time (each refresh token works once). Without a path,
        or if the lock is not free after ``timeout_s``, it goes on unlocked."""
        if not self.path:
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.lock", "a+") as handle:
            deadline = time.monotonic() + timeout_s
            locked = False
            while not locked:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    locked = True
                except OSError:
                    if time.monotonic() > deadline:
                        logger.warning("Zalo: token lock still held after %.0f s; refreshing anyway", timeout_s)
                        break
                    await asyncio.sleep(0.1)
            try:
                yield
            finally:
                if locked:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def save(self, access_token: Text, refresh_token: Text) -> None:
        """Replaces the pair in memory and atomically on disk."""
        self.access_token, self.refresh_token = access_token, refresh_token
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=str(self.path.parent), prefix=".zalo-tokens-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"access_token": access_token, "refresh_token": refresh_token,
                           "saved_at": int(time.time())}, f)
            os.replace(tmp, self.path)
        except OSError:
            logger.error("Zalo: could not store the refreshed tokens in %s", self.path)
            try:
                os.unlink(tmp)
            except OSError:
                pass


class ZaloClient:
    """Calls Zalo's OA message API and OAuth v4 token endpoint (aiohttp), each
    call under the delivery ``policy`` (:mod:`bot.channels.delivery`)."""

    def __init__(self, app_id: Text, app_secret: Text, tokens: ZaloTokens, api_base: Text, oauth_base: Text,
                 policy: DeliveryPolicy = DEFAULT_POLICY) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.tokens = tokens
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self.policy = policy
        self._session: Optional[aiohttp.ClientSession] = None
        self._refresh_lock: Optional[asyncio.Lock] = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()  # each attempt is bounded by the policy's timeout_s
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def _secrets(self) -> Tuple[Text, ...]:
        return tuple(s for s in (self.tokens.access_token, self.tokens.refresh_token, self.app_secret) if s)

    async def _post_json(self, url: Text, **kwargs: Any) -> Dict[str, Any]:
        """One POST (``kwargs`` as for aiohttp), no retry: the caller applies the policy.

        Output: the decoded JSON object. Raises ``HTTPStatusError`` for a
        status >= 400 (with its ``Retry-After``), ``ZaloAPIError`` (code 0)
        for an answer that is not a JSON object, aiohttp's errors for network failures.
        """
        async with self._http().post(url, **kwargs) as resp:
            if resp.status >= 400:
                raise HTTPStatusError(resp.status, parse_retry_after(resp.headers.get("Retry-After")),
                                      (await resp.text())[:200])
            try:
                data = await resp.json(content_type=None)
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise ZaloAPIError(0, "unexpected response")
            return data

    async def refresh(self, used_refresh_token: Text) -> None:
        """Exchanges the refresh token for a new pair, once even under concurrency.

        If another task or process already refreshed (the stored refresh token
        changed), nothing is done: the token file is re-read under a file lock.

        Raises:
            DeliveryFailed: Zalo gave no new pair (permanent: the refresh token
                is refused) or could not be reached (transient); logged.
        """
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        async with self._refresh_lock, self.tokens.exclusive():
            self.tokens.reload()  # another process may have refreshed already
            if self.tokens.refresh_token != used_refresh_token:
                return

            async def exchange() -> Tuple[Text, Text]:
                data = await self._post_json(
                    f"{self.oauth_base}/v4/oa/access_token",
                    headers={"secret_key": self.app_secret},
                    data={"refresh_token": self.tokens.refresh_token, "app_id": self.app_id,
                          "grant_type": "refresh_token"},
                )
                access, refresh = data.get("access_token"), data.get("refresh_token")
                if not access or not refresh:
                    raise ZaloAPIError(int(data.get("error") or 0),
                                       str(data.get("error_name") or data.get("message") or "no token"))
                return str(access), str(refresh)

            access, refresh = await deliver(exchange, what="zalo token refresh", policy=self.policy,
                                            secrets=self._secrets(), classify=zalo_error)
            self.tokens.save(access, refresh)
            logger.info("Zalo: access token refreshed and stored")

    async def send_text(self, user_id: Text, text: Text) -> Dict[str, Any]:
        """Sends one customer-support text message to ``user_id`` under the
        delivery policy; an access token refused with -216/-124 is refreshed
        once and the message sent again.

        Output: Zalo's ``data`` object (``message_id``, ...).

        Raises:
            DeliveryFailed: not delivered (logged once); ``code`` holds Zalo's
                error code for a refusal (e.g. -230), ``permanent`` says whether
                trying again later may help.
        """
        used_refresh_token = self.tokens.refresh_token
        data = await self._send_once(user_id, text, token_error_ok=True)
        code = int(data.get("error") or 0)
        if code != 0:  # the access token was refused: refresh it once, then send again
            logger.info("Zalo: access token rejected (%s), refreshing", code)
            try:
                await self.refresh(used_refresh_token)
            except DeliveryFailed as failed:
                raise record_failure("zalo message", user_id,
                                     f"access token rejected ({code}) and not refreshed: {failed.reason}",
                                     permanent=failed.permanent, attempts=1, secrets=self._secrets()) from failed
            data = await self._send_once(user_id, text, token_error_ok=False)
        return cast(Dict[str, Any], data.get("data") or {})

    async def _send_once(self, user_id: Text, text: Text, *, token_error_ok: bool) -> Dict[str, Any]:
        """One message under the delivery policy, with the current access token.
        Output: Zalo's answer (``error`` 0, or a token error -216/-124 when
        ``token_error_ok``). Raises ``DeliveryFailed`` otherwise."""
        body = {"recipient": {"user_id": str(user_id)}, "message": {"text": text}}
        access = self.tokens.access_token

        async def attempt() -> Dict[str, Any]:
            data = await self._post_json(f"{self.api_base}/v3.0/oa/message/cs", headers={"access_token": access},
                                         json=body)
            code = int(data.get("error") or 0)
            if code == 0 or (code in TOKEN_ERRORS and token_error_ok):
                return data  # a token error is the caller's to handle, outside the policy
            raise ZaloAPIError(code, str(data.get("message", "")))

        return await deliver(attempt, what="zalo message", recipient=user_id, policy=self.policy,
                             secrets=self._secrets(), classify=zalo_error)


class ZaloChoices:
    """The numbered list last sent to each Zalo user, in the shared store
    (namespace ``zalo-choice``, key the Zalo user id).

    ``choices[user_id] = [(title, payload), ...]`` remembers a list for
    ``ttl_s`` seconds (default ``ZALO_CHOICE_TTL_MINUTES``); :meth:`take`
    returns it once and forgets it, so a list counts only for the user's next
    message, while the assistant is waiting for that choice.
    """

    def __init__(self, state: Optional[ChannelState] = None, ttl_s: Optional[float] = None) -> None:
        self._state = state
        self.ttl_s = ttl_s if ttl_s is not None else channel_state_settings().zalo_choice_ttl_s

    @property
    def state(self) -> ChannelState:
        if self._state is None:
            self._state = channel_state()
        return self._state

    def __setitem__(self, user_id: Text, options: List[Tuple[Text, Text]]) -> None:
        self.state.put(ZALO_CHOICES, str(user_id), json.dumps(options, ensure_ascii=False), self.ttl_s)

    def take(self, user_id: Text) -> List[Tuple[Text, Text]]:
        """The options last sent to ``user_id`` (``[]`` when none, expired, or
        already answered), forgotten from now on. Never raises."""
        raw = self.state.pop(ZALO_CHOICES, str(user_id))
        try:
            options = json.loads(raw) if raw else []
        except ValueError:
            return []
        return [(str(o[0]), str(o[1])) for o in options if isinstance(o, list) and len(o) == 2]


class ZaloOutput(OutputChannel):
    """Output channel: texts (split at 2000 characters) and buttons as a numbered list."""

    @classmethod
    def name(cls) -> Text:
        return "zalo"

    def __init__(self, client: ZaloClient, choices: ZaloChoices, outbox: Optional[Outbox] = None) -> None:
        self.client = client
        self.choices = choices
        self.outbox = outbox or Outbox("zalo", lambda planned: client.send_text(**planned["params"]))

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """Rasa's entry point for a reply: ``recipient_id`` is the conversation id
        ``zalo:<user id>`` (:mod:`bot.channels.conversations`); the reply goes to
        the user. The reply is planned as messages, then sent through the
        :class:`~bot.channels.outbox.Outbox`: a platform failure never leaves
        Rasa (the turn is saved), the reply is retried after the wait or
        recorded as undelivered. Never raises ``DeliveryFailed``."""
        user_id = recipient(recipient_id)
        with planning() as calls:
            await super().send_response(user_id, message)
        await self.outbox.deliver(user_id, calls)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        """Sends ``text`` in parts of at most 2000 characters (recorded instead
        while a reply is planned). Raises ``DeliveryFailed``."""
        planned = PLANNED.get()
        for part in split_text(text):
            if planned is not None:
                planned.append({"method": "send_text", "params": {"user_id": str(recipient_id), "text": part}})
            else:
                await self.client.send_text(recipient_id, part)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        """Sends ``text`` followed by "1. title" lines and remembers the payloads for ``recipient_id``."""
        options = [(b.get("title", ""), b.get("payload") or b.get("title", "")) for b in buttons]
        self.choices[str(recipient_id)] = options
        lines = [f"{i}. {title}" for i, (title, _) in enumerate(options, 1)]
        await self.send_text_message(recipient_id, f"{text}\n\n{CHOOSE_BY_NUMBER}\n" + "\n".join(lines))

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, f"Hình ảnh: {image}")

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, f"Tệp đính kèm: {attachment}")


class ZaloInput(InputChannel):
    """Zalo OA webhook input channel (see the module docstring).

    Credentials: ``app_id``, ``oa_secret_key`` (verifies events), ``app_secret``
    (token refresh), ``access_token``, ``refresh_token``, ``api_base``,
    ``oauth_base``, ``token_file`` (default ``var/zalo_tokens.json``) and
    ``max_event_age_s`` (default 300). ``state``: the shared store (default
    :func:`bot.channels.state.channel_state`, opened on first use).
    """

    @classmethod
    def name(cls) -> Text:
        return "zalo"

    REQUIRED = ZALO_REQUIRED

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Builds the channel from settings (``${VAR}`` expanded by :func:`setting`).

        With a required setting missing the channel is *off*: it logs which
        settings are missing and its webhook answers 503.
        """
        credentials = credentials or {}
        values = {key: expand(value) for key, value in credentials.items()}
        missing = [var for key, var in cls.REQUIRED.items() if not values.get(key)]
        if missing:
            logger.info("Zalo channel off: set %s", ", ".join(missing))
            channel = cls("", "", "", "", "")
            channel.missing = missing
            return channel
        logger.info("Zalo channel on")
        token_file = values.get("token_file") or str(Path(__file__).resolve().parents[2] / "var" / "zalo_tokens.json")
        return cls(
            app_id=values["app_id"],
            oa_secret_key=values["oa_secret_key"],
            app_secret=values["app_secret"],
            access_token=values["access_token"],
            refresh_token=values["refresh_token"],
            api_base=values.get("api_base") or DEFAULT_API_BASE,
            oauth_base=values.get("oauth_base") or DEFAULT_OAUTH_BASE,
            token_file=Path(token_file),
            max_event_age_s=float(values.get("max_event_age_s") or 300),
        )

    def __init__(self, app_id: Text, oa_secret_key: Text, app_secret: Text, access_token: Text,
                 refresh_token: Text, api_base: Text = DEFAULT_API_BASE, oauth_base: Text = DEFAULT_OAUTH_BASE,
                 token_file: Optional[Path] = None, max_event_age_s: float = 300,
                 state: Optional[ChannelState] = None) -> None:
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.max_event_age_s = max_event_age_s
        self.client = ZaloClient(app_id, app_secret, ZaloTokens(access_token, refresh_token, token_file),
                                 api_base, oauth_base)
        self.choices = ZaloChoices(state)
        self.outbox = Outbox("zalo", lambda planned: self.client.send_text(**planned["params"]))
        # older events are refused anyway (verify): remembering twice their age is enough
        self.seen_events = SeenOnce(state, ZALO_EVENTS, 2 * max_event_age_s)
        self.missing: List[Text] = []  # required settings not set: the channel is off
        self._tasks: Set[asyncio.Task] = set()

    def get_output_channel(self) -> ZaloOutput:
        output = ZaloOutput(self.client, self.choices, self.outbox)
        relay().register("zalo", output)  # staff replies of a hand-off go out through it
        return output

    # --- verification -------------------------------------------------------
    def verify(self, body: bytes, signature: Optional[Text]) -> Optional[Dict[str, Any]]:
        """The event if ``signature`` is valid for ``body`` and the event is fresh, else ``None``."""
        if not signature or not body:
            return None
        try:
            event = json.loads(body, parse_int=str, parse_float=str)
        except ValueError:
            return None
        if not isinstance(event, dict):
            return None
        timestamp = str(event.get("timestamp") or "")
        expected = zalo_signature(self.app_id, body, timestamp, self.oa_secret_key)
        if not hmac.compare_digest(signature.strip().encode(), expected.encode()):
            return None
        if str(event.get("app_id") or self.app_id) != self.app_id:
            return None
        try:
            stamp = int(timestamp)
        except ValueError:
            return None
        age_s = abs(time.time() - (stamp / 1000 if stamp > 10**11 else stamp))  # milliseconds (seconds tolerated)
        if age_s > self.max_event_age_s:
            logger.warning("Zalo: rejected an event %.0f s away from now", age_s)
            return None
        return event

    @staticmethod
    def event_key(event: Dict[str, Any]) -> Text:
        """What identifies a delivery: the message id, else event name, user and timestamp."""
        msg_id = (event.get("message") or {}).get("msg_id")
        if msg_id:
            return f"msg:{msg_id}"
        user = (event.get("sender") or event.get("follower") or {}).get("id")
        return f"{event.get('event_name')}:{user}:{event.get('timestamp')}"

    # --- handling -----------------------------------------------------------
    def _user_text(self, user_id: Text, text: Text) -> Text:
        """Maps a bare number answering the numbered list just sent to that
        button's payload. The list counts for this one message only (and
        within its TTL): any other message, or a later number, is ordinary text."""
        options = self.choices.take(user_id)
        match = re.fullmatch(r"\s*(\d{1,2})\s*\.?\s*", text)
        if options and match and 1 <= int(match.group(1)) <= len(options):
            return options[int(match.group(1)) - 1][1]
        return text

    async def handle_event(self, event: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Processes one verified event; errors are logged, never raised."""
        name = str(event.get("event_name") or "")
        out = self.get_output_channel()
        try:
            writer = (event.get("sender") if name != "follow" else event.get("follower")) or {}
            if writer.get("id") and (name in ("user_send_text", "follow") or name in MEDIA_EVENTS):
                await resume_on_message("zalo", writer["id"])  # reminders paused for this user resume
            if name == "user_send_text":
                user_id = str((event.get("sender") or {}).get("id") or "")
                text = str((event.get("message") or {}).get("text") or "").strip()
                if user_id and text:
                    text = self._user_text(user_id, text)
                    # message_id names the Zalo event, so a hand-off relays a retried one once
                    await on_new_message(UserMessage(text, out, conversation_id("zalo", user_id),
                                                     input_channel=self.name(), message_id=self.event_key(event),
                                                     metadata={"zalo_event": name}))
            elif name in MEDIA_EVENTS:
                user_id = str((event.get("sender") or {}).get("id") or "")
                if user_id:
                    await out.send_text_message(user_id, TEXT_ONLY)
            elif name == "follow":
                user_id = str((event.get("follower") or {}).get("id") or "")
                if user_id:
                    await on_new_message(UserMessage("/greet", out, conversation_id("zalo", user_id),
                                                     input_channel=self.name(),
                                                     metadata={"zalo_event": name}))
            else:
                logger.debug("Zalo: no reply to event %s", name)
        except DeliveryFailed as failed:  # already logged as "delivery failed"
            logger.warning("Zalo: %s not fully answered (%s)", name,
                           "permanent failure" if failed.permanent else "transient failure")
        except Exception as error:
            logger.error("Zalo: could not handle %s (%s: %s)", name, type(error).__name__,
                         getattr(error, "code", ""))
            logger.debug("Zalo: details", exc_info=True)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: ``GET /`` health, ``POST /webhook`` events (401 unless verified, else 200 at once)."""
        zalo_webhook = Blueprint("zalo_webhook", __name__)

        if self.missing:
            @zalo_webhook.route("/", methods=["GET"])
            async def off(_: Request) -> HTTPResponse:
                return response.json({"status": "off", "missing": self.missing})

            @zalo_webhook.route("/webhook", methods=["POST"])
            async def off_webhook(_: Request) -> HTTPResponse:
                return response.json({"error": "the Zalo channel is not configured"}, status=503)

            return zalo_webhook

        @zalo_webhook.listener("after_server_start")
        async def start(_app: Any, _loop: Any) -> None:
            self.outbox.start()  # replies left pending, by a restart too

        @zalo_webhook.listener("before_server_stop")
        async def stop(_app: Any, _loop: Any) -> None:
            await self.outbox.close()
            await self.client.close()

        @zalo_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @zalo_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            event = self.verify(request.body or b"", request.headers.get(SIGNATURE_HEADER))
            if event is None:
                logger.warning("Zalo: rejected an event with a missing or invalid signature")
                return response.json({"error": "invalid signature"}, status=401)
            if not self.seen_events.add(self.event_key(event)):
                return response.json({"status": "duplicate"})
            task = asyncio.get_running_loop().create_task(self.handle_event(event, on_new_message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.json({"status": "ok"})

        return zalo_webhook
