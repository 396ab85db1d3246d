"""A bounded load run on the REST channel: ``senders`` concurrent senders, each
sending ``messages`` messages one after the other (as a person does).

A message is *lost* when it never gets an HTTP 200 with a non-empty reply.
With ``retries`` > 0 a connection error, 502 or 503 is retried after a short
pause (what a client does when a server dies under it). Usable as a script:

    .venv/bin/python -m tests.cluster.load http://127.0.0.1:8080 --senders 200 --messages 10
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import aiohttp

MIX = [
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


def percentile(values: List[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


@dataclass
class LoadResult:
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
        lat = self.latencies_ms
        return {
            "run_id": self.run_id, "senders": self.senders, "messages_per_sender": self.messages,
            "sent": self.sent, "answered": self.answered, "lost": self.lost, "empty": self.empty,
            "apologies": self.apologies, "retried": self.retried, "statuses": self.statuses, "wall_s": round(self.wall_s, 1),
            "throughput_msg_s": round(self.sent / self.wall_s, 1) if self.wall_s else None,
            "p50_ms": round(percentile(lat, 50)), "p95_ms": round(percentile(lat, 95)),
            "max_ms": round(max(lat)) if lat else None,
        }


async def run_load(base: str, senders: int, messages: int, *, retries: int = 0, timeout_s: float = 120,
                   on_progress: Optional[Callable[[int], None]] = None, run_id: Optional[str] = None) -> LoadResult:
    result = LoadResult(run_id or f"load-{uuid.uuid4().hex[:8]}", senders, messages)
    url = f"{base}/webhooks/rest/webhook"
    connector = aiohttp.TCPConnector(limit=senders + 10)
    timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def one_sender(session: aiohttp.ClientSession, index: int) -> None:
        sender = f"{result.run_id}-{index}"
        for n in range(messages):
            text = MIX[(index + n) % len(MIX)]
            result.sent += 1
            started = time.monotonic()
            ok = False
            for attempt in range(retries + 1):
                status = "error"
                try:
                    async with session.post(url, json={"sender": sender, "message": text}) as response:
                        status = str(response.status)
                        body = await response.text()
                    if status == "200":
                        replies = json.loads(body)
                        if any((m.get("text") or "").strip() for m in replies):
                            ok = True
                            if any("Xin lỗi anh/chị" in (m.get("text") or "") for m in replies):
                                result.apologies += 1
                        else:
                            result.empty += 1
                        break
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                finally:
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                if status not in ("error", "502", "503") or attempt == retries:
                    break
                result.retried += 1
                await asyncio.sleep(1 + attempt)
            if ok:
                result.answered += 1
                result.latencies_ms.append((time.monotonic() - started) * 1000)
                if on_progress:
                    on_progress(result.answered)
            else:
                result.lost += 1

    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(one_sender(session, i) for i in range(senders)))
    result.wall_s = time.monotonic() - started
    return result


def count_user_events(dsn: str, run_id: str) -> int:
    """User messages of this run stored by Rasa's SQLTrackerStore."""
    import psycopg2

    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM events WHERE type_name = 'user' AND sender_id LIKE %s",
                    (run_id + "-%",))
        return cur.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="e.g. http://127.0.0.1:8080 (nginx)")
    parser.add_argument("--senders", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--retries", type=int, default=0)
    args = parser.parse_args()
    result = asyncio.run(run_load(args.base, args.senders, args.messages, retries=args.retries))
    print(json.dumps(result.summary(), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
