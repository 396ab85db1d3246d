"""Operator commands for officials' accounts (``python -m bot ...``, output in Vietnamese).

    python -m bot link-code AGENCY [--hours 72]   issue a one-time link code
    python -m bot codes [--all]                   codes issued (never the codes themselves)
    python -m bot revoke-code ID                  withdraw an unused code
    python -m bot links [--all]                   linked chat accounts
    python -m bot revoke-link ID                  unlink an account (its reminders stop)
    python -m bot audit [--limit 50] [--agency X] who changed what, newest first

Times are shown in local time (Asia/Ho_Chi_Minh). Exit codes: 0 ok, 1 invalid
input, 2 database error (handled by :func:`bot.cli.main`).
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from typing import Optional

from bot.db.accounts import AccountRepository
from bot.db.repository import Repository
from bot.db.views import UnknownAgencyError
from bot.domain.agencies import AgencyDirectory
from bot.domain.dates import local_time_text
from bot.settings import load_settings


def _local(ts: Optional[datetime]) -> str:
    return local_time_text(ts, empty="—")


ACTIONS_VI = {
    "issue_code": "cấp mã liên kết", "revoke_code": "thu hồi mã", "link": "liên kết tài khoản",
    "link_failed": "nhập mã không thành", "unlink": "tự hủy liên kết", "revoke_link": "hủy liên kết",
    "subscribe": "bật nhắc hạn", "unsubscribe": "tắt nhắc hạn", "record_submission": "ghi nhận văn bản",
    "import_submissions": "nhập tệp văn bản", "withdraw_submission": "rút bản ghi",
    "correct_submission": "sửa bản ghi", "staff_add": "tạo tài khoản nhân viên",
    "staff_revoke": "thu hồi tài khoản nhân viên", "staff_login": "đăng nhập bảng điều khiển",
    "mark_handled": "đánh dấu câu hỏi đã xử lý", "unmark_handled": "bỏ đánh dấu câu hỏi đã xử lý",
}
ACTORS_VI = {"operator": "vận hành", "official": "cán bộ", "public": "công khai", "import": "nhập tệp",
             "staff": "nhân viên"}
DETAILS_VI = {"obligation": "nghĩa vụ", "received_on": "ngày gửi", "reference_number": "số hiệu",
              "message_id": "mã tin nhắn", "code_id": "mã số", "expires_at": "hết hạn", "reason": "lý do",
              "file": "tệp", "rows": "số dòng", "link_id": "liên kết số", "record_id": "bản ghi số",
              "before": "trước", "after": "sau", "audit_entries_unlinked": "mục nhật ký liên quan"}
REASONS_VI = {"invalid": "mã sai", "expired": "mã hết hạn", "used": "mã đã dùng", "revoked": "mã đã thu hồi",
              "exposed": "mã lộ trong nhóm chat"}


def _local_if_timestamp(value) -> str:
    """An ISO timestamp with a time zone (e.g. a code's expiry) in local time; a
    record's snapshot (a correction's before/after) as "code date number";
    anything else as it is."""
    if isinstance(value, dict) and "obligation" in value:
        return f"[{value.get('obligation')} {value.get('received_on')} số {value.get('reference_number') or '—'}]"
    if isinstance(value, str) and "T" in value:
        try:
            ts = datetime.fromisoformat(value)
        except ValueError:
            return value
        if ts.tzinfo is not None:
            return _local(ts)
    return str(value)


def _accounts(repo: Repository) -> AccountRepository:
    return AccountRepository(repo.engine)


def cmd_link_code(repo: Repository, args) -> int:
    settings = load_settings()
    directory = AgencyDirectory.from_files(settings.data_dir)
    res = directory.resolve(args.agency)
    if res.status != "found":
        names = ", ".join(a.name for a in (res.candidates or res.suggestions)[:6])
        print(f"Không xác định được cơ quan '{args.agency}'." + (f" Có thể là: {names}." if names else ""),
              file=sys.stderr)
        return 1
    hours = args.hours if args.hours is not None else settings.link_code_ttl_hours
    if hours <= 0:
        print("Số giờ hiệu lực phải lớn hơn 0.", file=sys.stderr)
        return 1
    try:
        issued = _accounts(repo).issue_code(res.agency.code, ttl_hours=hours)
    except UnknownAgencyError:
        print(f"Cơ quan {res.agency.code} chưa có trong cơ sở dữ liệu; hãy chạy 'python -m bot init-db'.",
              file=sys.stderr)
        return 1
    print(f"Mã liên kết cho {issued.agency_name}: {issued.code}")
    print(f"Hiệu lực đến {_local(issued.expires_at)} (giờ Việt Nam), dùng được một lần (mã số {issued.id}).")
    print(f"Cán bộ nhắn riêng cho trợ lý trên Zalo hoặc Telegram: \"mã liên kết {issued.code}\""
          f" (Telegram: https://t.me/<tên_bot>?start={issued.code}).")
    print("Mã chỉ hiện một lần; hãy gửi cho cán bộ qua kênh tin cậy (không đăng công khai).")
    return 0


def cmd_codes(repo: Repository, args) -> int:
    rows = _accounts(repo).list_codes(include_spent=args.all)
    if not rows:
        print("Không có mã liên kết nào" + ("." if args.all else " còn hiệu lực."))
        return 0
    now = datetime.now(timezone.utc)
    for r in rows:
        if r["revoked_at"]:
            state = f"đã thu hồi {_local(r['revoked_at'])}"
        elif r["used_at"]:
            state = f"đã dùng {_local(r['used_at'])} bởi {r['used_by']}"
        elif r["expires_at"] <= now:
            state = "đã hết hạn"
        else:
            state = f"còn hiệu lực đến {_local(r['expires_at'])}"
        print(f"  #{r['id']}  {r['agency_name']}  cấp {_local(r['created_at'])}  {state}")
    return 0


def cmd_revoke_code(repo: Repository, args) -> int:
    if _accounts(repo).revoke_code(args.id):
        print(f"Đã thu hồi mã số {args.id}.")
        return 0
    print(f"Không có mã số {args.id} còn dùng được.", file=sys.stderr)
    return 1


def cmd_links(repo: Repository, args) -> int:
    links = _accounts(repo).list_links(include_revoked=args.all)
    if not links:
        print("Chưa có tài khoản nào được liên kết.")
        return 0
    for link in links:
        state = f"đã hủy {_local(link.revoked_at)}" if link.revoked_at else (
            "nhắc hạn: bật" if link.subscribed else "nhắc hạn: tắt")
        print(f"  #{link.id}  {link.channel}:{link.user_id}  {link.agency_name}  "
              f"liên kết {_local(link.linked_at)}  tin nhắn gần nhất {_local(link.last_inbound_at)}  {state}")
    return 0


def cmd_revoke_link(repo: Repository, args) -> int:
    link = _accounts(repo).revoke_link(args.id, actor="operator")
    if link is None:
        print(f"Không có liên kết số {args.id} đang hoạt động.", file=sys.stderr)
        return 1
    print(f"Đã hủy liên kết #{link.id} ({link.channel}:{link.user_id} — {link.agency_name}); nhắc hạn đã dừng.")
    return 0


def cmd_audit(repo: Repository, args) -> int:
    entries = _accounts(repo).audit_trail(limit=args.limit, agency_code=args.agency)
    if not entries:
        print("Nhật ký trống.")
        return 0
    print(f"  {'Lúc (giờ VN)':<16}  {'Việc':<20} {'Ai':<24} {'Cơ quan':<12} Chi tiết  «tin nhắn»")
    for e in entries:
        who = f"{e.channel}:{e.user_id}" if e.channel else ACTORS_VI.get(e.actor, e.actor)
        detail = ", ".join(
            f"{DETAILS_VI.get(k, k)}={REASONS_VI.get(v, v) if isinstance(v, str) and v in REASONS_VI else _local_if_timestamp(v)}"
            for k, v in sorted(e.detail.items()) if v not in ("", None, []))
        message = " ".join(e.message.split())[:120]
        print(f"  {_local(e.at)}  {ACTIONS_VI.get(e.action, e.action):<20} {who:<24} {e.agency_code or '—':<12} "
              f"{detail}" + (f"  «{message}»" if message else ""))
    return 0


def add_account_commands(sub: "argparse._SubParsersAction") -> None:
    """Register the commands above on ``python -m bot``'s subparsers."""
    s = sub.add_parser("link-code", help="cấp mã liên kết dùng một lần cho cán bộ của một cơ quan")
    s.add_argument("agency", help="tên hoặc tên viết tắt của cơ quan")
    s.add_argument("--hours", type=float, default=None, help="số giờ hiệu lực (mặc định LINK_CODE_TTL_HOURS=72)")
    s.set_defaults(func=cmd_link_code)
    s = sub.add_parser("codes", help="các mã liên kết đã cấp")
    s.add_argument("--all", action="store_true", help="cả mã đã dùng, đã thu hồi")
    s.set_defaults(func=cmd_codes)
    s = sub.add_parser("revoke-code", help="thu hồi một mã liên kết chưa dùng")
    s.add_argument("id", type=int)
    s.set_defaults(func=cmd_revoke_code)
    s = sub.add_parser("links", help="các tài khoản chat đã liên kết")
    s.add_argument("--all", action="store_true", help="cả liên kết đã hủy")
    s.set_defaults(func=cmd_links)
    s = sub.add_parser("revoke-link", help="hủy liên kết của một tài khoản")
    s.add_argument("id", type=int)
    s.set_defaults(func=cmd_revoke_link)
    s = sub.add_parser("audit", help="nhật ký thay đổi")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--agency", help="mã cơ quan, ví dụ QUANGNINH")
    s.set_defaults(func=cmd_audit)
