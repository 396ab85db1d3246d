"""Operator commands for the console's staff accounts (output in Vietnamese).

    python -m bot staff add USERNAME [--password-stdin]   create an account (asks for the password twice)
    python -m bot staff revoke USERNAME                   the account can no longer sign in
    python -m bot staff list                              every account, active and revoked

Passwords are hashed with argon2id (:mod:`bot.admin.staff`); ``--password-stdin``
reads the password from the first line of standard input (scripts). Creating
and revoking accounts are audited. Exit codes: 0 ok, 1 invalid input, 2
database error (:func:`bot.cli.main`).
"""
from __future__ import annotations

import argparse
import getpass
import sys

from bot.admin.staff import MIN_PASSWORD_CHARS, StaffError, StaffRepository
from bot.db.repository import Repository
from bot.domain.dates import local_time_text


def _password(args) -> str:
    """The new password from stdin (``--password-stdin``) or typed twice; ``""`` when the two differ."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Mật khẩu (ít nhất {MIN_PASSWORD_CHARS} ký tự): ")
    second = getpass.getpass("Nhập lại mật khẩu: ")
    return first if first == second else ""


def cmd_add(repo: Repository, args) -> int:
    password = _password(args)
    if not password:
        print("Hai lần nhập mật khẩu không khớp (hoặc để trống); chưa tạo tài khoản.", file=sys.stderr)
        return 1
    try:
        view = StaffRepository(repo.engine).add(args.username, password)
    except StaffError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Đã tạo tài khoản '{view.username}' cho bảng điều khiển vận hành (/admin/).")
    return 0


def cmd_revoke(repo: Repository, args) -> int:
    if not StaffRepository(repo.engine).revoke(args.username):
        print(f"Không có tài khoản đang hoạt động tên '{args.username}'.", file=sys.stderr)
        return 1
    print(f"Đã thu hồi tài khoản '{args.username}'; người này không đăng nhập được nữa.")
    return 0


def cmd_list(repo: Repository, args) -> int:
    accounts = StaffRepository(repo.engine).list()
    if not accounts:
        print("Chưa có tài khoản nào. Tạo bằng: python -m bot staff add TÊN")
        return 0
    for a in accounts:
        state = f"đã thu hồi {local_time_text(a.revoked_at)}" if a.revoked_at else "đang hoạt động"
        print(f"  {a.username}  tạo {local_time_text(a.created_at)}  {state}  "
              f"đăng nhập gần nhất {local_time_text(a.last_login_at, empty='—')}")
    return 0


def add_staff_commands(sub: "argparse._SubParsersAction") -> None:
    """Register ``staff add|revoke|list``."""
    s = sub.add_parser("staff", help="tài khoản nhân viên của bảng điều khiển vận hành (/admin/)")
    staff = s.add_subparsers(dest="what", required=True)
    a = staff.add_parser("add", help="tạo tài khoản")
    a.add_argument("username", help="tên đăng nhập: chữ thường không dấu, số, . _ -")
    a.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn")
    a.set_defaults(func=cmd_add)
    r = staff.add_parser("revoke", help="thu hồi tài khoản")
    r.add_argument("username")
    r.set_defaults(func=cmd_revoke)
    staff.add_parser("list", help="danh sách tài khoản").set_defaults(func=cmd_list)
