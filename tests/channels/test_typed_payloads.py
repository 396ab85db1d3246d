"""Typed ``/intent{json}`` on the real assistant (RasaHQ/rasa#5075): only the
assistant's own payloads are intents (bot.channels.payloads, installed as the
``payload_guard`` patch); a user's ``/session_start`` or ``/restart`` never
drops a form in progress."""
from __future__ import annotations

import pytest
import requests

from tests.channels.conftest import ChannelAssistant
from tests.channels.test_conversations import rest


@pytest.mark.parametrize("typed", ["/session_start", "/restart", "/back"])
def test_typed_built_in_intents_do_not_drop_the_form(channel_assistant: ChannelAssistant, typed: str) -> None:
    a = channel_assistant
    sender = f"typed-payload-{typed.strip('/')}"
    assert "tên cơ quan" in rest(a, sender, "đơn vị tôi đã nộp báo cáo quý 2 chưa?")  # the agency form asks
    again = rest(a, sender, typed)
    assert "cơ quan" in again, again  # the form goes on: it asks for the agency again
    answer = rest(a, sender, "Bộ Y tế")
    assert "Bộ Y tế" in answer and "quý II/2022" in answer, answer

    tracker = a.tracker(f"rest:{sender}")
    assert not (tracker.get("active_loop") or {}).get("name")  # completed by the answer, not dropped before
    events = tracker["events"]
    assert "active_loop" in [e["event"] for e in events[events.index(
        [e for e in events if e["event"] == "user"][1]):]]  # the form ran on after the typed message
    typed_event = [e for e in events if e["event"] == "user"][1]
    assert typed_event["text"] == typed.lstrip("/")
    assert typed_event["parse_data"]["intent"].get("name") not in ("session_start", "restart", "back")
    kinds = [e["event"] for e in events]
    assert kinds.count("session_started") == 1 and "restart" not in kinds and "rewind" not in kinds
    assert "payload_guard" in requests.get(f"{a.url}/webhooks/patches/", timeout=10).json()["patches"]


def test_the_assistants_own_button_payload_is_still_an_intent(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    sender = "typed-payload-2"
    rest(a, sender, '/ask_deadline{"obligation": "plan"}')
    latest = a.tracker(f"rest:{sender}")["latest_message"]
    assert latest["intent"]["name"] == "ask_deadline"
    assert [e["value"] for e in latest["entities"]] == ["plan"]


def test_a_typed_payload_with_foreign_entities_is_read_as_text(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    sender = "typed-payload-3"
    rest(a, sender, '/inform_agency{"agency": {"code": 1}, "sub_agency_code": "BYT"}')
    latest = a.tracker(f"rest:{sender}")["latest_message"]
    assert latest["text"] == 'inform_agency{"agency": {"code": 1}, "sub_agency_code": "BYT"}'
    assert all(e.get("entity") != "sub_agency_code" for e in latest["entities"])
