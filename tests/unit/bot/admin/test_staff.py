"""bot.admin.staff on real SQLite and PostgreSQL: accounts, argon2 hashes, audit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.admin.staff import StaffError, StaffRepository
from bot.db import models as m


@pytest.fixture
def staff(migrated_engine) -> StaffRepository:
    return StaffRepository(migrated_engine)


def test_account_signs_in_with_its_password_only(staff, migrated_engine) -> None:
    staff.add("Lan.Nguyen", "mat-khau-dai-12")
    assert staff.verify("lan.nguyen", "mat-khau-dai-12") == "lan.nguyen"
    assert staff.verify("lan.nguyen", "mat-khau-dai-13") is None
    assert staff.verify("nobody", "mat-khau-dai-12") is None
    with migrated_engine.connect() as c:
        row = c.execute(select(m.StaffAccount)).one()
    assert row.password_hash.startswith("$argon2id$") and "mat-khau" not in row.password_hash
    assert row.last_login_at is not None


def test_revoked_account_cannot_sign_in(staff) -> None:
    staff.add("lan", "mat-khau-dai-12")
    assert staff.is_active("lan")
    assert staff.revoke("lan") is True
    assert staff.revoke("lan") is False
    assert not staff.is_active("lan")
    assert staff.verify("lan", "mat-khau-dai-12") is None
    assert [v.username for v in staff.list()] == ["lan"] and staff.list()[0].revoked_at is not None


@pytest.mark.parametrize("username,password", [("lan", "ngan"), ("Lan Nguyen", "mat-khau-dai-12"),
                                               ("x", "mat-khau-dai-12"), ("lan<script>", "mat-khau-dai-12")])
def test_bad_username_or_short_password_is_refused_in_vietnamese(staff, username, password) -> None:
    with pytest.raises(StaffError) as error:
        staff.add(username, password)
    assert "ký tự" in str(error.value)
    assert staff.list() == []


def test_duplicate_is_refused(staff) -> None:
    staff.add("lan", "mat-khau-dai-12")
    with pytest.raises(StaffError, match="đã có"):
        staff.add("LAN", "mat-khau-khac-34")


def test_changes_and_sign_ins_are_audited_without_the_password(staff, migrated_engine) -> None:
    staff.add("lan", "mat-khau-dai-12")
    staff.verify("lan", "mat-khau-dai-12")
    staff.revoke("lan")
    with migrated_engine.connect() as c:
        rows = c.execute(select(m.AuditEntry.actor, m.AuditEntry.action, m.AuditEntry.user_id, m.AuditEntry.detail)
                         .order_by(m.AuditEntry.id)).all()
    assert [(r.actor, r.action) for r in rows] == [("operator", "staff_add"), ("staff", "staff_login"),
                                                  ("operator", "staff_revoke")]
    assert rows[1].user_id == "lan"
    assert "mat-khau" not in repr(rows)
