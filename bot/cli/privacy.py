"""Personal data on request and by retention (``python -m bot privacy ...``,
output in Vietnamese; Decree 13/2023/NĐ-CP, see :mod:`bot.db.privacy`).

    python -m bot privacy purge [--days N] [--conversations-url URL]
        removes raw message texts older than N days (default CONVERSATION_RETENTION_DAYS)
    python -m bot privacy forget CONVERSATION_ID [--conversations-url URL]
        deletes one person's conversations (an id such as telegram:880000001)

The conversations are Rasa's tracker store: by default the SQLite file of
``CONVERSATIONS_DB``; ``--conversations-url`` names another (the scale-out
configuration's PostgreSQL database, e.g.
``postgresql://postgres@127.0.0.1:5432/rasa_trackers``). Exit codes: 0 done,
1 invalid input, 2 database error (handled by :func:`bot.cli.main`).
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy.engine import Engine

from bot.db.privacy import forget_conversation, purge_texts
from bot.db.repository import Repository
from bot.db.session import make_engine
from bot.settings import load_settings


def _conversations(url: Optional[str]) -> Optional[Engine]:
    """The tracker store's database, or ``None`` (with a note) when the default
    SQLite file does not exist yet (no conversation was stored)."""
    if url:
        return make_engine(url)
    path = load_settings().conversations_db
    if not path.is_file():
        print(f"Chưa có cơ sở dữ liệu hội thoại ({path}); chỉ xử lý cơ sở dữ liệu chính.")
        return None
    return make_engine(f"sqlite:///{path}")


def cmd_purge(repo: Repository, args) -> int:
    days = args.days if args.days is not None else load_settings().conversation_retention_days
    if days < 1:
        print("Số ngày lưu giữ phải từ 1 trở lên.", file=sys.stderr)
        return 1
    before = datetime.now(timezone.utc) - timedelta(days=days)
    conversations = _conversations(args.conversations_url)
    try:
        done = purge_texts(repo.engine, conversations, before)
    finally:
        if conversations is not None:
            conversations.dispose()
    print(f"Đã xóa nội dung tin nhắn cũ hơn {days} ngày: {done.events} sự kiện hội thoại, "
          f"{done.audit_entries} mục nhật ký (giữ người thực hiện, thời điểm, thao tác), "
          f"{done.feedback_comments} góp ý.")
    return 0


def cmd_forget(repo: Repository, args) -> int:
    sender_id = args.conversation_id.strip()
    if not sender_id:
        print("Cần mã hội thoại, ví dụ telegram:880000001.", file=sys.stderr)
        return 1
    conversations = _conversations(args.conversations_url)
    try:
        done = forget_conversation(repo.engine, conversations, sender_id)
    finally:
        if conversations is not None:
            conversations.dispose()
    print(f"Đã xóa hội thoại {sender_id}: {done.events} sự kiện, {done.feedback} đánh giá, "
          f"{done.undelivered} tin chờ gửi, {done.link_attempts} lần nhập mã; "
          f"xóa nội dung tin nhắn của {done.audit_entries} mục nhật ký. Đã ghi vào nhật ký (python -m bot audit).")
    if done.linked_account_kept:
        print("Tài khoản này vẫn đang liên kết với một cơ quan; liên kết được giữ lại "
              "(dùng 'python -m bot links' và 'python -m bot revoke-link' để hủy).")
    return 0


def add_privacy_commands(sub: "argparse._SubParsersAction") -> None:
    """Register ``privacy purge`` and ``privacy forget`` on ``python -m bot``'s subparsers."""
    group = sub.add_parser("privacy", help="dữ liệu cá nhân: xóa nội dung tin nhắn cũ, xóa hội thoại của một người")
    actions = group.add_subparsers(dest="privacy_command", required=True)
    url_help = "cơ sở dữ liệu hội thoại (mặc định: tệp SQLite CONVERSATIONS_DB)"
    s = actions.add_parser("purge", help="xóa nội dung tin nhắn cũ hơn CONVERSATION_RETENTION_DAYS ngày")
    s.add_argument("--days", type=int, help="số ngày lưu giữ (mặc định: CONVERSATION_RETENTION_DAYS)")
    s.add_argument("--conversations-url", help=url_help)
    s.set_defaults(func=cmd_purge)
    s = actions.add_parser("forget", help="xóa mọi hội thoại của một người theo yêu cầu")
    s.add_argument("conversation_id", help="mã hội thoại, ví dụ telegram:880000001 hoặc web:<mã phiên>")
    s.add_argument("--conversations-url", help=url_help)
    s.set_defaults(func=cmd_forget)
