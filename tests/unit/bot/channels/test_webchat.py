"""The socket.io session fix, at the level of python-socketio's room manager.

With ``session_persistence`` on, Rasa emits replies to the room named after the
session id, so the browser's socket must join that room. Rasa 3.6's
``session_request`` handler calls ``enter_room`` without ``await`` (a coroutine
since python-socketio 5.10): the socket never joins and replies are lost. The
browser test shows the end-to-end effect; this one pins down the cause. The
session ids themselves are tested over real socket.io in
tests/channels/test_webchat_sessions.py.
"""
from __future__ import annotations

import asyncio
import warnings
from typing import Any, List, Tuple

import pytest
from engineio.async_socket import AsyncSocket
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput

from bot.channels.webchat import SocketIOInput
from bot.channels.webchat_sessions import SessionIds

SECRET = "unit-test-webchat-session-secret"


@pytest.fixture(autouse=True)
def session_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBCHAT_SESSION_SECRET", SECRET)


def join(channel_class, session_id: Any) -> Tuple[List, List, List[str]]:
    """Runs the channel's session_request for a new socket; returns room members of
    the confirmed session, emits, warnings."""

    async def run() -> Tuple[List, List, List[str]]:
        channel = channel_class(session_persistence=True)
        channel.blueprint(lambda message: None)
        sio = channel.sio
        emitted: List = []

        async def emit(*args, **kwargs):
            emitted.append((args, kwargs))

        sio.emit = emit
        sio.eio.sockets["engineio-sid"] = AsyncSocket(sio.eio, "engineio-sid")
        sid = await sio.manager.connect("engineio-sid", "/")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await sio.handlers["/"]["session_request"](sid, {"session_id": session_id})
        confirmed = emitted[0][0][1]
        members = [s for s, _ in sio.manager.get_participants("/", confirmed)]
        return members, emitted, [str(w.message) for w in caught]

    return asyncio.run(run())


def test_stock_rasa_never_joins_the_session_room() -> None:
    members, emitted, caught = join(RasaSocketIOInput, "3f6c1a2b9d8e4f70a1b2c3d4e5f60718")
    assert members == []  # replies emitted to room SESSION reach nobody
    assert any("enter_room' was never awaited" in message for message in caught)


def test_fixed_channel_joins_the_session_room() -> None:
    session = SessionIds(SECRET.encode()).issue()
    members, emitted, caught = join(SocketIOInput, session)
    assert len(members) == 1
    assert emitted[0][0] == ("session_confirm", session)
    assert not [message for message in caught if "never awaited" in message]


def test_invalid_session_id_is_replaced() -> None:
    members, emitted, _ = join(SocketIOInput, "../../<script>")
    confirmed = emitted[0][0][1]
    assert emitted[0][0][0] == "session_confirm" and confirmed != "../../<script>"
    assert SessionIds(SECRET.encode()).verify(confirmed) == confirmed
    assert len(members) == 1
