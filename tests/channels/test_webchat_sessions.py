"""Widget session ids over real socket.io on loopback (issue 13): the server
issues them (128 random bits and an HMAC tag, bot.channels.webchat_sessions),
confirms a presented id only when it issued it (also after a restart), binds
each socket to one session, and refuses messages for another session while
the other session and the socket itself keep working."""
from __future__ import annotations

import asyncio
import base64
import re
import secrets
import uuid
from typing import Any, List

from tests.channels.conftest import ChannelAssistant
from tests.channels.widget_client import WidgetClient

ISSUED = re.compile(r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}")
REFUSED = "không thuộc phiên trò chuyện hiện tại"


def random_bits(session_id: str) -> int:
    """Bits of the random part of an issued id (base64url, no padding)."""
    random_part = session_id.split(".")[0]
    return len(base64.urlsafe_b64decode(random_part + "=" * (-len(random_part) % 4))) * 8


def flip(text: str, index: int) -> str:
    """``text`` with one base64url character changed."""
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


def user_texts(assistant: ChannelAssistant, session_id: str) -> List[str]:
    return [e.get("text") for e in assistant.tracker(f"web:{session_id}")["events"] if e["event"] == "user"]


async def new_session(url: str, presented: Any = None) -> str:
    async with WidgetClient(url) as client:
        return await client.request_session(presented)


def test_the_server_issues_ids_and_replaces_forged_or_unknown_ones(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant

    async def run() -> None:
        # sockets side by side: closing a polling socket waits for its long poll
        issued = list(await asyncio.gather(*(new_session(a.url) for _ in range(6))))
        real = issued[0]
        random_part, _, tag = real.partition(".")
        forged = [
            uuid.uuid4().hex,                      # an id the old widget kept in the browser
            "a" * 22 + "." + "b" * 22,             # the right shape, a made-up tag
            flip(real, len(real) - 1),             # a real id with its tag altered
            flip(random_part, 0) + "." + tag,      # a real tag on another random part
            real + "x", " " + real, "", 42, {"session_id": real}, ["x"],
        ]
        confirmed = await asyncio.gather(*(new_session(a.url, presented) for presented in forged))
        for presented, got in zip(forged, confirmed, strict=True):
            assert got != presented and ISSUED.fullmatch(got), (presented, got)
            assert got not in issued
        for session_id in issued + list(confirmed):
            assert ISSUED.fullmatch(session_id), session_id
            assert random_bits(session_id) >= 122
        assert len(set(issued + list(confirmed))) == len(issued) + len(confirmed)

        # a forged id that gets a fresh one: the visitor talks in the fresh session only
        async with WidgetClient(a.url) as client:
            fresh = await client.request_session("forged-session-0001")
            assert fresh != "forged-session-0001"
            assert "797/BTTTT-THH" in await client.say("Văn bản 797 có số hiệu là gì?")
        assert user_texts(a, fresh) == ["Văn bản 797 có số hiệu là gì?"]
        assert user_texts(a, "forged-session-0001") == []

    asyncio.run(run())


def test_an_issued_id_is_confirmed_after_reconnect_and_restart_and_the_conversation_goes_on(
        channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant

    async def first_visit() -> str:
        async with WidgetClient(a.url) as client:
            session_id = await client.request_session(None)
            assert ISSUED.fullmatch(session_id), session_id  # issued in the signed form
            asked = await client.say("đơn vị tôi đã nộp báo cáo quý 2 chưa?")
            assert "tên cơ quan" in asked, asked  # the agency form asks which agency
            return session_id

    async def reconnect(session_id: str) -> None:
        # that id, and only ids the server issued: the same id with its tag altered,
        # or a guess of the same length, are not confirmed
        altered, guessed = flip(session_id, len(session_id) - 1), secrets.token_urlsafe(33)[:len(session_id)]
        same, *others = await asyncio.gather(*(new_session(a.url, presented)
                                               for presented in (session_id, altered, guessed)))
        assert same == session_id
        assert others[0] != altered and others[1] != guessed

    async def after_restart(session_id: str) -> str:
        async with WidgetClient(a.url) as client:
            assert await client.request_session(session_id) == session_id
            return await client.say("Bộ Y tế")

    session_id = asyncio.run(first_visit())
    asyncio.run(reconnect(session_id))

    launcher = a.extra["launcher"]  # the same checkout: the key file under var/ carries over
    launcher.stop("rasa")
    launcher.start("rasa")
    launcher.wait_ready("rasa")

    answer = asyncio.run(after_restart(session_id))
    assert answer.startswith("Bộ Y tế — báo cáo quý II/2022"), answer  # the form went on with its context
    assert user_texts(a, session_id) == ["đơn vị tôi đã nộp báo cáo quý 2 chưa?", "Bộ Y tế"]


def test_a_socket_cannot_speak_for_another_session(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant

    async def run() -> None:
        async with WidgetClient(a.url) as alice, WidgetClient(a.url) as bob:
            alice_session = await alice.request_session(None)
            bob_session = await bob.request_session(None)
            assert alice_session != bob_session

            # Alice's socket names Bob's session: refused, with a note to Alice only
            await alice.send({"message": "Bộ Y tế đã nộp báo cáo quý 1 chưa?", "session_id": bob_session})
            note = " ".join(str(m.get("text")) for m in await alice.replies())
            assert REFUSED in note, note
            # nor can a repeated session_request move Alice's socket to Bob's session
            assert await alice.request_session(bob_session) == alice_session

            # Alice's socket stays usable in its own session, and Bob's is unaffected
            assert "797/BTTTT-THH" in await alice.say("Văn bản 797 có số hiệu là gì?")
            assert "ngày 6 tháng 3 năm 2022" in await bob.say("Văn bản 797 ban hành ngày nào?")
            assert not any(REFUSED in str(m.get("text")) or "Bộ Y tế" in str(m.get("text")) for m in bob.received)

            assert user_texts(a, bob_session) == ["Văn bản 797 ban hành ngày nào?"]
            assert user_texts(a, alice_session) == ["Văn bản 797 có số hiệu là gì?"]
            # logged without the ids: a session id is the key to its conversation
            refusals = [line for line in a.log_text().splitlines() if "refused a user_uttered" in line]
            assert refusals
            assert not [line for line in refusals if bob_session in line or alice_session in line]

    asyncio.run(run())


def test_a_message_before_any_session_request(channel_assistant: ChannelAssistant) -> None:
    """A socket that has not asked for a session: a message for an id the server
    did not issue is refused; one for an issued id binds the socket to it (as
    socket.io clients send what they buffered before the widget asks again)."""
    a = channel_assistant

    async def run() -> None:
        issued, other = await asyncio.gather(new_session(a.url), new_session(a.url))
        async with WidgetClient(a.url) as client:
            await client.send({"message": "Văn bản 797 có số hiệu là gì?", "session_id": "made-up-session-42"})
            assert REFUSED in " ".join(str(m.get("text")) for m in await client.replies())

            assert "797/BTTTT-THH" in await client.say("Văn bản 797 có số hiệu là gì?", session_id=issued)
            # now bound to that session
            await client.send({"message": "Văn bản 797 ban hành ngày nào?", "session_id": other})
            assert REFUSED in " ".join(str(m.get("text")) for m in await client.replies())
            assert await client.request_session(None) == issued
        assert user_texts(a, "made-up-session-42") == []
        assert user_texts(a, issued) == ["Văn bản 797 có số hiệu là gì?"]
        assert user_texts(a, other) == []

    asyncio.run(run())
