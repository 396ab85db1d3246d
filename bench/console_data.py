"""A year of stored conversations for the operators' console, and its query times.

:func:`seed_conversations` writes ``messages`` user messages, with the events
Rasa's ``SQLTrackerStore`` stores for each turn (the user's message, the
action, the bot's reply, ``action_listen``), into the table ``events`` of an
engine, rows built from Rasa's own event classes exactly as
``SQLTrackerStore.save`` builds them. One message in ``unanswered_every`` is
a question the assistant cannot answer (the fallback or "out of scope"),
worded in a few near-identical ways.

As a script it seeds a throwaway SQLite file in WAL mode (as ``make run``
keeps conversations) and prints the console's query times, without and with
the console's index (milliseconds, median of ``--repeat`` runs); with
``--http PORT`` it then starts a real Rasa server on that port (the trained
model, ``ADMIN_TOKEN`` set, this tracker store) and times the console's API
end to end::

    .venv/bin/python -m bench.console_data --messages 100000 [--http 5640]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Dict, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

ANSWERED = [("ask_doc_number", "Văn bản 797 có số hiệu là gì?", "utter_doc_number"),
            ("ask_doc_date", "Văn bản 797 ban hành ngày nào?", "utter_doc_date"),
            ("ask_tasks", "Có mấy nhiệm vụ trọng tâm?", "utter_tasks"),
            ("ask_deadline", "Hạn nộp báo cáo quý 2 là khi nào?", "action_answer_deadline"),
            ("greet", "Xin chào", "utter_greet")]
UNANSWERED = [("nlu_fallback", "Giá vàng hôm nay bao nhiêu?", "utter_default"),
              ("out_of_scope", "Thời tiết Hà Nội ngày mai thế nào?", "utter_out_of_scope"),
              ("nlu_fallback", "Làm sao đăng ký chữ ký số cho doanh nghiệp?", "utter_default"),
              ("out_of_scope", "Cho tôi số điện thoại của Sở TTTT", "utter_out_of_scope")]
WORDINGS: List[Callable[[str], str]] = [lambda t: t, lambda t: t.lower(), lambda t: t.rstrip("?") + " ạ?",
                                        lambda t: t.rstrip("?")]
CHANNELS = ("web", "telegram", "zalo", "rest")
EVENTS_TABLE = SQLTrackerStore.SQLEvent.__table__


def turn_rows(sender_id: str, text: str, intent: str, action: str, ts: float,
              replies: Optional[List[BotUttered]] = None) -> List[Dict]:
    """The ``events`` rows of one turn, as ``SQLTrackerStore.save`` writes them;
    ``replies``: the bot events the action sent (default one ``"…"``), their
    timestamps set within the turn."""
    replies = replies if replies is not None else [BotUttered("…")]
    for i, reply in enumerate(replies):
        reply.timestamp = ts + 0.2 + i * 0.01
    events = [UserUttered(text, intent={"name": intent, "confidence": 0.9},
                          parse_data={"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text},
                          timestamp=ts),
              ActionExecuted(action, timestamp=ts + 0.1), *replies,
              ActionExecuted("action_listen", timestamp=ts + 0.3)]
    rows = []
    for event in events:
        data = event.as_dict()
        rows.append({"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
                     "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                     "action_name": data.get("name"), "data": json.dumps(data)})
    return rows


def seed_conversations(engine: sa.engine.Engine, messages: int, *, last_day: date, days: int = 365,
                       unanswered_every: int = 10, seed: int = 797, batch: int = 20_000) -> None:
    """Writes ``messages`` user messages spread over the ``days`` local days
    ending ``last_day``, about five per conversation, channels in turn; creates
    the table ``events`` (Rasa's schema) when missing."""
    EVENTS_TABLE.create(engine, checkfirst=True)
    rng = random.Random(seed)
    end = datetime(last_day.year, last_day.month, last_day.day, 16, 59, tzinfo=timezone.utc).timestamp()
    span = days * 86400 - 3600
    pending: List[Dict] = []
    for i in range(messages):
        sender = f"{CHANNELS[(i // 5) % len(CHANNELS)]}:{100000 + i // 5}"
        intent, text, action = (UNANSWERED if i % unanswered_every == 0 else ANSWERED)[rng.randrange(4)]
        pending += turn_rows(sender, rng.choice(WORDINGS)(text), intent, action, end - rng.random() * span)
        if len(pending) >= batch:
            with engine.begin() as connection:
                connection.execute(EVENTS_TABLE.insert(), pending)
            pending = []
    if pending:
        with engine.begin() as connection:
            connection.execute(EVENTS_TABLE.insert(), pending)


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def measure(engine: sa.engine.Engine, today: date, repeat: int = 3) -> Dict[str, float]:
    """Milliseconds (median of ``repeat``) of each console query over the last 30 days and the whole year."""
    from bot.admin import insight

    month, year = today - timedelta(days=30), today - timedelta(days=365)
    return {
        "messages_per_day (30 days)": _median_ms(lambda: insight.messages_per_day(engine, month), repeat),
        "messages_per_day (365 days)": _median_ms(lambda: insight.messages_per_day(engine, year), repeat),
        "top_intents (30 days)": _median_ms(lambda: insight.top_intents(engine, month), repeat),
        "unanswered (30 days)": _median_ms(lambda: insight.unanswered(engine, month, set()), repeat),
        "unanswered (365 days)": _median_ms(lambda: insight.unanswered(engine, year, set()), repeat),
        "last_message_per_channel": _median_ms(lambda: insight.last_message_per_channel(engine), repeat),
    }


def measure_http(folder: Path, conversations: Path, port: int, today: date, repeat: int) -> Dict[str, float]:
    """Milliseconds (median of ``repeat``) of the console's API on a Rasa server
    started on ``port`` with the tracker store ``conversations``."""
    import subprocess
    import sys

    import requests

    from bot.server.launcher import Launcher, write_endpoints
    from bot.settings import PROJECT_ROOT

    token = "bench-console-token"
    env = {"DATABASE_URL": f"sqlite:///{folder / 'assistant.db'}", "ADMIN_TOKEN": token,
           "ASSISTANT_TODAY": today.isoformat()}
    launcher = Launcher(env=env, log_dir=folder)
    subprocess.run([sys.executable, "-m", "bot", "init-db"], env=launcher.env, cwd=PROJECT_ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    endpoints = write_endpoints(folder / "endpoints.yml", "http://127.0.0.1:9/webhook", conversations_db=conversations)
    with launcher:
        launcher.rasa_server(port, model=PROJECT_ROOT / "models" / "tro-ly-797.tar.gz", endpoints=endpoints,
                             credentials=PROJECT_ROOT / "credentials.yml")
        launcher.wait_ready()
        base, headers = f"http://127.0.0.1:{port}/admin/api", {"Authorization": f"Bearer {token}"}
        month, year = (today - timedelta(days=30)).isoformat(), (today - timedelta(days=365)).isoformat()
        paths = {"status (matrix)": "/status", "insight (30 days)": f"/insight?since={month}",
                 "insight (365 days)": f"/insight?since={year}", "unanswered (30 days)": f"/unanswered?since={month}",
                 "unanswered (365 days)": f"/unanswered?since={year}", "health": "/health"}

        def get(path: str) -> None:
            requests.get(base + path, headers=headers, timeout=60).raise_for_status()

        for path in paths.values():  # warm-up: first queries, caches
            get(path)
        return {name: _median_ms(lambda p=path: get(p), repeat) for name, path in paths.items()}


def main() -> None:
    from bot.admin.insight import ensure_indexes
    from bot.server.tracker_store import use_wal

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--http", type=int, metavar="PORT", help="also time the API on a Rasa server on this port")
    args = parser.parse_args()
    today = date.today()
    with tempfile.TemporaryDirectory() as folder:
        engine = sa.create_engine(f"sqlite:///{Path(folder) / 'conversations.sqlite'}")
        use_wal(engine)
        started = time.perf_counter()
        seed_conversations(engine, args.messages, last_day=today)
        with engine.connect() as c:
            rows = c.execute(sa.select(sa.func.count()).select_from(EVENTS_TABLE)).scalar()
        print(f"seeded {args.messages} messages ({rows} events) in {time.perf_counter() - started:.1f} s")
        print("without the console's index:", json.dumps(measure(engine, today, args.repeat), ensure_ascii=False))
        ensure_indexes(engine)
        print("with the console's index:   ", json.dumps(measure(engine, today, args.repeat), ensure_ascii=False))
        engine.dispose()
        if args.http:
            times = measure_http(Path(folder), Path(folder) / "conversations.sqlite", args.http, today, args.repeat)
            print("HTTP API (Rasa server):     ", json.dumps(times, ensure_ascii=False))


if __name__ == "__main__":
    main()
