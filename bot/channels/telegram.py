"""Telegram connector: Rasa's ``TelegramInput`` with authentication, robustness
and group-chat manners added.

Loaded from ``credentials.yml`` as ``bot.channels.telegram.TelegramInput``; the
webhook is ``POST /webhooks/telegram/webhook`` and ``GET /webhooks/telegram/``
is a health check.

What differs from ``rasa.core.channels.telegram`` (Rasa 3.6):

- **Authentication.** With ``secret_token`` set, it is registered with
  ``setWebhook`` and every update must carry it in the
  ``X-Telegram-Bot-Api-Secret-Token`` header (compared in constant time);
  otherwise the answer is 401 and nothing is processed.
- **No ``getMe`` per update.** The bot's username comes from the settings
  (``verify``); it is only needed to notice mentions in groups.
- **Never a 500 or a traceback for Telegram.** Every update gets 200: errors
  are logged (without the token) and swallowed, unknown update kinds are
  ignored, retried deliveries (same ``update_id``) are answered once.
- **One delivery policy** (:mod:`bot.channels.delivery`) for every Bot API
  call: transient errors (network, 5xx, 429 with ``retry_after``) are retried
  within bounds, permanent ones ("chat not found", "bot was blocked by the
  user", ...) are final at once, and a failure is logged once and raised as
  ``DeliveryFailed``.
- **Start-up never fails** because Telegram is unreachable or answers 429:
  ``setWebhook`` runs in the background after the server starts, under the
  same policy with longer waits (``SETUP_POLICY``).
- **Non-text messages** (stickers, photos, voice, documents, ...) get one
  short polite reply; service updates (members joining or leaving, the bot
  added to or removed from a group, channel posts, edits) get none.
- **Groups**: the assistant answers only when mentioned (``@bot_name``) or
  when a message replies to one of its own.
- **Deep links**: ``/start <argument>`` (``t.me/<bot>?start=ABCDE-23456``)
  passes the argument on as the message, so an operator can hand an official
  a link that carries the link code.
- **Buttons** become a vertical inline keyboard whose ``callback_data`` always
  fits Telegram's 64-byte limit (see :func:`callback_data_for`); a pressed
  button is acknowledged with ``answerCallbackQuery`` and continues the
  conversation with the button's payload. A button whose short id is no
  longer known (expired) is answered :data:`BUTTON_EXPIRED`; nothing reaches
  the NLU.
- **Conversations** are keyed ``telegram:<chat id>`` (in a group
  ``telegram:<chat id>:<user id>``), never by the bare chat id
  (:mod:`bot.channels.conversations`); replies go to the chat.
- **Anonymous group admins** and messages **sent as a channel** (``from`` is
  the ``GroupAnonymousBot`` / ``Channel_Bot`` bot, ``sender_chat`` the group or
  channel) are public members of the group keyed by ``sender_chat``
  (``telegram:<chat id>:<sender_chat id>``; a chat id is never linked to an
  agency); **automatic forwards** from a linked channel
  (``is_automatic_forward``) are ignored; other bots are ignored.
- **Shared short-lived state** (:mod:`bot.channels.state`): the update ids
  already handled and the long buttons' payloads live in Redis (scale-out) or
  a small SQL table, so they survive a restart and are shared by every server.
- ``api_base`` points the connector at another Bot API server (tests use a
  local fake).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import GREETING_TEXT, TEXT_ONLY, compact_payload
from bot.channels.config import TELEGRAM_REQUIRED
from bot.channels.conversations import conversation_id, recipient
from bot.channels.delivery import DEFAULT_POLICY, SETUP_POLICY, DeliveryFailed, DeliveryPolicy, deliver, telegram_error
from bot.channels.handoff import relay
from bot.channels.outbox import PLANNED, Outbox, planning
from bot.channels.state import (
    TELEGRAM_BUTTONS,
    TELEGRAM_UPDATE_TTL_S,
    TELEGRAM_UPDATES,
    ChannelState,
    SeenOnce,
    channel_state,
)
from bot.officials.reminders.pause import resume_on_message
from bot.settings import channel_state_settings, expand

logger = logging.getLogger(__name__)

CALLBACK_DATA_MAX_BYTES = 64
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HASH_PREFIX = "#"
# Updates the assistant needs; Telegram sends only these once the webhook is set.
ALLOWED_UPDATES = ["message", "callback_query"]
# Message fields that make a message a service message (no reply).
SERVICE_FIELDS = (
    "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo",
    "delete_chat_photo", "group_chat_created", "supergroup_chat_created",
    "channel_chat_created", "migrate_to_chat_id", "migrate_from_chat_id",
    "pinned_message", "message_auto_delete_timer_changed", "forum_topic_created",
    "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
    "video_chat_started", "video_chat_ended", "video_chat_scheduled",
    "video_chat_participants_invited", "successful_payment", "connected_website",
    "write_access_allowed", "proximity_alert_triggered", "users_shared", "chat_shared",
    "boost_added", "chat_background_set", "giveaway_created", "giveaway_completed",
)
COMMANDS = {"/start": GREETING_TEXT, "/help": "/ask_help", "/restart": "/restart"}
# Calls tried once: a callback query expires within seconds, the reply that follows matters more.
ONE_ATTEMPT_METHODS = frozenset({"answerCallbackQuery"})

BUTTON_EXPIRED = ("Nút này đã hết hạn, anh/chị vui lòng hỏi lại bằng cách gõ câu hỏi "
                  "hoặc gửi /start để xem các lựa chọn mới.")


def callback_data_for(payload: Text, state: Optional[ChannelState] = None) -> Text:
    """The ``callback_data`` for a button payload, at most 64 bytes in UTF-8.

    Input: a Rasa button payload such as ``/inform_agency{"agency":"QUANGNINH"}``
    or free text, and the shared store (default :func:`bot.channels.state.channel_state`).
    Output: the payload with the JSON compacted if that fits in 64 bytes,
    otherwise ``#`` + 24 hex digits of its SHA-256, stored in ``state`` for
    ``TELEGRAM_BUTTON_TTL_DAYS`` so that :func:`payload_from_callback` maps it
    back in any process, after a restart too. Never raises (a failing store
    is logged; the button then answers "expired").
    """
    compact = compact_payload(payload)
    if len(compact.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES and not compact.startswith(HASH_PREFIX):
        return compact
    key = HASH_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
    (state or channel_state()).put(TELEGRAM_BUTTONS, key, payload, channel_state_settings().telegram_button_ttl_s)
    return key


def payload_from_callback(data: Text, state: Optional[ChannelState] = None) -> Optional[Text]:
    """The user message for a pressed button.

    Input: the callback query's ``data`` and the shared store (default
    :func:`bot.channels.state.channel_state`). Output: the original payload;
    ``None`` for empty data or a ``#`` id the store does not know (expired,
    or stored where this process cannot see it): the caller answers
    :data:`BUTTON_EXPIRED`. Never raises.
    """
    if not data:
        return None
    if not data.startswith(HASH_PREFIX):
        return data
    return (state or channel_state()).get(TELEGRAM_BUTTONS, data)


class TelegramOutput(RasaTelegramOutput):
    """Sends replies through the Bot API at ``api_base`` (aiogram ``Bot``).

    Every Bot API call (``sendMessage``, ``sendPhoto``, ``setWebhook``, ...)
    goes through :meth:`call`, that is through the delivery policy of
    :mod:`bot.channels.delivery` with ``policy`` (default ``DEFAULT_POLICY``)
    and :func:`~bot.channels.delivery.telegram_error`. A call that uploads
    files, or answers a callback query, is tried once.
    Buttons become a vertical inline keyboard with 64-byte-safe callback data.

    Raises (from every sending method): ``DeliveryFailed``, already logged.
    """

    def __init__(self, access_token: Optional[Text], api_base: Optional[Text] = None,
                 policy: DeliveryPolicy = DEFAULT_POLICY, state: Optional[ChannelState] = None) -> None:
        server = TelegramAPIServer.from_base(api_base) if api_base else TELEGRAM_PRODUCTION
        # RasaTelegramOutput.__init__ cannot take a server: call aiogram's Bot directly.
        Bot.__init__(self, access_token, server=server)
        self.policy = policy
        self.state = state  # long buttons' payloads (None: the process's shared store)
        self.secrets = (access_token,) if access_token else ()
        self.outbox = Outbox("telegram", lambda planned: self.call(planned["method"], planned["params"]))

    async def request(self, method: Text, data: Optional[Dict] = None, files: Optional[Dict] = None,
                      **kwargs: Any) -> Any:
        """aiogram's single entry point for Bot API calls, here through :meth:`call`;
        while a reply is planned (:func:`bot.channels.outbox.planning`) a call
        without files is recorded instead and answered with an empty result."""
        planned = PLANNED.get()
        if planned is not None and not files:
            planned.append({"method": method, "params": dict(data or {})})
            return {}
        return await self.call(method, data, files, **kwargs)

    async def call(self, method: Text, data: Optional[Dict] = None, files: Optional[Dict] = None, *,
                   policy: Optional[DeliveryPolicy] = None, secrets: Iterable[Optional[Text]] = (),
                   **kwargs: Any) -> Any:
        """Calls the Bot API ``method`` with ``data`` (and ``files``) under the
        delivery policy (``policy``, default this output's); ``secrets`` are
        masked in logs besides the bot token.

        Output: the method's ``result``. Raises ``DeliveryFailed`` (logged once
        as ``delivery failed``, with ``permanent``, ``reason`` and ``attempts``).
        """
        policy = policy or self.policy
        if files or method in ONE_ATTEMPT_METHODS:
            policy = dataclasses.replace(policy, attempts=1)  # an upload stream cannot be read twice
        send = functools.partial(super().request, method, data, files, **kwargs)
        return await deliver(send, what=f"telegram {method}", recipient=(data or {}).get("chat_id", ""),
                             policy=policy, secrets=self.secrets + tuple(secrets), classify=telegram_error)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """Rasa's entry point for a reply: ``recipient_id`` is the conversation id
        (``telegram:<chat>`` or ``telegram:<chat>:<member>``, see
        :mod:`bot.channels.conversations`); the reply goes to the chat.

        The reply is planned as Bot API calls, then made through the
        :class:`~bot.channels.outbox.Outbox`: a platform failure never leaves
        Rasa (the turn is saved), the reply is retried after the wait or
        recorded as undelivered. Never raises ``DeliveryFailed``."""
        chat = recipient(recipient_id)
        with planning() as calls:
            await super().send_response(chat, message)
        await self.outbox.deliver(chat, calls)

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        button_type: Optional[Text] = "vertical",
        **kwargs: Any,
    ) -> None:
        """Sends ``text`` with one inline button per row (titles are long in Vietnamese)."""
        markup = InlineKeyboardMarkup()
        for button in buttons:
            payload = button.get("payload") or button.get("title") or ""
            markup.row(InlineKeyboardButton(button.get("title", payload),
                                            callback_data=callback_data_for(payload, self.state)))
        await self.send_message(recipient_id, text, reply_markup=markup)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        """Sends ``text``, one Telegram message per paragraph, each within 4096 characters."""
        for part in text.strip().split("\n\n"):
            part = part.strip()
            while part:
                await self.send_message(recipient_id, part[:4096])
                part = part[4096:]


class TelegramInput(RasaTelegramInput):
    """Telegram webhook input channel (see the module docstring).

    Credentials (``credentials.yml``): ``access_token`` (bot token),
    ``verify`` (bot username, without ``@``), ``webhook_url`` (public HTTPS
    address of ``/webhooks/telegram/webhook``; empty: do not call
    ``setWebhook``), ``secret_token`` (optional; 1-256 of ``A-Za-z0-9_-``) and
    ``api_base`` (default ``https://api.telegram.org``).
    """

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    REQUIRED = TELEGRAM_REQUIRED

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Builds the channel from settings (``${VAR}`` expanded by :func:`setting`).

        Without ``access_token`` or ``verify`` the channel is *off*: it logs
        which settings are missing and its webhook answers 503.
        """
        credentials = credentials or {}
        missing = [var for key, var in cls.REQUIRED.items() if not expand(credentials.get(key))]
        if missing:
            logger.info("Telegram channel off: set %s", ", ".join(missing))
            channel = cls(None, None, None)
            channel.missing = missing
            return channel
        logger.info("Telegram channel on")
        return cls(
            expand(credentials.get("access_token")),
            (expand(credentials.get("verify")) or "").lstrip("@"),
            expand(credentials.get("webhook_url")),
            secret_token=expand(credentials.get("secret_token")),
            api_base=expand(credentials.get("api_base")),
        )

    def __init__(
        self,
        access_token: Optional[Text],
        verify: Optional[Text],
        webhook_url: Optional[Text],
        debug_mode: bool = False,
        secret_token: Optional[Text] = None,
        api_base: Optional[Text] = None,
        policy: DeliveryPolicy = DEFAULT_POLICY,
        webhook_policy: DeliveryPolicy = SETUP_POLICY,
        state: Optional[ChannelState] = None,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode=debug_mode)
        if secret_token and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret_token):
            raise ValueError("TELEGRAM_SECRET_TOKEN may hold only A-Z, a-z, 0-9, _ and - (1-256 characters)")
        self.secret_token = secret_token
        self.api_base = api_base
        self.policy = policy
        self.webhook_policy = webhook_policy
        self.state = state  # None: the process's shared store, opened on first use (bot.channels.state)
        self.seen_updates = SeenOnce(state, TELEGRAM_UPDATES, TELEGRAM_UPDATE_TTL_S)
        self.missing: List[Text] = []  # required settings not set: the channel is off
        self._output: Optional[TelegramOutput] = None

    # --- output -------------------------------------------------------------
    def get_output_channel(self) -> TelegramOutput:
        """The (single) output channel; unlike Rasa's, it does not call ``setWebhook``."""
        if self._output is None:
            self._output = TelegramOutput(self.access_token, self.api_base, self.policy, self.state)
            relay().register("telegram", self._output)  # the staff group's bot too
        return self._output

    async def register_webhook(self) -> bool:
        """Calls ``setWebhook`` (with the secret token) under ``webhook_policy``
        (default ``SETUP_POLICY``: waits ``retry_after`` up to 60 s, backs off on
        network errors and 5xx, stops at once on a refusal).

        Output: ``True`` once Telegram accepted it, ``False`` otherwise (logged,
        without the token). Never raises, except ``CancelledError`` when the
        server stops meanwhile.
        """
        if not self.webhook_url:
            logger.info("Telegram: no webhook_url set, not calling setWebhook.")
            return False
        payload: Dict[str, Any] = {"url": self.webhook_url, "allowed_updates": json.dumps(ALLOWED_UPDATES)}
        if self.secret_token:
            payload["secret_token"] = self.secret_token
        try:
            await self.get_output_channel().call("setWebhook", payload, policy=self.webhook_policy,
                                                 secrets=[self.secret_token])
        except DeliveryFailed:
            logger.warning("Telegram: the webhook is not registered; messages will not arrive until it is set.")
            return False
        logger.info("Telegram: webhook registered at %s", self.webhook_url)
        return True

    # --- input --------------------------------------------------------------
    def _authorized(self, request: Request) -> bool:
        if not self.secret_token:
            return True
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode("utf-8"), self.secret_token.encode("utf-8"))

    def _addressed_text(self, message: Dict[str, Any]) -> Optional[Text]:
        """The text to process, or ``None`` when the assistant should stay silent.

        In private chats every text counts. In groups only a text that
        mentions the bot or replies to one of its messages; the mention is
        removed. Commands map to intents (``/start`` greets).
        """
        text = (message.get("text") or "").strip()
        chat_type = (message.get("chat") or {}).get("type", "private")
        name = (self.verify or "").lower()
        if chat_type != "private":
            replied = (message.get("reply_to_message") or {}).get("from") or {}
            replied_to_bot = bool(name) and replied.get("is_bot") and (replied.get("username") or "").lower() == name
            mentioned = bool(name) and f"@{name}" in text.lower()
            if not (mentioned or replied_to_bot):
                return None
        if name:
            text = re.sub(rf"@{re.escape(name)}\b", "", text, flags=re.IGNORECASE).strip()
        if text.startswith("/"):
            command = text.split()[0].lower() if text.split() else text
            argument = text[len(command):].strip()
            if command == "/start" and argument:
                # deep link t.me/<bot>?start=<link code>: the code is the message
                return argument
            if command in COMMANDS:
                return COMMANDS[command]
            text = text.lstrip("/").strip()  # an unknown command: let the NLU read the word
        return text or None

    def _wants_reply_to_non_text(self, message: Dict[str, Any]) -> bool:
        chat_type = (message.get("chat") or {}).get("type", "private")
        if chat_type == "private":
            return True
        replied = (message.get("reply_to_message") or {}).get("from") or {}
        caption = (message.get("caption") or "").lower()
        name = (self.verify or "").lower()
        return bool(name) and (
            (replied.get("is_bot") and (replied.get("username") or "").lower() == name) or f"@{name}" in caption
        )

    @staticmethod
    def conversation(chat: Dict[str, Any], user: Dict[str, Any]) -> Text:
        """The conversation id of a message in ``chat`` written by ``user``
        (Telegram's ``chat`` and ``from`` objects): ``telegram:<chat id>`` in a
        private chat, ``telegram:<chat id>:<user id>`` in a group, so that each
        member keeps their own context (:mod:`bot.channels.conversations`).
        Raises ``ValueError`` when the chat has no id."""
        chat_type = chat.get("type", "private")
        member = user.get("id") if chat_type != "private" else None
        return conversation_id("telegram", chat.get("id"), member)

    @staticmethod
    def author(message: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """Who wrote ``message`` (a Telegram message object), as the object to
        key the conversation by, or ``None`` when the assistant must ignore it.

        - an automatic forward from the group's linked channel
          (``is_automatic_forward``): ``None``;
        - an anonymous group admin or a message sent as a channel: ``from`` is
          Telegram's ``GroupAnonymousBot`` / ``Channel_Bot`` and ``sender_chat``
          the group or channel: that chat, a public member of the group (its id
          is negative: never a linked official, :func:`actions.identity.is_group_chat`);
        - any other bot (``from.is_bot``): ``None``;
        - otherwise ``from``.
        """
        if message.get("is_automatic_forward"):
            return None
        sender_chat = message.get("sender_chat")
        if isinstance(sender_chat, dict) and sender_chat.get("id") is not None:
            return sender_chat
        user = message.get("from") or {}
        return None if user.get("is_bot") else user

    @staticmethod
    async def _resume_reminders(chat: Dict[str, Any]) -> None:
        """A person wrote in a private chat: reminders paused for it resume."""
        if chat.get("id") is not None and chat.get("type", "private") == "private":
            await resume_on_message("telegram", chat["id"])

    async def handle_update(
        self, update: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]], metadata: Any
    ) -> None:
        """Processes one update. Raises only on unexpected errors (the route logs them).
        Updates from the hand-off staff group go to :mod:`bot.channels.handoff`, never to the NLU."""
        out = self.get_output_channel()
        origin = (update.get("callback_query") or {}).get("message") or update.get("message") or {}
        if relay().is_staff_chat((origin.get("chat") or {}).get("id")):
            await relay().staff_update(update)
            return
        if "callback_query" in update:
            query = update["callback_query"]
            try:
                await out.answer_callback_query(query["id"])
            except DeliveryFailed:
                pass  # logged by the delivery policy; the conversation goes on
            message = query.get("message") or {}
            chat_id = (message.get("chat") or {}).get("id") or (query.get("from") or {}).get("id")
            await self._resume_reminders(message.get("chat") or {"id": chat_id})
            data = str(query.get("data") or "")
            text = payload_from_callback(data, out.state)
            if chat_id is not None and not text and data.startswith(HASH_PREFIX):
                await out.send_message(chat_id, BUTTON_EXPIRED)  # its payload is gone: say so, not the NLU
                return
            if chat_id is None or not text:
                return
            sender = self.conversation(message.get("chat") or {"id": chat_id}, query.get("from") or {})
            await on_new_message(UserMessage(text, out, sender, input_channel=self.name(), metadata=metadata))
            return

        message = update.get("message")
        if not isinstance(message, dict):
            # edited_message, channel_post, my_chat_member, chat_member, inline_query, ...: no reply
            logger.debug("Telegram: ignoring update kind %s", [k for k in update if k != "update_id"])
            return
        chat_id = (message.get("chat") or {}).get("id")
        author = self.author(message)
        if chat_id is None or author is None:
            return
        await self._resume_reminders(message.get("chat") or {})
        if message.get("text") is not None:
            text = self._addressed_text(message)
            if text:
                sender = self.conversation(message.get("chat") or {}, author)
                # message_id names the Telegram message, so a hand-off relays a retried one once
                await on_new_message(UserMessage(text, out, sender, input_channel=self.name(), metadata=metadata,
                                                 message_id=f"{chat_id}:{message.get('message_id')}"))
            return
        if any(field in message for field in SERVICE_FIELDS):
            return
        if self._wants_reply_to_non_text(message):
            await out.send_message(chat_id, TEXT_ONLY)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: ``GET /`` health, ``POST /webhook`` updates.

        ``/webhook`` answers 401 for a missing or wrong secret token, 400 for
        a body that is not a JSON object, and 200 otherwise (also when
        processing failed: Telegram would only retry the same update).
        """
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        # aiogram's debug log prints request data, including the webhook's secret token.
        aiogram_logger = logging.getLogger("aiogram")
        aiogram_logger.setLevel(max(aiogram_logger.getEffectiveLevel(), logging.INFO))

        if self.missing:
            @telegram_webhook.route("/", methods=["GET"])
            async def off(_: Request) -> HTTPResponse:
                return response.json({"status": "off", "missing": self.missing})

            @telegram_webhook.route("/webhook", methods=["POST"])
            async def off_webhook(_: Request) -> HTTPResponse:
                return response.json({"error": "the Telegram channel is not configured"}, status=503)

            return telegram_webhook

        @telegram_webhook.listener("after_server_start")
        async def start(app: Any, _loop: Any) -> None:
            app.add_task(self.register_webhook())
            self.get_output_channel().outbox.start()  # replies left pending, by a restart too
            relay().start()  # hand-off threads not yet posted, idle hand-offs

        @telegram_webhook.listener("before_server_stop")
        async def stop(_app: Any, _loop: Any) -> None:
            await relay().close()
            if self._output is not None:
                await self._output.outbox.close()
            session = getattr(self._output, "_session", None)
            if session is not None and not session.closed:
                await session.close()  # (aiogram's Bot.close() is deprecated)

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self._authorized(request):
                logger.warning("Telegram: rejected an update with a missing or wrong secret token")
                return response.json({"error": "unauthorized"}, status=401)
            try:
                update = json.loads(request.body or b"")
            except ValueError:
                return response.json({"error": "invalid JSON"}, status=400)
            if not isinstance(update, dict):
                return response.json({"error": "expected a JSON object"}, status=400)
            update_id = update.get("update_id")
            if update_id is not None and not self.seen_updates.add(update_id):
                logger.debug("Telegram: update %s already handled", update_id)
                return response.text("success")
            try:
                await self.handle_update(update, on_new_message, self.get_metadata(request))
            except DeliveryFailed as failed:  # already logged as "delivery failed"
                logger.warning("Telegram: update %s not fully answered (%s)", update_id,
                               "permanent failure" if failed.permanent else "transient failure")
            except Exception as error:
                logger.error("Telegram: could not handle update %s (%s)", update_id, type(error).__name__)
                logger.debug("Telegram: details", exc_info=True)
                if self.debug_mode:
                    raise
            return response.text("success")

        return telegram_webhook
