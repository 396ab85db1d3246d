"""Operator commands to put a wrong record right (`python -m bot records|withdraw|correct`)
as subprocesses against a temporary SQLite database."""
from __future__ import annotations

import re

import pytest


@pytest.fixture
def cli(run):
    assert run("init-db").returncode == 0
    return run


def test_list_correct_and_withdraw_with_audit(cli):
    r = cli("record", "Quảng Ninh", "BC-2022-Q2", "14/06/2022", "15/BC-UBND")
    assert r.returncode == 0, r.stderr
    r = cli("records", "quang ninh")
    line = re.search(r"#(\d+)\s+Tỉnh Quảng Ninh\s+BC-2022-Q2\s+gửi 14/06/2022\s+số 15/BC-UBND", r.stdout)
    assert line and "bản ghi mẫu" not in r.stdout
    record_id = line.group(1)
    assert "132/BC-UBND" in cli("records", "Quảng Ninh", "--all").stdout  # the shipped sample, with --all

    r = cli("correct", record_id, "--obligation", "bc-2022-q3", "--date", "15/06/2022", "--reason", "nhầm quý")
    assert r.returncode == 0, r.stderr
    assert re.search(r"Trước: #\d+ .*BC-2022-Q2\s+gửi 14/06/2022", r.stdout)
    assert re.search(r"Sau:   #\d+ .*BC-2022-Q3\s+gửi 15/06/2022\s+số 15/BC-UBND", r.stdout)
    r = cli("withdraw", record_id, "--reason", "đơn vị báo nhầm")
    assert r.returncode == 0 and r.stdout.startswith(f"Đã rút bản ghi: #{record_id} ")
    assert "BC-2022" not in cli("records", "Quảng Ninh").stdout

    audit = cli("audit", "--agency", "QUANGNINH").stdout.splitlines()
    assert "rút bản ghi" in audit[1] and "vận hành" in audit[1] and "«đơn vị báo nhầm»" in audit[1]
    assert "trước=[BC-2022-Q3 2022-06-15 số 15/BC-UBND]" in audit[1]
    assert "sửa bản ghi" in audit[2] and "sau=[BC-2022-Q3 2022-06-15 số 15/BC-UBND]" in audit[2]
    assert "trước=[BC-2022-Q2 2022-06-14 số 15/BC-UBND]" in audit[2]


def test_bad_input_is_refused_and_nothing_changes(cli):
    cli("record", "Quảng Ninh", "BC-2022-Q2", "14/06/2022", "15/BC-UBND")
    record_id = re.search(r"#(\d+)", cli("records", "Quảng Ninh").stdout).group(1)
    r = cli("withdraw", "99999")
    assert r.returncode == 1 and "Không có bản ghi số 99999" in r.stderr
    r = cli("correct", record_id)
    assert r.returncode == 1 and "Cần ít nhất một trong" in r.stderr
    r = cli("correct", record_id, "--date", "31/02/2022")
    assert r.returncode == 1 and "không tồn tại" in r.stderr
    r = cli("correct", record_id, "--date", "02/07/2022")  # "today" is 01/07/2022
    assert r.returncode == 1 and "ở sau hôm nay" in r.stderr
    r = cli("correct", record_id, "--obligation", "BC-2030-Q1")
    assert r.returncode == 1 and "Các mã hợp lệ" in r.stderr
    r = cli("correct", record_id, "--reference", "15/bc-ubnd")
    assert r.returncode == 1 and "đã đúng như vậy" in r.stderr
    assert r.stdout == "" and "Traceback" not in r.stderr
    assert "15/BC-UBND" in cli("records", "Quảng Ninh").stdout
