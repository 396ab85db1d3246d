"""Operator commands for submission files (bot.cli.files): import-submissions, export."""
from __future__ import annotations

import csv
import json
from datetime import date, datetime

import openpyxl


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
