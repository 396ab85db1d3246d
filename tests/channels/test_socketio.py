"""The socket.io channel (the website widget's transport) over loopback with
python-socketio's client, without a browser: the conversation is
``web:<session id>``, replies reach the session's room, and malformed
``user_uttered`` events are dropped without a traceback, leaving the
connection usable."""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, List

from tests.channels.conftest import ChannelAssistant


async def _chat(url: str, session_id: str) -> List[Any]:
    import socketio

    client = socketio.AsyncClient()
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    replies: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    client.on("bot_uttered", lambda message: replies.put_nowait(message))
    await client.connect(url, transports=["polling"], socketio_path="/socket.io")
    try:
        await client.emit("session_request", {"session_id": session_id})
        assert await asyncio.wait_for(confirmed, 30) == session_id
        # malformed events: ignored, the connection stays usable
        for bad in ("not an object", {"message": 42, "session_id": session_id},
                    {"message": "xin chào", "session_id": session_id, "metadata": "{not json"},
                    {"message": "xin chào", "session_id": "bad id!"}):
            await client.emit("user_uttered", bad)
        await client.emit("user_uttered", {"message": "Văn bản 797 có số hiệu là gì?", "session_id": session_id})
        got = [await asyncio.wait_for(replies.get(), 60)]
        while not replies.empty():
            got.append(replies.get_nowait())
        return got
    finally:
        await client.disconnect()


def test_widget_conversation_is_namespaced_and_survives_malformed_events(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    session_id = uuid.uuid4().hex
    replies = asyncio.run(_chat(a.url, session_id))
    texts = " ".join(str(r.get("text", "")) for r in replies)
    assert "797" in texts, replies
    tracker = a.tracker(f"web:{session_id}")
    users = [e for e in tracker["events"] if e["event"] == "user"]
    # the malformed-metadata message was still taken (metadata dropped); the others were ignored
    assert [u["text"] for u in users][-1] == "Văn bản 797 có số hiệu là gì?"
    assert {u["input_channel"] for u in users} == {"socketio"}
    assert "Traceback" not in a.log_text()
