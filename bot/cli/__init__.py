"""The operator's command line, ``python -m bot COMMAND`` (output in Vietnamese).

One module per command group, each with an ``add_*_commands(subparsers)``:

- :mod:`bot.cli.data`: ``init-db``, ``record``, ``overdue``, ``status``
- :mod:`bot.cli.files`: ``import-submissions``, ``export status|overdue``
- :mod:`bot.cli.accounts`: ``link-code``, ``codes``, ``revoke-code``, ``links``, ``revoke-link``, ``audit``
- :mod:`bot.cli.corrections`: ``records``, ``withdraw``, ``correct``
- :mod:`bot.cli.reminders`: ``reminders run-once|list|paused``, ``undelivered``, ``scheduler``
- :mod:`bot.cli.serve`: ``serve`` (what ``make run`` starts), ``cluster``
- :mod:`bot.cli.staff`: ``staff add|revoke|list`` (the operators' console's accounts)
- :mod:`bot.cli.privacy`: ``privacy purge|forget``
- :mod:`bot.cli.backup`: ``backup``

A command is ``func(repo, args) -> exit code``. The database comes from
``DATABASE_URL`` (:mod:`bot.settings`). Exit codes: 0 ok, 1 invalid input /
rejected import / file that cannot be written, 2 database error.
"""
from __future__ import annotations

import argparse
import signal
import sys
from datetime import date
from typing import List, Optional

from sqlalchemy.exc import SQLAlchemyError

from bot.cli.accounts import add_account_commands
from bot.cli.backup import add_backup_commands
from bot.cli.corrections import add_correction_commands
from bot.cli.data import add_data_commands
from bot.cli.files import add_file_commands
from bot.cli.privacy import add_privacy_commands
from bot.cli.reminders import add_reminder_commands
from bot.cli.serve import add_serve_commands
from bot.cli.staff import add_staff_commands
from bot.db.repository import Repository
from bot.db.session import make_engine


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m bot`` parser with every command group registered."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Quản lý dữ liệu Văn bản 797/BTTTT-THH.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (add_data_commands, add_file_commands, add_account_commands, add_correction_commands,
                add_reminder_commands, add_serve_commands, add_privacy_commands, add_backup_commands,
                add_staff_commands):
        add(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run one command; returns its exit code (2 on a database error, with one line on stderr)."""
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
    if getattr(args, "no_database", False):
        return args.func(None, args)
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
