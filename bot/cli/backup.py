"""``python -m bot backup [--out FOLDER]``: copies of the agency database and
the conversations while the assistant runs (SQLite's online backup,
:mod:`bot.db.backup`), into ``FOLDER`` (default ``var/backups/<UTC time>``).
For a PostgreSQL database it prints the ``pg_dump`` command instead.
Exit codes: 0 done, 1 a copy failed (the message says which).
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

from bot.cli.common import os_error_vi
from bot.db.backup import backup_sqlite, pg_dump_command, sqlite_path
from bot.settings import PROJECT_ROOT, load_settings


def cmd_backup(_repo, args) -> int:
    settings = load_settings()
    out = Path(args.out) if args.out else \
        PROJECT_ROOT / "var" / "backups" / datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    sources = []
    app_db = sqlite_path(settings.database_url)
    if app_db is None:
        print("Cơ sở dữ liệu chính là PostgreSQL: sao lưu bằng pg_dump, ví dụ:\n  "
              + pg_dump_command(settings.database_url, out / "assistant.dump")
              + "\n(khôi phục bằng pg_restore; mật khẩu, nếu có, đặt trong PGPASSWORD).")
    else:
        sources.append((app_db, out / "assistant.db"))
    if settings.conversations_db.is_file():
        sources.append((settings.conversations_db, out / "conversations.sqlite"))
    else:
        print(f"Chưa có tệp hội thoại {settings.conversations_db}; bỏ qua.")
    failed = 0
    for source, target in sources:
        try:
            size = backup_sqlite(source, target)
        except FileNotFoundError:
            print(f"Không tìm thấy {source} (đã chạy 'python -m bot init-db' chưa?).", file=sys.stderr)
            failed += 1
        except sqlite3.Error as exc:
            print(f"Không sao lưu được {source}: {exc}.", file=sys.stderr)
            failed += 1
        except OSError as exc:
            print(f"Không ghi được {target}: {os_error_vi(exc)}.", file=sys.stderr)
            failed += 1
        else:
            print(f"Đã sao lưu {source} -> {target} ({size} byte).")
    return 1 if failed else 0


def add_backup_commands(sub: "argparse._SubParsersAction") -> None:
    """Register ``backup`` on ``python -m bot``'s subparsers."""
    s = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu và hội thoại (SQLite), hướng dẫn pg_dump (PostgreSQL)")
    s.add_argument("--out", help="thư mục chứa bản sao (mặc định var/backups/<thời điểm UTC>)")
    s.set_defaults(func=cmd_backup, no_database=True)
