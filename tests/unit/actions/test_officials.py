"""Officials' custom actions against real SQLite and PostgreSQL databases, with
the real domain.yml: linking, "my agency" questions, recording a submission
(form, confirmation, save) and reminders on/off. Asserts exact events, replies
and what was written."""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions import services
from actions.lookups import ActionAgencyStatus, ValidateAgencyForm
from actions.officials import (
    ActionCancelSubmission,
    ActionLinkAccount,
    ActionMyAccount,
    ActionSaveSubmission,
    ActionSetReminders,
    ActionStartSubmission,
    ActionSubmissionSummary,
    ActionUnlinkAccount,
    ValidateSubmissionForm,
)
from bot.db import models as m
from bot.db.accounts import AccountRepository
from bot.settings import PROJECT_ROOT

DOMAIN: Dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
TG_USER = "5550001"


@pytest.fixture
def engine(migrated_engine, monkeypatch):
    db_engine = migrated_engine
    monkeypatch.setenv("DATABASE_URL", db_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ASSISTANT_TODAY", "2022-04-20")
    monkeypatch.delenv("IDENTITY_CHANNELS", raising=False)
    monkeypatch.setattr(services, "_repository", None)
    yield db_engine
    if services._repository is not None:
        services._repository.engine.dispose()
    monkeypatch.setattr(services, "_repository", None)


@pytest.fixture
def accounts(engine):
    return AccountRepository(engine)


def tracker(text: str, *, channel: str = "telegram", sender: str = TG_USER, intent: str = "record_submission",
            slots: Optional[Dict[str, Any]] = None, entities: Optional[List[Dict]] = None,
            active_loop: Optional[str] = None, message_id: str = "msg-1") -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or [],
              "intent_ranking": [{"name": intent, "confidence": 1.0}], "message_id": message_id}
    return Tracker(
        sender_id=sender, slots=slots or {}, latest_message=latest,
        events=[{"event": "user", "text": text, "input_channel": channel, "parse_data": latest}],
        paused=False, followup_action=None, active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


async def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    return "\n".join(msg.get("text") or msg.get("response") or "" for msg in dispatcher.messages), events, dispatcher


def submissions(engine) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(m.Submission)).scalar_one()


async def accounts_record(accounts):
    """Quảng Ninh's quarter I report, recorded by the linked Telegram account."""
    accounts.record_for_account("telegram", TG_USER, "QUANGNINH", "BC-2022-Q1", date(2022, 3, 14), "1/BC-UBND")


async def link(accounts, agency="QUANGNINH", sender=TG_USER, channel="telegram"):
    code = accounts.issue_code(agency).code
    reply, events, _ = await run(ActionLinkAccount(), tracker(f"mã liên kết {code}", channel=channel, sender=sender,
                                                              intent="link_account"))
    return reply, events


# ------------------------------------------------------------------------ link
async def test_link_in_a_private_telegram_chat(accounts):
    reply, events = await link(accounts)
    assert reply.startswith("Đã liên kết tài khoản Telegram này với Tỉnh Quảng Ninh.")
    assert events == [SlotSet("agency", "Tỉnh Quảng Ninh"), SlotSet("agency_code", "QUANGNINH")]
    assert accounts.account("telegram", TG_USER).agency_code == "QUANGNINH"


async def test_link_refused_on_the_website_in_groups_and_without_a_code(accounts):
    code = accounts.issue_code("QUANGNINH").code
    reply, events, _ = await run(ActionLinkAccount(), tracker(f"mã {code}", channel="rest", intent="link_account"))
    assert "chỉ thực hiện được qua Telegram hoặc Zalo" in reply and events == []
    reply, _, _ = await run(ActionLinkAccount(), tracker("làm sao để liên kết tài khoản", intent="link_account"))
    assert "mã liên kết dùng một lần" in reply
    assert accounts.list_links() == []
    # the code was not spent by the refusals on the website
    reply, _, _ = await run(ActionLinkAccount(), tracker(f"mã {code}", intent="link_account"))
    assert reply.startswith("Đã liên kết")


async def test_a_code_posted_in_a_group_is_refused_and_burnt(accounts):
    code = accounts.issue_code("QUANGNINH").code
    reply, _, _ = await run(ActionLinkAccount(), tracker(f"mã {code}", sender="-100200300", intent="link_account"))
    assert "không trong nhóm" in reply and "đã bị vô hiệu hóa" in reply
    reply, _, _ = await run(ActionLinkAccount(), tracker(f"mã {code}", intent="link_account"))
    assert reply.startswith("Mã liên kết này đã bị thu hồi") and accounts.list_links() == []
    assert code not in " ".join(e.message for e in accounts.audit_trail())  # never kept in the audit trail


async def test_wrong_codes_say_how_many_tries_are_left_then_lock(accounts, monkeypatch):
    monkeypatch.setenv("LINK_MAX_FAILURES", "3")
    replies = [(await run(ActionLinkAccount(), tracker(f"ABCD{i}-23456", intent="link_account")))[0] for i in (2, 3, 4)]
    assert "Mã liên kết không đúng" in replies[0] and "Còn 2 lần thử" in replies[0]
    assert "tạm bị khóa" in replies[2]
    reply, _ = await link(accounts)
    assert "tạm bị khóa" in reply and accounts.account("telegram", TG_USER) is None


# ------------------------------------------------------------- my agency, account
async def test_my_agency_questions_use_the_linked_agency(accounts):
    def ask(text, channel="telegram", slots=None):
        return run(ValidateAgencyForm(), tracker(text, channel=channel, intent="ask_agency_status",
                                                 slots={"requested_slot": None, **(slots or {})},
                                                 active_loop="agency_form"))

    _, events, _ = await ask("hạn của đơn vị tôi")
    assert [e for e in events if e.get("name") == "agency_code"] == []  # public: the form will ask
    await link(accounts)
    _, events, _ = await ask("đơn vị tôi còn thiếu báo cáo nào")
    assert SlotSet("agency", "Tỉnh Quảng Ninh") in events and SlotSet("agency_code", "QUANGNINH") in events
    # "đơn vị tôi" wins over an agency asked about earlier; no agency named at all also means one's own
    _, events, _ = await ask("DON VI TOI da nop bao cao quy 2 chua", slots={"agency": "Thành phố Hà Nội"})
    assert SlotSet("agency_code", "QUANGNINH") in events
    _, events, _ = await ask("đã nộp báo cáo quý 2 chưa")
    assert SlotSet("agency_code", "QUANGNINH") in events
    # the same user id on the website is a different, public account
    _, events, _ = await ask("hạn của đơn vị tôi", channel="rest")
    assert [e for e in events if e.get("name") == "agency_code"] == []
    reply, _, _ = await run(ActionAgencyStatus(), tracker("đơn vị tôi còn thiếu báo cáo nào", intent="ask_agency_status",
                                                          slots={"agency_code": "QUANGNINH"}))
    # only what is missing: the plan (due 30/04) and the reports of quarters I-IV; none was sent
    assert reply.startswith("Tỉnh Quảng Ninh còn 5 kế hoạch, báo cáo chưa gửi") and "20/04/2022" in reply
    await accounts_record(accounts)
    reply, _, _ = await run(ActionAgencyStatus(), tracker("đơn vị tôi còn thiếu báo cáo nào", intent="ask_agency_status",
                                                          slots={"agency_code": "QUANGNINH"}))
    assert reply.startswith("Tỉnh Quảng Ninh còn 4 kế hoạch, báo cáo chưa gửi") and "quý I/2022" not in reply
    reply, _, _ = await run(ActionMyAccount(), tracker("tài khoản của tôi", intent="ask_my_account"))
    assert "được liên kết với Tỉnh Quảng Ninh" in reply and "Nhắc hạn: đang tắt" in reply


# ------------------------------------------------------------------- recording
async def test_full_recording_flow_writes_one_submission_with_audit(accounts, engine):
    await link(accounts)
    text = "Đơn vị tôi đã gửi báo cáo quý 1 ngày 14/3/2022, số 123/bc-ubnd"
    reply, events, _ = await run(ActionStartSubmission(), tracker(text, message_id="m-42"))
    assert reply == ""
    assert events == [
        SlotSet("sub_allowed", True), SlotSet("sub_pending", False), SlotSet("sub_agency_code", "QUANGNINH"),
        SlotSet("sub_message", text), SlotSet("sub_message_id", "m-42"),
        SlotSet("sub_obligation", None), SlotSet("sub_received_on", None), SlotSet("sub_reference", None),
    ]
    slots = {e["name"]: e["value"] for e in events}
    # the form reads all three details from the same message
    _, form_events, _ = await run(ValidateSubmissionForm(), tracker(
        text, slots={**slots, "requested_slot": "sub_obligation"}, active_loop="submission_form"))
    filled = {e["name"]: e["value"] for e in form_events if e["event"] == "slot"}
    assert filled["sub_obligation"] == "BC-2022-Q1"
    assert filled["sub_received_on"] == "2022-03-14"
    assert filled["sub_reference"] == "123/BC-UBND"
    slots.update(filled)
    reply, events, dispatcher = await run(ActionSubmissionSummary(), tracker("", slots=slots))
    assert "• Cơ quan: Tỉnh Quảng Ninh" in reply and "(BC-2022-Q1)" in reply and "14/03/2022" in reply
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert events == [SlotSet("sub_pending", True)]
    assert submissions(engine) == 0  # nothing before the confirmation
    slots["sub_pending"] = True
    reply, events, _ = await run(ActionSaveSubmission(), tracker("có", intent="affirm", slots=slots))
    assert reply.startswith("Đã ghi nhận: Tỉnh Quảng Ninh gửi báo cáo quý I/2022 (BC-2022-Q1) ngày 14/03/2022, số 123/BC-UBND.")
    assert SlotSet("sub_pending", False) in events and SlotSet("sub_obligation", None) in events
    assert submissions(engine) == 1
    entry = accounts.audit_trail(limit=1)[0]
    assert (entry.action, entry.channel, entry.user_id, entry.message) == (
        "record_submission", "telegram", TG_USER, text)
    # a replayed "có" (the same tracker again) writes nothing more
    reply, _, _ = await run(ActionSaveSubmission(), tracker("có", intent="affirm", slots=slots))
    assert "đã được ghi nhận trước đó" in reply and submissions(engine) == 1
    # after the slots were cleared, "có" has nothing to confirm
    reply, _, _ = await run(ActionSaveSubmission(), tracker("có", intent="affirm", slots={"sub_pending": False}))
    assert reply.startswith("Hiện không có yêu cầu ghi nhận nào") and submissions(engine) == 1


async def test_unlinked_and_other_agency_are_refused_and_nothing_is_written(accounts, engine):
    text = "đã gửi báo cáo quý 1 ngày 14/3/2022 số 1/BC-UBND"
    reply, events, _ = await run(ActionStartSubmission(), tracker(text))
    assert "Tôi không thể ghi nhận" in reply and SlotSet("sub_allowed", False) in events
    await link(accounts, "QUANGNINH")
    hanoi = [{"entity": "agency", "value": "Hà Nội", "agency_code": "HANOI", "start": 0, "end": 6}]
    reply, events, _ = await run(ActionStartSubmission(), tracker("Hà Nội " + text, entities=hanoi))
    assert reply.startswith("Tôi không thể ghi nhận cho Thành phố Hà Nội: tài khoản này được liên kết với Tỉnh Quảng Ninh")
    assert SlotSet("sub_allowed", False) in events
    # the website is public even with the linked user's id and forged slots
    forged = {"sub_pending": True, "sub_agency_code": "QUANGNINH", "sub_obligation": "BC-2022-Q1",
              "sub_received_on": "2022-03-14", "sub_reference": "1/BC-UBND"}
    reply, _, _ = await run(ActionSaveSubmission(), tracker("có", channel="rest", intent="affirm", slots=forged))
    assert "Tôi không thể ghi nhận" in reply
    # a linked account whose slots name another agency is refused at write time
    reply, _, _ = await run(ActionSaveSubmission(), tracker("có", intent="affirm",
                                                            slots={**forged, "sub_agency_code": "HANOI"}))
    assert "Liên kết của tài khoản này vừa thay đổi" in reply
    assert submissions(engine) == 0


async def test_a_message_from_another_channel_voids_the_pending_write(accounts, engine):
    """The tracker is keyed by sender id: a website visitor reusing the official's
    Telegram chat id could have changed the pending details. Nothing is written."""
    await link(accounts)
    slots = {"sub_pending": True, "sub_agency_code": "QUANGNINH", "sub_obligation": "KH-2022",
             "sub_received_on": "2022-04-18", "sub_reference": "45/KH-UBND"}
    t = tracker("có", intent="affirm", slots=slots)
    t.events[:0] = [
        {"event": "action", "name": "action_start_submission"},
        {"event": "user", "text": "đã gửi kế hoạch", "input_channel": "telegram"},
        {"event": "user", "text": "số 999/KH-GIA", "input_channel": "rest"},
    ]
    reply, events, _ = await run(ActionSaveSubmission(), t)
    assert "vừa nhận tin nhắn từ một kênh khác" in reply and SlotSet("sub_pending", False) in events
    assert submissions(engine) == 0


async def test_revoked_between_summary_and_confirmation(accounts, engine):
    await link(accounts)
    slots = {"sub_pending": True, "sub_agency_code": "QUANGNINH", "sub_obligation": "KH-2022",
             "sub_received_on": "2022-04-18", "sub_reference": "45/KH-UBND"}
    accounts.revoke_link(accounts.account("telegram", TG_USER).id)
    reply, _, _ = await run(ActionSaveSubmission(), tracker("có", intent="affirm", slots=slots))
    assert "Tôi không thể ghi nhận" in reply and submissions(engine) == 0


async def test_form_asks_again_for_what_it_cannot_read(accounts):
    await link(accounts)
    slots = {"sub_allowed": True, "sub_agency_code": "QUANGNINH", "sub_obligation": "KH-2022",
             "requested_slot": "sub_received_on"}
    reply, events, _ = await run(ValidateSubmissionForm(), tracker("31/02/2022", slots=slots, active_loop="submission_form"))
    assert "ngày 31/02/2022 không tồn tại" in reply and {"event": "slot", "name": "sub_received_on", "value": None,
                                                         "timestamp": None} in events
    reply, _, _ = await run(ValidateSubmissionForm(), tracker("01/05/2022", slots=slots, active_loop="submission_form"))
    assert "ở sau hôm nay (20/04/2022)" in reply
    _, events, _ = await run(ValidateSubmissionForm(), tracker("hôm qua", slots=slots, active_loop="submission_form"))
    assert SlotSet("sub_received_on", "2022-04-19") in events
    slots.update(sub_received_on="2022-04-19", requested_slot="sub_reference")
    _, events, _ = await run(ValidateSubmissionForm(), tracker("không có số", slots=slots, active_loop="submission_form"))
    assert SlotSet("sub_reference", "") in events
    _, events, _ = await run(ValidateSubmissionForm(), tracker("<b>45</b>/KH-UB;ND", slots=slots,
                                                                active_loop="submission_form"))
    assert SlotSet("sub_reference", "45/KH-UBND") in events  # markup never reaches the database


async def test_cancel_forgets_the_pending_submission(accounts, engine):
    reply, events, _ = await run(ActionCancelSubmission(), tracker("không", intent="deny", slots={"sub_pending": True}))
    assert reply.startswith("Đã hủy") and SlotSet("sub_pending", False) in events and submissions(engine) == 0


# ------------------------------------------------------------------- reminders
async def test_subscribe_and_unsubscribe(accounts):
    reply, _, _ = await run(ActionSetReminders(), tracker("đăng ký nhắc hạn", intent="subscribe_reminders"))
    assert "chỉ dành cho tài khoản cán bộ đã liên kết" in reply
    await link(accounts)
    reply, _, _ = await run(ActionSetReminders(), tracker("đăng ký nhắc hạn", intent="subscribe_reminders"))
    assert "Đã bật nhắc hạn cho Tỉnh Quảng Ninh" in reply and "7 ngày và 1 ngày" in reply
    assert accounts.account("telegram", TG_USER).subscribed is True
    reply, _, _ = await run(ActionSetReminders(), tracker("hủy nhắc hạn", intent="unsubscribe_reminders"))
    assert "Đã tắt nhắc hạn" in reply and accounts.account("telegram", TG_USER).subscribed is False
    reply, _, _ = await run(ActionUnlinkAccount(), tracker("hủy liên kết", intent="unlink_account"))
    assert "Đã hủy liên kết giữa tài khoản này và Tỉnh Quảng Ninh" in reply
    assert accounts.account("telegram", TG_USER) is None
    actions = [a.action for a in accounts.audit_trail()]
    assert actions[:3] == ["unlink", "unsubscribe", "subscribe"]


async def test_a_cancellation_during_the_form_is_left_to_the_rules(accounts):
    await link(accounts)
    slots = {"sub_allowed": True, "sub_agency_code": "QUANGNINH", "requested_slot": "sub_obligation"}
    reply, events, _ = await run(ValidateSubmissionForm(), tracker("thôi, hủy", intent="deny", slots=slots,
                                                                   active_loop="submission_form"))
    # no slot set: the form rejects and the rule "deny while collecting -> cancel" runs
    assert reply == "" and [e for e in events if e.get("event") == "slot" and e["name"].startswith("sub_")] == []


async def test_summary_without_complete_details_writes_nothing_and_says_so(accounts):
    reply, events, _ = await run(ActionSubmissionSummary(), tracker("", slots={"sub_agency_code": "QUANGNINH",
                                                                               "sub_obligation": "KH-2022"}))
    assert reply.startswith("Hiện không có yêu cầu ghi nhận nào") and SlotSet("sub_pending", False) in events
