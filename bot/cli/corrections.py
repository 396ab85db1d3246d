"""Operator commands to put a wrong record right (``python -m bot ...``, output in Vietnamese).

    python -m bot records AGENCY [--all]                  an agency's records with their numbers (ids)
    python -m bot withdraw ID [--reason TEXT]             withdraw (delete) record ID
    python -m bot correct ID [--obligation CODE] [--date DD/MM/YYYY] [--reference REF] [--reason TEXT]

The operator may change any record at any time (an official only their own
agency's, within ``CORRECTION_WINDOW_DAYS``; :mod:`bot.db.corrections`). Each
change is audited as the operator (``python -m bot audit`` shows it) with the
record before and after; ``--reason`` is kept as the entry's message. Dates
are local Asia/Ho_Chi_Minh dates. Exit codes: 0 done, 1 invalid input or
refused (nothing written), 2 database error (handled by :func:`bot.cli.main`).
"""
from __future__ import annotations

import argparse
import sys

from bot.cli.common import directory, resolve_agency, today_arg
from bot.db.corrections import (
    Change,
    CorrectionRepository,
    NothingToChangeError,
    RecordNotFoundError,
    RecordView,
)
from bot.db.repository import Repository
from bot.db.views import DuplicateSubmissionError, UnknownObligationError
from bot.domain.dates import local_time_text, parse_vn_date, vn_date


def _line(r: RecordView) -> str:
    sample = "  (bản ghi mẫu)" if r.is_sample else ""
    return (f"#{r.id}  {r.agency_name}  {r.obligation.code}  gửi {vn_date(r.received_on)}  "
            f"số {r.reference_number or 'không có'}  ghi nhận {local_time_text(r.created_at, empty='—')}{sample}")


def cmd_records(repo: Repository, args) -> int:
    code = resolve_agency(directory(), args.agency)
    if code is None:
        return 1
    corrections = CorrectionRepository(repo.engine)
    records = sorted(corrections.find_records(code, limit=10_000, include_samples=args.all), key=lambda r: r.id)
    if not records:
        print("Cơ quan này chưa có bản ghi nào" + ("." if args.all else " (ngoài bản ghi mẫu; xem --all)."))
        return 0
    for r in records:
        print("  " + _line(r))
    return 0


def cmd_withdraw(repo: Repository, args) -> int:
    try:
        before = CorrectionRepository(repo.engine).withdraw(
            args.id, actor="operator", today=today_arg(None), message=args.reason or "")
    except RecordNotFoundError:
        print(f"Không có bản ghi số {args.id} (có thể đã được rút).", file=sys.stderr)
        return 1
    print(f"Đã rút bản ghi: {_line(before)}. Đã ghi vào nhật ký (python -m bot audit).")
    return 0


def cmd_correct(repo: Repository, args) -> int:
    try:
        received = parse_vn_date(args.date) if args.date else None
    except ValueError as exc:
        print(f"Lỗi: {exc}.", file=sys.stderr)
        return 1
    if received is not None and received > today_arg(None):
        print(f"Lỗi: ngày {vn_date(received)} ở sau hôm nay.", file=sys.stderr)
        return 1
    change = Change(obligation_code=args.obligation, received_on=received,
                    reference_number=args.reference.strip().upper() if args.reference is not None else None)
    if change.empty:
        print("Cần ít nhất một trong --obligation, --date, --reference.", file=sys.stderr)
        return 1
    try:
        before, after = CorrectionRepository(repo.engine).correct(
            args.id, change, actor="operator", today=today_arg(None), message=args.reason or "")
    except RecordNotFoundError:
        print(f"Không có bản ghi số {args.id} (có thể đã được rút).", file=sys.stderr)
        return 1
    except UnknownObligationError:
        codes = ", ".join(o.code for o in repo.list_obligations())
        print(f"Không có nghĩa vụ mã '{args.obligation}'. Các mã hợp lệ: {codes}.", file=sys.stderr)
        return 1
    except NothingToChangeError:
        print(f"Bản ghi số {args.id} đã đúng như vậy; không có gì thay đổi.", file=sys.stderr)
        return 1
    except DuplicateSubmissionError:
        print("Cơ quan đã có một bản ghi của nghĩa vụ đó với cùng số hiệu; không có gì thay đổi.", file=sys.stderr)
        return 1
    print(f"Trước: {_line(before)}")
    print(f"Sau:   {_line(after)}")
    print("Đã sửa và ghi vào nhật ký (python -m bot audit).")
    return 0


def add_correction_commands(sub: "argparse._SubParsersAction") -> None:
    """Register the commands above on ``python -m bot``'s subparsers."""
    s = sub.add_parser("records", help="các bản ghi văn bản đã gửi của một cơ quan, kèm số bản ghi")
    s.add_argument("agency", help="tên hoặc tên viết tắt của cơ quan")
    s.add_argument("--all", action="store_true", help="cả bản ghi mẫu")
    s.set_defaults(func=cmd_records)
    s = sub.add_parser("withdraw", help="rút (xóa) một bản ghi bị nhầm; có ghi nhật ký")
    s.add_argument("id", type=int, help="số bản ghi (xem 'python -m bot records')")
    s.add_argument("--reason", help="lý do, lưu vào nhật ký")
    s.set_defaults(func=cmd_withdraw)
    s = sub.add_parser("correct", help="sửa nghĩa vụ, ngày gửi hoặc số hiệu của một bản ghi; có ghi nhật ký")
    s.add_argument("id", type=int, help="số bản ghi (xem 'python -m bot records')")
    s.add_argument("--obligation", help="mã nghĩa vụ mới, ví dụ BC-2022-Q3")
    s.add_argument("--date", help="ngày gửi mới, DD/MM/YYYY")
    s.add_argument("--reference", help="số hiệu mới; \"\" nghĩa là không có số")
    s.add_argument("--reason", help="lý do, lưu vào nhật ký")
    s.set_defaults(func=cmd_correct)
