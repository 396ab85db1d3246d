"""Ratings of answers in the chat (actions/feedback.py) on real SQLite and
PostgreSQL databases with the real domain.yml: the rating is tied to the
answer it rates, a typed "có" / "không" that a pending confirmation waits for
is handed on (never a rating), and "what was wrong" is stored once.
Asserts exact events and replies."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from sqlalchemy import select

from actions.feedback import ActionRateAnswer, ActionSaveFeedbackComment, rated_answer
from bot.db import models as m
from tests.unit.actions import test_officials as officials
from tests.unit.actions.test_officials import run

engine = officials.engine  # the migrated SQLite / PostgreSQL fixture, DATABASE_URL set

ISSUER = "Văn bản số 797/BTTTT-THH do Bộ Thông tin và Truyền thông (Bộ TT&TT) ban hành ngày 06/03/2022."


def user(text: str, intent: str, channel: str = "telegram") -> Dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return {"event": "user", "text": text, "input_channel": channel, "parse_data": parse}


def answered(question: str, intent: str, *replies: Dict[str, Any], action: str = None) -> List[Dict[str, Any]]:
    events = [user(question, intent), {"event": "action", "name": action or "action_listen"}]
    return events + list(replies) + [{"event": "action", "name": "action_listen"}]


def bot(text: str, utter: str = None) -> Dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": {"utter_action": utter} if utter else {}}


def conversation(history: List[Dict[str, Any]], text: str, intent: str, slots: Dict[str, Any] = None,
                 sender: str = "telegram:5550001") -> Tracker:
    latest = user(text, intent)
    return Tracker(sender_id=sender, slots=slots or {}, latest_message=latest["parse_data"],
                   events=history + [latest], paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


def ratings(engine):
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(select(
            m.AnswerFeedback.sender_id, m.AnswerFeedback.channel, m.AnswerFeedback.answer_key,
            m.AnswerFeedback.answer_text, m.AnswerFeedback.helpful, m.AnswerFeedback.comment).order_by(m.AnswerFeedback.id))]


ISSUER_TURN = answered("ai ban hành văn bản 797", "ask_issuer", bot(ISSUER, "utter_issuer"), action="utter_issuer")


def test_the_rated_answer_is_the_reply_to_the_latest_question_on_the_directive():
    compound = answered("ai ban hành, ngày nào", "ask_directive_facts", bot("Tôi trả lời lần lượt:"),
                        bot(ISSUER, "utter_issuer"), bot("Ngày 06/03/2022.", "utter_doc_date"),
                        action="action_answer_directive_facts")
    deadline = answered("hạn báo cáo quý 3", "ask_deadline", bot("Hạn 15/09/2022."), action="action_deadline")
    events = ISSUER_TURN + compound + deadline + [user("sai rồi", "deny")]
    assert rated_answer(events) == ("action_answer_directive_facts+utter_issuer+utter_doc_date",
                                    f"Tôi trả lời lần lượt:\n\n{ISSUER}\n\nNgày 06/03/2022.")
    assert rated_answer(ISSUER_TURN + [user("sai rồi", "deny")]) == ("utter_issuer", ISSUER)
    assert rated_answer(deadline + [user("sai rồi", "deny")]) is None
    assert rated_answer([user("Hữu ích", "answer_helpful")]) is None


async def test_helpful_is_stored_and_thanked(engine):
    reply, events, _ = await run(ActionRateAnswer(), conversation(ISSUER_TURN, "/answer_helpful", "answer_helpful"))
    assert reply == "utter_feedback_thanks"
    assert events == [SlotSet("answered_directive", False), SlotSet("feedback_ask_what", False)]
    assert ratings(engine) == [("telegram:5550001", "telegram", "utter_issuer", ISSUER, True, None)]


async def test_wrong_asks_what_and_the_next_message_is_the_comment(engine):
    reply, events, _ = await run(ActionRateAnswer(), conversation(ISSUER_TURN, "sai rồi", "deny",
                                                                   {"answered_directive": True}))
    [rating_id] = [e["value"] for e in events if e["name"] == "feedback_id"]
    assert reply == ""  # feedback_form asks (utter_ask_feedback_comment)
    assert events == [SlotSet("answered_directive", False), SlotSet("feedback_id", rating_id),
                      SlotSet("feedback_ask_what", True)]
    assert ratings(engine) == [("telegram:5550001", "telegram", "utter_issuer", ISSUER, False, None)]

    comment = conversation(ISSUER_TURN, "thiếu tên người ký", "ask_issuer",
                           {"feedback_id": float(rating_id), "feedback_comment": " thiếu tên người ký "})
    reply, events, _ = await run(ActionSaveFeedbackComment(), comment)
    assert reply == "utter_feedback_comment_noted"
    assert events == [SlotSet("feedback_comment", None), SlotSet("feedback_id", None),
                      SlotSet("feedback_ask_what", False), SlotSet("answered_directive", False)]
    assert ratings(engine)[0][-1] == "thiếu tên người ký"


async def test_a_plain_no_adds_no_comment(engine):
    reply, events, _ = await run(ActionSaveFeedbackComment(), conversation(
        ISSUER_TURN, "bỏ qua", "deny", {"feedback_id": 1.0, "feedback_comment": "bỏ qua"}))
    assert reply == "utter_feedback_no_comment"
    assert events[0] == SlotSet("feedback_comment", None) and ratings(engine) == []


async def test_a_pending_confirmation_takes_the_typed_answer_and_nothing_is_rated(engine):
    for slot, intent, handler in (("sub_pending", "affirm", "action_save_submission"),
                                  ("sub_pending", "deny", "action_cancel_submission"),
                                  ("corr_pending", "affirm", "action_correction_confirm"),
                                  ("corr_pending", "deny", "action_correction_cancel")):
        reply, events, _ = await run(ActionRateAnswer(), conversation(
            ISSUER_TURN, "có" if intent == "affirm" else "không", intent, {slot: True, "answered_directive": True}))
        assert reply == ""
        assert events == [SlotSet("answered_directive", False), SlotSet("feedback_ask_what", False),
                          FollowupAction(handler)]
    assert ratings(engine) == []
    # a quick reply pressed meanwhile rates, and leaves the confirmation waiting
    reply, events, _ = await run(ActionRateAnswer(), conversation(
        ISSUER_TURN, "/answer_helpful", "answer_helpful", {"sub_pending": True}))
    assert reply == "utter_feedback_thanks" and not any(e.get("event") == "followup" for e in events)
    assert len(ratings(engine)) == 1


async def test_nothing_to_rate_is_said_and_stores_nothing(engine):
    deadline = answered("hạn báo cáo quý 3", "ask_deadline", bot("Hạn 15/09/2022."), action="action_deadline")
    reply, events, _ = await run(ActionRateAnswer(), conversation(deadline, "/answer_wrong", "answer_wrong"))
    assert reply == "utter_feedback_nothing_to_rate"
    assert events == [SlotSet("answered_directive", False), SlotSet("feedback_ask_what", False)]
    assert ratings(engine) == []
