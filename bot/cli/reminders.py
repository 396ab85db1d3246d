"""Operator commands for deadline reminders (output in Vietnamese).

    python -m bot reminders run-once [--today YYYY-MM-DD] [--credentials credentials.yml]
    python -m bot reminders list [--status failed|sent|unknown|sending] [--limit N]
    python -m bot scheduler [--credentials credentials.yml]

``run-once`` sends the reminders due on one local date (default: today in
Asia/Ho_Chi_Minh, or ASSISTANT_TODAY) and prints what happened; ``list`` shows
the delivery log, newest first (failed ones with the platform's reason);
``scheduler`` runs until SIGTERM/SIGINT (``python -m bot serve`` starts it next to
the servers). The database comes from DATABASE_URL; channels from ``credentials.yml``
and the environment. Exit codes: 0 ok, 1 unreadable credentials file, 2 database
error (from :func:`bot.cli.main`).
"""
from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from typing import List, Optional, Sequence

import yaml

from bot.db.reminders import FAILED, SENDING, SENT, UNKNOWN, DeliveryView, ReminderStore
from bot.db.repository import Repository
from bot.domain.dates import local_time_text, local_today
from bot.officials.reminders.plan import stage_vi
from bot.officials.reminders.scheduler import run_forever, run_once
from bot.officials.reminders.senders import CREDENTIALS, load_senders
from bot.settings import load_settings

STATUS_VI = {SENT: "đã gửi", FAILED: "thất bại", UNKNOWN: "không rõ", SENDING: "đang gửi"}
FILTER_VI = {SENT: "đã gửi", FAILED: "gửi thất bại", UNKNOWN: "không rõ kết quả", SENDING: "đang gửi"}
HEADERS = ("Mã", "Lúc (giờ VN)", "Trạng thái", "Kênh", "Người nhận", "Cơ quan", "Nghĩa vụ", "Mốc", "Lý do")


def format_deliveries(rows: Sequence[DeliveryView], status: Optional[str] = None) -> str:
    """A plain-text table of delivery-log rows (Vietnamese headers), or a sentence when empty."""
    if not rows:
        what = f" {FILTER_VI[status]}" if status else ""
        return f"Không có nhắc hạn nào{what}."
    table: List[Sequence[str]] = [HEADERS]
    for r in rows:
        table.append((str(r.id), local_time_text(r.claimed_at), STATUS_VI.get(r.status, r.status), r.channel, r.user_id,
                      r.agency_name, r.obligation_code, stage_vi(r.stage), (r.error or "").replace("\n", " ")))
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1] for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * len(HEADERS[-1]))
    if any(r.status == UNKNOWN for r in rows):
        lines.append("(không rõ: tiến trình dừng khi đang gửi; nhắc hạn này không được gửi lại để tránh trùng, "
                     "xin kiểm tra với người nhận.)")
    return "\n".join(lines).rstrip()


def cmd_run_once(repo: Repository, args) -> int:
    settings = load_settings()
    today = date.fromisoformat(args.today) if args.today else local_today(settings)
    try:
        senders = load_senders(args.credentials)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"Không đọc được tệp cấu hình kênh {args.credentials}: {exc}", file=sys.stderr)
        return 1
    report = run_once(repo.engine, today, senders, settings)
    print(report.to_text())
    return 0


def cmd_list(repo: Repository, args) -> int:
    rows = ReminderStore(repo.engine).deliveries(args.status, args.limit)
    print(format_deliveries(rows, args.status))
    return 0


def cmd_scheduler(repo: Repository, args) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bot.officials.reminders").setLevel(logging.INFO)
    run_forever(repo.engine, load_settings(), lambda: load_senders(args.credentials))
    return 0


def add_reminder_commands(subparsers: "argparse._SubParsersAction") -> None:
    """Registers ``reminders run-once``, ``reminders list`` and ``scheduler`` on the
    ``python -m bot`` sub-command parser. Each sets ``func(repo, args) -> exit code``."""
    r = subparsers.add_parser("reminders", help="nhắc hạn cho cán bộ đã liên kết tài khoản")
    rsub = r.add_subparsers(dest="reminders_command", required=True)
    s = rsub.add_parser("run-once", help="gửi các nhắc hạn đến hạn trong một ngày")
    s.add_argument("--today", help="YYYY-MM-DD (mặc định: hôm nay giờ Việt Nam)")
    s.add_argument("--credentials", default=str(CREDENTIALS), help="tệp cấu hình kênh (mặc định credentials.yml)")
    s.set_defaults(func=cmd_run_once)
    s = rsub.add_parser("list", help="nhật ký nhắc hạn, mới nhất trước (xem các tin gửi thất bại)")
    s.add_argument("--status", choices=[FAILED, SENT, UNKNOWN, SENDING], help="chỉ các nhắc hạn có trạng thái này")
    s.add_argument("--limit", type=int, default=50, help="số dòng tối đa (mặc định 50)")
    s.set_defaults(func=cmd_list)
    s = subparsers.add_parser("scheduler", help="chạy bộ gửi nhắc hạn cho đến khi bị dừng (SIGTERM/Ctrl-C)")
    s.add_argument("--credentials", default=str(CREDENTIALS), help="tệp cấu hình kênh (mặc định credentials.yml)")
    s.set_defaults(func=cmd_scheduler)
