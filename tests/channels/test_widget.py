"""The website widget in real headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright; no browser is downloaded): open the page at phone width,
ask, press a quick reply, reload, see the history and keep chatting, drop
the connection and keep chatting.

Keeping chatting after the reload is what proves the socket.io fix: the
reloaded page is a new socket that must join its session's room, and with
Rasa 3.6's unawaited ``enter_room`` its replies would be lost.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.channels.conftest import ARTIFACTS, ChannelAssistant

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: run `make chromium` (make test-channels does)")
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN")
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def test_widget_chat_quick_reply_reload_and_history(channel_assistant: ChannelAssistant, browser) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    origin = urlparse(channel_assistant.url).netloc
    foreign = []
    page.on("request", lambda r: foreign.append(r.url)
            if urlparse(r.url).netloc not in (origin, "") and not r.url.startswith("data:") else None)
    page.set_default_timeout(30_000)
    page.goto(f"{channel_assistant.url}/widget/")

    # Vietnamese interface, greeting from /greet with quick replies
    assert page.title().startswith("Trợ lý 797")
    box = page.locator(".rw-new-message")
    box.wait_for()
    assert box.get_attribute("placeholder") == "Nhập câu hỏi của anh/chị…"
    page.get_by_text("Xin chào anh/chị!", exact=False).first.wait_for()
    page.locator(".rw-reply", has_text="6 định hướng phổ cập").first.wait_for()

    # a quick reply continues the conversation (the widget shows quick replies of the last message only)
    page.locator(".rw-reply", has_text="6 định hướng phổ cập").last.click()
    page.get_by_text("6 nội dung phổ cập", exact=False).first.wait_for()

    # a typed question gets the right answer
    box.fill("Văn bản 797 có số hiệu là gì?")
    box.press("Enter")
    page.get_by_text("có số hiệu 797/BTTTT-THH", exact=False).first.wait_for()
    # under an answer about the directive: the two quick replies that rate it
    page.locator(".rw-reply", has_text="Hữu ích").last.wait_for()
    page.locator(".rw-reply", has_text="Chưa đúng").last.wait_for()
    # the privacy notice (WIDGET_PRIVACY_NOTICE, default: retention and Decree 13/2023/NĐ-CP)
    assert "Nghị định 13/2023/NĐ-CP" in page.locator(".privacy").inner_text()

    # readable at phone width: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # reload: the history is still there, and new questions still get answers
    page.reload()
    page.locator(".rw-new-message").wait_for()
    page.get_by_text("có số hiệu 797/BTTTT-THH", exact=False).first.wait_for()
    page.get_by_text("6 nội dung phổ cập", exact=False).first.wait_for()
    box = page.locator(".rw-new-message")
    box.fill("Văn bản 797 ban hành ngày nào?")
    box.press("Enter")
    page.get_by_text("ngày 6 tháng 3 năm 2022", exact=False).first.wait_for()

    # a dropped connection: every TCP connection from the browser to the
    # server is killed (`ss -K`, as root); socket.io must open a new one by
    # itself, and the same conversation goes on
    reconnects = []
    page.on("websocket", lambda ws: reconnects.append(ws.url))
    page.on("request", lambda r: reconnects.append(r.url) if "/socket.io/" in r.url and "sid=" not in r.url else None)
    port = urlparse(channel_assistant.url).port
    subprocess.run(["ss", "-K", "-t", "dport", "=", f":{port}"], check=True, capture_output=True)
    for _ in range(60):
        if reconnects:
            break
        page.wait_for_timeout(500)
    assert reconnects, "socket.io did not reconnect after the connection dropped"
    box = page.locator(".rw-new-message")
    box.fill("Có mấy nhiệm vụ, giải pháp trọng tâm?")
    box.press("Enter")
    page.get_by_text("22 nhiệm vụ", exact=False).first.wait_for()
    page.get_by_text("có số hiệu 797/BTTTT-THH", exact=False).first.wait_for()  # history kept
    page.screenshot(path=str(ARTIFACTS / "widget.png"), full_page=True)

    assert foreign == [], f"the page loaded something from another host: {foreign}"
    page.close()
