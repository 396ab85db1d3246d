"""The operators' console (bot.admin) on the session's real Rasa server
(ADMIN_TOKEN set in tests/channels/conftest.py): its API refuses without the
token, with a wrong one, and rate-limits; and in real headless Chromium
(Debian's, as tests/channels/test_widget.py drives it) at phone and desktop
width a staff member signs in, sees the matrix with the shipped data, filters
to provinces, opens an agency, downloads the XLSX and finds the unanswered
question this test asked through REST a moment before, shown as text.
Screenshots go to results/channels/console-*.png.
"""
from __future__ import annotations

import subprocess
import sys
import time
import uuid
from urllib.parse import urlparse

import openpyxl
import pytest
import requests

from bot.settings import PROJECT_ROOT
from tests.channels.conftest import (
    ADMIN_LOCKOUT_MINUTES,
    ADMIN_MAX_FAILURES,
    ADMIN_TOKEN,
    ARTIFACTS,
    ChannelAssistant,
)
from tests.channels.test_widget import CHROMIUM, FLAGS
from tests.e2e.conftest import TODAY

STAFF, PASSWORD = "lan.nguyen", "mat-khau-bang-dieu-khien"
HTML_QUESTION = "<img src=x onerror=alert(1)>"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def staff(channel_assistant: ChannelAssistant) -> str:
    """A staff account made with the operator's command, as the README says."""
    done = subprocess.run([sys.executable, "-m", "bot", "staff", "add", STAFF, "--password-stdin"],
                          input=PASSWORD + "\n", text=True, capture_output=True, cwd=PROJECT_ROOT,
                          env=channel_assistant.extra["env"])
    assert done.returncode == 0, done.stderr
    return STAFF


def ask(assistant: ChannelAssistant, text: str, sender: str = "") -> list:
    answer = requests.post(f"{assistant.url}/webhooks/rest/webhook",
                           json={"sender": sender or f"console-{uuid.uuid4().hex[:8]}", "message": text}, timeout=60)
    answer.raise_for_status()
    return answer.json()


def test_api_needs_the_token_and_limits_wrong_ones(channel_assistant: ChannelAssistant) -> None:
    url = channel_assistant.url
    for path in ("/admin/api/status", "/admin/api/unanswered?since=2022-01-01", "/admin/api/health"):
        answer = requests.get(url + path, timeout=30)
        assert answer.status_code == 401 and set(answer.json()) == {"error"}, path
    for body in ("not json", "[1, 2]", '{"username": "lan.nguyen"}'):  # bad sign-ins: a clear 401, never a crash
        answer = requests.post(f"{url}/admin/login", data=body, headers={"Content-Type": "application/json"}, timeout=30)
        assert answer.status_code == 401 and answer.json()["error"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    time.sleep(ADMIN_LOCKOUT_MINUTES * 60 + 0.5)  # those three were failures too
    wrong = requests.get(f"{url}/admin/api/status", headers=bearer("not-the-token"), timeout=30)
    assert wrong.status_code == 401 and "agencies" not in wrong.text
    matrix = requests.get(f"{url}/admin/api/status", headers=bearer(ADMIN_TOKEN), timeout=30)
    assert matrix.status_code == 200 and len(matrix.json()["agencies"]) == 93
    bad_date = requests.get(f"{url}/admin/api/unanswered?since=31/12/2022", headers=bearer(ADMIN_TOKEN), timeout=30)
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in bad_date.json()["error"]

    # wrong secrets from one address: refused with 429, even with the right token, until the window passes
    for _ in range(ADMIN_MAX_FAILURES - 1):
        assert requests.get(f"{url}/admin/api/status", headers=bearer("guess"), timeout=30).status_code == 401
    limited = requests.get(f"{url}/admin/api/status", headers=bearer(ADMIN_TOKEN), timeout=30)
    assert limited.status_code == 429 and "thử lại" in limited.json()["error"]
    assert requests.post(f"{url}/admin/login", json={"username": STAFF, "password": PASSWORD},
                         timeout=30).status_code == 429
    time.sleep(ADMIN_LOCKOUT_MINUTES * 60 + 0.5)
    assert requests.get(f"{url}/admin/api/status", headers=bearer(ADMIN_TOKEN), timeout=30).status_code == 200
    log = channel_assistant.log_text()
    assert "not-the-token" not in log and "guess" not in log and "a wrong API token" in log


@pytest.mark.parametrize("size", list(SIZES))
def test_console_in_chromium(channel_assistant: ChannelAssistant, staff: str, size: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: run `make chromium` (make test-channels does)")
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    question = f"Cho hỏi giá vé xem bóng đá ở sân Mỹ Đình tuần sau ({size}) là bao nhiêu?"
    for text in (HTML_QUESTION, question):
        assert ask(channel_assistant, text), "the assistant did not answer"
    # a rating in the chat: "Chưa đúng" under an answer, then what was wrong
    rater, comment = f"console-rater-{size}", f"Thiếu ngày ký ({size})"
    assert ask(channel_assistant, "Văn bản 797 có số hiệu là gì?", rater)
    assert ask(channel_assistant, "/answer_wrong", rater)
    assert ask(channel_assistant, comment, rater)
    url, width = channel_assistant.url, SIZES[size]["width"]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        context = browser.new_context(viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone",
                                      locale="vi-VN", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        origin = urlparse(url).netloc
        foreign, dialogs = [], []
        page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).netloc not in (origin, "") else None)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            page.goto(f"{url}/admin/")
            assert page.title().startswith("Trợ lý 797")
            page.fill("input[name=username]", staff)
            page.fill("input[name=password]", "sai-mat-khau-roi")
            page.click("#login-form button[type=submit]")
            page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.").wait_for()
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")

            # the matrix with the shipped data: 93 addressees, sample rows marked
            page.locator("#matrix tbody tr[data-code]").first.wait_for()
            assert page.locator("#matrix tbody tr[data-code]").count() == 93
            assert page.locator("#matrix td.st-sample").count() > 0
            assert page.locator("#matrix td.st-overdue").count() > 0
            cookie = next(c for c in context.cookies() if c["name"] == "tl797_admin")
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(ARTIFACTS / f"console-{size}-matrix.png"), full_page=size == "phone")

            # filter to provinces, search, open one agency
            page.select_option("#kind-filter", "provinces")
            rows = page.locator("#matrix tbody tr[data-code]")
            assert rows.count() == 63
            assert all(n.startswith(("Tỉnh", "Thành phố")) for n in rows.locator("a").all_inner_texts())
            page.fill("#search", "quang ninh")
            assert rows.count() == 1
            rows.first.locator("a").click()
            page.locator("#agency-name", has_text="Tỉnh Quảng Ninh").wait_for()
            assert page.locator("#agency-cells tbody tr").count() >= 2
            page.screenshot(path=str(ARTIFACTS / f"console-{size}-agency.png"), full_page=True)
            page.click("#agency-back")

            # the XLSX download is the operator's export
            with page.expect_download() as download:
                page.click("#dl-xlsx")
            assert download.value.suggested_filename == f"tinh-hinh-{TODAY}.xlsx"
            saved = ARTIFACTS / f"console-{size}.xlsx"
            download.value.save_as(str(saved))
            sheet = openpyxl.load_workbook(saved).active
            assert next(sheet.values)[0] == "ma_co_quan" and sheet.max_row > 93

            # the questions asked a moment ago, as text
            page.click("nav button[data-tab=questions]")
            page.locator("#unanswered .question", has_text=question).wait_for()
            shown = page.locator("#unanswered .question", has_text="onerror")
            assert shown.first.text_content() == HTML_QUESTION
            assert page.locator("#unanswered img").count() == 0 and dialogs == []
            assert page.evaluate("typeof Chart") == "function"
            assert page.locator("#intents tbody tr").count() > 0
            rating = page.locator("#feedback li.rating", has=page.locator("li", has_text=comment))
            rating.wait_for()
            assert "797/BTTTT-THH" in rating.locator(".answer").text_content()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(ARTIFACTS / f"console-{size}-questions.png"), full_page=True)

            # marking a group handled takes it out of the default view (and is audited)
            group = page.locator("#unanswered li.group", has=page.locator(".question", has_text=question))
            group.locator("button").click()
            page.locator("#unanswered .question", has_text=question).wait_for(state="detached")

            page.click("nav button[data-tab=system]")
            page.locator("#channels li", has_text="Telegram").wait_for()
            page.screenshot(path=str(ARTIFACTS / f"console-{size}-system.png"), full_page=True)
        finally:
            context.close()
            browser.close()
    assert foreign == [], f"the console loaded something from another host: {foreign}"
    audit = subprocess.run([sys.executable, "-m", "bot", "audit", "--limit", "5"], capture_output=True, text=True,
                           cwd=PROJECT_ROOT, env=channel_assistant.extra["env"], check=True).stdout
    assert f"console:{staff}" in audit and "đánh dấu câu hỏi đã xử lý" in audit
