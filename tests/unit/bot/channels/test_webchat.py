"""The socket.io session fix, at the level of python-socketio's room manager.

With ``session_persistence`` on, Rasa emits replies to the room named after the
session id, so the browser's socket must join that room. Rasa 3.6's
``session_request`` handler calls ``enter_room`` without ``await`` (a coroutine
since python-socketio 5.10): the socket never joins and replies are lost. The
browser test shows the end-to-end effect; this one pins down the cause.
"""
from __future__ import annotations

import asyncio
import warnings
from typing import List, Tuple

from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput

from bot.channels.webchat import SocketIOInput

SESSION = "3f6c1a2b9d8e4f70a1b2c3d4e5f60718"


def join(channel_class) -> Tuple[List, List, List[str]]:
    """Runs the channel's session_request for a new socket; returns room members, emits, warnings."""

    async def run() -> Tuple[List, List, List[str]]:
        channel = channel_class(session_persistence=True)
        channel.blueprint(lambda message: None)
        sio = channel.sio
        emitted: List = []

        async def emit(*args, **kwargs):
            emitted.append((args, kwargs))

        sio.emit = emit
        sid = await sio.manager.connect("engineio-sid", "/")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await sio.handlers["/"]["session_request"](sid, {"session_id": SESSION})
        members = [s for s, _ in sio.manager.get_participants("/", SESSION)]
        return members, emitted, [str(w.message) for w in caught]

    return asyncio.run(run())


def test_stock_rasa_never_joins_the_session_room() -> None:
    members, emitted, caught = join(RasaSocketIOInput)
    assert members == []  # replies emitted to room SESSION reach nobody
    assert any("enter_room' was never awaited" in message for message in caught)


def test_fixed_channel_joins_the_session_room() -> None:
    members, emitted, caught = join(SocketIOInput)
    assert len(members) == 1
    assert emitted[0][0] == ("session_confirm", SESSION)
    assert not [message for message in caught if "never awaited" in message]


def test_invalid_session_id_is_replaced() -> None:
    async def run():
        channel = SocketIOInput(session_persistence=True)
        channel.blueprint(lambda message: None)
        emitted = []

        async def emit(*args, **kwargs):
            emitted.append(args)

        channel.sio.emit = emit
        sid = await channel.sio.manager.connect("engineio-sid", "/")
        await channel.sio.handlers["/"]["session_request"](sid, {"session_id": "../../<script>"})
        return emitted

    emitted = asyncio.run(run())
    assert emitted[0][0] == "session_confirm" and emitted[0][1] != "../../<script>" and len(emitted[0][1]) == 32
