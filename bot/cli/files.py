"""Operator commands for submission files (output in Vietnamese).

    python -m bot import-submissions FILE.(csv|xlsx)
    python -m bot export status FILE.(csv|xlsx) [--today YYYY-MM-DD]
    python -m bot export overdue FILE.(csv|xlsx) [--today YYYY-MM-DD] [--obligation CODE]

``import-submissions`` checks every row (agency, obligation, date, duplicates)
and writes nothing when any row fails; it prints a report either way
(:mod:`bot.submissions.importer`). ``export`` writes the status of every
agency x obligation, or the overdue list, on the given local date
(Asia/Ho_Chi_Minh; default today); cells a spreadsheet could run as formulas
are neutralised (:mod:`bot.submissions.tabular`).
"""
from __future__ import annotations

import argparse
import sys

from bot.cli.common import TODAY_HELP, directory, os_error_vi, today_arg
from bot.db.repository import Repository
from bot.db.views import UnknownObligationError
from bot.domain.dates import local_today, vn_date
from bot.submissions import tabular
from bot.submissions.export import overdue_table, status_table
from bot.submissions.importer import import_submissions


def cmd_import(repo: Repository, args) -> int:
    """Import a .csv or .xlsx file; prints the report. 0 all written, 1 nothing written."""
    try:
        rep = import_submissions(repo, args.file, directory(), today=local_today(), actor="operator")
    except FileNotFoundError:
        print(f"Không tìm thấy tệp {args.file}.", file=sys.stderr)
        return 1
    except OSError as exc:
        reason = "không có quyền đọc" if isinstance(exc, PermissionError) else os_error_vi(exc)
        print(f"Không đọc được tệp {args.file}: {reason}.", file=sys.stderr)
        return 1
    print(rep.to_text())
    return 0 if rep.ok else 1


def _check_extension(path: str) -> bool:
    try:
        tabular.check_extension(path)
    except ValueError as exc:
        print(f"Không ghi được tệp {path}: {exc}.", file=sys.stderr)
        return False
    return True


def _write(path: str, header, rows, sheet_title: str) -> bool:
    """Write the table; on failure print why (in Vietnamese) and return False."""
    try:
        tabular.write_table(path, header, rows, sheet_title)
    except ValueError as exc:  # unsupported extension
        print(f"Không ghi được tệp {path}: {exc}.", file=sys.stderr)
        return False
    except OSError as exc:
        print(f"Không ghi được tệp {path}: {os_error_vi(exc)}.", file=sys.stderr)
        return False
    return True


def cmd_export_status(repo: Repository, args) -> int:
    """Status of every agency x obligation on --today to a .csv/.xlsx file."""
    if not _check_extension(args.file):
        return 1
    today = today_arg(args.today)
    header, rows = status_table(repo, today)
    if not _write(args.file, header, rows, f"Tình hình {today:%d-%m-%Y}"):
        return 1
    agencies = len({r[0] for r in rows})
    overdue = sum(1 for r in rows if r[6] == "quá hạn")
    print(f"Đã ghi {len(rows)} dòng (tình hình nộp của {agencies} cơ quan tính đến {vn_date(today)}, "
          f"{overdue} lượt quá hạn) vào tệp {args.file}.")
    return 0


def cmd_export_overdue(repo: Repository, args) -> int:
    """Overdue list on --today (optionally one obligation) to a .csv/.xlsx file."""
    if not _check_extension(args.file):
        return 1
    today = today_arg(args.today)
    try:
        header, rows = overdue_table(repo, today, args.obligation)
    except UnknownObligationError:
        print(f"Không có nghĩa vụ mã '{args.obligation}'.", file=sys.stderr)
        return 1
    if not _write(args.file, header, rows, f"Quá hạn {today:%d-%m-%Y}"):
        return 1
    if rows:
        print(f"Đã ghi {len(rows)} lượt quá hạn tính đến {vn_date(today)} vào tệp {args.file}.")
    else:
        print(f"Tính đến {vn_date(today)}, không có cơ quan nào quá hạn; đã ghi tệp {args.file} chỉ có dòng tiêu đề.")
    return 0


def add_file_commands(sub: "argparse._SubParsersAction") -> None:
    """Register ``import-submissions`` and ``export status|overdue``."""
    s = sub.add_parser("import-submissions", help="nhập danh sách văn bản đã nhận từ tệp CSV hoặc Excel (.xlsx)")
    s.add_argument("file", help="tệp .csv hoặc .xlsx, cột agency,obligation,received_on,reference_number,note")
    s.set_defaults(func=cmd_import)
    s = sub.add_parser("export", help="xuất tình hình nộp hoặc danh sách quá hạn ra tệp CSV hoặc Excel (.xlsx)")
    export = s.add_subparsers(dest="what", required=True)
    e = export.add_parser("status", help="tình hình nộp của mọi cơ quan với mọi nghĩa vụ")
    e.add_argument("file", help="tệp .csv hoặc .xlsx sẽ được ghi (ghi đè nếu đã có)")
    e.add_argument("--today", help=TODAY_HELP)
    e.set_defaults(func=cmd_export_status)
    e = export.add_parser("overdue", help="danh sách cơ quan quá hạn")
    e.add_argument("file", help="tệp .csv hoặc .xlsx sẽ được ghi (ghi đè nếu đã có)")
    e.add_argument("--today", help=TODAY_HELP)
    e.add_argument("--obligation", help="chỉ một nghĩa vụ, ví dụ BC-2022-Q1")
    e.set_defaults(func=cmd_export_overdue)
