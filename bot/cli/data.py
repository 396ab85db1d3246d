"""Operator commands for the agency database (output in Vietnamese).

    python -m bot init-db [--no-samples]
    python -m bot record AGENCY OBLIGATION_CODE DD/MM/YYYY REF [--note TEXT]
    python -m bot overdue [--today YYYY-MM-DD] [--obligation CODE]
    python -m bot status AGENCY [--today YYYY-MM-DD]

``init-db`` brings the schema to the newest migration (:mod:`bot.db.migrate`)
and loads the data files (:mod:`bot.db.seed`); it is safe to repeat. Dates
shown are ``DD/MM/YYYY``; "today" is the local date in Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

import argparse
import sys

from bot.cli.common import NOT_SEEDED, TODAY_HELP, directory, resolve_agency, today_arg
from bot.db.migrate import upgrade
from bot.db.repository import Repository
from bot.db.seed import seed
from bot.db.session import make_engine
from bot.db.views import DuplicateSubmissionError, UnknownAgencyError, UnknownObligationError
from bot.domain.dates import parse_vn_date, vn_date
from bot.domain.obligations import due_footnote, due_text
from bot.settings import load_settings

MIGRATION_TIMEOUT_S = 120  # a schema change may take longer than a query (DB_TIMEOUT_S)


def cmd_init_db(repo: Repository, args) -> int:
    engine = make_engine(timeout_s=MIGRATION_TIMEOUT_S)
    try:
        upgrade(engine)
        rep = seed(engine, load_settings().data_dir, with_samples=not args.no_samples)
    finally:
        engine.dispose()
    print(
        f"Đã khởi tạo cơ sở dữ liệu: {rep.agencies} cơ quan, {rep.obligations} nghĩa vụ, "
        f"{rep.successions} thông tin sáp nhập/đổi tên; thêm {rep.samples_added} bản ghi mẫu."
    )
    print("Có thay đổi." if rep.changed else "Không có gì thay đổi (dữ liệu đã đầy đủ).")
    return 0


def cmd_record(repo: Repository, args) -> int:
    agencies = directory()
    code = resolve_agency(agencies, args.agency)
    if code is None:
        return 1
    try:
        received = parse_vn_date(args.received_on)
    except ValueError as exc:
        print(f"Lỗi: {exc}.", file=sys.stderr)
        return 1
    try:
        sub = repo.record_submission(code, args.obligation, received, args.reference, args.note or "", actor="operator")
    except UnknownObligationError:
        codes = ", ".join(o.code for o in repo.list_obligations())
        print(f"Không có nghĩa vụ mã '{args.obligation}'. Các mã hợp lệ: {codes}.", file=sys.stderr)
        return 1
    except UnknownAgencyError:
        print(NOT_SEEDED.format(code=code), file=sys.stderr)
        return 1
    except DuplicateSubmissionError:
        print(f"Đã có bản ghi {args.obligation} của {agencies.get(code).name} với số hiệu '{args.reference}'.",
              file=sys.stderr)
        return 1
    print(f"Đã ghi nhận: {agencies.get(code).name} gửi {sub.obligation_code} ngày {vn_date(sub.received_on)}"
          f" (số {sub.reference_number or 'không có'}).")
    return 0


def cmd_overdue(repo: Repository, args) -> int:
    today = today_arg(args.today)
    try:
        entries = repo.overdue_agencies(today, args.obligation)
    except UnknownObligationError:
        print(f"Không có nghĩa vụ mã '{args.obligation}'.", file=sys.stderr)
        return 1
    if not entries:
        print(f"Tính đến {vn_date(today)}, không có cơ quan nào quá hạn.")
        return 0
    print(f"Tính đến {vn_date(today)}, có {len(entries)} lượt quá hạn:")
    current = None
    for e in entries:
        if e.obligation.code != current:
            current = e.obligation.code
            group = [x for x in entries if x.obligation.code == current]
            print(f"\n{e.obligation.code} — {e.obligation.title}; hạn {due_text(e.obligation)}; "
                  f"{len(group)} cơ quan chưa gửi:")
        print(f"  - {e.agency.name}: quá hạn {e.days_overdue} ngày")
    footnote = due_footnote(e.obligation for e in entries)
    if footnote:
        print(f"\n{footnote}")
    return 0


def cmd_status(repo: Repository, args) -> int:
    code = resolve_agency(directory(), args.agency)
    if code is None:
        return 1
    today = today_arg(args.today)
    try:
        st = repo.agency_status(code, today)
    except UnknownAgencyError:
        print(NOT_SEEDED.format(code=code), file=sys.stderr)
        return 1
    print(f"Tình hình của {st.agency.name} tính đến {vn_date(today)}:")
    for it in st.items:
        o = it.obligation
        head = f"  - {o.code} — {o.title}; hạn {due_text(o)}: "
        if it.state == "submitted":
            sub = it.submission
            line = f"đã gửi ngày {vn_date(sub.received_on)}, số {sub.reference_number or 'không có'}"
            if it.days_late:
                line += f" (muộn {it.days_late} ngày)"
            if sub.is_sample:
                line += " [dữ liệu mẫu]"
        elif it.state == "open":
            line = "chưa gửi, hôm nay là hạn chót" if it.days_left == 0 else f"chưa gửi, còn {it.days_left} ngày"
        else:
            line = f"chưa gửi, quá hạn {it.days_overdue} ngày"
        print(head + line)
    footnote = due_footnote(it.obligation for it in st.items)
    if footnote:
        print(f"  {footnote}")
    if st.succession:
        sc = st.succession
        verb = "đổi thành" if sc.kind == "rename" else "hợp nhất vào"
        print(f"Lưu ý: từ {vn_date(sc.effective)}, {st.agency.name} đã {verb} {sc.successor_name} ({sc.source}).")
    return 0


def add_data_commands(sub: "argparse._SubParsersAction") -> None:
    """Register ``init-db``, ``record``, ``overdue`` and ``status``."""
    s = sub.add_parser("init-db", help="tạo hoặc nâng cấp bảng và nạp dữ liệu (chạy lại nhiều lần không sao)")
    s.add_argument("--no-samples", action="store_true", help="không nạp dữ liệu mẫu")
    s.set_defaults(func=cmd_init_db)
    s = sub.add_parser("record", help="ghi nhận một văn bản đã nhận")
    s.add_argument("agency", help="tên hoặc tên viết tắt của cơ quan")
    s.add_argument("obligation", help="mã nghĩa vụ, ví dụ KH-2022, BC-2022-Q1")
    s.add_argument("received_on", help="ngày nhận DD/MM/YYYY")
    s.add_argument("reference", help="số hiệu văn bản")
    s.add_argument("--note", default="")
    s.set_defaults(func=cmd_record)
    s = sub.add_parser("overdue", help="liệt kê cơ quan quá hạn")
    s.add_argument("--today", help=TODAY_HELP)
    s.add_argument("--obligation", help="chỉ một nghĩa vụ, ví dụ BC-2022-Q1")
    s.set_defaults(func=cmd_overdue)
    s = sub.add_parser("status", help="tình hình gửi văn bản của một cơ quan")
    s.add_argument("agency")
    s.add_argument("--today", help=TODAY_HELP)
    s.set_defaults(func=cmd_status)
