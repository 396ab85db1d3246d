"""Operator commands for accounts (`python -m bot link-code|codes|links|revoke-*|audit`)
as subprocesses against a temporary SQLite database."""
from __future__ import annotations

import re

import pytest

from bot.db.accounts import AccountRepository
from bot.db.session import make_engine


@pytest.fixture
def cli(run):
    assert run("init-db", "--no-samples").returncode == 0
    return run


def test_issue_use_list_revoke_and_audit(cli):
    r = cli("link-code", "quang ninh", "--hours", "48")
    assert r.returncode == 0, r.stderr
    code = re.search(r"Mã liên kết cho Tỉnh Quảng Ninh: ([A-Z0-9]{5}-[A-Z0-9]{5})", r.stdout).group(1)
    assert "dùng được một lần" in r.stdout and f"?start={code}" in r.stdout
    r = cli("codes")
    assert "Tỉnh Quảng Ninh" in r.stdout and "còn hiệu lực đến" in r.stdout and code not in r.stdout

    engine = make_engine(cli.url)
    assert AccountRepository(engine).redeem_code("zalo", "z-42", code).status == "linked"
    engine.dispose()
    r = cli("codes")
    assert "Không có mã liên kết nào còn hiệu lực" in r.stdout
    r = cli("codes", "--all")
    assert "đã dùng" in r.stdout and "zalo:z-42" in r.stdout
    r = cli("links")
    link_id = re.search(r"#(\d+)\s+zalo:z-42\s+Tỉnh Quảng Ninh", r.stdout).group(1)
    r = cli("revoke-link", link_id)
    assert r.returncode == 0 and "Đã hủy liên kết" in r.stdout
    assert cli("revoke-link", link_id).returncode == 1
    assert "Chưa có tài khoản nào" in cli("links").stdout
    r = cli("audit")
    lines = r.stdout.splitlines()[1:]  # after the header
    assert ["hủy liên kết" in lines[0], "liên kết tài khoản" in lines[1], "cấp mã liên kết" in lines[2]] == [True] * 3
    assert "zalo:z-42" in lines[1] and "vận hành" in lines[2] and code not in r.stdout


def test_bad_input_is_explained(cli):
    r = cli("link-code", "Quảng")
    assert r.returncode == 1 and "Không xác định được cơ quan" in r.stderr
    r = cli("link-code", "Bộ Y tế", "--hours", "0")
    assert r.returncode == 1 and "lớn hơn 0" in r.stderr
    r = cli("revoke-code", "999")
    assert r.returncode == 1 and "Không có mã số 999" in r.stderr
