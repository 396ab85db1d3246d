"""Command line for the agency database (output in Vietnamese).

    python -m bot init-db [--no-samples]
    python -m bot import-submissions FILE.(csv|xlsx)
    python -m bot record AGENCY OBLIGATION_CODE DD/MM/YYYY REF [--note TEXT]
    python -m bot overdue [--today YYYY-MM-DD] [--obligation CODE]
    python -m bot status AGENCY [--today YYYY-MM-DD]
    python -m bot export status FILE.(csv|xlsx) [--today YYYY-MM-DD]
    python -m bot export overdue FILE.(csv|xlsx) [--today YYYY-MM-DD] [--obligation CODE]
    python -m bot link-code|codes|revoke-code|links|revoke-link|audit ...   (bot/cli_accounts.py)
    python -m bot reminders run-once|list ..., python -m bot scheduler       (bot/cli_reminders.py)

import-submissions validates every row (agency, obligation, date, duplicates)
and writes nothing when any row fails; it prints a report either way.
export writes the status of every agency x obligation, or the overdue list, on
the given local date (Asia/Ho_Chi_Minh; default today); dates as DD/MM/YYYY,
and cells a spreadsheet could run as formulas are neutralised (bot/tabular.py).

The database comes from DATABASE_URL (see bot/settings.py). Exit codes: 0 ok,
1 invalid input / rejected import / file that cannot be written, 2 database error.
"""
from __future__ import annotations

import argparse
import signal
import sys
from datetime import date
from typing import List, Optional

from sqlalchemy.exc import SQLAlchemyError

from bot import tabular
from bot.agencies import AgencyDirectory, Resolution
from bot.cli_accounts import add_account_commands
from bot.cli_reminders import add_reminder_commands
from bot.db.repository import (
    DuplicateSubmissionError,
    Repository,
    UnknownAgencyError,
    UnknownObligationError,
    parse_vn_date,
)
from bot.db.session import make_engine
from bot.periods import local_today
from bot.settings import load_settings



def _fmt(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _due_note(origin: str) -> str:
    return " (hạn mặc định do đơn vị vận hành đặt, văn bản 797 không quy định)" if origin == "operator_default" else ""


def _explain_resolution(res: Resolution) -> str:
    if res.status == "ambiguous":
        return f"Tên '{res.query}' chưa rõ, có thể là: " + ", ".join(a.name for a in res.candidates[:8]) + "."
    if res.note:
        return res.note
    msg = f"Không tìm thấy cơ quan '{res.query}' trong danh sách nhận Văn bản 797/BTTTT-THH."
    if res.suggestions:
        msg += " Có phải: " + ", ".join(a.name for a in res.suggestions) + "?"
    return msg


def _today(arg: Optional[str]) -> date:
    return date.fromisoformat(arg) if arg else local_today()


def _resolve_agency(directory: AgencyDirectory, text: str) -> Optional[str]:
    res = directory.resolve(text)
    if res.status == "found":
        return res.agency.code
    print(_explain_resolution(res), file=sys.stderr)
    return None


def cmd_init_db(repo: Repository, args) -> int:
    settings = load_settings()
    repo.init_schema()
    rep = repo.seed(settings.data_dir, with_samples=not args.no_samples)
    print(
        f"Đã khởi tạo cơ sở dữ liệu: {rep.agencies} cơ quan, {rep.obligations} nghĩa vụ, "
        f"{rep.successions} thông tin sáp nhập/đổi tên; thêm {rep.samples_added} bản ghi mẫu."
    )
    print("Có thay đổi." if rep.changed else "Không có gì thay đổi (dữ liệu đã đầy đủ).")
    return 0


def cmd_import(repo: Repository, args) -> int:
    """Import a .csv or .xlsx file; prints the report. 0 all written, 1 nothing written."""
    directory = AgencyDirectory.from_files(load_settings().data_dir)
    try:
        rep = repo.import_submissions(args.file, directory, today=local_today(), actor="operator")
    except FileNotFoundError:
        print(f"Không tìm thấy tệp {args.file}.", file=sys.stderr)
        return 1
    except OSError as exc:
        reason = "không có quyền đọc" if isinstance(exc, PermissionError) else _os_error_vi(exc)
        print(f"Không đọc được tệp {args.file}: {reason}.", file=sys.stderr)
        return 1
    print(rep.to_text())
    return 0 if rep.ok else 1


def _write_export(path: str, header, rows, sheet_title: str) -> bool:
    """Write the table; on failure print why (in Vietnamese) and return False."""
    try:
        tabular.write_table(path, header, rows, sheet_title)
    except ValueError as exc:  # unsupported extension
        print(f"Không ghi được tệp {path}: {exc}.", file=sys.stderr)
        return False
    except OSError as exc:
        print(f"Không ghi được tệp {path}: {_os_error_vi(exc)}.", file=sys.stderr)
        return False
    return True


def _os_error_vi(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "thư mục chứa tệp không tồn tại"
    if isinstance(exc, PermissionError):
        return "không có quyền ghi"
    if isinstance(exc, IsADirectoryError):
        return "đường dẫn là một thư mục"
    return f"lỗi hệ thống ({exc.strerror or exc})"


def _check_extension(path: str) -> bool:
    try:
        tabular.check_extension(path)
    except ValueError as exc:
        print(f"Không ghi được tệp {path}: {exc}.", file=sys.stderr)
        return False
    return True


def cmd_export_status(repo: Repository, args) -> int:
    """Status of every agency x obligation on --today to a .csv/.xlsx file."""
    if not _check_extension(args.file):
        return 1
    today = _today(args.today)
    header, rows = repo.export_status(today)
    if not _write_export(args.file, header, rows, f"Tình hình {today:%d-%m-%Y}"):
        return 1
    agencies = len({r[0] for r in rows})
    overdue = sum(1 for r in rows if r[6] == "quá hạn")
    print(f"Đã ghi {len(rows)} dòng (tình hình nộp của {agencies} cơ quan tính đến {_fmt(today)}, "
          f"{overdue} lượt quá hạn) vào tệp {args.file}.")
    return 0


def cmd_export_overdue(repo: Repository, args) -> int:
    """Overdue list on --today (optionally one obligation) to a .csv/.xlsx file."""
    if not _check_extension(args.file):
        return 1
    today = _today(args.today)
    try:
        header, rows = repo.export_overdue(today, args.obligation)
    except UnknownObligationError:
        print(f"Không có nghĩa vụ mã '{args.obligation}'.", file=sys.stderr)
        return 1
    if not _write_export(args.file, header, rows, f"Quá hạn {today:%d-%m-%Y}"):
        return 1
    if rows:
        print(f"Đã ghi {len(rows)} lượt quá hạn tính đến {_fmt(today)} vào tệp {args.file}.")
    else:
        print(f"Tính đến {_fmt(today)}, không có cơ quan nào quá hạn; đã ghi tệp {args.file} chỉ có dòng tiêu đề.")
    return 0


def cmd_record(repo: Repository, args) -> int:
    directory = AgencyDirectory.from_files(load_settings().data_dir)
    code = _resolve_agency(directory, args.agency)
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
        print(f"Cơ quan {code} chưa có trong cơ sở dữ liệu; hãy chạy 'python -m bot init-db'.", file=sys.stderr)
        return 1
    except DuplicateSubmissionError:
        print(f"Đã có bản ghi {args.obligation} của {directory.get(code).name} với số hiệu '{args.reference}'.",
              file=sys.stderr)
        return 1
    print(f"Đã ghi nhận: {directory.get(code).name} gửi {sub.obligation_code} ngày {_fmt(sub.received_on)}"
          f" (số {sub.reference_number or 'không có'}).")
    return 0


def cmd_overdue(repo: Repository, args) -> int:
    today = _today(args.today)
    try:
        entries = repo.overdue_agencies(today, args.obligation)
    except UnknownObligationError:
        print(f"Không có nghĩa vụ mã '{args.obligation}'.", file=sys.stderr)
        return 1
    if not entries:
        print(f"Tính đến {_fmt(today)}, không có cơ quan nào quá hạn.")
        return 0
    print(f"Tính đến {_fmt(today)}, có {len(entries)} lượt quá hạn:")
    current = None
    for e in entries:
        if e.obligation.code != current:
            current = e.obligation.code
            group = [x for x in entries if x.obligation.code == current]
            print(f"\n{e.obligation.code} — {e.obligation.title}; hạn {_fmt(e.obligation.due_date)}"
                  f"{_due_note(e.obligation.due_date_origin)}; {len(group)} cơ quan chưa gửi:")
        print(f"  - {e.agency.name}: quá hạn {e.days_overdue} ngày")
    return 0


def cmd_status(repo: Repository, args) -> int:
    directory = AgencyDirectory.from_files(load_settings().data_dir)
    code = _resolve_agency(directory, args.agency)
    if code is None:
        return 1
    today = _today(args.today)
    try:
        st = repo.agency_status(code, today)
    except UnknownAgencyError:
        print(f"Cơ quan {code} chưa có trong cơ sở dữ liệu; hãy chạy 'python -m bot init-db'.", file=sys.stderr)
        return 1
    print(f"Tình hình của {st.agency.name} tính đến {_fmt(today)}:")
    for it in st.items:
        o = it.obligation
        mark = "*" if o.due_date_origin == "operator_default" else ""
        head = f"  - {o.code} — {o.title}; hạn {_fmt(o.due_date)}{mark}: "
        if it.state == "submitted":
            sub = it.submission
            line = f"đã gửi ngày {_fmt(sub.received_on)}, số {sub.reference_number or 'không có'}"
            if it.days_late:
                line += f" (muộn {it.days_late} ngày)"
            if sub.is_sample:
                line += " [dữ liệu mẫu]"
        elif it.state == "open":
            line = "chưa gửi, hôm nay là hạn chót" if it.days_left == 0 else f"chưa gửi, còn {it.days_left} ngày"
        else:
            line = f"chưa gửi, quá hạn {it.days_overdue} ngày"
        print(head + line)
    if any(it.obligation.due_date_origin == "operator_default" for it in st.items):
        print("  (*) Hạn mặc định do đơn vị vận hành đặt; Văn bản 797/BTTTT-THH không quy định ngày hạn nộp.")
    if st.succession:
        sc = st.succession
        verb = "đổi thành" if sc.kind == "rename" else "hợp nhất vào"
        print(f"Lưu ý: từ {_fmt(sc.effective)}, {st.agency.name} đã {verb} {sc.successor_name} ({sc.source}).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="Quản lý dữ liệu Văn bản 797/BTTTT-THH.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("init-db", help="tạo bảng và nạp dữ liệu (chạy lại nhiều lần không sao)")
    s.add_argument("--no-samples", action="store_true", help="không nạp dữ liệu mẫu")
    s.set_defaults(func=cmd_init_db)
    s = sub.add_parser("import-submissions", help="nhập danh sách văn bản đã nhận từ tệp CSV hoặc Excel (.xlsx)")
    s.add_argument("file", help="tệp .csv hoặc .xlsx, cột agency,obligation,received_on,reference_number,note")
    s.set_defaults(func=cmd_import)
    s = sub.add_parser("record", help="ghi nhận một văn bản đã nhận")
    s.add_argument("agency", help="tên hoặc tên viết tắt của cơ quan")
    s.add_argument("obligation", help="mã nghĩa vụ, ví dụ KH-2022, BC-2022-Q1")
    s.add_argument("received_on", help="ngày nhận DD/MM/YYYY")
    s.add_argument("reference", help="số hiệu văn bản")
    s.add_argument("--note", default="")
    s.set_defaults(func=cmd_record)
    s = sub.add_parser("overdue", help="liệt kê cơ quan quá hạn")
    s.add_argument("--today", help="YYYY-MM-DD (mặc định: hôm nay giờ Việt Nam)")
    s.add_argument("--obligation", help="chỉ một nghĩa vụ, ví dụ BC-2022-Q1")
    s.set_defaults(func=cmd_overdue)
    s = sub.add_parser("status", help="tình hình gửi văn bản của một cơ quan")
    s.add_argument("agency")
    s.add_argument("--today", help="YYYY-MM-DD (mặc định: hôm nay giờ Việt Nam)")
    s.set_defaults(func=cmd_status)
    s = sub.add_parser("export", help="xuất tình hình nộp hoặc danh sách quá hạn ra tệp CSV hoặc Excel (.xlsx)")
    export = s.add_subparsers(dest="what", required=True)
    e = export.add_parser("status", help="tình hình nộp của mọi cơ quan với mọi nghĩa vụ")
    e.add_argument("file", help="tệp .csv hoặc .xlsx sẽ được ghi (ghi đè nếu đã có)")
    e.add_argument("--today", help="YYYY-MM-DD (mặc định: hôm nay giờ Việt Nam)")
    e.set_defaults(func=cmd_export_status)
    e = export.add_parser("overdue", help="danh sách cơ quan quá hạn")
    e.add_argument("file", help="tệp .csv hoặc .xlsx sẽ được ghi (ghi đè nếu đã có)")
    e.add_argument("--today", help="YYYY-MM-DD (mặc định: hôm nay giờ Việt Nam)")
    e.add_argument("--obligation", help="chỉ một nghĩa vụ, ví dụ BC-2022-Q1")
    e.set_defaults(func=cmd_export_overdue)
    add_account_commands(sub)
    add_reminder_commands(sub)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    if hasattr(signal, "SIGPIPE") and argv is None:
        # `python -m bot audit | head`: stop quietly when the reader goes away
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    if getattr(args, "today", None):
        try:
            date.fromisoformat(args.today)
        except ValueError:
            print(f"Ngày '{args.today}' không đúng định dạng YYYY-MM-DD.", file=sys.stderr)
            return 1
    engine = make_engine()
    try:
        return args.func(Repository(engine), args)
    except SQLAlchemyError as exc:
        print(
            "Lỗi cơ sở dữ liệu (đã chạy 'python -m bot init-db' chưa?): "
            f"{type(exc).__name__}: {str(exc).splitlines()[0]}",
            file=sys.stderr,
        )
        return 2
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
