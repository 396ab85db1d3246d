"""Officials' workflow end to end: the operator CLI issues codes, officials link
and record through the real Rasa server over the Telegram and Zalo webhooks
(fake platforms), and the reminder command delivers through the same fakes."""
from __future__ import annotations

import re
import subprocess
import sys
from typing import List

from sqlalchemy import func, select

from bot.db import models as m
from bot.db.session import make_engine
from bot.settings import PROJECT_ROOT
from tests.channels import test_zalo as zalo
from tests.channels.conftest import ChannelAssistant
from tests.channels.test_telegram import message, post, private_chat, texts


def cli(assistant: ChannelAssistant, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env=assistant.extra["env"],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def issue_code(assistant: ChannelAssistant, agency: str) -> str:
    r = cli(assistant, "link-code", agency)
    assert r.returncode == 0, r.stderr
    return re.search(r": ([A-Z0-9]{5}-[A-Z0-9]{5})", r.stdout).group(1)


def submissions(assistant: ChannelAssistant, agency_code: str) -> List[tuple]:
    engine = make_engine(assistant.extra["env"]["DATABASE_URL"])
    try:
        with engine.connect() as c:
            return c.execute(
                select(m.Obligation.code, m.Submission.reference_number)
                .join(m.Obligation, m.Submission.obligation_id == m.Obligation.id)
                .join(m.Agency, m.Submission.agency_id == m.Agency.id)
                .where(m.Agency.code == agency_code, m.Submission.is_sample.is_(False))).all()
    finally:
        engine.dispose()


def say(assistant: ChannelAssistant, chat: dict, text: str, update_id: int = None) -> str:
    update = {"message": message(chat, text=text)}
    if update_id is not None:
        update["update_id"] = update_id
    before = len(texts(assistant, chat["id"]))
    assert post(assistant, update).status_code == 200
    return "\n".join(texts(assistant, chat["id"])[before:])


def test_telegram_official_links_records_once_and_gets_a_reminder(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat = private_chat(880_000_001)
    code = issue_code(a, "Quảng Ninh")
    assert "Đã liên kết tài khoản Telegram này với Tỉnh Quảng Ninh" in say(a, chat, f"/start {code}")

    reply = say(a, chat, "hạn của đơn vị tôi")
    assert "Tỉnh Quảng Ninh" in reply and "10/05/2022" in reply

    reply = say(a, chat, "Thành phố Hà Nội đã gửi báo cáo quý 1 ngày 14/3/2022 số 9/BC-UBND")
    assert "không thể ghi nhận cho Thành phố Hà Nội" in reply
    assert submissions(a, "HANOI") == []

    reply = say(a, chat, "Đơn vị tôi đã gửi báo cáo quý 1 ngày 14/3/2022, số 123/BC-UBND")
    assert "• Văn bản: Báo cáo quý I/2022 (BC-2022-Q1)" in reply and "Trả lời \"có\"" in reply
    assert "bản ghi mẫu" in reply  # the shipped sample for this report will give way
    # Telegram retries the same update: it is answered and written once
    update_id = 912_345_678
    first = say(a, chat, "có", update_id=update_id)
    again = say(a, chat, "có", update_id=update_id)
    assert first.startswith("Đã ghi nhận: Tỉnh Quảng Ninh gửi báo cáo quý I/2022 (BC-2022-Q1) ngày 14/03/2022, số 123/BC-UBND.")
    assert again == ""
    # a second "có" typed later has nothing left to confirm
    assert "không có yêu cầu ghi nhận nào" in say(a, chat, "có")
    assert submissions(a, "QUANGNINH") == [("BC-2022-Q1", "123/BC-UBND")]
    audit = cli(a, "audit", "--agency", "QUANGNINH").stdout
    assert "ghi nhận văn bản" in audit and f"telegram:{chat['id']}" in audit

    assert "Đã bật nhắc hạn cho Tỉnh Quảng Ninh" in say(a, chat, "đăng ký nhắc hạn")
    # 7 days before the quarter II report (15/06/2022): one reminder, even when run twice
    for _ in range(2):
        r = cli(a, "reminders", "run-once", "--today", "2022-06-08")
        assert r.returncode == 0, r.stderr
    reminders = [t for t in texts(a, chat["id"]) if t.startswith("Nhắc hạn")]
    assert len(reminders) == 1 and "quý II" in reminders[0] and "còn 7 ngày" in reminders[0], reminders


def test_unlinked_telegram_account_cannot_record(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat = private_chat(880_000_002)
    reply = say(a, chat, "Đơn vị tôi đã gửi kế hoạch năm 2022 ngày 20/4/2022 số 4567/KH-UBND")
    assert "Tôi không thể ghi nhận" in reply
    assert "có yêu cầu ghi nhận nào" in say(a, chat, "có")
    engine = make_engine(a.extra["env"]["DATABASE_URL"])
    with engine.connect() as c:
        written = c.execute(select(func.count()).select_from(m.Submission)
                            .where(m.Submission.reference_number == "4567/KH-UBND")).scalar_one()
    engine.dispose()
    assert written == 0


def test_zalo_official_links_and_asks_for_own_agency(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    user = "7712345678901234567"
    code = issue_code(a, "Bộ Y tế")
    assert zalo.post(a, zalo.text_event(user, f"mã liên kết {code.lower()}")).status_code == 200
    a.zalo.wait_for_calls(lambda c: c.get("kind") == "cs" and "Đã liên kết" in str(c), timeout_s=60)
    assert any("Đã liên kết tài khoản Zalo này với Bộ Y tế" in t for t in a.zalo.texts_to(user))
    assert zalo.post(a, zalo.text_event(user, "don vi toi con thieu bao cao nao")).status_code == 200
    a.zalo.wait_for_calls(lambda c: c.get("kind") == "cs" and "chưa gửi" in str(c) and user in str(c),
                          timeout_s=60)
    assert any(t.startswith("Bộ Y tế còn") and "chưa gửi" in t for t in a.zalo.texts_to(user))


def test_telegram_form_asks_for_missing_details_and_can_be_cancelled(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat = private_chat(880_000_003)
    assert "Đã liên kết" in say(a, chat, f"mã liên kết {issue_code(a, 'Bộ Tài chính')}")

    reply = say(a, chat, "tôi muốn ghi nhận văn bản đã gửi")
    assert "Anh/chị muốn ghi nhận văn bản nào" in reply
    buttons = a.telegram.sent_to(chat["id"])[-1].get("reply_markup") or ""
    assert "BC-2022-Q2" in buttons  # one button per obligation not yet sent
    assert "gửi Bộ TT&TT ngày nào" in say(a, chat, "báo cáo quý II")
    assert "không tồn tại" in say(a, chat, "31/02/2022")
    assert "Số hiệu của văn bản" in say(a, chat, "ngày 10/5/2022")
    reply = say(a, chat, "15/BC-BTC")
    assert "• Cơ quan: Bộ Tài chính" in reply and "(BC-2022-Q2)" in reply and "10/05/2022" in reply
    assert say(a, chat, "không").startswith("Đã hủy")
    assert submissions(a, "BTC") == []

    # cancelled half-way through the questions
    assert "Anh/chị muốn ghi nhận văn bản nào" in say(a, chat, "ghi nhận đã gửi báo cáo")
    assert say(a, chat, "thôi, hủy").startswith("Đã hủy")
    assert "không có yêu cầu ghi nhận nào" in say(a, chat, "có")
    assert submissions(a, "BTC") == []


def test_group_chats_cannot_link_or_record(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    group = {"id": -1001880000004, "title": "Tổ chuyển đổi số", "type": "supergroup"}
    code = issue_code(a, "Bộ Y tế")
    reply = say(a, group, f"@TroLy797Bot mã liên kết {code}")
    assert "không trong nhóm" in reply
    reply = say(a, group, "@TroLy797Bot đã gửi báo cáo quý 1 ngày 14/3/2022 số 3/BC-BYT")
    assert "Tôi không thể ghi nhận trong nhóm chat" in reply
    assert submissions(a, "BYT") == []


def test_zalo_reminder_delivered_and_a_refused_one_shown_to_the_operator(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    delivered, refused = "7712345678900000001", "7712345678900000002"
    for user, agency in ((delivered, "Bộ Công an"), (refused, "Bộ Quốc phòng")):
        code = issue_code(a, agency)
        assert zalo.post(a, zalo.text_event(user, f"mã liên kết {code}")).status_code == 200
        a.zalo.wait_for_calls(lambda c, u=user: c.get("kind") == "cs" and "Đã liên kết" in str(c) and u in str(c),
                              timeout_s=60)
        assert zalo.post(a, zalo.text_event(user, "đăng ký nhắc hạn")).status_code == 200
        a.zalo.wait_for_calls(lambda c, u=user: c.get("kind") == "cs" and "Đã bật nhắc hạn" in str(c) and u in str(c),
                              timeout_s=60)
    a.zalo.refuse(refused)
    # the day before the quarter III report (15/09/2022)
    r = cli(a, "reminders", "run-once", "--today", "2022-09-14")
    assert r.returncode == 0, r.stderr
    got = [t for t in a.zalo.texts_to(delivered) if t.startswith("Nhắc hạn")]
    assert len(got) == 1 and "quý III" in got[0] and "còn 1 ngày" in got[0] and "Bộ Công an" in got[0]
    failed = cli(a, "reminders", "list", "--status", "failed")
    assert refused in failed.stdout or refused[-6:] in failed.stdout or "Bộ Quốc phòng" in failed.stdout, failed.stdout
    assert "-230" in failed.stdout or "7 ngày" in failed.stdout, failed.stdout
