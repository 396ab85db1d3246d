"""Withdrawing and correcting a record from the chat (actions/corrections.py)
against real SQLite and PostgreSQL databases with the real domain.yml: exact
events, the replies, what is written and what is refused."""
from __future__ import annotations

from datetime import date, datetime, timezone

from rasa_sdk.events import ActiveLoop, SlotSet
from sqlalchemy import select, update

from actions.corrections import (
    ActionCorrectionCancel,
    ActionCorrectionConfirm,
    ActionCorrectionRequest,
    split_correction,
)
from bot.db import models as m
from tests.unit.actions.test_officials import TG_USER, accounts, engine, link, run, tracker  # noqa: F401

CLEARED = [SlotSet("corr_pending", False), SlotSet("corr_request", None)]


def records(engine):  # noqa: F811 - the fixture's value
    """(id, obligation, received_on, reference) of every row, by id."""
    with engine.connect() as c:
        return c.execute(select(m.Submission.id, m.Obligation.code, m.Submission.received_on,
                                m.Submission.reference_number)
                         .join(m.Obligation, m.Submission.obligation_id == m.Obligation.id)
                         .order_by(m.Submission.id)).all()


def recorded(accounts, obligation="BC-2022-Q2", reference="15/BC-UBND", received=date(2022, 4, 14)):  # noqa: F811
    accounts.record_for_account("telegram", TG_USER, "QUANGNINH", obligation, received, reference,
                                message="đã gửi")
    return records(accounts.engine)[-1][0]


def request(text, intent, **kw):
    return run(ActionCorrectionRequest(), tracker(text, intent=intent, **kw))


def pending(events):
    return {e["name"]: e["value"] for e in events}


def test_the_new_value_follows_thanh_or_sang():
    assert split_correction("em nộp nhầm quý, sửa thành quý 3") == ("em nộp nhầm quý, sửa", "quý 3")
    assert split_correction("sua bc q2 thanh q3") == ("sua bc q2", "q3")
    assert split_correction("đổi báo cáo quý 2 sang quý 3") == ("đổi báo cáo quý 2", "quý 3")
    assert split_correction("sửa bản ghi giúp em") == ("sửa bản ghi giúp em", "")


async def test_withdraw_names_the_record_asks_then_deletes_with_audit(accounts, engine):  # noqa: F811
    await link(accounts)
    record_id = recorded(accounts)
    text = "rút lại báo cáo quý 2 vừa nộp"
    reply, events, dispatcher = await request(text, "withdraw_submission", message_id="m-7")
    assert events == [SlotSet("corr_pending", True), SlotSet("corr_request", {
        "kind": "withdraw", "record_id": record_id, "message": text, "message_id": "m-7"})]
    assert reply.startswith("Anh/chị xác nhận rút lại bản ghi sau:\n• Cơ quan: Tỉnh Quảng Ninh\n"
                            "• Văn bản: Báo cáo quý II/2022 (BC-2022-Q2)\n• Ngày gửi: 14/04/2022\n"
                            "• Số hiệu: 15/BC-UBND\n")
    assert f"(bản ghi số {record_id})" in reply and reply.endswith("\"không\" để giữ nguyên.")
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert len(records(engine)) == 1  # nothing before "có"

    reply, events, _ = await run(ActionCorrectionConfirm(), tracker("có", intent="affirm", slots=pending(events)))
    assert reply.startswith("Đã rút lại: Tỉnh Quảng Ninh — báo cáo quý II/2022 (BC-2022-Q2), gửi ngày 14/04/2022, "
                            "số 15/BC-UBND. Văn bản này nay được coi là chưa gửi.")
    assert events == CLEARED and records(engine) == []
    entry = accounts.audit_trail(limit=1)[0]
    assert (entry.actor, entry.action, entry.channel, entry.user_id, entry.message) == (
        "official", "withdraw_submission", "telegram", TG_USER, text)
    assert entry.detail["before"]["reference_number"] == "15/BC-UBND" and entry.detail["message_id"] == "m-7"


async def test_correct_the_quarter_then_the_number(accounts, engine):  # noqa: F811
    await link(accounts)
    record_id = recorded(accounts)
    text = "em nộp nhầm quý, sửa thành quý 3"
    reply, events, _ = await request(text, "correct_submission")
    assert events == [SlotSet("corr_pending", True), SlotSet("corr_request", {
        "kind": "correct", "record_id": record_id, "message": text, "message_id": "msg-1",
        "change": {"obligation_code": "BC-2022-Q3", "received_on": None, "reference_number": None}})]
    assert "• Văn bản: Báo cáo quý II/2022 (BC-2022-Q2) → Báo cáo quý III/2022 (BC-2022-Q3)" in reply
    assert "Ngày gửi" not in reply.split("\n", 1)[1]  # only what changes
    reply, events, _ = await run(ActionCorrectionConfirm(), tracker("đúng rồi", intent="affirm", slots=pending(events)))
    assert reply.startswith("Đã sửa: Tỉnh Quảng Ninh — báo cáo quý III/2022 (BC-2022-Q3), gửi ngày 14/04/2022, "
                            "số 15/BC-UBND.") and events == CLEARED
    assert records(engine) == [(record_id, "BC-2022-Q3", date(2022, 4, 14), "15/BC-UBND")]

    reply, events, _ = await request("sửa số văn bản thành 123/UBND-VP", "correct_submission")
    assert pending(events)["corr_request"]["change"] == {
        "obligation_code": None, "received_on": None, "reference_number": "123/UBND-VP"}
    assert "• Số hiệu: 15/BC-UBND → 123/UBND-VP" in reply
    await run(ActionCorrectionConfirm(), tracker("có", intent="affirm", slots=pending(events)))
    reply, events, _ = await request("sửa ngày gửi thành 15/4/2022", "correct_submission")
    assert "• Ngày gửi: 14/04/2022 → 15/04/2022" in reply
    await run(ActionCorrectionConfirm(), tracker("có", intent="affirm", slots=pending(events)))
    assert records(engine) == [(record_id, "BC-2022-Q3", date(2022, 4, 15), "123/UBND-VP")]
    actions = [(e.action, e.detail.get("before", {}).get("reference_number"), e.detail.get("after", {}).get(
        "reference_number")) for e in accounts.audit_trail(limit=3)]
    assert actions == [("correct_submission", "123/UBND-VP", "123/UBND-VP"),
                       ("correct_submission", "15/BC-UBND", "123/UBND-VP"),
                       ("correct_submission", "15/BC-UBND", "15/BC-UBND")]


async def test_a_correction_without_a_new_value_or_with_a_future_date_asks_again(accounts, engine):  # noqa: F811
    await link(accounts)
    recorded(accounts)
    reply, events, _ = await request("sửa lại bản ghi giúp em với", "correct_submission")
    assert reply.startswith("Anh/chị muốn sửa thông tin nào của bản ghi báo cáo quý II/2022 (BC-2022-Q2)")
    assert events == CLEARED
    # "không có gì khác" does not clear the number; "không có số" does
    _, events, _ = await request("sửa ngày gửi thành 15/4/2022, không có gì khác", "correct_submission")
    assert pending(events)["corr_request"]["change"]["reference_number"] is None
    _, events, _ = await request("sửa thành không có số", "correct_submission")
    assert pending(events)["corr_request"]["change"]["reference_number"] == ""
    reply, events, _ = await request("sửa ngày gửi thành 30/4/2022", "correct_submission")
    assert "ở sau hôm nay (20/04/2022)" in reply and events == CLEARED


async def test_after_the_window_it_is_refused_with_the_operator_command(accounts, engine, monkeypatch):  # noqa: F811
    await link(accounts)
    record_id = recorded(accounts)
    with engine.begin() as c:  # created 12/04/2022 local time; today is 20/04/2022
        c.execute(update(m.Submission).values(created_at=datetime(2022, 4, 12, 3, 0, tzinfo=timezone.utc)))
    reply, events, _ = await request("huy bc q2", "withdraw_submission")
    assert reply == (
        "Tôi không thể rút lại bản ghi báo cáo quý II/2022 (BC-2022-Q2), gửi ngày 14/04/2022, số 15/BC-UBND: "
        "bản ghi được tạo ngày 12/04/2022, đã quá 7 ngày cho phép tự rút hoặc sửa (hạn cuối 19/04/2022). "
        "Không có gì thay đổi. Anh/chị vui lòng liên hệ cán bộ vận hành; lệnh: "
        f"python -m bot withdraw {record_id}.")
    assert events == CLEARED
    reply, _, _ = await request("sửa thành quý 3", "correct_submission")
    assert "đã quá 7 ngày" in reply and f"lệnh: python -m bot correct {record_id} " in reply
    # CORRECTION_WINDOW_DAYS widens it
    monkeypatch.setenv("CORRECTION_WINDOW_DAYS", "10")
    _, events, _ = await request("huy bc q2", "withdraw_submission")
    assert SlotSet("corr_pending", True) in events
    # ... and a pending request is checked again when confirmed
    monkeypatch.setenv("CORRECTION_WINDOW_DAYS", "7")
    reply, events, _ = await run(ActionCorrectionConfirm(), tracker("có", intent="affirm", slots=pending(events)))
    assert "đã quá 7 ngày" in reply and events == CLEARED and len(records(engine)) == 1


async def test_public_unlinked_group_and_other_agency_are_refused(accounts, engine):  # noqa: F811
    await link(accounts)
    record_id = recorded(accounts)
    # the website is public, even with the linked user's id
    reply, events, _ = await request("rút lại báo cáo quý 2", "withdraw_submission", channel="rest")
    assert reply.startswith("Tôi không thể rút lại bản ghi: chỉ cán bộ có tài khoản đã liên kết với cơ quan qua Zalo "
                            "hoặc Telegram") and "liên hệ cán bộ vận hành; lệnh: python -m bot withdraw" in reply
    assert events == CLEARED
    reply, _, _ = await request("rút lại báo cáo quý 2", "withdraw_submission", sender="5550999")
    assert reply.startswith("Tôi không thể rút lại bản ghi: chỉ cán bộ có tài khoản đã liên kết với cơ quan mới")
    reply, _, _ = await request("rút lại báo cáo quý 2", "withdraw_submission", sender="-100200300")
    assert "trong nhóm chat" in reply
    # an agency named that is not the linked one
    hanoi = [{"entity": "agency", "value": "Hà Nội", "agency_code": "HANOI", "start": 0, "end": 6}]
    reply, events, _ = await request("Hà Nội rút lại báo cáo quý 2", "withdraw_submission", entities=hanoi)
    assert reply.startswith("Tôi không thể rút lại bản ghi của Thành phố Hà Nội: tài khoản này được liên kết với "
                            "Tỉnh Quảng Ninh") and events == CLEARED
    # another agency's document number
    code = accounts.issue_code("HANOI").code
    accounts.redeem_code("zalo", "z-5", code)
    accounts.record_for_account("zalo", "z-5", "HANOI", "KH-2022", date(2022, 4, 15), "98/KH-UBND")
    other_id = records(engine)[-1][0]
    reply, events, _ = await request("hủy bản ghi số 98/KH-UBND", "withdraw_submission")
    assert reply.startswith(f"Tôi không thể rút lại bản ghi số {other_id} thuộc Thành phố Hà Nội")
    assert f"lệnh: python -m bot withdraw {other_id}." in reply and events == CLEARED
    # forged slots on the website, or from another account, write nothing
    forged = {"corr_pending": True, "corr_request": {"kind": "withdraw", "record_id": other_id}}
    reply, events, _ = await run(ActionCorrectionConfirm(), tracker("có", intent="affirm", slots=forged))
    assert reply.startswith(f"Tôi không thể rút lại bản ghi số {other_id} thuộc Thành phố Hà Nội") and events == CLEARED
    reply, _, _ = await run(ActionCorrectionConfirm(), tracker("có", channel="rest", intent="affirm", slots={
        **forged, "corr_request": {"kind": "withdraw", "record_id": record_id}}))
    assert reply.startswith("Tôi không thể rút lại bản ghi")
    assert len(records(engine)) == 2


async def test_several_matches_are_listed_and_nothing_found_is_said(accounts, engine):  # noqa: F811
    await link(accounts)
    reply, events, _ = await request("rút lại báo cáo vừa nộp", "withdraw_submission")
    assert reply.startswith("Tôi không tìm thấy bản ghi nào của Tỉnh Quảng Ninh") and events == CLEARED
    recorded(accounts, reference="15/BC-UBND")
    recorded(accounts, reference="16/BC-UBND")
    reply, events, _ = await request("rút lại báo cáo quý 2", "withdraw_submission")
    assert reply.startswith("Tỉnh Quảng Ninh có nhiều bản ghi khớp yêu cầu:\n• Báo cáo quý II/2022 (BC-2022-Q2), "
                            "gửi ngày 14/04/2022, số 16/BC-UBND\n• Báo cáo quý II/2022")
    assert events == CLEARED
    _, events, _ = await request("rút lại báo cáo quý 2 số 15/bc-ubnd", "withdraw_submission")
    assert pending(events)["corr_request"]["record_id"] == records(engine)[0][0]


async def test_no_keeps_the_record_and_a_submission_question_asked_later_wins(accounts, engine):  # noqa: F811
    await link(accounts)
    recorded(accounts)
    _, events, _ = await request("rút lại báo cáo quý 2", "withdraw_submission")
    reply, events, _ = await run(ActionCorrectionCancel(), tracker("không", intent="deny", slots=pending(events)))
    assert reply == "Đã hủy yêu cầu, bản ghi được giữ nguyên." and events == CLEARED and len(records(engine)) == 1
    reply, _, _ = await run(ActionCorrectionConfirm(), tracker("có", intent="affirm", slots={"corr_pending": False}))
    assert reply.startswith("Hiện không có yêu cầu rút hoặc sửa bản ghi nào")
    # a correction left pending, then a new submission summarised: "có" records the submission
    slots = {"corr_pending": True, "corr_request": {"kind": "withdraw", "record_id": records(engine)[0][0]},
             "sub_pending": True, "sub_agency_code": "QUANGNINH", "sub_obligation": "KH-2022",
             "sub_received_on": "2022-04-18", "sub_reference": "45/KH-UBND"}
    t = tracker("có", intent="affirm", slots=slots)
    t.events[:0] = [{"event": "action", "name": "action_correction_request"},
                    {"event": "action", "name": "action_start_submission"},
                    {"event": "action", "name": "action_submission_summary"}]
    reply, events, _ = await run(ActionCorrectionConfirm(), t)
    assert reply.startswith("Đã ghi nhận: Tỉnh Quảng Ninh gửi kế hoạch") and events[:2] == CLEARED
    assert len(records(engine)) == 2
    # "không" while the submission form asks: the form stops too
    reply, events, _ = await run(ActionCorrectionCancel(), tracker(
        "không", intent="deny", slots={"corr_pending": True}, active_loop="submission_form"))
    assert reply.startswith("Đã hủy, tôi không ghi nhận gì") and events[-1] == ActiveLoop(None)


async def test_a_yes_after_the_session_expired_changes_nothing(accounts, engine):  # noqa: F811
    await link(accounts)
    recorded(accounts)
    _, events, _ = await request("rút lại báo cáo quý 2", "withdraw_submission")
    t = tracker("có", intent="affirm", slots=pending(events))
    t.events[:0] = [{"event": "action", "name": "action_correction_request"},
                    {"event": "session_started"}, {"event": "action", "name": "action_session_start"}]
    reply, events, _ = await run(ActionCorrectionConfirm(), t)
    assert reply.startswith("Yêu cầu rút hoặc sửa bản ghi trước đó đã hết hiệu lực") and events == CLEARED
    assert len(records(engine)) == 1
