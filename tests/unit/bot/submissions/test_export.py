"""The operator's export tables (bot.submissions.export) written as .csv and .xlsx."""
from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from bot.db.views import UnknownObligationError
from bot.submissions import tabular
from bot.submissions.export import OVERDUE_COLUMNS, STATUS_COLUMNS, overdue_table, status_table
from tests.support.db import read_csv


def test_export_status_csv_and_xlsx(repo, tmp_path):
    repo.record_submission("BYT", "BC-2022-Q2", date(2022, 6, 20), "20/BC-BYT", '=HYPERLINK("http://x","y")')
    header, rows = status_table(repo, date(2022, 7, 1))
    assert header == STATUS_COLUMNS and len(rows) == 93 * 5
    tabular.write_table(tmp_path / "s.csv", header, rows)
    tabular.write_table(tmp_path / "s.xlsx", header, rows)

    back = read_csv(tmp_path / "s.csv")
    assert tuple(back[0]) == STATUS_COLUMNS
    got = {(r[0], r[2]): dict(zip(back[0], r, strict=True)) for r in back[1:]}
    qn = got[("QUANGNINH", "KH-2022")]
    assert (qn["co_quan"], qn["han_nop"], qn["nguon_han"], qn["trang_thai"], qn["so_ngay_qua_han"]) == (
        "Tỉnh Quảng Ninh", "30/04/2022", "operator_default", "quá hạn", "62")
    assert qn["ngay_nhan"] == "" and qn["so_hieu"] == ""
    q1 = got[("QUANGNINH", "BC-2022-Q1")]
    assert (q1["trang_thai"], q1["ngay_nhan"], q1["so_hieu"], q1["so_ngay_qua_han"], q1["du_lieu_mau"]) == (
        "đã gửi", "14/03/2022", "56/BC-UBND", "0", "có")
    assert got[("QUANGNINH", "BC-2022-Q3")]["trang_thai"] == "chưa đến hạn"
    assert got[("QUANGNINH", "BC-2022-Q3")]["so_ngay_qua_han"] == ""
    assert got[("HANOI", "BC-2022-Q1")]["so_ngay_qua_han"] == "3"  # arrived 3 days late
    byt = got[("BYT", "BC-2022-Q2")]
    assert byt["trang_thai"] == "đã gửi" and byt["du_lieu_mau"] == "" and byt["so_ngay_qua_han"] == "5"
    assert byt["ghi_chu"] == '\'=HYPERLINK("http://x","y")'  # neutralised on the way out
    assert '\'=HYPERLINK(""http://x"",""y"")' in (tmp_path / "s.csv").read_text(encoding="utf-8-sig")
    assert sum(r[6] == "quá hạn" for r in back[1:]) == len(repo.overdue_agencies(date(2022, 7, 1)))

    ws = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    assert tuple(c.value for c in ws[1]) == STATUS_COLUMNS and ws.max_row == 93 * 5 + 1
    xl = {(r[0].value, r[2].value): r for r in ws.iter_rows(min_row=2)}
    qn = xl[("QUANGNINH", "KH-2022")]
    assert qn[1].value == "Tỉnh Quảng Ninh" and qn[4].value == datetime(2022, 4, 30)
    assert qn[4].number_format == "DD/MM/YYYY" and qn[6].value == "quá hạn" and qn[9].value == 62
    q1 = xl[("QUANGNINH", "BC-2022-Q1")]
    assert q1[7].value == datetime(2022, 3, 14) and q1[8].value == "56/BC-UBND"
    note = xl[("BYT", "BC-2022-Q2")][10]
    assert note.value == '\'=HYPERLINK("http://x","y")' and note.data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_export_overdue_csv_and_xlsx(repo, tmp_path):
    header, rows = overdue_table(repo, date(2022, 7, 1), "KH-2022")
    assert header == OVERDUE_COLUMNS and len(rows) == 93 - 5
    tabular.write_table(tmp_path / "o.csv", header, rows)
    tabular.write_table(tmp_path / "o.xlsx", header, rows)
    back = read_csv(tmp_path / "o.csv")
    assert tuple(back[0]) == OVERDUE_COLUMNS and len(back) == 93 - 5 + 1
    qn = next(r for r in back if r[0] == "QUANGNINH")
    assert qn == ["QUANGNINH", "Tỉnh Quảng Ninh", "KH-2022", qn[3], "30/04/2022", "operator_default", "62"]
    assert not any(r[0] in ("BGDDT", "HANOI", "CANTHO", "HOCHIMINH", "NHNN") for r in back)
    expected = [e.agency.code for e in repo.overdue_agencies(date(2022, 7, 1), "KH-2022")]
    assert [r[0] for r in back[1:]] == expected  # same order as overdue_agencies
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "QUANGNINH")
    assert row[1] == "Tỉnh Quảng Ninh" and row[4] == datetime(2022, 4, 30) and row[6] == 62
    everything = overdue_table(repo, date(2023, 1, 1))[1]
    assert len(everything) == 93 * 5 - 10
    with pytest.raises(UnknownObligationError):
        overdue_table(repo, date(2022, 7, 1), "XX")
