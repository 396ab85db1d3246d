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


def test_the_widget_page_carries_the_privacy_notice_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.channels.webchat import WEB_DIR, with_privacy_notice
    from bot.settings import load_settings

    page = (WEB_DIR / "index.html").read_bytes()
    monkeypatch.delenv("WIDGET_PRIVACY_NOTICE", raising=False)
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "90")
    default = with_privacy_notice(page, load_settings().widget_privacy_notice).decode()
    assert '<p class="privacy" role="note">Tin nhắn của anh/chị được lưu tối đa 90 ngày' in default
    assert "Nghị định 13/2023/NĐ-CP" in default and "privacy-notice:" not in default

    monkeypatch.setenv("WIDGET_PRIVACY_NOTICE", "<b>Lưu 30 ngày</b> & xóa")
    custom = with_privacy_notice(page, load_settings().widget_privacy_notice).decode()
    assert '<p class="privacy" role="note">&lt;b&gt;Lưu 30 ngày&lt;/b&gt; &amp; xóa</p>' in custom

    monkeypatch.setenv("WIDGET_PRIVACY_NOTICE", "")
    none = with_privacy_notice(page, load_settings().widget_privacy_notice).decode()
    assert 'class="privacy"' not in none and "privacy-notice:" not in none
    assert none.count("\n") == page.decode().count("\n") - 1  # only the marker line went
