"""`python -m bot` as a subprocess against a temporary SQLite database."""
from __future__ import annotations

import json
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


# --------------------------------------------------------------------------- #
# import .xlsx, export status / overdue to .csv and .xlsx                      #
# --------------------------------------------------------------------------- #
import csv  # noqa: E402
from datetime import date, datetime  # noqa: E402

import openpyxl  # noqa: E402


def _audit_rows(tmp_path):
    from sqlalchemy import create_engine, text

    eng = create_engine(f"sqlite:///{tmp_path / 'var' / 'cli.db'}")
    try:
        with eng.connect() as c:
            return [tuple(r) for r in c.execute(text("SELECT actor, action, message, detail FROM audit_entry"))]
    finally:
        eng.dispose()


def test_cli_import_xlsx(run, tmp_path):
    assert run("init-db", "--no-samples").returncode == 0
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["agency", "obligation", "received_on", "reference_number", "note"])
    ws.append(["Bộ Y tế", "KH-2022", date(2022, 4, 1), "11/KH-BYT", None])
    ws.append(["=cmd|' /C calc'!A0", "KH-2022", date(2022, 4, 1), "12", None])
    ws["A3"].data_type = "s"  # typed as text in Excel
    wb.save(tmp_path / "bad.xlsx")
    r = run("import-submissions", str(tmp_path / "bad.xlsx"))
    assert r.returncode == 1 and "Dòng 3: không nhận ra cơ quan '=cmd|' /C calc'!A0'" in r.stdout
    assert "Chưa có dòng nào được ghi" in r.stdout and _audit_rows(tmp_path) == []
    ws.delete_rows(3)
    wb.save(tmp_path / "good.xlsx")
    r = run("import-submissions", str(tmp_path / "good.xlsx"))
    assert r.returncode == 0 and "Đã nhập 1/1" in r.stdout, r.stdout + r.stderr
    assert "đã gửi ngày 01/04/2022" in run("status", "BYT").stdout
    (actor, action, message, detail), = _audit_rows(tmp_path)
    assert (actor, action, message) == ("operator", "import_submissions", "")
    assert json.loads(detail) == {"file": "good.xlsx", "rows": 1}
    (tmp_path / "x.ods").write_bytes(b"x")
    r = run("import-submissions", str(tmp_path / "x.ods"))
    assert r.returncode == 1 and "chỉ nhận tệp .csv hoặc .xlsx" in r.stdout


def test_cli_export(run, tmp_path):
    assert run("init-db").returncode == 0
    r = run("export", "status", str(tmp_path / "s.csv"), "--today", "2022-07-01")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == (f"Đã ghi 465 dòng (tình hình nộp của 93 cơ quan tính đến 01/07/2022, "
                                f"269 lượt quá hạn) vào tệp {tmp_path / 's.csv'}.")
    with open(tmp_path / "s.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    qn = {r["ma_nghia_vu"]: r for r in rows if r["co_quan"] == "Tỉnh Quảng Ninh"}
    assert qn["KH-2022"]["trang_thai"] == "quá hạn" and qn["KH-2022"]["so_ngay_qua_han"] == "62"
    assert qn["KH-2022"]["han_nop"] == "30/04/2022" and qn["KH-2022"]["nguon_han"] == "operator_default"
    assert qn["BC-2022-Q1"]["trang_thai"] == "đã gửi" and qn["BC-2022-Q1"]["ngay_nhan"] == "14/03/2022"

    r = run("export", "status", str(tmp_path / "s.xlsx"))  # today = ASSISTANT_TODAY (2022-07-01)
    assert r.returncode == 0 and "01/07/2022" in r.stdout
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    head = [c.value for c in ws[1]]
    got = {(row[head.index("co_quan")], row[head.index("ma_nghia_vu")]): row
           for row in ws.iter_rows(min_row=2, values_only=True)}
    qn = got[("Tỉnh Quảng Ninh", "KH-2022")]
    assert qn[head.index("trang_thai")] == "quá hạn" and qn[head.index("so_ngay_qua_han")] == 62
    assert qn[head.index("han_nop")] == datetime(2022, 4, 30)

    r = run("export", "overdue", str(tmp_path / "o.xlsx"), "--today", "2022-07-01", "--obligation", "KH-2022")
    assert r.returncode == 0 and "Đã ghi 88 lượt quá hạn tính đến 01/07/2022" in r.stdout, r.stderr
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 88 and {r[2] for r in rows} == {"KH-2022"}
    assert ("QUANGNINH", "Tỉnh Quảng Ninh", 62) in {(r[0], r[1], r[6]) for r in rows}
    assert "Bộ Giáo dục và Đào tạo" not in {r[1] for r in rows}

    r = run("export", "overdue", str(tmp_path / "o.csv"), "--today", "2022-03-16")
    assert r.returncode == 0
    with open(tmp_path / "o.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + 91 and ["HANOI", "Thành phố Hà Nội"] == rows[[r[0] for r in rows].index("HANOI")][:2]
    r = run("export", "overdue", str(tmp_path / "none.csv"), "--today", "2022-03-01")
    assert r.returncode == 0 and "không có cơ quan nào quá hạn" in r.stdout
    assert (tmp_path / "none.csv").read_text(encoding="utf-8-sig").count("\n") == 1

    # Invalid input: exit 1, nothing written.
    r = run("export", "overdue", str(tmp_path / "x.csv"), "--obligation", "XX")
    assert r.returncode == 1 and "Không có nghĩa vụ mã 'XX'" in r.stderr and not (tmp_path / "x.csv").exists()
    r = run("export", "status", str(tmp_path / "x.pdf"))
    assert r.returncode == 1 and "chỉ nhận tệp .csv hoặc .xlsx" in r.stderr
    r = run("export", "status", str(tmp_path / "nope" / "x.csv"))
    assert r.returncode == 1 and "thư mục chứa tệp không tồn tại" in r.stderr
    r = run("export", "status", str(tmp_path / "x.csv"), "--today", "01/07/2022")
    assert r.returncode == 1 and "YYYY-MM-DD" in r.stderr


def test_cli_export_uninitialised_db(run, tmp_path):
    r = run("export", "status", str(tmp_path / "s.csv"))
    assert r.returncode == 2 and "init-db" in r.stderr and not (tmp_path / "s.csv").exists()


def test_record_by_the_operator_is_audited(run):
    assert run("init-db", "--no-samples").returncode == 0
    r = run("record", "Bộ Y tế", "KH-2022", "20/04/2022", "77/KH-BYT")
    assert r.returncode == 0, r.stderr
    r = run("audit", "--agency", "BYT")
    assert "ghi nhận văn bản" in r.stdout and "vận hành" in r.stdout and "số hiệu=77/KH-BYT" in r.stdout
