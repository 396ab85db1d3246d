"""bot.submissions.tabular: reading and writing .csv / .xlsx tables, and formula-injection safety."""
from __future__ import annotations

import csv
import os
from datetime import date, datetime

import openpyxl
import pytest

from bot.submissions import tabular
from bot.submissions.tabular import TableError, neutralise_formula, read_rows, write_table
from tests.support.workbooks import text_cells, write_workbook

INJECTIONS = ['=HYPERLINK("http://x","y")', "=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1+1"]


def _xlsx(path, rows, cells=()):
    """Cells listed in ``cells`` (1-based (row, col)) are strings, as Excel stores
    text typed after an apostrophe; the others keep their Python type."""
    return write_workbook(path, rows, text_cells(*cells))


# --------------------------------------------------------------------- reading
def test_read_csv_bom_semicolon_blank_rows(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("\ufeffagency;note\n\nBộ Y tế;\"dòng một\ndòng hai\"\n;\nTỉnh Quảng Ninh;=1+1\n".encode("utf-8"))
    header, rows = read_rows(p)
    assert header == ["agency", "note"]  # BOM gone
    assert rows == [(3, ["Bộ Y tế", "dòng một\ndòng hai"]), (5, ["Tỉnh Quảng Ninh", "=1+1"])]


def test_read_csv_comma_and_uppercase_extension(tmp_path):
    p = tmp_path / "A.CSV"
    p.write_text("a,b\n1,\"x;y\"\n", encoding="utf-8")
    assert read_rows(p) == (["a", "b"], [(2, ["1", "x;y"])])


def test_read_xlsx_cells_as_text(tmp_path):
    p = _xlsx(tmp_path / "a.xlsx", [
        None,
        ["agency", "received_on", "reference_number", "note", "n"],
        ["Bộ Y tế", date(2022, 4, 1), 123, "=1+1", 2.5],
        [None, None, None, None, None],
        ["Tỉnh Quảng Ninh", datetime(2022, 3, 14, 15, 30), 7.0, '=HYPERLINK("http://x","y")', True],
        ["Bộ Tài chính", "02/03/2022", None, "=1+1", None],
    ], cells={(3, 4), (5, 4)})
    ws = openpyxl.load_workbook(p).active
    assert ws["B3"].is_date and ws["D3"].data_type == "s"
    ws["D6"] = "=1+1"  # a real formula: data_only gives its cached value (none here), never evaluates it
    ws.parent.save(p)
    header, rows = read_rows(p)
    assert header == ["agency", "received_on", "reference_number", "note", "n"]
    assert rows == [
        (3, ["Bộ Y tế", "01/04/2022", "123", "=1+1", "2.5"]),
        (5, ["Tỉnh Quảng Ninh", "14/03/2022", "7", '=HYPERLINK("http://x","y")', "TRUE"]),
        (6, ["Bộ Tài chính", "02/03/2022"]),  # trailing empty cells trimmed; formula not evaluated
    ]


def test_read_xlsx_wrong_dimension_still_reads_all_rows(tmp_path):
    p = _xlsx(tmp_path / "a.xlsx", [["a"], ["1"], ["2"]])
    wb = openpyxl.load_workbook(p)
    wb.active.calculate_dimension = lambda: "A1:A1"  # some generators write a wrong <dimension>
    wb.save(p)
    assert read_rows(p) == (["a"], [(2, ["1"]), (3, ["2"])])


@pytest.mark.parametrize("name,content,needle", [
    ("a.xls", b"x", "không được hỗ trợ"),
    ("a.txt", b"a,b\n", "không được hỗ trợ"),
    ("noext", b"a,b\n", "không được hỗ trợ"),
    ("a.xlsx", b"this is not a zip", "bị hỏng"),
    ("a.xlsx", b"PK\x03\x04garbage", "bị hỏng"),
    ("a.csv", b"", "tệp rỗng"),
    ("a.csv", b"\xef\xbb\xbf\n ; \n\n", "tệp rỗng"),
    ("a.csv", "agency\nBộ Y tế\n".encode("utf-16"), "UTF-8"),
    ("a.csv", b"agency\nB\xf4 Y t\xea\n", "UTF-8"),  # Windows-1252/1258 bytes
])
def test_read_errors(tmp_path, name, content, needle):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(ValueError) as exc:
        read_rows(p)
    assert isinstance(exc.value, TableError) and needle in str(exc.value)


def test_read_empty_xlsx_and_missing_file(tmp_path):
    p = tmp_path / "e.xlsx"
    openpyxl.Workbook().save(p)
    with pytest.raises(TableError, match="tệp rỗng"):
        read_rows(p)
    with pytest.raises(FileNotFoundError):
        read_rows(tmp_path / "missing.csv")


def test_read_xlsx_zip_bomb_guard(tmp_path, monkeypatch):
    p = _xlsx(tmp_path / "a.xlsx", [["a"], ["1"]])
    monkeypatch.setattr(tabular, "MAX_XLSX_UNPACKED_BYTES", 1000)
    with pytest.raises(TableError, match="quá lớn"):
        read_rows(p)


def test_read_row_limit(tmp_path, monkeypatch):
    p = tmp_path / "a.csv"
    p.write_text("a\n" + "".join(f"{i}\n" for i in range(10)), encoding="utf-8")
    assert len(read_rows(p, max_rows=10)[1]) == 10
    with pytest.raises(TableError) as exc:
        read_rows(p, max_rows=9)
    assert exc.value.line == 11 and "hơn 9 dòng" in str(exc.value)
    monkeypatch.setattr(tabular, "MAX_ROWS", 5)  # the default limit is read at call time
    with pytest.raises(TableError, match="hơn 5 dòng"):
        read_rows(p)


def test_read_huge_csv_field_is_an_error_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_CSV_FIELD_CHARS", 100)
    p = tmp_path / "a.csv"
    p.write_text("a,b\n1,2\n3," + "x" * 500 + "\n", encoding="utf-8")
    with pytest.raises(TableError) as exc:
        read_rows(p)
    assert exc.value.line == 3
    assert csv.field_size_limit() != 100  # restored


# --------------------------------------------------------------------- writing
@pytest.mark.parametrize("text", INJECTIONS)
def test_neutralise_formula(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Bộ Y tế", "'=1+1", "a=b", " =1", "12/BC-UBND", "01/04/2022"])
def test_neutralise_leaves_plain_text(text):
    assert neutralise_formula(text) == text


def test_write_csv(tmp_path):
    p = tmp_path / "out.csv"
    rows = [["Bộ Y tế", date(2022, 4, 30), 62, None, note] for note in INJECTIONS]
    rows.append(["Tỉnh Quảng Ninh", date(2022, 3, 15), -1, "x", "có dấu phẩy, \"ngoặc\"\nvà xuống dòng"])
    assert write_table(p, ["co_quan", "han_nop", "so_ngay", "trong", "ghi_chu"], rows) == len(rows)
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel shows the diacritics
    with open(p, encoding="utf-8-sig", newline="") as fh:
        back = list(csv.reader(fh))
    assert back[0] == ["co_quan", "han_nop", "so_ngay", "trong", "ghi_chu"]
    assert back[1] == ["Bộ Y tế", "30/04/2022", "62", "", "'" + INJECTIONS[0]]
    assert [r[4] for r in back[1:-1]] == ["'" + t for t in INJECTIONS]
    assert back[-1] == ["Tỉnh Quảng Ninh", "15/03/2022", "-1", "x", "có dấu phẩy, \"ngoặc\"\nvà xuống dòng"]
    # Reading it back gives the neutralised text, still as plain text.
    assert read_rows(p)[1][0][1][4] == "'" + INJECTIONS[0]
    assert [f for f in os.listdir(tmp_path)] == ["out.csv"]  # no temporary file left


def test_write_xlsx(tmp_path):
    p = tmp_path / "out.xlsx"
    rows = [["Bộ Y tế", date(2022, 4, 30), 62, None, note] for note in INJECTIONS]
    rows.append(["#N/A", datetime(2022, 3, 15, 8, 0), 1.5, "", "điều khiển\x07\x1b[2J ở giữa"])
    write_table(p, ["co_quan", "han_nop", "so_ngay", "trong", "ghi_chu"], rows)
    wb = openpyxl.load_workbook(p)  # not data_only: formulas would show up as "=..." with type "f"
    ws = wb.active
    assert [c.value for c in ws[1]] == ["co_quan", "han_nop", "so_ngay", "trong", "ghi_chu"]
    assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= len("Bộ Y tế") and ws.column_dimensions["E"].width <= 60
    assert ws["B2"].value == datetime(2022, 4, 30) and ws["B2"].number_format == "DD/MM/YYYY"
    assert ws["C2"].value == 62 and ws["C2"].data_type == "n"
    assert ws["D2"].value is None
    for i, text in enumerate(INJECTIONS, start=2):
        # XML turns a stored CR into LF on reading; the apostrophe is what matters.
        assert ws.cell(row=i, column=5).value == "'" + text.replace("\r", "\n")
        assert ws.cell(row=i, column=5).data_type == "s"
    last = ws.max_row
    assert ws.cell(row=last, column=1).value == "#N/A" and ws.cell(row=last, column=1).data_type == "s"
    assert ws.cell(row=last, column=2).value == datetime(2022, 3, 15)
    assert ws.cell(row=last, column=5).value == "điều khiển[2J ở giữa"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    header, back = read_rows(p)
    assert back[0] == (2, ["Bộ Y tế", "30/04/2022", "62", "", "'" + INJECTIONS[0]])


def test_write_errors(tmp_path):
    with pytest.raises(TableError, match="không được hỗ trợ"):
        write_table(tmp_path / "out.ods", ["a"], [])
    with pytest.raises(OSError):
        write_table(tmp_path / "missing" / "out.csv", ["a"], [])
    # A failed write leaves an existing file untouched.
    p = tmp_path / "keep.xlsx"
    p.write_bytes(b"old")

    class Boom:
        def __str__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_table(p, ["a"], [[Boom()]])
    assert p.read_bytes() == b"old" and sorted(os.listdir(tmp_path)) == ["keep.xlsx"]


def test_header_only_round_trip(tmp_path):
    for name in ("h.csv", "h.xlsx"):
        write_table(tmp_path / name, ["ma_co_quan", "co_quan"], [])
        assert read_rows(tmp_path / name) == (["ma_co_quan", "co_quan"], [])


def test_csv_and_xlsx_agree(tmp_path):
    rows = [["BYT", "Bộ Y tế", date(2022, 4, 1), 3, "=1+1"], ["HANOI", "Thành phố Hà Nội", None, None, ""]]
    write_table(tmp_path / "t.csv", ["a", "b", "c", "d", "e"], rows)
    write_table(tmp_path / "t.xlsx", ["a", "b", "c", "d", "e"], rows)
    h1, r1 = read_rows(tmp_path / "t.csv")
    h2, r2 = read_rows(tmp_path / "t.xlsx")
    assert h1 == h2
    # CSV keeps trailing empty cells, xlsx trims them.
    assert r1 == [(2, ["BYT", "Bộ Y tế", "01/04/2022", "3", "'=1+1"]),
                  (3, ["HANOI", "Thành phố Hà Nội", "", "", ""])]
    assert r2 == [(2, ["BYT", "Bộ Y tế", "01/04/2022", "3", "'=1+1"]), (3, ["HANOI", "Thành phố Hà Nội"])]


def test_cell_text():
    assert tabular.cell_text(None) == ""
    assert tabular.cell_text(date(2022, 1, 2)) == "02/01/2022"
    assert tabular.cell_text(datetime(2022, 1, 2, 23, 59)) == "02/01/2022"
    assert tabular.cell_text(3.0) == "3" and tabular.cell_text(3) == "3" and tabular.cell_text(0.1) == "0.1"
    assert tabular.cell_text(False) == "FALSE"
    assert tabular.cell_text("=1+1") == "=1+1"
