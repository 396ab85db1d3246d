"""Importing submission files (bot.submissions.importer) into real SQLite and PostgreSQL databases."""
from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from bot.db import models as m
from bot.db.repository import Repository
from bot.submissions import tabular
from bot.submissions.export import status_table
from bot.submissions.importer import import_submissions
from tests.support.db import counts, read_csv, snapshot
from tests.support.workbooks import write_workbook


@pytest.fixture
def engine(seeded_engine):
    return seeded_engine


@pytest.fixture
def repo(engine):
    return Repository(engine)

HEADER = "agency,obligation,received_on,reference_number,note\n"


def test_import_ok(repo, tmp_path, agency_directory):
    csv_path = tmp_path / "ok.csv"
    csv_path.write_text(
        "\ufeff" + HEADER
        + "Bộ Y tế,KH-2022,01/04/2022,11/KH-BYT,kế hoạch\n"
        + "sở tt&tt cần thơ,BC-2022-Q1,2/3/2022,7/BC-STTTT,\n"
        + "UBND TP.HCM,báo cáo quý 2/2022,10/06/2022,9/BC-UBND,\"có dấu phẩy, trong ghi chú\"\n",
        encoding="utf-8",
    )
    before = counts(repo.engine)[3]
    rep = import_submissions(repo, csv_path, agency_directory, today=date(2022, 7, 1))
    assert rep.ok and rep.inserted == 3 and rep.total_rows == 3, rep.to_text()
    assert counts(repo.engine)[3] == before + 3
    st = {i.obligation.code: i for i in repo.agency_status("HOCHIMINH", date(2022, 7, 1)).items}
    assert st["BC-2022-Q2"].submission.note == "có dấu phẩy, trong ghi chú"
    # Importing the same file again is rejected as duplicates, nothing written.
    rep = import_submissions(repo, csv_path, agency_directory)
    assert not rep.ok and [e.row for e in rep.errors] == [2, 3, 4]
    assert all("đã có trong cơ sở dữ liệu" in e.reason for e in rep.errors)
    assert counts(repo.engine)[3] == before + 3


def test_import_all_or_nothing(repo, tmp_path, agency_directory):
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text(
        HEADER
        + "Bộ Y tế,KH-2022,01/04/2022,11/KH-BYT,tốt\n"          # 2 ok
        + "Xyz,KH-2022,01/04/2022,1,\n"                          # 3 unknown agency
        + "Quảng,KH-2022,01/04/2022,2,\n"                        # 4 ambiguous
        + "Bộ Y tế,BC-2030-Q1,01/04/2022,3,\n"                   # 5 unknown obligation
        + "Bộ Y tế,BC-2022-Q1,31/02/2022,4,\n"                   # 6 impossible date
        + "Bộ Y tế,BC-2022-Q1,2022-03-01,5,\n"                   # 7 wrong format
        + "BYT,KH-2022,02/04/2022,11/KH-BYT,trùng dòng 2\n"      # 8 duplicate in file
        + "Quảng Ninh,BC-2022-Q1,14/03/2022,56/BC-UBND,\n"       # 9 duplicate of sample in DB
        + "Quang Nihn,BC-2022-Q3,01/09/2022,6,\n"                # 10 typo -> suggestion
        + "Bộ Nông nghiệp và Môi trường,KH-2022,01/04/2022,7,\n" # 11 post-2022 body
        + "Bộ Y tế,BC-2022-Q4,01/12/2023,8,\n",                  # 12 in the future
        encoding="utf-8",
    )
    before = snapshot(repo.engine)
    rep = import_submissions(repo, csv_path, agency_directory, today=date(2023, 1, 1))
    assert not rep.ok and rep.inserted == 0 and rep.total_rows == 11
    reasons = {e.row: e.reason for e in rep.errors}
    assert sorted(reasons) == list(range(3, 13))
    assert "không nhận ra cơ quan 'Xyz'" in reasons[3]
    assert "chưa rõ" in reasons[4] and "Tỉnh Quảng Ninh" in reasons[4]
    assert "nghĩa vụ" in reasons[5]
    assert "không tồn tại" in reasons[6]
    assert "DD/MM/YYYY" in reasons[7]
    assert "trùng với dòng 2" in reasons[8]
    assert "đã có trong cơ sở dữ liệu" in reasons[9]
    assert "Tỉnh Quảng Ninh" in reasons[10]
    assert "2022" in reasons[11]
    assert "sau ngày hôm nay" in reasons[12]
    assert snapshot(repo.engine) == before
    text = rep.to_text()
    assert "Chưa có dòng nào được ghi" in text and "Dòng 3" in text


def test_import_bad_header(repo, tmp_path, agency_directory):
    p = tmp_path / "h.csv"
    p.write_text("co_quan,ngay\nBộ Y tế,01/04/2022\n", encoding="utf-8")
    rep = import_submissions(repo, p, agency_directory)
    assert not rep.ok and rep.errors[0].row == 1 and "thiếu cột" in rep.errors[0].reason


def test_semicolon_csv(repo, tmp_path, agency_directory):
    p = tmp_path / "s.csv"
    p.write_text(HEADER.replace(",", ";") + "Bộ Y tế;KH-2022;01/04/2022;11/KH-BYT;ok\n", encoding="utf-8")
    assert import_submissions(repo, p, agency_directory).inserted == 1


COLUMNS = ["agency", "obligation", "received_on", "reference_number", "note"]


CSV_INJECTION_AGENCY = "=cmd|' /C calc'!A0"


def _workbook(path, rows):
    """An .xlsx like one an operator saves from Excel: text cells are strings
    (even when they start with "="), dates are real date cells."""
    return write_workbook(path, rows)


def _audits(engine):
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(
            select(m.AuditEntry.actor, m.AuditEntry.action, m.AuditEntry.message, m.AuditEntry.detail)
            .order_by(m.AuditEntry.id))]


def test_import_xlsx_ok_with_audit(repo, tmp_path, agency_directory):
    path = _workbook(tmp_path / "nhan.xlsx", [
        COLUMNS,
        ["Bộ Y tế", "KH-2022", date(2022, 4, 1), "11/KH-BYT", '=HYPERLINK("http://x","y")'],
        None,  # blank row: skipped
        ["sở tt&tt cần thơ", "BC-2022-Q1", datetime(2022, 3, 2, 9, 30), 7, "=1+1"],
        ["UBND TP.HCM", "báo cáo quý 2/2022", "10/06/2022", "9/BC-UBND", None],
    ])
    before = counts(repo.engine)[3]
    rep = import_submissions(repo, path, agency_directory, today=date(2022, 7, 1))
    assert rep.ok and rep.inserted == 3 and rep.total_rows == 3, rep.to_text()
    assert rep.to_text() == f"Đã nhập 3/3 dòng từ {path}."
    assert counts(repo.engine)[3] == before + 3
    assert _audits(repo.engine) == [("import", "import_submissions", "", {"file": "nhan.xlsx", "rows": 3})]
    byt = {i.obligation.code: i for i in repo.agency_status("BYT", date(2022, 7, 1)).items}["KH-2022"]
    assert byt.submission.received_on == date(2022, 4, 1)
    assert byt.submission.note == '=HYPERLINK("http://x","y")'  # stored as typed: plain text
    ct = {i.obligation.code: i for i in repo.agency_status("CANTHO", date(2022, 7, 1)).items}["BC-2022-Q1"]
    assert ct.submission.received_on == date(2022, 3, 2)  # datetime cell: its date
    assert ct.submission.reference_number == "7" and ct.submission.note == "=1+1"
    hcm = {i.obligation.code: i for i in repo.agency_status("HOCHIMINH", date(2022, 7, 1)).items}["BC-2022-Q2"]
    assert hcm.submission.received_on == date(2022, 6, 10) and hcm.submission.note == ""
    # The CLI passes actor="operator"; the old name still works and audits too.
    csv_path = tmp_path / "them.csv"
    csv_path.write_text(HEADER + "Bộ Tài chính,KH-2022,02/04/2022,5/KH-BTC,\n", encoding="utf-8")
    assert import_submissions(repo, csv_path, agency_directory, actor="operator").inserted == 1
    assert _audits(repo.engine)[-1] == ("operator", "import_submissions", "", {"file": "them.csv", "rows": 1})
    with pytest.raises(ValueError):
        import_submissions(repo, csv_path, agency_directory, actor="x" * 17)


def test_import_xlsx_each_kind_of_bad_row(repo, tmp_path, agency_directory):
    path = _workbook(tmp_path / "xau.xlsx", [
        COLUMNS,
        ["Bộ Y tế", "KH-2022", date(2022, 4, 1), "11/KH-BYT", "tốt"],              # 2 ok
        ["Xyz", "KH-2022", date(2022, 4, 1), "1", None],                            # 3 unknown agency
        ["Bộ Y tế", "BC-2030-Q1", date(2022, 4, 1), "2", None],                     # 4 unknown obligation
        ["Bộ Y tế", "BC-2022-Q1", "31/02/2022", "3", None],                         # 5 impossible date
        ["Bộ Y tế", "BC-2022-Q2", "ngày mai", "4", None],                           # 6 not a date
        ["BYT", "KH-2022", date(2022, 4, 2), "11/KH-BYT", "trùng dòng 2"],          # 7 duplicate in file
        ["Quảng Ninh", "BC-2022-Q1", date(2022, 3, 14), "56/BC-UBND", None],        # 8 duplicate of DB row
        [CSV_INJECTION_AGENCY, "KH-2022", date(2022, 4, 1), "5", "=1+1"],           # 9 injection: unknown
        ["Bộ Y tế", "BC-2022-Q3", date(2022, 9, 1), "6", "x" * 2001],               # 10 cell too long
        ["Bộ Y tế", "BC-2022-Q4", date(2022, 12, 1), "r" * 129, None],             # 11 reference too long
    ])
    before = snapshot(repo.engine)
    rep = import_submissions(repo, path, agency_directory, today=date(2023, 1, 1), actor="operator")
    assert not rep.ok and rep.inserted == 0 and rep.total_rows == 10
    reasons = {e.row: e.reason for e in rep.errors}
    assert sorted(reasons) == list(range(3, 12))
    assert "không nhận ra cơ quan 'Xyz'" in reasons[3]
    assert "không nhận ra nghĩa vụ 'BC-2030-Q1'" in reasons[4]
    assert "không tồn tại" in reasons[5]
    assert "DD/MM/YYYY" in reasons[6]
    assert "trùng với dòng 2" in reasons[7]
    assert "đã có trong cơ sở dữ liệu" in reasons[8]
    assert f"không nhận ra cơ quan '{CSV_INJECTION_AGENCY}'" in reasons[9]
    assert "2.001 ký tự" not in reasons[10] and "dài 2001 ký tự, vượt giới hạn 2.000 ký tự" in reasons[10]
    assert "note" in reasons[10]
    assert "số hiệu dài 129 ký tự" in reasons[11]
    assert snapshot(repo.engine) == before and _audits(repo.engine) == []
    text = rep.to_text()
    assert "Chưa có dòng nào được ghi" in text and "9 lỗi trên 10 dòng" in text
    assert all(f"Dòng {n}:" in text for n in range(3, 12))


def test_import_csv_injection_agency_is_unknown(repo, tmp_path, agency_directory):
    p = tmp_path / "inj.csv"
    p.write_text(HEADER + f"\"{CSV_INJECTION_AGENCY}\",KH-2022,01/04/2022,1,\n"
                 + "@SUM(1+1)*cmd|' /C calc'!A0,KH-2022,01/04/2022,2,\n"
                 + "Xyz\x1b[2J\x07,KH-2022,01/04/2022,3,\n", encoding="utf-8")
    rep = import_submissions(repo, p, agency_directory)
    assert [e.row for e in rep.errors] == [2, 3, 4]
    assert all("không nhận ra cơ quan" in e.reason for e in rep.errors)
    assert f"'{CSV_INJECTION_AGENCY}'" in rep.errors[0].reason
    assert "\x1b" not in rep.to_text() and "\x07" not in rep.to_text()  # the report cannot drive a terminal
    assert counts(repo.engine)[3] == 10


def test_import_file_level_errors(repo, tmp_path, agency_directory, monkeypatch):
    for name, content, needle in [
        ("a.xls", b"x", "không được hỗ trợ"),
        ("a.xlsx", b"not a workbook", "bị hỏng"),
        ("a.csv", b"", "tệp rỗng"),
    ]:
        (tmp_path / name).write_bytes(content)
        rep = import_submissions(repo, tmp_path / name, agency_directory)
        assert not rep.ok and rep.errors[0].row == 0 and needle in rep.errors[0].reason
        assert f"  - {rep.errors[0].reason}" in rep.to_text()
    with pytest.raises(FileNotFoundError):
        import_submissions(repo, tmp_path / "missing.xlsx", agency_directory)
    # Too many rows: a reported error on the first row beyond the limit, nothing written.
    monkeypatch.setattr(tabular, "MAX_ROWS", 2)
    p = tmp_path / "many.csv"
    p.write_text(HEADER + "".join(f"Bộ Y tế,KH-2022,01/04/2022,{i},\n" for i in range(3)), encoding="utf-8")
    rep = import_submissions(repo, p, agency_directory)
    assert not rep.ok and rep.errors[0].row == 4 and "hơn 2 dòng" in rep.errors[0].reason
    assert counts(repo.engine)[3] == 10 and _audits(repo.engine) == []


def test_note_injection_round_trip(repo, tmp_path, agency_directory):
    """A note typed as =1+1 is imported as text, kept as text, and exported
    with a leading apostrophe in both formats."""
    src = _workbook(tmp_path / "in.xlsx", [
        COLUMNS,
        ["Bộ Công Thương", "KH-2022", date(2022, 4, 3), "9/KH-BCT", "=1+1"],
        ["Bộ Công Thương", "BC-2022-Q2", date(2022, 6, 3), "10/BC-BCT", '=HYPERLINK("http://x","y")'],
    ])
    assert import_submissions(repo, src, agency_directory).ok
    header, rows = status_table(repo, date(2022, 7, 1))
    tabular.write_table(tmp_path / "out.csv", header, rows)
    tabular.write_table(tmp_path / "out.xlsx", header, rows)
    notes_csv = {r[2]: r[10] for r in read_csv(tmp_path / "out.csv")[1:] if r[0] == "BCT"}
    assert notes_csv["KH-2022"] == "'=1+1" and notes_csv["BC-2022-Q2"] == '\'=HYPERLINK("http://x","y")'
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    notes_xl = {r[2].value: r[10] for r in ws.iter_rows(min_row=2) if r[0].value == "BCT"}
    assert notes_xl["KH-2022"].value == "'=1+1" and notes_xl["KH-2022"].data_type == "s"
    # Reading the export back yields text, never an evaluated value.
    _, back = tabular.read_rows(tmp_path / "out.xlsx")
    assert {c[2]: c[10] for _, c in back if c[0] == "BCT" and len(c) > 10}["KH-2022"] == "'=1+1"
