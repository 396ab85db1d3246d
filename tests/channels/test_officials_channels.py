"""Officials' workflow end to end: the operator CLI issues codes, officials link
and record through the real Rasa server over the Telegram and Zalo webhooks
(fake platforms), and the reminder command delivers through the same fakes."""
from __future__ import annotations

import re
import subprocess
from typing import List

from sqlalchemy import func, select

from bot.db import models as m
from bot.db.session import make_engine
from tests.channels.conftest import ChannelAssistant
from tests.channels.test_telegram import message, post, private_chat, texts
from tests.channels import test_zalo as zalo
from tests.e2e.conftest import BIN, ROOT


def cli(assistant: ChannelAssistant, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "python"), "-m", "bot", *args], cwd=ROOT, env=assistant.extra["env"],
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
    # Telegram retries the same update: it is answered and written once
    update_id = 912_345_678
    first = say(a, chat, "có", update_id=update_id)
    again = say(a, chat, "có", update_id=update_id)
    assert first.startswith("Đã ghi nhận: Tỉnh Quảng Ninh gửi BC-2022-Q1 ngày 14/03/2022, số 123/BC-UBND.")
    assert again == ""
    # a second "có" typed later has nothing left to confirm
    assert "không có yêu cầu ghi nhận nào" in say(a, chat, "có")
    assert submissions(a, "QUANGNINH") == [("BC-2022-Q1", "123/BC-UBND")]
    audit = cli(a, "audit", "--agency", "QUANGNINH").stdout
    assert "record_submission" in audit and f"telegram:{chat['id']}" in audit

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
    a.zalo.wait_for_calls(lambda c: c.get("kind") == "cs" and "Tình hình nộp" in str(c) and user in str(c),
                          timeout_s=60)
    assert any("Bộ Y tế" in t and "Tình hình nộp" in t for t in a.zalo.texts_to(user))
