"""Custom actions against a real, seeded SQLite database: exact events and replies."""
from __future__ import annotations

import time

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.lookups import ActionAgencyStatus, ActionDeadline, ActionFollowupPeriod, ValidateAgencyForm
from tests.support.actions import DOMAIN, run, texts, tracker


async def test_deadline_of_a_quarter_in_roman_numerals(database):
    messages, events = await run(ActionDeadline(), tracker("Hạn nộp báo cáo quý III?"))
    reply = texts(messages)
    assert "báo cáo quý III/2022: 15/09/2022*" in reply
    assert "còn 128 ngày" in reply and "10/05/2022" in reply
    assert "không quy định ngày nộp cụ thể" in reply  # says the date is an operator default
    assert events == [
        SlotSet("last_lookup", "deadline"),
        SlotSet("obligation_kind", "quarterly_report"),
        SlotSet("period_year", None),
        SlotSet("period_quarter", 3),
    ]


async def test_deadline_overdue_and_due_today(database, monkeypatch):
    messages, _ = await run(ActionDeadline(), tracker("han bao cao Q1"))
    assert "đã quá hạn 56 ngày" in texts(messages)
    monkeypatch.setenv("ASSISTANT_TODAY", "2022-06-15")
    messages, _ = await run(ActionDeadline(), tracker("hạn báo cáo quý này"))
    assert "quý II/2022: 15/06/2022* (hạn là hôm nay" in texts(messages)


async def test_deadline_without_period_lists_all(database):
    messages, _ = await run(ActionDeadline(), tracker("các hạn nộp là khi nào"))
    reply = texts(messages)
    for due in ("30/04/2022", "15/03/2022", "15/06/2022", "15/09/2022", "15/12/2022"):
        assert due in reply


async def test_deadline_for_a_year_without_obligations_says_so(database):
    messages, _ = await run(ActionDeadline(), tracker("hạn báo cáo quý 2 năm 2025"))
    reply = texts(messages)
    assert "không có hạn nộp nào cho quý II/2025" in reply and "15/06/2022" in reply


async def test_status_of_one_report(database, monkeypatch):
    monkeypatch.setenv("ASSISTANT_TODAY", "2022-07-01")  # after the sample report arrived
    slots = {"agency": "Tỉnh Quảng Ninh", "agency_code": "QUANGNINH"}
    messages, events = await run(ActionAgencyStatus(), tracker("Quảng Ninh đã nộp báo cáo quý 2 chưa", slots))
    reply = texts(messages)
    assert "Tỉnh Quảng Ninh — báo cáo quý II/2022: đã nộp ngày 10/06/2022, số 132/BC-UBND — dữ liệu mẫu." in reply
    assert SlotSet("last_lookup", "status") in events


async def test_status_overall_shows_overdue_and_succession(database):
    slots = {"agency": "Tỉnh Hà Giang", "agency_code": "HAGIANG"}
    messages, _ = await run(ActionAgencyStatus(), tracker("tình hình báo cáo của Hà Giang", slots))
    reply = texts(messages)
    assert "Kế hoạch chuyển đổi số năm 2022: chưa nộp; đã quá hạn 10 ngày" in reply
    assert "Tỉnh Tuyên Quang" in reply and "01/07/2025" in reply


async def test_status_without_agency_asks_for_it(database):
    messages, _ = await run(ActionAgencyStatus(), tracker("đơn vị tôi nộp chưa"))
    assert [m.get("response") for m in messages] == ["utter_ask_agency"]


async def test_followup_keeps_agency_and_changes_quarter(database):
    slots = {"agency_code": "QUANGNINH", "last_lookup": "status", "obligation_kind": "quarterly_report",
             "period_year": None, "period_quarter": 2.0}
    messages, events = await run(ActionFollowupPeriod(), tracker("còn quý 4 thì sao?", slots, intent="ask_followup_period"))
    assert "Tỉnh Quảng Ninh — báo cáo quý IV/2022: chưa nộp; hạn 15/12/2022*, còn 219 ngày." in texts(messages)
    assert SlotSet("period_quarter", 4) in events and SlotSet("last_lookup", "status") in events


async def test_followup_after_deadline_question(database):
    slots = {"last_lookup": "deadline", "obligation_kind": "quarterly_report", "period_quarter": 3.0}
    messages, _ = await run(ActionFollowupPeriod(), tracker("thế quý trước?", slots, intent="ask_followup_period"))
    assert "quý I/2022: 15/03/2022*" in texts(messages)  # today is in Q2, so "quý trước" is Q1


async def test_database_down_gives_an_apology_quickly(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("DB_TIMEOUT_S", "2")
    monkeypatch.setattr(services, "_repository", None)
    started = time.monotonic()
    messages, events = await run(ActionDeadline(), tracker("hạn báo cáo quý 1"))
    assert time.monotonic() - started < 5
    assert [m.get("response") for m in messages] == ["utter_db_unavailable"]
    assert SlotSet("last_lookup", "deadline") in events
    monkeypatch.setattr(services, "_repository", None)


@pytest.mark.parametrize(
    "value,agency,code",
    [("Thành phố Cần Thơ", "Thành phố Cần Thơ", "CANTHO"), ("Sở TT&TT Cần Thơ", "Thành phố Cần Thơ", "CANTHO"),
     ("QUANGNINH", "Tỉnh Quảng Ninh", "QUANGNINH"), ("bo giao duc", "Bộ Giáo dục và Đào tạo", "BGDDT")],
)
async def test_form_validation_canonicalises(value, agency, code):
    dispatcher = CollectingDispatcher()
    result = await ValidateAgencyForm().validate_agency(value, dispatcher, tracker(value), DOMAIN)
    assert result == {"agency": agency, "agency_code": code}
    assert dispatcher.messages == []


async def test_form_validation_unknown_agency():
    dispatcher = CollectingDispatcher()
    result = await ValidateAgencyForm().validate_agency("tỉnh Xyz", dispatcher, tracker("tỉnh Xyz"), DOMAIN)
    assert result == {"agency": None, "agency_code": None}
    assert dispatcher.messages[0]["text"].startswith("Không tìm thấy «tỉnh Xyz» trong danh sách cơ quan nhận")


async def test_form_validation_unknown_agency_never_echoes_markup():
    dispatcher = CollectingDispatcher()
    await ValidateAgencyForm().validate_agency("<script>x</script>tỉnh Q", dispatcher, tracker("x"), DOMAIN)
    assert "<script>" not in dispatcher.messages[0]["text"]


async def test_form_validation_ambiguous_offers_buttons():
    dispatcher = CollectingDispatcher()
    result = await ValidateAgencyForm().validate_agency("Quảng", dispatcher, tracker("Quảng"), DOMAIN)
    assert result == {"agency": None, "agency_code": None}
    titles = {b["title"] for b in dispatcher.messages[0]["buttons"]}
    assert {"Tỉnh Quảng Ninh", "Tỉnh Quảng Nam"} <= titles


async def test_form_extracts_a_guessed_phrase_when_no_entity():
    t = tracker("Tình hình báo cáo của tỉnh Xyz?", intent="ask_agency_status")
    result = await ValidateAgencyForm().extract_agency(CollectingDispatcher(), t, DOMAIN)
    assert result == {"agency": "tỉnh Xyz"}






async def test_followup_naming_another_agency_switches_to_it(database):
    slots = {"agency": "Bộ Y tế", "agency_code": "BYT", "last_lookup": "status",
             "obligation_kind": "quarterly_report", "period_quarter": 2.0}
    entities = [{"entity": "agency", "value": "Bộ Tài chính", "agency_code": "BTC", "start": 4, "end": 16}]
    messages, events = await run(
        ActionFollowupPeriod(), tracker("còn Bộ Tài chính thì sao?", slots, entities, intent="ask_followup_period"))
    assert texts(messages).startswith("Bộ Tài chính — báo cáo quý II/2022: chưa nộp")
    assert events[:2] == [SlotSet("agency", "Bộ Tài chính"), SlotSet("agency_code", "BTC")]


async def test_unknown_button_kind_is_ignored(database):
    t = tracker("/ask_deadline", entities=[{"entity": "obligation", "value": "report"}])
    messages, events = await run(ActionDeadline(), t)
    assert "30/04/2022" in texts(messages) and "cho  trong" not in texts(messages)
    assert SlotSet("obligation_kind", None) in events


async def test_status_of_a_submitted_plan_has_no_due_date_footnote(database):
    slots = {"agency": "Bộ Giáo dục và Đào tạo", "agency_code": "BGDDT"}
    messages, _ = await run(ActionAgencyStatus(), tracker("Bộ GD&ĐT đã gửi kế hoạch chưa", slots))
    assert "đã nộp ngày 22/04/2022" in texts(messages) and "(*)" not in texts(messages)


@pytest.mark.parametrize("text,intent,expected", [
    ("chào bot", "greet", {}),
    ("thôi", "deny", {}),
    ("Sáu định hướng phổ cập là gì?", "ask_priority_areas", {}),
    ("Ban Xyz", "inform_agency", {"agency": "Ban Xyz"}),
    ("abc xyz", "nlu_fallback", {"agency": "abc xyz"}),
])
async def test_only_name_like_answers_are_looked_up_as_agencies(database, text, intent, expected):
    """Asked "which agency?", the user is never stuck: other messages are left to their rules."""
    t = tracker(text, slots={"requested_slot": "agency"}, intent=intent, active_loop="agency_form")
    assert await ValidateAgencyForm().extract_agency(CollectingDispatcher(), t, DOMAIN) == expected


async def test_a_public_users_own_agency_is_asked_for_not_taken_from_an_earlier_question(database):
    """"hạn của đơn vị tôi" after asking about Bộ Y tế: the form must ask which agency."""
    t = tracker("hạn của đơn vị tôi", slots={"agency": "Bộ Y tế", "agency_code": "BYT"}, intent="ask_agency_status",
                active_loop="agency_form")
    result = await ValidateAgencyForm().extract_agency(CollectingDispatcher(), t, DOMAIN)
    assert result == {"agency": None, "agency_code": None}
    # without "tôi/mình", a question naming no agency keeps the one asked about ("đã nộp quý 2 chưa?")
    t = tracker("đã nộp báo cáo quý 2 chưa", slots={"agency": "Bộ Y tế"}, intent="ask_agency_status",
                active_loop="agency_form")
    assert await ValidateAgencyForm().extract_agency(CollectingDispatcher(), t, DOMAIN) == {}


async def test_after_which_agency_the_first_question_is_answered(database):
    """"Bộ Y tế đã gửi kế hoạch chưa?" -> "đơn vị tôi còn thiếu gì?" -> (which agency?) -> "Bộ Tài chính":
    the answer is what Bộ Tài chính has not sent, not the plan of the earlier question."""
    latest = {"text": "Bộ Tài chính", "intent": {"name": "inform_agency", "confidence": 1.0},
              "intent_ranking": [{"name": "inform_agency", "confidence": 1.0}], "entities": []}
    events = [
        {"event": "user", "text": "Bộ Y tế đã gửi kế hoạch chưa?"},
        {"event": "slot", "name": "obligation_kind", "value": "plan"},
        {"event": "user", "text": "đơn vị tôi còn thiếu báo cáo nào"},
        {"event": "slot", "name": "requested_slot", "value": "agency"},
        {"event": "user", "text": "Bộ Tài chính"},
        {"event": "slot", "name": "agency", "value": "Bộ Tài chính"},
    ]
    t = Tracker(sender_id="test", slots={"agency_code": "BTC", "last_lookup": "status", "obligation_kind": "plan"},
                latest_message=latest, events=events, paused=False, followup_action=None, active_loop={},
                latest_action_name="agency_form")
    messages, result = await run(ActionAgencyStatus(), t)
    reply = texts(messages)
    assert reply.startswith("Bộ Tài chính còn") and "chưa gửi" in reply and "quý IV/2022" in reply
    assert SlotSet("obligation_kind", "quarterly_report") in result  # from "còn thiếu báo cáo nào", not "kế hoạch"


async def test_followup_after_a_year_role_answers_the_year_not_a_deadline(database):
    t = tracker("còn năm 2021?", slots={"last_lookup": "year_role"}, intent="ask_followup_period")
    messages, events = await run(ActionFollowupPeriod(), t)
    assert [m["response"] for m in messages] == ["utter_year_2021"]
    assert events == [SlotSet("last_lookup", "year_role")]
    # also when the classifier took it for a deadline question
    messages, _ = await run(ActionDeadline(), tracker("còn năm 2021?", slots={"last_lookup": "year_role"}))
    assert [m["response"] for m in messages] == ["utter_year_2021"]


async def test_a_quarter_after_a_year_role_is_a_deadline_of_the_directive_year(database):
    t = tracker("còn quý 4 thì sao", slots={"last_lookup": "year_role", "obligation_kind": None},
                intent="ask_followup_period")
    messages, events = await run(ActionFollowupPeriod(), t)
    assert "quý IV/2022: 15/12/2022*" in texts(messages)
    assert SlotSet("last_lookup", "deadline") in events


async def test_a_status_question_and_a_second_question_are_both_answered(database):
    """"..., mà hạn báo cáo quý 2 là khi nào": the status, then the deadline the NLU put in directive_facts."""
    slots = {"agency": "Tỉnh Quảng Ninh", "agency_code": "QUANGNINH"}
    t = tracker("Quảng Ninh nộp báo cáo quý 2 chưa, mà hạn báo cáo quý 2 là khi nào", slots, intent="ask_agency_status")
    t.latest_message["directive_facts"] = [{"fact": "deadline", "clause": "ma han bao cao quy 2 la khi nao",
                                            "intent": "ask_deadline"}]
    messages, events = await run(ActionAgencyStatus(), t)
    reply = texts(messages)
    assert reply.index("Tỉnh Quảng Ninh — báo cáo quý II/2022") < reply.index("Hạn nộp báo cáo quý II/2022: 15/06/2022*")
    assert SlotSet("last_lookup", "status") in events


async def test_a_status_question_with_a_fact_of_the_directive(database):
    slots = {"agency": "Tỉnh Quảng Ninh", "agency_code": "QUANGNINH"}
    t = tracker("Quảng Ninh còn thiếu gì không? văn bản 797 ban hành ngày nào", slots, intent="ask_agency_status")
    t.latest_message["directive_facts"] = [{"fact": "date", "clause": "van ban 797 ban hanh ngay nao",
                                            "intent": "ask_doc_date"}]
    messages, _ = await run(ActionAgencyStatus(), t)
    assert "Tỉnh Quảng Ninh" in texts(messages).split("\n")[0]
    assert messages[-1].get("response") == "utter_doc_date"


async def test_a_status_question_and_a_topic_the_article_does_not_cover(database):
    slots = {"agency": "Tỉnh Quảng Ninh", "agency_code": "QUANGNINH"}
    t = tracker("Quảng Ninh nộp bc q1 chưa và vb có nói về chữ ký số không", slots, intent="ask_agency_status")
    t.latest_message["directive_facts"] = [{"fact": "not_in_source", "clause": "chữ ký số", "intent": "ask_not_in_source"}]
    messages, _ = await run(ActionAgencyStatus(), t)
    reply = texts(messages)
    assert reply.index("Tỉnh Quảng Ninh — báo cáo quý I/2022") < reply.index("không đề cập «chữ ký số»")
