"""The website widget: a socket.io channel whose session persistence works, and
the widget page served by the Rasa server itself.

``SocketIOInput`` (``bot.channels.webchat.SocketIOInput`` in ``credentials.yml``)
is Rasa's socket.io channel with one fix. Rasa 3.6 calls
``sio.enter_room(sid, session_id)`` without ``await``; since python-socketio
5.10 that method of ``AsyncServer`` is a coroutine, so the call never runs,
the browser's socket never joins its session's room, and with
``session_persistence: true`` every reply (emitted to the room) is lost
silently. The subclass replaces the ``session_request`` handler with one that
awaits it when needed. It also refuses session ids that are not short
printable tokens, and keys each conversation ``web:<session id>``
(:mod:`bot.channels.conversations`), so no widget visitor reaches another
channel's conversation; replies go to the session's room. A ``user_uttered``
whose payload is not an object, whose message is not a string or whose
metadata is not a JSON object is ignored (logged), without a traceback.

``WidgetPage`` (``bot.channels.webchat.WidgetPage``) serves ``web/index.html``
at ``/widget/`` and the widget bundle installed from npm
(``web/node_modules/rasa-webchat/lib/index.js``) at ``/widget/webchat.js``,
with its Google Fonts ``@import`` removed, so nothing is loaded from another
host. It handles no messages.
"""
from __future__ import annotations

import inspect
import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.conversations import conversation_id, recipient

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


class SocketIOOutput(RasaSocketIOOutput):
    """Rasa's socket.io output, emitting to the room of the session (or socket)
    named by the conversation id ``web:<session id>``."""

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await super()._send_message(recipient(socket_id), response)


class SocketIOInput(RasaSocketIOInput):
    """Rasa's socket.io channel with ``enter_room`` awaited and namespaced
    conversations (see the module docstring)."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with the ``session_request`` handler replaced.

        ``session_request`` input: ``{"session_id": <id or null>}``. Output: the
        socket joins room ``session_id`` (when persistence is on) and gets
        ``session_confirm`` with the id; an invalid or missing id is replaced by
        a new random one.
        """
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id, namespace=self.namespace or "/")
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace or "/")
            logger.debug("socket.io: %s joined its session", sid)

        async def handle_message(sid: Text, data: Any) -> None:
            """``user_uttered``: ``{"message": str, "session_id": str, "metadata": {...} or JSON text}``.
            Passes the message to Rasa as conversation ``web:<session id>``
            (``web:<socket id>`` without persistence); anything malformed is logged and dropped."""
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                logger.warning("socket.io: ignored a %s that is not {message: text}", self.user_message_evt)
                return
            if self.session_persistence:
                session_id = data.get("session_id")
                if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
                    logger.warning("socket.io: ignored a message without a valid session_id")
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

        @widget.route("/", methods=["GET"])
        async def index(_: Request) -> HTTPResponse:
            return await response.file(str(page), mime_type="text/html; charset=utf-8",
                                       headers={"Cache-Control": "no-cache"})

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
