"""Every channel through nginx to two Rasa servers (issue 13): a Telegram
conversation and a widget (socket.io) conversation go on when the server that
served them is killed midway (one kill for both) — nginx fails over to the
survivor, which knows the conversation from PostgreSQL — a Zalo conversation
keeps its context across the servers, and the widget's WebSocket upgrade
passes through nginx.

Telegram and Zalo updates are POSTed to nginx as the platforms would; the
replies are read from the fake platform servers (tests/support/fakes.py). The
widget is played by python-socketio's client over long polling, doing what
the widget does on every (re)connection: ``session_request`` with the session
id the server last confirmed; the WebSocket upgrade through nginx by
engine.io/socket.io frames over a plain WebSocket (python-engineio's own
WebSocket transport needs a newer aiohttp than Rasa 3.6 allows). Which server
answered comes from nginx's access log (``upstream=``).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any, Dict, List

import requests

from bot.channels.conversations import conversation_id
from tests.channels.test_telegram import message, private_chat
from tests.channels.test_zalo import new_user, sign, text_event
from tests.support.fakes import TELEGRAM_TOKEN, ZALO_ACCESS_TOKEN, ZALO_APP_SECRET, ZALO_REFRESH_TOKEN

from .conftest import TELEGRAM_SECRET, ZALO_OA_SECRET_KEY, Cluster

QUESTION = "Bộ Y tế đã nộp báo cáo quý 1 chưa?"
FOLLOW_UP = "còn quý 4 thì sao?"
FOLLOW_UP_ANSWER = "Bộ Y tế — báo cáo quý IV/2022"

_updates = itertools.count(610_000_000)
_chats = itertools.count(880_100_001)


def _telegram(cluster: Cluster, chat: Dict[str, Any], text: str) -> str:
    """POST a text message from ``chat`` to nginx; the text the fake Bot API got for that chat."""
    before = len(cluster.telegram.sent_to(chat["id"]))
    answer = requests.post(f"{cluster.lb}/webhooks/telegram/webhook", timeout=90,
                           json={"update_id": next(_updates), "message": message(chat, text=text)},
                           headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert answer.status_code == 200, (answer.status_code, answer.text)
    # the connector answers Telegram after sending the replies
    return "\n".join(m["text"] for m in cluster.telegram.sent_to(chat["id"])[before:])


# First: it kills no server, so no restart is needed after it.
def test_zalo_conversation_through_nginx_keeps_its_context(cluster: Cluster) -> None:
    user = new_user()

    def say(text: str) -> str:
        before = len(cluster.zalo.texts_to(user))
        event = text_event(user, text)
        raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
        answer = requests.post(f"{cluster.lb}/webhooks/zalo/webhook", data=raw, timeout=10,
                               headers={"Content-Type": "application/json",
                                        "X-ZEvent-Signature": sign(raw, str(event["timestamp"]),
                                                                   key=ZALO_OA_SECRET_KEY)})
        assert answer.status_code == 200, answer.text
        # acknowledged at once, answered in the background
        cluster.zalo.wait_for_calls(lambda c: c["kind"] == "cs" and c["body"]["recipient"]["user_id"] == user,
                                    count=before + 1, timeout_s=90)
        time.sleep(1)  # the rest of the turn's replies
        return "\n".join(cluster.zalo.texts_to(user)[before:])

    first = say(QUESTION)
    assert "Bộ Y tế" in first and "quý I/2022" in first, first
    assert FOLLOW_UP_ANSWER in say(FOLLOW_UP)
    # round robin: the two messages went to the two servers
    servers = {line["upstream"] for line in cluster.access_log("/webhooks/zalo/")}
    assert servers == {base.rsplit("/", 1)[-1] for base in cluster.servers}, servers


def test_widget_page_through_nginx(cluster: Cluster) -> None:
    page = requests.get(f"{cluster.lb}/widget/", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"], page.status_code
    assert "<title>Trợ lý 797" in page.text
    assert 'socketPath: "/socket.io/"' in page.text  # the widget talks to the same origin: nginx


async def _websocket_chat(cluster: Cluster, text: str) -> Dict[str, Any]:
    """A widget session over a WebSocket through nginx (engine.io v4 frames):
    ``session_request``, then ``text``; the confirmed session id and the first reply."""
    import websockets

    url = cluster.lb.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"

    async def receive(ws: Any, prefix: str) -> str:
        while True:
            frame = await asyncio.wait_for(ws.recv(), 90)
            if frame == "2":            # engine.io ping
                await ws.send("3")
            elif frame.startswith(prefix):
                return frame[len(prefix):]

    async with websockets.connect(url, open_timeout=30) as ws:
        opened = json.loads(await receive(ws, "0"))
        await ws.send("40")
        await receive(ws, "40")
        await ws.send("42" + json.dumps(["session_request", {"session_id": None}]))
        event, session_id = json.loads(await receive(ws, "42"))
        assert event == "session_confirm", event
        await ws.send("42" + json.dumps(["user_uttered", {"message": text, "session_id": session_id}],
                                        ensure_ascii=False))
        event, reply = json.loads(await receive(ws, "42"))
        assert event == "bot_uttered", event
    return {"engine_sid": opened["sid"], "session_id": session_id, "reply": reply}


def test_widget_over_websocket_through_nginx(cluster: Cluster) -> None:
    got = asyncio.run(_websocket_chat(cluster, "Văn bản 797 có số hiệu là gì?"))
    assert "797/BTTTT-THH" in got["reply"].get("text", ""), got
    # nginx passed the upgrade (101) to one server, which kept the socket; the
    # line is written once the socket has closed
    lines: List[Dict[str, str]] = []
    for _ in range(50):
        lines = [line for line in cluster.access_log("/socket.io/") if "transport=websocket" in line["uri"]]
        if lines:
            break
        time.sleep(0.1)
    assert lines and lines[-1]["status"] == "101" and lines[-1]["upstream_status"] == "101", lines


async def _widget_and_telegram_across_a_kill(cluster: Cluster) -> Dict[str, Any]:
    """A widget conversation (long polling) and a Telegram conversation through
    nginx; the widget's server is killed once both have asked about Bộ Y tế (the
    Telegram conversation's last message served by that server too); then both
    ask the follow-up. Returns what happened, for the test to check."""
    import socketio

    loop = asyncio.get_running_loop()
    client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2)
    confirmed: asyncio.Queue = asyncio.Queue()
    replies: asyncio.Queue = asyncio.Queue()
    state: Dict[str, Any] = {"session_id": None, "confirmed": [], "engine_sids": [], "telegram_before": []}

    @client.event
    async def connect() -> None:  # as the widget does: ask for the stored session (none at first)
        state["engine_sids"].append(client.eio.sid)
        await client.emit("session_request", {"session_id": state["session_id"]})

    @client.on("session_confirm")
    async def session_confirm(session_id: str) -> None:
        state["session_id"] = session_id  # the server's id (it may issue or re-sign one)
        state["confirmed"].append(session_id)
        confirmed.put_nowait(session_id)

    @client.on("bot_uttered")
    async def bot_uttered(reply: Dict[str, Any]) -> None:
        replies.put_nowait(reply)

    async def ask(text: str) -> str:
        while not replies.empty():
            replies.get_nowait()
        await client.emit("user_uttered", {"message": text, "session_id": state["session_id"]})
        got: List[str] = [str((await asyncio.wait_for(replies.get(), 90)).get("text", ""))]
        await asyncio.sleep(1)  # the rest of the turn's replies
        while not replies.empty():
            got.append(str(replies.get_nowait().get("text", "")))
        return "\n".join(got)

    async def telegram(text: str) -> str:
        return await loop.run_in_executor(None, _telegram, cluster, chat, text)

    chat = private_chat(next(_chats))
    await client.connect(cluster.lb, socketio_path="/socket.io", transports=["polling"], wait_timeout=30)
    try:
        await asyncio.wait_for(confirmed.get(), 30)
        state["widget_first"] = await ask(QUESTION)
        sid = client.eio.sid
        lines = [line for line in cluster.access_log("/socket.io/") if f"sid={sid}" in line["uri"]]
        state["served_by"] = dead = lines[-1]["upstream"]
        # Telegram (round robin): ask, then follow up until a message was served by the server to be killed
        for text in (QUESTION, "còn quý 2 thì sao?", "còn quý 3 thì sao?"):
            state["telegram_before"].append(await telegram(text))
            state["telegram_last_before"] = cluster.access_log("/webhooks/telegram/")[-1]["upstream"]
            if state["telegram_last_before"] == dead:
                break

        await loop.run_in_executor(None, cluster.kill, cluster.name_of(dead))

        state["telegram_follow_up"] = await telegram(FOLLOW_UP)
        state["telegram_later"] = await telegram("còn quý 2 thì sao?")
        state["telegram_after"] = cluster.access_log("/webhooks/telegram/")[-2:]
        # socket.io notices the closed socket and reconnects (through nginx, to the survivor)
        await asyncio.wait_for(confirmed.get(), 60)
        state["new_sid"] = client.eio.sid
        state["widget_follow_up"] = await ask(FOLLOW_UP)
        state["new_lines"] = [line for line in cluster.access_log("/socket.io/")
                              if f"sid={state['new_sid']}" in line["uri"]]
    finally:
        await client.disconnect()
    return state


def test_telegram_and_widget_conversations_through_nginx_go_on_when_their_server_dies(cluster: Cluster) -> None:
    """One kill for both channels (each restart of a server costs ~45 s of ``make test-cluster``)."""
    state = asyncio.run(_widget_and_telegram_across_a_kill(cluster))
    dead = state["served_by"]
    survivor = next(base for base in cluster.servers if not base.endswith(dead))
    alive = survivor.rsplit("/", 1)[-1]

    # before the kill: both conversations know Bộ Y tế; Telegram's last message was served by the doomed server
    assert "Bộ Y tế" in state["widget_first"] and "quý I/2022" in state["widget_first"], state
    first = state["telegram_before"][0]
    assert "Bộ Y tế" in first and "quý I/2022" in first, state
    assert state["telegram_last_before"] == dead, state

    # Telegram after the kill: the follow-up needs the agency, the survivor reads it from PostgreSQL
    assert FOLLOW_UP_ANSWER in state["telegram_follow_up"], state
    assert "Bộ Y tế — báo cáo quý II/2022" in state["telegram_later"], state
    after = state["telegram_after"]
    assert all(line["status"] == "200" and line["upstream"].endswith(alive) for line in after), after
    # nginx still lists the dead server: round robin tried it for one of the two, was refused, passed it on
    assert any(line["upstream"] == f"{dead}, {alive}" for line in after), after

    # the widget: reconnected by itself, a new engine.io session on the survivor, the same conversation
    assert len(state["confirmed"]) == 2 and state["new_sid"] != state["engine_sids"][0], state
    assert FOLLOW_UP_ANSWER in state["widget_follow_up"], state
    assert state["new_lines"] and {line["upstream"] for line in state["new_lines"]} == {alive}, state
    # the reconnection's handshake was sent to the dead server (the hash still names it), refused, passed on
    assert any(line["upstream"] == f"{dead}, {alive}" for line in cluster.access_log("/socket.io/")), state
    conversation = conversation_id("socketio", state["session_id"])  # web:<the confirmed session id>
    answer = requests.get(f"{survivor}/conversations/{conversation}/tracker",
                          params={"token": cluster.token}, timeout=30)
    answer.raise_for_status()
    users = [e["text"] for e in answer.json()["events"] if e["event"] == "user"]
    assert users[-2:] == [QUESTION, FOLLOW_UP], users

    # neither server wrote a channel secret to its log, before or after the failover
    for name in ("rasa0", "rasa1"):
        log = cluster.launcher.processes[name].log_tail(50_000_000)
        for secret in (TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(":")[1], TELEGRAM_SECRET, ZALO_APP_SECRET,
                       ZALO_OA_SECRET_KEY, ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN):
            assert secret not in log, f"{name}'s log holds the secret {secret[:4]}…"
