"""`python -m bot` as a subprocess against a temporary SQLite database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run(tmp_path):
    env = dict(os.environ)
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'var' / 'cli.db'}", ASSISTANT_TODAY="2022-07-01",
               PYTHONIOENCODING="utf-8")
    env.pop("ASSISTANT_DATA_DIR", None)

    def _run(*args):
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, encoding="utf-8", timeout=120)

    return _run


def test_cli_flow(run, tmp_path):
    r = run("init-db")
    assert r.returncode == 0, r.stderr
    assert "93 cơ quan" in r.stdout and "thêm 10 bản ghi mẫu" in r.stdout
    r = run("init-db")
    assert r.returncode == 0 and "Không có gì thay đổi" in r.stdout

    r = run("status", "quang ninh")
    assert r.returncode == 0, r.stderr
    assert "Tỉnh Quảng Ninh" in r.stdout and "quá hạn 62 ngày" in r.stdout and "dữ liệu mẫu" in r.stdout

    r = run("status", "Quảng")
    assert r.returncode == 1 and "chưa rõ" in r.stderr

    r = run("status", "Hà Giang")
    assert "Tỉnh Tuyên Quang" in r.stdout

    r = run("record", "Bộ TT&TT", "BC-2022-Q1", "16/03/2022", "12/BC-BTTTT", "--note", "ghi chú")
    assert r.returncode == 0, r.stderr
    assert "Đã ghi nhận: Bộ Thông tin và Truyền thông" in r.stdout
    r = run("record", "Bộ TT&TT", "BC-2022-Q1", "16/03/2022", "12/BC-BTTTT")
    assert r.returncode == 1 and "Đã có bản ghi" in r.stderr
    r = run("record", "Bộ TT&TT", "BC-2022-Q1", "32/03/2022", "x")
    assert r.returncode == 1 and "không tồn tại" in r.stderr
    r = run("record", "Xyz", "BC-2022-Q1", "16/03/2022", "x")
    assert r.returncode == 1 and "Không tìm thấy" in r.stderr

    r = run("overdue", "--today", "2022-03-16")
    assert r.returncode == 0
    assert "BC-2022-Q1" in r.stdout and "Bộ Y tế:" not in r.stdout and "Thành phố Hà Nội" in r.stdout
    assert "Bộ Thông tin và Truyền thông:" not in r.stdout
    r = run("overdue", "--today", "2022-03-01")
    assert "không có cơ quan nào quá hạn" in r.stdout


def test_cli_import(run, tmp_path):
    assert run("init-db", "--no-samples").returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("agency,obligation,received_on,reference_number,note\n"
                   "Bộ Y tế,KH-2022,01/04/2022,1,ok\nXyz,KH-2022,01/04/2022,2,\n", encoding="utf-8")
    r = run("import-submissions", str(bad))
    assert r.returncode == 1 and "Dòng 3" in r.stdout and "Chưa có dòng nào được ghi" in r.stdout
    r = run("status", "Bộ Y tế")
    assert "đã gửi" not in r.stdout  # nothing written
    good = tmp_path / "good.csv"
    good.write_text("agency,obligation,received_on,reference_number,note\nBộ Y tế,KH-2022,01/04/2022,1,ok\n",
                    encoding="utf-8")
    r = run("import-submissions", str(good))
    assert r.returncode == 0 and "Đã nhập 1/1" in r.stdout
    assert "đã gửi ngày 01/04/2022" in run("status", "BYT").stdout
    r = run("import-submissions", str(tmp_path / "missing.csv"))
    assert r.returncode == 1


def test_cli_uninitialised_db(run):
    r = run("status", "Bộ Y tế")
    assert r.returncode == 2 and "init-db" in r.stderr
