"""Hand-off actions (actions/handoff.py) on a real SQLite database: the offer
only when a staff group is set (else where to call or write), the offer after
exactly two unanswered questions in a row, and "có" writing one hand-off with
the summary staff see."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from sqlalchemy import create_engine, select

from actions.handoff import (
    ActionOfferHandoff,
    ActionOfferHandoffIfStuck,
    ActionOpenHandoff,
    unanswered_in_a_row,
)
from bot.db import models as m
from bot.settings import DEFAULT_HANDOFF_CONTACT
from tests.unit.actions.test_officials import run

GROUP = "-1009000000001"


def conversation(*turns: tuple, sender: str = "rest:an") -> Tracker:
    """A tracker of ``(user text, intent, bot reply)`` turns; the last is the current one."""
    events: List[Dict[str, Any]] = []
    for text, intent, reply in turns:
        events.append({"event": "user", "text": text, "input_channel": "rest",
                       "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "text": text}})
        if reply:
            action = "action_offer_handoff" if intent == "request_human" else "utter_other"
            events += [{"event": "action", "name": action}, {"event": "bot", "text": reply},
                       {"event": "action", "name": "action_listen"}]
    latest = [e for e in events if e["event"] == "user"][-1]["parse_data"]
    return Tracker(sender_id=sender, slots={}, latest_message=latest, events=events, paused=False,
                   followup_action=None, active_loop={}, latest_action_name="action_listen")


async def test_without_a_staff_group_the_user_is_told_where_to_call(monkeypatch) -> None:
    monkeypatch.delenv("HANDOFF_TELEGRAM_CHAT_ID", raising=False)
    text, events, _ = await run(ActionOfferHandoff(), conversation(("cho tôi gặp cán bộ", "request_human", "")))
    assert text == DEFAULT_HANDOFF_CONTACT
    assert events == [{"event": "slot", "timestamp": None, "name": "handoff_offered", "value": False}]
    stuck = conversation(("a", "nlu_fallback", "xin lỗi"), ("b", "nlu_fallback", ""))
    assert (await run(ActionOfferHandoffIfStuck(), stuck))[:2] == ("", [])


async def test_the_offer_comes_at_the_second_unanswered_question_in_a_row(monkeypatch) -> None:
    monkeypatch.setenv("HANDOFF_TELEGRAM_CHAT_ID", GROUP)
    one = conversation(("văn bản nói gì về chữ ký số", "ask_not_in_source", ""))
    two = conversation(("văn bản nói gì về chữ ký số", "ask_not_in_source", "không có"), ("xyz", "nlu_fallback", ""))
    small_talk = conversation(("xyz", "nlu_fallback", "?"), ("thời tiết hôm nay", "out_of_scope", "…"),
                              ("abc", "nlu_fallback", ""))
    assert [unanswered_in_a_row(t) for t in (one, two, small_talk)] == [1, 2, 1]
    text, events, dispatcher = await run(ActionOfferHandoffIfStuck(), two)
    assert "chưa trả lời được" in text and "có muốn chuyển cho cán bộ không" in text
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert events[0]["value"] is True
    assert (await run(ActionOfferHandoffIfStuck(), one))[:2] == ("", [])


async def test_yes_opens_one_handoff_with_a_summary(monkeypatch, database) -> None:
    monkeypatch.setenv("HANDOFF_TELEGRAM_CHAT_ID", GROUP)
    t = conversation(("Sở tôi chưa nhận được văn bản", "nlu_fallback", "Xin lỗi, tôi chưa hiểu."),
                     ("cho tôi gặp cán bộ", "request_human", "Anh/chị có muốn chuyển cho cán bộ không?"),
                     ("có", "affirm", ""), sender="rest:an")
    text, events, _ = await run(ActionOpenHandoff(), t)
    assert text.startswith("Tôi đã chuyển cuộc trò chuyện cho cán bộ") and "“kết thúc”" in text
    await run(ActionOpenHandoff(), t)  # a second "có" opens nothing twice
    with create_engine(database).connect() as c:
        rows = c.execute(select(m.Handoff.conversation, m.Handoff.group_chat_id, m.Handoff.summary)).all()
    assert len(rows) == 1 and rows[0][:2] == ("rest:an", GROUP)
    summary = rows[0][2]
    assert "Kênh: REST · Người dùng: an" in summary and "Đơn vị: chưa liên kết tài khoản" in summary
    assert summary.endswith("Người dùng: Sở tôi chưa nhận được văn bản\nTrợ lý: Xin lỗi, tôi chưa hiểu.\n"
                            "Người dùng: cho tôi gặp cán bộ\nTrợ lý: Anh/chị có muốn chuyển cho cán bộ không?\n"
                            "Người dùng: có")


async def test_a_late_yes_answers_what_is_pending_not_a_stale_offer(monkeypatch, database) -> None:
    monkeypatch.setenv("HANDOFF_TELEGRAM_CHAT_ID", GROUP)
    t = conversation(("cho tôi gặp cán bộ", "request_human", "Anh/chị có muốn chuyển cho cán bộ không?"),
                     ("hạn nộp kế hoạch là khi nào", "ask_deadline", "Hạn nộp …"), ("có", "affirm", ""))
    text, events, _ = await run(ActionOpenHandoff(), t)
    assert text == "" and events[-1] == {"event": "followup", "timestamp": None, "name": "action_save_submission"}
    with create_engine(database).connect() as c:
        assert c.execute(select(m.Handoff.id)).all() == []
