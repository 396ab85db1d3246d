"""Faults: the action server slow, erroring, dropping connections or down; the
agency database locked or down; one Rasa server killed during a load run.
The user always gets a Vietnamese apology within a few seconds and the
servers keep serving."""
from __future__ import annotations

import asyncio
import threading

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from bench.evalset import reply_text
from bench.load import count_user_events, run_senders
from bot.server.patches import ACTION_APOLOGY

from .conftest import Cluster, new_sender

DB_APOLOGY = "hệ thống dữ liệu hạn nộp và tình hình nộp báo cáo đang tạm thời không truy cập được"
LOOKUP = "Bộ Y tế đã nộp báo cáo quý 2 chưa"
FACT = "văn bản 797 do cơ quan nào ban hành"
# ACTION_TIMEOUT_S=6 in this session; everything else must be quicker.
BOUND_S = 12


def _check_apology(cluster: Cluster, base: str, expected: str) -> None:
    sender = new_sender("fault")
    status, body, seconds = cluster.send(base, sender, LOOKUP, timeout=60)
    assert status == 200, body
    reply = reply_text(body)
    assert expected in reply, reply
    assert seconds < BOUND_S, seconds
    # nothing half-written: one user message, its apology stored once, no slot
    # from the failed action; and the server still answers what needs no action
    events = cluster.tracker(base, sender)["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == [LOOKUP]
    assert sum(1 for e in events if e["event"] == "bot" and expected in (e.get("text") or "")) == 1
    assert "Bộ Thông tin và Truyền thông" in cluster.ask(base, sender, FACT)


@pytest.mark.parametrize("mode", ["slow", "error", "reset"])
def test_action_server_slow_erroring_or_dropping(cluster: Cluster, mode: str) -> None:
    cluster.proxy.mode = mode
    try:
        _check_apology(cluster, cluster.servers[0], ACTION_APOLOGY)
    finally:
        cluster.proxy.mode = "pass"
    assert "Tỉnh Quảng Ninh" in cluster.ask(cluster.servers[0], new_sender(), "UBND tỉnh Quảng Ninh đã nộp báo cáo quý II chưa")


def test_action_server_down_then_back(cluster: Cluster) -> None:
    cluster.kill("actions")
    try:
        _check_apology(cluster, cluster.servers[1], ACTION_APOLOGY)
    finally:
        cluster.start("actions")
    cluster.warm_up_actions()
    assert "Bộ Y tế" in cluster.ask(cluster.servers[1], new_sender(), LOOKUP)


def test_database_locked(cluster: Cluster) -> None:
    conn = psycopg2.connect(cluster.agency_db)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = [r[0] for r in cur.fetchall()]
            cur.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
            _check_apology(cluster, cluster.servers[0], DB_APOLOGY)
    finally:
        conn.rollback()
        conn.close()
    assert "Bộ Y tế" in cluster.ask(cluster.servers[0], new_sender(), LOOKUP)


def test_database_down(cluster: Cluster) -> None:
    name = make_url(cluster.agency_db).database
    admin = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    try:
        _check_apology(cluster, cluster.servers[1], DB_APOLOGY)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.close()
    assert "Bộ Y tế" in cluster.ask(cluster.servers[1], new_sender(), LOOKUP)


def test_one_server_killed_during_load_then_restarted(cluster: Cluster) -> None:
    if not cluster.lb:
        pytest.skip("nginx is not installed (make nginx)")
    a, b = cluster.servers
    # a conversation in progress on the server that will die
    sender = new_sender("crash")
    assert "cơ quan, đơn vị" in cluster.ask(b, sender, "cho tôi xem tình hình nộp báo cáo của đơn vị tôi")
    assert "Tỉnh Quảng Ninh" in cluster.ask(b, sender, "UBND tỉnh Quảng Ninh")

    killed = threading.Event()

    def progress(answered: int) -> None:
        if answered >= 15 and not killed.is_set():
            killed.set()
            threading.Thread(target=cluster.kill, args=("rasa1",), daemon=True).start()

    result = asyncio.run(run_senders(cluster.lb, senders=20, messages=4, retries=3, on_progress=progress))
    summary = result.summary()
    # a message the dying server had stored before the client retried it is stored twice
    summary["stored_user_events"] = count_user_events(cluster.tracker_db, result.run_id)
    print("crash run:", summary)
    assert killed.is_set()
    assert not cluster.launcher.processes["rasa1"].running()  # it really died
    assert result.lost == 0 and result.empty == 0, summary
    assert result.sent <= summary["stored_user_events"] <= result.sent + result.retried, summary
    assert cluster.ask(a, new_sender(), FACT)                  # the survivor keeps serving

    cluster.start("rasa1")                                     # restart: the conversation is intact
    third = cluster.ask(b, sender, "còn quý 4 thì sao?")
    assert "Tỉnh Quảng Ninh — báo cáo quý IV/2022: chưa nộp" in third
