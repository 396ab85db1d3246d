"""Staff accounts of the operators' console and the audit entries of their actions.

Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher`` defaults);
only the hash is stored. Every change a staff member makes in the console is
written to the shared audit trail (``audit_entry``) with ``actor="staff"``,
``channel="console"`` and ``user_id`` = the username.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db import models as m
from bot.db.accounts import AccountRepository

MIN_PASSWORD_CHARS = 10
USERNAME = re.compile(r"^[a-z0-9._-]{2,64}$")
_HASHER = PasswordHasher()
# verified against when the username is unknown, so a wrong username costs as long as a wrong password
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


class StaffError(ValueError):
    """A staff account cannot be created: the message says why, in Vietnamese."""


@dataclass(frozen=True)
class StaffView:
    username: str
    created_at: datetime
    revoked_at: Optional[datetime]
    last_login_at: Optional[datetime]


def audit_staff_action(s: Session, username: str, action: str, *, detail: Optional[dict] = None,
                       agency_id: Optional[int] = None) -> None:
    """Adds one audit entry for ``username``'s ``action`` (at most 32 characters) to session ``s``
    (committed by the caller); ``detail`` is stored as JSON."""
    AccountRepository._audit(s, actor="staff", action=action, channel="console", user_id=username,
                             agency_id=agency_id, detail=detail or {})


class StaffRepository:
    """Staff accounts in the application database (``engine`` from
    :func:`bot.db.session.make_engine`). Database errors propagate as
    ``sqlalchemy.exc.SQLAlchemyError``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._Session = sessionmaker(bind=engine, future=True, expire_on_commit=False)

    def add(self, username: str, password: str) -> StaffView:
        """Creates the account ``username`` (2-64 of ``a-z 0-9 . _ -``) with ``password``
        (at least :data:`MIN_PASSWORD_CHARS` characters); audited as done by ``operator``.

        Raises:
            StaffError: bad username, short password, or the username exists.
        """
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise StaffError("Tên đăng nhập chỉ gồm chữ thường không dấu, số và . _ -, dài 2–64 ký tự.")
        if len(password) < MIN_PASSWORD_CHARS:
            raise StaffError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_CHARS} ký tự.")
        with self._Session() as s, s.begin():
            if s.execute(select(m.StaffAccount).where(m.StaffAccount.username == username)).scalar():
                raise StaffError(f"Tài khoản '{username}' đã có.")
            row = m.StaffAccount(username=username, password_hash=_HASHER.hash(password))
            s.add(row)
            AccountRepository._audit(s, actor="operator", action="staff_add", detail={"username": username})
            s.flush()
            return _view(row)

    def revoke(self, username: str) -> bool:
        """Revokes ``username``: it can no longer sign in (existing sessions end at
        their next request). Returns False when there is no such active account."""
        with self._Session() as s, s.begin():
            row = s.execute(select(m.StaffAccount).where(m.StaffAccount.username == username.strip().lower(),
                                                         m.StaffAccount.revoked_at.is_(None))).scalar()
            if row is None:
                return False
            row.revoked_at = datetime.now(timezone.utc)
            AccountRepository._audit(s, actor="operator", action="staff_revoke", detail={"username": row.username})
            return True

    def list(self) -> List[StaffView]:
        """Every account, active and revoked, by username."""
        with self._Session() as s:
            return [_view(r) for r in s.execute(select(m.StaffAccount).order_by(m.StaffAccount.username)).scalars()]

    def is_active(self, username: str) -> bool:
        """Whether ``username`` exists and is not revoked."""
        with self._Session() as s:
            return s.execute(select(m.StaffAccount.id).where(m.StaffAccount.username == username,
                                                             m.StaffAccount.revoked_at.is_(None))).first() is not None

    def verify(self, username: str, password: str) -> Optional[str]:
        """The account's username when ``password`` is right for an active account
        (its last sign-in is recorded and audited), else ``None``."""
        username = (username or "").strip().lower()
        with self._Session() as s, s.begin():
            row = s.execute(select(m.StaffAccount).where(m.StaffAccount.username == username,
                                                         m.StaffAccount.revoked_at.is_(None))).scalar()
            try:
                _HASHER.verify(row.password_hash if row else _DUMMY_HASH, password or "")
            except (VerificationError, InvalidHashError):
                return None
            if row is None:
                return None
            if _HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = _HASHER.hash(password)
            row.last_login_at = datetime.now(timezone.utc)
            audit_staff_action(s, row.username, "staff_login")
            return row.username


def _view(row: m.StaffAccount) -> StaffView:
    return StaffView(row.username, row.created_at, row.revoked_at, row.last_login_at)
