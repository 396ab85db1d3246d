"""Load on the REST channel: sequential latency and bounded concurrent runs.

The message mix alternates questions about the directive (the single-message
cases of ``../shared/eval/``) with database-backed look-ups (deadlines and
agency submissions, which go through the action server to SQL). Each sender
sends at most :data:`MESSAGES_PER_SENDER` messages, so conversations stay
short, as with real users.
"""
from __future__ import annotations

import asyncio
import itertools
import math
import time
import unicodedata
from typing import Dict, List, Optional, Tuple

import aiohttp

from tests.e2e.test_eval_questions import load_cases

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


def directive_questions() -> List[str]:
    out = []
    for _, case in load_cases():
        if "ask" in case:
            out.append(case["ask"])
        elif "ask_nfd" in case:
            out.append(unicodedata.normalize("NFD", case["ask_nfd"]))
    return out


def message_mix(n: int) -> List[str]:
    """``n`` messages, alternating a directive question and a look-up."""
    directive = itertools.cycle(directive_questions() or ["Sáu định hướng phổ cập là gì?"])
    lookups = itertools.cycle(LOOKUPS)
    return [next(directive) if i % 2 == 0 else next(lookups) for i in range(n)]


def percentile(values: List[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(latencies_ms: List[float]) -> Dict[str, float]:
    return {
        "n": len(latencies_ms),
        "p50": round(percentile(latencies_ms, 50), 1),
        "p95": round(percentile(latencies_ms, 95), 1),
        "p99": round(percentile(latencies_ms, 99), 1),
        "max": round(max(latencies_ms), 1) if latencies_ms else 0.0,
        "mean": round(sum(latencies_ms) / len(latencies_ms), 1) if latencies_ms else 0.0,
    }


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> Tuple[float, Optional[str]]:
    """(round trip in ms, problem or None). Problems: an error or an empty reply."""
    started = time.perf_counter()
    try:
        async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as r:
            body = await r.json(content_type=None)
            elapsed = 1000 * (time.perf_counter() - started)
            if r.status != 200:
                return elapsed, f"error: HTTP {r.status}"
            if not body or not any(m.get("text") or m.get("buttons") or m.get("custom") for m in body):
                return elapsed, "empty"
            return elapsed, None
    except Exception as exc:  # noqa: BLE001 -- any failure is counted, not raised
        return 1000 * (time.perf_counter() - started), f"error: {type(exc).__name__}: {exc}"


async def run_load(url: str, messages: List[str], concurrency: int, tag: str, timeout_s: float = 60) -> Dict:
    """Send ``messages`` with ``concurrency`` senders at once; each sender sends
    its next message as soon as its previous reply arrived."""
    queue: "asyncio.Queue[Tuple[int, str]]" = asyncio.Queue()
    for item in enumerate(messages):
        queue.put_nowait(item)
    latencies: List[float] = []
    problems: List[Dict] = []
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    connector = aiohttp.TCPConnector(limit=concurrency + 5)

    async def worker(w: int, session: aiohttp.ClientSession) -> None:
        sent = 0
        while True:
            try:
                i, text = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            sender = f"bench-{tag}-{w}-{sent // MESSAGES_PER_SENDER}"
            sent += 1
            elapsed, problem = await _send(session, url, sender, text)
            latencies.append(elapsed)
            if problem:
                problems.append({"message": text, "problem": problem})

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(w, session) for w in range(concurrency)))
        wall = time.perf_counter() - started
    errors = sum(1 for p in problems if p["problem"].startswith("error"))
    empty = sum(1 for p in problems if p["problem"] == "empty")
    return {
        "concurrency": concurrency,
        "messages": len(messages),
        "wall_s": round(wall, 2),
        "msg_per_s": round(len(messages) / wall, 2) if wall else 0.0,
        "latency_ms": summary(latencies),
        "p95_ms": round(percentile(latencies, 95), 1),
        "errors": errors,
        "empty_replies": empty,
        "problems": problems[:20],
    }
