"""The channels' short-lived state survives a restart of the Rasa server
(bot.channels.state, here on its SQLite file as with ``make run``): a
Telegram update delivered again after the restart is answered once, and a
button whose payload was too long for ``callback_data`` still works."""
from __future__ import annotations

import itertools
import json
import time

import requests

from tests.channels.conftest import API_TOKEN, ChannelAssistant
from tests.channels.test_telegram import BOT, USER, message, post, private_chat, texts

_chat_ids = itertools.count(790_000_001)
# a payload the assistant accepts (an agency answer) but too long for Telegram's 64-byte callback_data
LONG_PAYLOAD = '/inform_agency{"agency":"Ủy ban nhân dân Thành phố Hồ Chí Minh"}'


def send_buttons(a: ChannelAssistant, conversation: str) -> None:
    """The assistant sends a message with one long-payload button through the
    Telegram channel (Rasa's HTTP API: a bot event with side effects)."""
    event = {"event": "bot", "text": "Anh/chị hỏi về cơ quan nào?", "timestamp": time.time(),
             "data": {"buttons": [{"title": "UBND TP. Hồ Chí Minh", "payload": LONG_PAYLOAD}]}}
    answer = requests.post(f"{a.url}/conversations/{conversation}/tracker/events",
                           params={"token": API_TOKEN, "output_channel": "telegram", "execute_side_effects": "true"},
                           json=event, timeout=60)
    assert answer.status_code == 200, answer.text


def test_update_ids_and_long_buttons_survive_a_restart(channel_assistant: ChannelAssistant) -> None:
    a = channel_assistant
    chat = private_chat(next(_chat_ids))
    update = {"update_id": 499_000_001, "message": message(chat, text="Văn bản 797 ban hành ngày nào?")}
    assert post(a, json.loads(json.dumps(update))).status_code == 200
    assert len(texts(a, chat["id"])) == 1

    other = private_chat(next(_chat_ids))
    send_buttons(a, f"telegram:{other['id']}")
    sent = a.telegram.sent_to(other["id"])[-1]
    keyboard = json.loads(sent["reply_markup"])["inline_keyboard"]
    data = keyboard[0][0]["callback_data"]
    assert data.startswith("#") and len(data.encode("utf-8")) <= 64

    launcher = a.extra["launcher"]
    launcher.stop("rasa")
    launcher.start("rasa")
    launcher.wait_ready("rasa")

    # Telegram delivers the same update again (it got no answer in time): not answered twice
    assert post(a, json.loads(json.dumps(update))).status_code == 200
    assert len(texts(a, chat["id"])) == 1

    # the button sent before the restart still carries its full payload
    query = {"id": "after-restart-1", "from": dict(USER, id=other["id"]), "chat_instance": "-43", "data": data,
             "message": {"message_id": 1003, "from": BOT, "chat": other, "date": int(time.time()),
                         "text": sent["text"], "reply_markup": {"inline_keyboard": keyboard}}}
    assert post(a, {"callback_query": query}).status_code == 200
    user_events = [e for e in a.tracker(f"telegram:{other['id']}")["events"] if e.get("event") == "user"]
    assert [e["text"] for e in user_events] == [LONG_PAYLOAD]
    assert not any(t.startswith("Nút này đã hết hạn") for t in texts(a, other["id"]))
