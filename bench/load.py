"""Load on the REST channel (``POST <url>/webhooks/rest/webhook``): the one
load client of the benchmark and of the cluster tests.

Two ways to load a server, sharing :func:`post_message` (one message, with
optional retries) and the latency statistics:

- :func:`run_load` (benchmark): a list of messages sent by ``concurrency``
  senders at once, each sending its next message as soon as its previous reply
  arrived; a sender id changes every :data:`MESSAGES_PER_SENDER` messages, so
  conversations stay short, as with real users. Returns a dict of latency
  figures (ms), throughput (msg/s), errors and empty replies. The messages come
  from :func:`message_mix`: questions about the directive (the single-message
  cases of ``../shared/eval/``) alternating with database-backed look-ups.
- :func:`run_senders` (cluster tests, ``make load``): ``senders`` concurrent
  senders, each sending ``messages`` messages of :data:`CONVERSATION` one after
  the other, retrying a connection error, 502 or 503 up to ``retries`` times
  (what a client does when a server dies under it). Returns a
  :class:`LoadResult` counting lost, empty and apologetic replies. Sender ids
  start with the run id, so :func:`count_user_events` finds the run's user
  messages in Rasa's PostgreSQL tracker store. Usable as a script::

      .venv/bin/python -m bench.load http://127.0.0.1:8080 --senders 200 --messages 10 [--retries 3]

A reply is *empty* when it is an HTTP 200 whose messages have no text, buttons
or custom payload; a message is *lost* when it never got a non-empty HTTP 200.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import aiohttp

from bench.evalset import load_cases

# ------------------------------------------------------------------ messages
MESSAGES_PER_SENDER = 4

# Database-backed look-ups (action_deadline, agency_form + action_agency_status,
# action_followup_period). Written for the benchmark; not training examples.
LOOKUPS = [
    "hạn báo cáo quý 3",
    "Bộ Y tế đã nộp báo cáo quý 2 chưa",
    "hạn nộp kế hoạch chuyển đổi số năm 2022 là ngày nào",
    "UBND tỉnh Lào Cai đã gửi báo cáo quý 1 chưa?",
    "con quy 4 thi sao",
    "tình hình nộp báo cáo của Bộ Tài chính",
    "han nop bao cao quy 2 la khi nao",
    "Hà Nội còn thiếu báo cáo nào",
    "deadline báo cáo Q4",
    "tinh Quang Ninh nop ke hoach chua",
    "còn bao nhiêu ngày nữa đến hạn báo cáo quý 3",
    "Bộ Công Thương nộp báo cáo quý III chưa",
]

# What a sender of :func:`run_senders` says, starting at its own index: greetings,
# facts, look-ups through the action server and the database, a follow-up.
CONVERSATION = [
    "xin chào",
    "hạn báo cáo quý 3",
    "Bộ Y tế đã nộp báo cáo quý 2 chưa",
    "Sáu định hướng phổ cập là gì?",
    "còn quý 4 thì sao?",
    "văn bản 797 do cơ quan nào ban hành",
    "han nop ke hoach chuyen doi so nam 2022",
    "UBND tỉnh Quảng Ninh đã nộp báo cáo quý II chưa",
    "22 nhiệm vụ giải pháp là gì",
    "cảm ơn",
]

# The start of the assistant's apologies (action server or database unavailable).
APOLOGY = "Xin lỗi anh/chị"
RETRY_STATUSES = ("error", "502", "503")


def directive_questions() -> List[str]:
    """The single-message questions of ``../shared/eval/*.yml`` (``ask_nfd`` ones in NFD)."""
    out = []
    for _, case in load_cases():
        if "ask" in case:
            out.append(case["ask"])
        elif "ask_nfd" in case:
            out.append(unicodedata.normalize("NFD", case["ask_nfd"]))
    return out


def message_mix(n: int) -> List[str]:
    """``n`` messages, alternating a directive question and a look-up of :data:`LOOKUPS`."""
    directive = itertools.cycle(directive_questions() or ["Sáu định hướng phổ cập là gì?"])
    lookups = itertools.cycle(LOOKUPS)
    return [next(directive) if i % 2 == 0 else next(lookups) for i in range(n)]


# ---------------------------------------------------------------- statistics
def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (``q`` in 0..100); 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def summary(latencies_ms: Sequence[float]) -> Dict[str, float]:
    """``n`` and ``p50``, ``p95``, ``p99``, ``max``, ``mean`` in ms (0.1 ms; 0.0 when empty)."""
    return {
        "n": len(latencies_ms),
        "p50": round(percentile(latencies_ms, 50), 1),
        "p95": round(percentile(latencies_ms, 95), 1),
        "p99": round(percentile(latencies_ms, 99), 1),
        "max": round(max(latencies_ms), 1) if latencies_ms else 0.0,
        "mean": round(sum(latencies_ms) / len(latencies_ms), 1) if latencies_ms else 0.0,
    }


# ------------------------------------------------------------- one message
@dataclass
class Reply:
    """The outcome of :func:`post_message`.

    ``statuses``: the HTTP status of each attempt as a string, ``"error"`` for
    a connection error or timeout. ``elapsed_ms``: from the first attempt to
    the last answer, pauses between retries included. ``problem``: ``None``
    (answered), ``"empty"``, or ``"error: ..."`` (HTTP status or exception).
    """

    statuses: List[str]
    elapsed_ms: float
    problem: Optional[str] = None
    apology: bool = False

    @property
    def ok(self) -> bool:
        """An HTTP 200 with a non-empty reply."""
        return self.problem is None

    @property
    def empty(self) -> bool:
        return self.problem == "empty"

    @property
    def retried(self) -> int:
        return len(self.statuses) - 1


def _non_empty(messages: object) -> bool:
    return isinstance(messages, list) and any(
        isinstance(m, dict) and ((m.get("text") or "").strip() or m.get("buttons") or m.get("custom"))
        for m in messages)


async def post_message(session: aiohttp.ClientSession, url: str, sender: str, text: str,
                       retries: int = 0) -> Reply:
    """POST ``text`` from ``sender`` to ``url``'s REST channel (``url``: base
    address, e.g. ``http://127.0.0.1:5005``). A connection error, timeout, 502
    or 503 is tried again up to ``retries`` times, after 1 s, 2 s, ...

    Never raises for a failed request: every failure is in the :class:`Reply`.
    """
    started = time.perf_counter()
    statuses: List[str] = []
    problem: Optional[str] = None
    apology = False
    for attempt in range(retries + 1):
        status = "error"
        try:
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as r:
                status = str(r.status)
                body = await r.text()
            if status != "200":
                problem = f"error: HTTP {status}"
            else:
                messages = json.loads(body)
                problem = None if _non_empty(messages) else "empty"
                apology = problem is None and any(APOLOGY in (m.get("text") or "") for m in messages)
        except Exception as exc:  # any failure is counted, not raised
            problem = f"error: {type(exc).__name__}: {exc}"
        statuses.append(status)
        if status not in RETRY_STATUSES or attempt == retries:
            break
        await asyncio.sleep(1 + attempt)
    return Reply(statuses, 1000 * (time.perf_counter() - started), problem, apology)


# ------------------------------------------------- benchmark: bounded runs
async def run_load(url: str, messages: List[str], concurrency: int, tag: str, timeout_s: float = 60) -> Dict:
    """Send ``messages`` to ``url`` (base address) with ``concurrency`` senders
    at once, no retries; each request may take ``timeout_s`` seconds. Sender ids
    are ``bench-<tag>-<worker>-<n>``.

    Returns ``concurrency``, ``messages`` (count), ``wall_s`` (s),
    ``msg_per_s``, ``latency_ms`` (:func:`summary` of every request, failed
    ones included), ``p95_ms``, ``errors``, ``empty_replies`` and up to 20
    ``problems`` (``{message, problem}``).
    """
    queue: "asyncio.Queue[Tuple[int, str]]" = asyncio.Queue()
    for item in enumerate(messages):
        queue.put_nowait(item)
    latencies: List[float] = []
    problems: List[Dict] = []

    async def worker(w: int, session: aiohttp.ClientSession) -> None:
        sent = 0
        while True:
            try:
                _, text = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            sender = f"bench-{tag}-{w}-{sent // MESSAGES_PER_SENDER}"
            sent += 1
            reply = await post_message(session, url, sender, text)
            latencies.append(reply.elapsed_ms)
            if reply.problem:
                problems.append({"message": text, "problem": reply.problem})

    timeout = aiohttp.ClientTimeout(total=timeout_s)
    connector = aiohttp.TCPConnector(limit=concurrency + 5)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(w, session) for w in range(concurrency)))
        wall = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "messages": len(messages),
        "wall_s": round(wall, 2),
        "msg_per_s": round(len(messages) / wall, 2) if wall else 0.0,
        "latency_ms": summary(latencies),
        "p95_ms": round(percentile(latencies, 95), 1),
        "errors": sum(1 for p in problems if p["problem"].startswith("error")),
        "empty_replies": sum(1 for p in problems if p["problem"] == "empty"),
        "problems": problems[:20],
    }


# ------------------------------------------------ cluster: per-sender runs
@dataclass
class LoadResult:
    """Counts of a :func:`run_senders` run.

    ``sent``: messages sent (retries not counted); ``answered``: non-empty
    HTTP 200; ``lost``: never answered; ``empty``: empty HTTP 200;
    ``apologies``: answered with an apology; ``retried``: extra attempts;
    ``statuses``: ``{status or "error": attempts}``; ``latencies_ms`` of the
    answered messages (ms, retries included); ``wall_s`` (s).
    """

    run_id: str
    senders: int
    messages: int
    sent: int = 0
    answered: int = 0
    lost: int = 0
    empty: int = 0
    apologies: int = 0
    retried: int = 0
    statuses: Dict[str, int] = field(default_factory=dict)
    latencies_ms: List[float] = field(default_factory=list)
    wall_s: float = 0.0

    def summary(self) -> Dict:
        """The counts as a JSON-ready dict, with ``throughput_msg_s`` (msg/s)
        and ``p50_ms``, ``p95_ms``, ``max_ms`` (ms; ``None`` when nothing was answered)."""
        lat = self.latencies_ms
        return {
            "run_id": self.run_id, "senders": self.senders, "messages_per_sender": self.messages,
            "sent": self.sent, "answered": self.answered, "lost": self.lost, "empty": self.empty,
            "apologies": self.apologies, "retried": self.retried, "statuses": self.statuses,
            "wall_s": round(self.wall_s, 1),
            "throughput_msg_s": round(self.sent / self.wall_s, 1) if self.wall_s else None,
            "p50_ms": round(percentile(lat, 50)) if lat else None,
            "p95_ms": round(percentile(lat, 95)) if lat else None,
            "max_ms": round(max(lat)) if lat else None,
        }


async def run_senders(url: str, senders: int, messages: int, *, retries: int = 0, timeout_s: float = 120,
                      on_progress: Optional[Callable[[int], None]] = None, run_id: Optional[str] = None,
                      texts: Sequence[str] = CONVERSATION) -> LoadResult:
    """``senders`` concurrent senders ``<run_id>-<i>``, each sending
    ``messages`` of ``texts`` (sender ``i`` starts at ``texts[i]``) one after
    the other to ``url`` (base address); each attempt may take ``timeout_s``
    seconds, and a connection error, timeout, 502 or 503 is retried up to
    ``retries`` times.

    ``on_progress(answered)`` is called in the event loop after each answered
    message, with the number answered so far. ``run_id`` defaults to
    ``load-<8 hex digits>``.
    """
    result = LoadResult(run_id or f"load-{uuid.uuid4().hex[:8]}", senders, messages)

    async def one_sender(session: aiohttp.ClientSession, index: int) -> None:
        sender = f"{result.run_id}-{index}"
        for n in range(messages):
            result.sent += 1
            reply = await post_message(session, url, sender, texts[(index + n) % len(texts)], retries)
            for status in reply.statuses:
                result.statuses[status] = result.statuses.get(status, 0) + 1
            result.retried += reply.retried
            if reply.ok:
                result.answered += 1
                result.apologies += int(reply.apology)
                result.latencies_ms.append(reply.elapsed_ms)
                if on_progress:
                    on_progress(result.answered)
            else:
                result.lost += 1
                result.empty += int(reply.empty)

    connector = aiohttp.TCPConnector(limit=senders + 10)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(one_sender(session, i) for i in range(senders)))
    result.wall_s = time.perf_counter() - started
    return result


def count_user_events(dsn: str, run_id: str) -> int:
    """User messages of run ``run_id`` stored by Rasa's ``SQLTrackerStore`` in
    the PostgreSQL database ``dsn`` (psycopg2 DSN or URL): rows of ``events``
    with ``type_name = 'user'`` whose REST sender starts with ``<run_id>-``
    (conversation ids ``rest:<run_id>-...``, :mod:`bot.channels.conversations`).

    Raises:
        psycopg2.Error: the database cannot be reached or has no ``events`` table.
    """
    import psycopg2

    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM events WHERE type_name = 'user' AND sender_id LIKE %s",
                    ("rest:" + run_id + "-%",))
        return cur.fetchone()[0]


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m bench.load URL [--senders N] [--messages N] [--retries N]``:
    one :func:`run_senders` run; prints its summary as JSON. Returns 0."""
    parser = argparse.ArgumentParser(description="Per-sender load run on the REST channel (bench.load.run_senders).")
    parser.add_argument("base", help="e.g. http://127.0.0.1:8080 (nginx)")
    parser.add_argument("--senders", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--retries", type=int, default=0)
    args = parser.parse_args(argv)
    result = asyncio.run(run_senders(args.base, args.senders, args.messages, retries=args.retries))
    print(json.dumps(result.summary(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
