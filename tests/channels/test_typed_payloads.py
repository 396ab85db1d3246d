"""Typed ``/intent{json}`` on the real assistant (RasaHQ/rasa#5075): only the
assistant's own payloads are intents (bot.channels.payloads, installed as the
``payload_guard`` patch); a user's ``/session_start`` or ``/restart`` never
drops a form in progress."""
from __future__ import annotations

import requests

from tests.channels.conftest import ChannelAssistant
from tests.channels.test_conversations import rest


def test_typed_built_in_intents_do_not_drop_the_form(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    patches = requests.get(f"{a.url}/webhooks/patches/", timeout=10).json()["patches"]
    assert "payload_guard" in patches
    sender = "typed-payload-1"
    assert "tên cơ quan" in rest(a, sender, "đơn vị tôi đã nộp báo cáo quý 2 chưa?")
    for typed in ("/session_start", "/restart", '/inform_agency{"agency": {"code": "BYT"}}'):
        rest(a, sender, typed)
        tracker = a.tracker(f"rest:{sender}")
        assert (tracker.get("active_loop") or {}).get("name") == "agency_form", (typed, tracker.get("active_loop"))
        latest = tracker["latest_message"]
        assert latest["text"] == typed.lstrip("/") and latest["intent"].get("name") not in ("session_start", "restart")
    events = a.tracker(f"rest:{sender}")["events"]
    assert [e["event"] for e in events].count("session_started") == 1 and "restart" not in [e["event"] for e in events]

    answer = rest(a, sender, "Bộ Y tế")
    assert "Bộ Y tế" in answer and "quý II" in answer, answer


def test_the_assistants_own_button_payload_is_still_an_intent(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    sender = "typed-payload-2"
    rest(a, sender, '/ask_deadline{"obligation": "plan"}')
    latest = a.tracker(f"rest:{sender}")["latest_message"]
    assert latest["intent"]["name"] == "ask_deadline"
    assert [e["value"] for e in latest["entities"]] == ["plan"]
