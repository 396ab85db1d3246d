"""A website-widget client for the channel tests: python-socketio's
``AsyncClient`` over loopback speaking the widget's protocol
(``session_request`` / ``session_confirm``, ``user_uttered`` / ``bot_uttered``),
as rasa-webchat does in the browser."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional


class WidgetClient:
    """One socket to the assistant's socket.io channel.

    ``session`` is the id the server last confirmed; ``received`` every
    ``bot_uttered`` payload this socket got, in order.
    """

    def __init__(self, url: str) -> None:
        import socketio

        self.url = url
        self.sio = socketio.AsyncClient()
        self.session: Optional[str] = None
        self.received: List[Dict[str, Any]] = []
        self._confirmed: "asyncio.Queue[Any]" = asyncio.Queue()
        self._replies: "asyncio.Queue[Dict[str, Any]]" = asyncio.Queue()
        self.sio.on("session_confirm", self._confirmed.put_nowait)
        self.sio.on("bot_uttered", self._on_reply)

    def _on_reply(self, message: Dict[str, Any]) -> None:
        self.received.append(message)
        self._replies.put_nowait(message)

    async def __aenter__(self) -> "WidgetClient":
        await self.sio.connect(self.url, transports=["polling"], socketio_path="/socket.io")
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.sio.disconnect()

    async def request_session(self, session_id: Any = None) -> Any:
        """Sends ``session_request`` with ``session_id``; returns what the server confirmed."""
        await self.sio.emit("session_request", {"session_id": session_id})
        self.session = await asyncio.wait_for(self._confirmed.get(), 30)
        return self.session

    async def send(self, payload: Any) -> None:
        """Emits ``user_uttered`` with ``payload`` as is (malformed ones too)."""
        await self.sio.emit("user_uttered", payload)

    async def say(self, text: str, session_id: Optional[str] = None, quiet_s: float = 2.0) -> str:
        """Sends ``text`` for ``session_id`` (default: the confirmed session) and
        returns the text of the replies: the first within 60 s, then every one
        until none came for ``quiet_s``."""
        await self.send({"message": text, "session_id": session_id or self.session})
        return "\n".join(str(m.get("text", "")) for m in await self.replies(quiet_s))

    async def replies(self, quiet_s: float = 2.0) -> List[Dict[str, Any]]:
        got = [await asyncio.wait_for(self._replies.get(), 60)]
        while True:
            try:
                got.append(await asyncio.wait_for(self._replies.get(), quiet_s))
            except asyncio.TimeoutError:
                return got
