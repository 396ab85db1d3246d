"""The website widget: a socket.io channel whose session persistence works, and
the widget page served by the Rasa server itself.

``SocketIOInput`` (``bot.channels.webchat.SocketIOInput`` in ``credentials.yml``)
is Rasa's socket.io channel with these changes:

- **enter_room awaited.** Rasa 3.6 calls ``sio.enter_room(sid, session_id)``
  without ``await``; since python-socketio 5.10 that method of ``AsyncServer``
  is a coroutine, so the call never runs, the browser's socket never joins its
  session's room, and with ``session_persistence: true`` every reply (emitted
  to the room) is lost silently. Our handlers await it.
- **Session ids come from the server.** ``session_request`` confirms the id
  the client sent (the widget keeps it in the browser's storage) only when it
  verifies as one this server, or one sharing its key, issued
  (:mod:`bot.channels.webchat_sessions`: 128 random bits and an HMAC-SHA256
  tag); anything else (nothing, a forged or guessed id, an id from before this
  change) gets a new id, and the visitor simply starts a new conversation.
- **One socket, one session.** The socket that requested or confirmed a session
  is bound to it for the rest of its life (python-socketio's per-socket
  session, gone on disconnect); a later ``session_request`` on that socket gets
  the same session confirmed again. Several sockets may share a session (two
  tabs, a reload whose old socket has not closed yet).
- **Messages for another session are refused.** A ``user_uttered`` whose
  ``session_id`` is not the socket's session is not processed: it is logged
  (without ids) and the socket alone gets a short note; the socket stays
  usable. A ``user_uttered`` before any ``session_request`` (socket.io
  clients send what they buffered during a reconnect before the widget asks
  for its session again) binds the socket to the message's session when that
  id verifies, exactly as a ``session_request`` would, and is refused with the
  note otherwise.
- **Namespaced conversations.** Each conversation is ``web:<session id>``
  (:mod:`bot.channels.conversations`), from the verified id only, so no widget
  visitor reaches another channel's conversation; replies go to the session's
  room. Without ``session_persistence`` the conversation is ``web:<socket id>``.
- **Malformed events.** A ``user_uttered`` whose payload is not an object or
  whose message is not a string is ignored (logged); metadata that is not a
  JSON object is dropped; never a traceback.

``WidgetPage`` (``bot.channels.webchat.WidgetPage``) serves ``web/index.html``
at ``/widget/`` and the widget bundle installed from npm
(``web/node_modules/rasa-webchat/lib/index.js``) at ``/widget/webchat.js``,
with its Google Fonts ``@import`` removed, so nothing is loaded from another
host. The page carries the short privacy notice of ``WIDGET_PRIVACY_NOTICE``
(:func:`with_privacy_notice`). It handles no messages.
"""
from __future__ import annotations

import hmac
import html
import inspect
import json
import logging
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.conversations import conversation_id, recipient
from bot.channels.handoff import relay
from bot.channels.webchat_sessions import session_ids
from bot.settings import load_settings

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
BOUND = "webchat_session_id"  # key of the bound session in python-socketio's per-socket session
REFUSED_NOTE = (
    "Xin lỗi anh/chị, tin nhắn này không thuộc phiên trò chuyện hiện tại nên chưa được xử lý. "
    "Anh/chị vui lòng tải lại trang rồi gửi lại câu hỏi."
)


class SocketIOOutput(RasaSocketIOOutput):
    """Rasa's socket.io output, emitting to the room of the session (or socket)
    named by the conversation id ``web:<session id>``."""

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await super()._send_message(recipient(socket_id), response)


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io channel with ``enter_room`` awaited, server-issued
    session ids bound to their sockets, and namespaced conversations (see the
    module docstring)."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with the ``session_request`` and ``user_uttered``
        handlers replaced (the rules are in the module docstring).

        ``session_request`` input: ``{"session_id": <id or null>}``. Output:
        ``session_confirm`` with the id the socket is now bound to: the one it
        sent when this server (or one with the same key) issued it, else a new
        one; the socket joins that session's room.
        """
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace or "/"
        ids = session_ids()
        relay().register("socketio", (sio, namespace, self.bot_message_evt))  # staff replies reach widget rooms

        async def bound_session(sid: Text) -> Optional[str]:
            try:
                return (await sio.get_session(sid, namespace=namespace)).get(BOUND)
            except KeyError:  # the socket is already gone
                return None

        async def bind(sid: Text, session_id: str) -> None:
            """Binds socket ``sid`` to ``session_id`` for the socket's lifetime
            (python-socketio's per-connection session, dropped on disconnect)
            and joins the session's room, where replies are emitted."""
            try:
                async with sio.session(sid, namespace=namespace) as state:
                    state[BOUND] = session_id
            except KeyError:
                return
            entered = sio.enter_room(sid, session_id, namespace=namespace)
            if inspect.isawaitable(entered):
                await entered

        async def session_request(sid: Text, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = await bound_session(sid)
            if session_id is None:
                session_id = ids.verify(requested) or ids.issue()
                if self.session_persistence:
                    await bind(sid, session_id)
            elif requested is not None and requested != session_id:
                # one socket, one session: a socket cannot switch to another conversation
                logger.warning("socket.io: a bound socket asked for another session; it keeps its own")
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)
            logger.debug("socket.io: %s joined its session", sid)
            await relay().widget_connected(conversation_id(self.name(), session_id))  # staff replies kept for it

        async def refuse(sid: Text, why: str) -> None:
            # never log the ids: a session id is the key to its conversation
            logger.warning("socket.io: refused a %s %s", self.user_message_evt, why)
            await sio.emit(self.bot_message_evt, {"text": REFUSED_NOTE}, room=sid, namespace=namespace)

        async def handle_message(sid: Text, data: Any) -> None:
            """``user_uttered``: ``{"message": str, "session_id": str, "metadata": {...} or JSON text}``.
            Passes the message to Rasa as conversation ``web:<session id>`` of the
            session the socket is bound to (``web:<socket id>`` without
            persistence); a message for another session is refused with a note,
            anything malformed is logged and dropped."""
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                logger.warning("socket.io: ignored a %s that is not {message: text}", self.user_message_evt)
                return
            if self.session_persistence:
                claimed = data.get("session_id")
                session_id = await bound_session(sid)
                if session_id is None:
                    # before any session_request: socket.io clients send what they
                    # buffered while reconnecting first; a verified id binds the socket
                    session_id = ids.verify(claimed)
                    if session_id is None:
                        await refuse(sid, "for a session this server did not issue")
                        return
                    await bind(sid, session_id)
                elif not isinstance(claimed, str) or not hmac.compare_digest(claimed.encode(), session_id.encode()):
                    await refuse(sid, "for another session than its socket's")
                    return
            else:
                session_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = None
            if not isinstance(metadata, dict):
                logger.warning("socket.io: ignored metadata that is not a JSON object")
                metadata = {}
            output = SocketIOOutput(sio, self.bot_message_evt)
            await on_new_message(UserMessage(data.get("message", ""), output, conversation_id(self.name(), session_id),
                                             input_channel=self.name(), metadata=metadata))

        sio.on("session_request", namespace=self.namespace)(session_request)
        sio.on(self.user_message_evt, namespace=self.namespace)(handle_message)
        return socketio_webhook


GOOGLE_FONTS_IMPORT = re.compile(rb"@import url\(https://fonts\.googleapis\.com/[^)]*\);")


def self_hosted(bundle: bytes) -> bytes:
    """The widget bundle without its ``@import`` of Google Fonts (the page uses system fonts).

    rasa-webchat's CSS imports the Inter font from fonts.googleapis.com; a
    government page should not make visitors' browsers call a third party.
    """
    return GOOGLE_FONTS_IMPORT.sub(b"", bundle)


PRIVACY_MARK = b"<!-- privacy-notice:"


def with_privacy_notice(page: bytes, notice: str) -> bytes:
    """The widget page (UTF-8 ``page``) with ``notice`` (plain text, escaped
    here) as a paragraph in place of the line holding :data:`PRIVACY_MARK`;
    an empty ``notice`` removes that line only."""
    lines = page.split(b"\n")
    paragraph = f'  <p class="privacy" role="note">{html.escape(notice)}</p>'.encode() if notice else None
    out = [paragraph if PRIVACY_MARK in line else line for line in lines]
    return b"\n".join(line for line in out if line is not None)


class WidgetPage(InputChannel):
    """Serves the widget page at ``/widget/`` (no messages; see the module docstring)."""

    @classmethod
    def name(cls) -> Text:
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(Path(credentials.get("web_dir") or WEB_DIR))

    def __init__(self, web_dir: Path = WEB_DIR) -> None:
        self.web_dir = web_dir

    def url_prefix(self) -> Text:
        return "/widget"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: ``GET /widget/`` (the page), ``GET /widget/webchat.js`` (the bundle).

        The bundle answers 503 with a hint when ``make widget`` has not run.
        """
        widget = Blueprint("widget_page", __name__)
        page = self.web_dir / "index.html"
        bundle = self.web_dir / "node_modules" / "rasa-webchat" / "lib" / "index.js"

        notice = load_settings().widget_privacy_notice

        @widget.route("/", methods=["GET"])
        async def index(_: Request) -> HTTPResponse:
            return response.raw(with_privacy_notice(page.read_bytes(), notice),
                                content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})

        cache: Dict[str, bytes] = {}

        @widget.route("/webchat.js", methods=["GET"])
        async def script(_: Request) -> HTTPResponse:
            if "js" not in cache:
                if not bundle.exists():
                    return response.text("The widget is not built: run `make widget`.", status=503)
                cache["js"] = self_hosted(bundle.read_bytes())
            return response.raw(cache["js"], content_type="application/javascript; charset=utf-8",
                                headers={"Cache-Control": "public, max-age=3600"})

        return widget
