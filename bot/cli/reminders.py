"""Operator commands for deadline reminders (output in Vietnamese).

    python -m bot reminders run-once [--today YYYY-MM-DD] [--credentials credentials.yml]
    python -m bot reminders list [--status failed|retry|sent|unknown|sending] [--limit N]
    python -m bot reminders paused
    python -m bot undelivered [--status pending|sending|failed|delivered] [--limit N]
    python -m bot scheduler [--credentials credentials.yml]

``run-once`` sends the reminders due on one local date (default: today in
Asia/Ho_Chi_Minh, or ASSISTANT_TODAY) and prints what happened; ``list`` shows
the delivery log, newest first (failed ones with the platform's reason);
``paused`` the accounts whose reminders are paused because the platform said
they cannot be reached (blocked the bot, deleted the account, chat gone; they
resume when the account writes again); ``undelivered`` the chat replies a
platform did not take in time (:mod:`bot.channels.outbox`: pending ones are
retried by the Rasa server, failed ones were given up), newest first;
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

from bot.db.reminders import FAILED, RETRY, SENDING, SENT, UNKNOWN, DeliveryView, PausedView, ReminderStore
from bot.db.repository import Repository
from bot.db.undelivered import STATUSES as REPLY_STATUSES
from bot.db.undelivered import UndeliveredStore, UndeliveredView
from bot.domain.dates import local_time_text, local_today
from bot.officials.reminders.last_pass import LAST_PASS_FILE
from bot.officials.reminders.plan import stage_vi
from bot.officials.reminders.scheduler import run_forever, run_once
from bot.officials.reminders.senders import CREDENTIALS, load_senders
from bot.settings import load_settings

STATUS_VI = {SENT: "đã gửi", FAILED: "thất bại", RETRY: "chờ gửi lại", UNKNOWN: "không rõ", SENDING: "đang gửi"}
FILTER_VI = {SENT: "đã gửi", FAILED: "gửi thất bại", RETRY: "chờ gửi lại", UNKNOWN: "không rõ kết quả",
             SENDING: "đang gửi"}
REPLY_NONE_VI = {"": "Không có câu trả lời nào chưa gửi được.",
                 "pending": "Không có câu trả lời nào đang chờ gửi lại.",
                 "sending": "Không có câu trả lời nào đang được gửi.",
                 "delivered": "Không có câu trả lời nào được gửi muộn.",
                 "failed": "Không có câu trả lời nào gửi thất bại."}
REPLY_VI = {"pending": "chờ gửi lại", "sending": "đang gửi", "delivered": "đã gửi muộn", "failed": "thất bại"}
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


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> List[str]:
    """Plain-text columns; the last column is not padded."""
    table = [tuple(headers)] + [tuple(r) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1] for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * len(headers[-1]))
    return [line.rstrip() for line in lines]


def format_paused(rows: Sequence[PausedView]) -> str:
    """The accounts whose reminders are paused (Vietnamese), or a sentence when none."""
    if not rows:
        return "Không có tài khoản nào bị tạm dừng nhắc hạn."
    lines = [f"{len(rows)} tài khoản đang tạm dừng nhắc hạn (nền tảng báo không gửi được tới người dùng); "
             "nhắc hạn tự tiếp tục khi người dùng nhắn lại cho trợ lý."]
    lines += _table(("Tài khoản", "Tạm dừng lúc (giờ VN)", "Kênh", "Người nhận", "Cơ quan", "Lý do"),
                    [(str(r.account_id), local_time_text(r.paused_at), r.channel, r.user_id, r.agency_name,
                      r.reason.replace("\n", " ")) for r in rows])
    return "\n".join(lines)


def format_undelivered(rows: Sequence[UndeliveredView], status: Optional[str] = None) -> str:
    """A plain-text table of undelivered replies (Vietnamese headers), or a sentence when empty."""
    if not rows:
        return REPLY_NONE_VI.get(status or "", REPLY_NONE_VI[""])
    out = []
    for r in rows:
        params = r.call.get("params") or {}
        text = str(params.get("text") or r.call.get("method") or "").replace("\n", " ")
        out.append((str(r.id), local_time_text(r.created_at), REPLY_VI.get(r.status, r.status), r.channel,
                    r.recipient, str(r.attempts), (text[:40] + "…") if len(text) > 40 else text,
                    (r.error or "").replace("\n", " ")))
    return "\n".join(_table(("Mã", "Lúc (giờ VN)", "Trạng thái", "Kênh", "Người nhận", "Số lần", "Nội dung",
                              "Lý do"), out))


def cmd_paused(repo: Repository, args) -> int:
    print(format_paused(ReminderStore(repo.engine).paused()))
    return 0


def cmd_undelivered(repo: Repository, args) -> int:
    store = UndeliveredStore(repo.engine)
    rows = store.rows(status=args.status)[-max(1, args.limit):][::-1]  # newest first
    counts = store.counts()
    print(format_undelivered(rows, args.status))
    print("Tổng: " + ", ".join(f"{REPLY_VI[s]} {counts[s]}" for s in REPLY_STATUSES))
    return 0


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
    run_forever(repo.engine, load_settings(), lambda: load_senders(args.credentials), last_pass_file=LAST_PASS_FILE)
    return 0


def add_reminder_commands(subparsers: "argparse._SubParsersAction") -> None:
    """Registers ``reminders run-once|list|paused``, ``undelivered`` and ``scheduler`` on the
    ``python -m bot`` sub-command parser. Each sets ``func(repo, args) -> exit code``."""
    r = subparsers.add_parser("reminders", help="nhắc hạn cho cán bộ đã liên kết tài khoản")
    rsub = r.add_subparsers(dest="reminders_command", required=True)
    s = rsub.add_parser("run-once", help="gửi các nhắc hạn đến hạn trong một ngày")
    s.add_argument("--today", help="YYYY-MM-DD (mặc định: hôm nay giờ Việt Nam)")
    s.add_argument("--credentials", default=str(CREDENTIALS), help="tệp cấu hình kênh (mặc định credentials.yml)")
    s.set_defaults(func=cmd_run_once)
    s = rsub.add_parser("list", help="nhật ký nhắc hạn, mới nhất trước (xem các tin gửi thất bại)")
    s.add_argument("--status", choices=[FAILED, RETRY, SENT, UNKNOWN, SENDING],
                   help="chỉ các nhắc hạn có trạng thái này")
    s.add_argument("--limit", type=int, default=50, help="số dòng tối đa (mặc định 50)")
    s.set_defaults(func=cmd_list)
    s = rsub.add_parser("paused", help="tài khoản bị tạm dừng nhắc hạn (đã chặn bot, xóa tài khoản...)")
    s.set_defaults(func=cmd_paused)
    s = subparsers.add_parser("undelivered", help="câu trả lời nền tảng chưa nhận (chờ gửi lại, thất bại)")
    s.add_argument("--status", choices=list(REPLY_STATUSES), help="chỉ các câu trả lời có trạng thái này")
    s.add_argument("--limit", type=int, default=50, help="số dòng tối đa (mặc định 50)")
    s.set_defaults(func=cmd_undelivered)
    s = subparsers.add_parser("scheduler", help="chạy bộ gửi nhắc hạn cho đến khi bị dừng (SIGTERM/Ctrl-C)")
    s.add_argument("--credentials", default=str(CREDENTIALS), help="tệp cấu hình kênh (mặc định credentials.yml)")
    s.set_defaults(func=cmd_scheduler)
