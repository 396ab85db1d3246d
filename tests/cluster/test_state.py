"""Shared state (PostgreSQL tracker store) and ordering (Redis lock store)
across two Rasa servers."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bench.evalset import reply_text

from .conftest import Cluster, new_sender


def test_conversation_alternating_between_servers_keeps_its_slots(cluster: Cluster) -> None:
    a, b = cluster.servers
    sender = new_sender("state")
    first = cluster.ask(a, sender, "cho tôi xem tình hình nộp báo cáo của đơn vị tôi")
    assert "cơ quan, đơn vị" in first
    second = cluster.ask(b, sender, "UBND tỉnh Quảng Ninh")           # the form, continued on server 2
    assert "Tỉnh Quảng Ninh" in second and "quý I/2022: đã nộp ngày 14/03/2022" in second
    third = cluster.ask(a, sender, "còn quý 4 thì sao?")              # the slot, used on server 1
    assert "Tỉnh Quảng Ninh — báo cáo quý IV/2022: chưa nộp" in third
    for base in (a, b):
        assert cluster.tracker(base, sender)["slots"]["agency"] == "Tỉnh Quảng Ninh"


def test_messages_of_one_sender_sent_at_once_to_both_servers_are_processed_one_at_a_time(
    cluster: Cluster,
) -> None:
    sender = new_sender("order")
    texts = [f"xin chào {i}" if i % 2 else f"hạn báo cáo quý {1 + i % 4}" for i in range(16)]

    def send(i: int):
        return cluster.send(cluster.servers[i % 2], sender, texts[i], timeout=120)

    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        results = list(pool.map(send, range(len(texts))))
    for status, body, _ in results:
        assert status == 200 and reply_text(body).strip(), body   # every message got its reply

    events = cluster.tracker(cluster.servers[0], sender)["events"]
    users = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(users) == sorted(texts)                         # none lost, none duplicated
    # One at a time: after each user message come its actions and replies, up to
    # action_listen, before the next user message; and timestamps never go back.
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)
    turn_open = False
    for event in events:
        if event["event"] == "user":
            assert not turn_open, "a message was processed while another was in progress"
            turn_open = True
        elif event["event"] == "action" and event["name"] == "action_listen":
            turn_open = False
    assert not turn_open
    bot_turns = sum(1 for e in events if e["event"] == "bot")
    assert bot_turns >= len(texts)
