"""The socket.io channel (the website widget's transport) over loopback with
python-socketio's client, without a browser: the conversation is
``web:<session id>`` with the id the server issued, replies reach the
session's room, and malformed ``user_uttered`` events are dropped without a
traceback, leaving the connection usable. Session ids themselves:
test_webchat_sessions.py."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Tuple

from tests.channels.conftest import ChannelAssistant
from tests.channels.widget_client import WidgetClient

QUESTION = "Văn bản 797 có số hiệu là gì?"


async def _chat(url: str) -> Tuple[str, List[Dict[str, Any]]]:
    async with WidgetClient(url) as client:
        session_id = await client.request_session(None)
        # malformed events: ignored (a message for another session: refused with a note),
        # the connection stays usable
        for bad in ("not an object", {"message": 42, "session_id": session_id},
                    {"message": "xin chào", "session_id": session_id, "metadata": "{not json"},
                    {"message": "xin chào", "session_id": "bad id!"}):
            await client.send(bad)
        await client.send({"message": QUESTION, "session_id": session_id})
        got: List[Dict[str, Any]] = []
        while not any("797/BTTTT-THH" in str(m.get("text", "")) for m in got):
            got += await client.replies()
        return session_id, got


def test_widget_conversation_is_namespaced_and_survives_malformed_events(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    session_id, replies = asyncio.run(_chat(a.url))
    texts = " ".join(str(r.get("text", "")) for r in replies)
    assert "797" in texts, replies
    tracker = a.tracker(f"web:{session_id}")
    users = [e for e in tracker["events"] if e["event"] == "user"]
    # the malformed-metadata message was still taken (metadata dropped); the others were ignored
    assert [u["text"] for u in users][-1] == QUESTION
    assert {u["input_channel"] for u in users} == {"socketio"}
    assert "Traceback" not in a.log_text()
