"""``action_session_start`` (actions/sessions.py) and the save action's session
check, on real SQLite and PostgreSQL databases with the real domain.yml: a
submission left half-done or unconfirmed never survives a new session, and a
"có" that opens a new session never saves. Asserts exact events and replies."""
from __future__ import annotations

from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import official_replies as say
from actions.officials import ActionSaveSubmission
from actions.sessions import ActionSessionStart
from tests.unit.actions import test_officials as officials
from tests.unit.actions.test_officials import DOMAIN, link, run, submissions, tracker

engine, accounts = officials.engine, officials.accounts  # the migrated SQLite / PostgreSQL fixtures

PENDING = {"sub_allowed": True, "sub_pending": True, "sub_agency_code": "QUANGNINH", "sub_obligation": "BC-2022-Q1",
           "sub_received_on": "2022-03-14", "sub_reference": "123/BC-UBND",
           "sub_message": "đã gửi báo cáo quý 1 ngày 14/3/2022 số 123/BC-UBND", "sub_message_id": "m-1",
           "requested_slot": None}
CARRIED = {"agency": "Tỉnh Quảng Ninh", "agency_code": "QUANGNINH", "period_year": 2022.0}


def ending_session(slots: Dict[str, Any], active_loop: str = None) -> Tracker:
    """The tracker Rasa hands to ``action_session_start``: the old session's slots."""
    return tracker("có", intent="affirm", slots=slots, active_loop=active_loop)


async def test_a_pending_confirmation_is_dropped_and_the_official_told(engine):
    reply, events, _ = await run(ActionSessionStart(), ending_session({**CARRIED, **PENDING}))
    assert events == [SessionStarted(), SlotSet("agency", "Tỉnh Quảng Ninh"), SlotSet("agency_code", "QUANGNINH"),
                      SlotSet("period_year", 2022.0), ActionExecuted("action_listen")]
    assert reply == (
        "Cuộc trò chuyện đã tạm dừng hơn 60 phút nên yêu cầu ghi nhận văn bản đang dở đã được hủy: chưa có gì "
        "được ghi. Thông tin anh/chị đã nhập: báo cáo quý I/2022 (BC-2022-Q1), ngày gửi 14/03/2022, số 123/BC-UBND. "
        "Nếu vẫn muốn ghi nhận, anh/chị vui lòng báo lại từ đầu, ví dụ: \"đã gửi báo cáo quý II ngày 14/06/2022 "
        "số 15/BC-UBND\"; tôi sẽ đọc lại để anh/chị xác nhận.")


async def test_a_half_filled_form_is_dropped_with_what_was_collected(engine):
    slots = {**CARRIED, "sub_allowed": True, "sub_pending": False, "sub_agency_code": "QUANGNINH",
             "sub_obligation": "KH-2022", "requested_slot": "sub_received_on"}
    reply, events, _ = await run(ActionSessionStart(), ending_session(slots, active_loop="submission_form"))
    assert events == [SessionStarted(), SlotSet("agency", "Tỉnh Quảng Ninh"), SlotSet("agency_code", "QUANGNINH"),
                      SlotSet("period_year", 2022.0), ActionExecuted("action_listen")]
    assert "chưa có gì được ghi. Thông tin anh/chị đã nhập: kế hoạch chuyển đổi số năm 2022 (KH-2022). Nếu vẫn" in reply
    # the form had only begun: nothing collected yet, nothing repeated
    reply, _, _ = await run(ActionSessionStart(), ending_session(
        {"sub_allowed": True, "requested_slot": "sub_obligation"}, active_loop="submission_form"))
    assert "chưa có gì được ghi. Nếu vẫn muốn ghi nhận" in reply


async def test_a_save_whose_outcome_was_unknown_is_not_denied(engine):
    t = ending_session({**CARRIED, **PENDING})
    t.events[:0] = [{"event": "action", "name": "action_submission_summary"},
                    {"event": "user", "text": "có"}, {"event": "action", "name": "action_save_submission"},
                    {"event": "bot", "text": say.SAVE_UNCERTAIN}]
    reply, events, _ = await run(ActionSessionStart(), t)
    assert events == [SessionStarted(), SlotSet("agency", "Tỉnh Quảng Ninh"), SlotSet("agency_code", "QUANGNINH"),
                      SlotSet("period_year", 2022.0), ActionExecuted("action_listen")]
    assert "chưa có gì được ghi" not in reply
    assert reply.startswith("Cuộc trò chuyện đã tạm dừng hơn 60 phút nên yêu cầu ghi nhận báo cáo quý I/2022 "
                            "(BC-2022-Q1) đang dở đã được hủy. Ở lần xác nhận trước"), reply


async def test_without_a_pending_submission_it_is_rasas_default(engine):
    slots = {**CARRIED, "sub_allowed": False, "sub_pending": False, "requested_slot": None}
    reply, events, _ = await run(ActionSessionStart(), ending_session(slots))
    assert reply == ""
    assert events == [SessionStarted(), SlotSet("agency", "Tỉnh Quảng Ninh"), SlotSet("agency_code", "QUANGNINH"),
                      SlotSet("period_year", 2022.0), ActionExecuted("action_listen")]
    # with carry-over switched off, no slot at all (the notice is still given)
    no_carry = {**DOMAIN, "session_config": {"session_expiration_time": 30, "carry_over_slots_to_new_session": False}}
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, ending_session({**CARRIED, **PENDING}), no_carry)
    assert events == [SessionStarted(), ActionExecuted("action_listen")]
    assert "tạm dừng hơn 30 phút" in dispatcher.messages[0]["text"]


async def test_a_yes_that_opens_a_new_session_never_saves(accounts, engine):
    """Even if the pending slots reached the new session (an older action server,
    a session started elsewhere), the summary belongs to the old session."""
    await link(accounts)
    t = tracker("có", intent="affirm", slots=PENDING)
    t.events[:0] = [{"event": "action", "name": "action_submission_summary"},
                    {"event": "session_started"}, {"event": "action", "name": "action_listen"}]
    reply, events, _ = await run(ActionSaveSubmission(), t)
    assert reply.startswith("Hiện không có yêu cầu ghi nhận nào đang chờ xác nhận")
    assert events == [SlotSet(s, None) for s in ("sub_obligation", "sub_received_on", "sub_reference",
                                                 "sub_agency_code", "sub_message", "sub_message_id")] + [
        SlotSet("sub_pending", False)]
    assert submissions(engine) == 0
    # the summary shown in this session is what "có" confirms
    t.events[:0] = [{"event": "session_started"}]
    t.events.insert(len(t.events) - 1, {"event": "action", "name": "action_submission_summary"})
    reply, _, _ = await run(ActionSaveSubmission(), t)
    assert reply.startswith("Đã ghi nhận: Tỉnh Quảng Ninh gửi báo cáo quý I/2022") and submissions(engine) == 1



async def test_a_rating_in_progress_does_not_carry_over(engine):
    slots = {**CARRIED, "answered_directive": True, "feedback_ask_what": True, "feedback_id": 3.0,
             "requested_slot": "feedback_comment"}
    reply, events, _ = await run(ActionSessionStart(), tracker("không", intent="deny", slots=slots,
                                                               active_loop="feedback_form"))
    assert reply == ""
    assert events == [SessionStarted(), SlotSet("agency", "Tỉnh Quảng Ninh"), SlotSet("agency_code", "QUANGNINH"),
                      SlotSet("period_year", 2022.0), ActionExecuted("action_listen")]
