"""bot.db.repository against real SQLite and PostgreSQL databases."""
from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.db import models as m
from bot.db.repository import (
    DuplicateSubmissionError,
    Repository,
    UnknownAgencyError,
    UnknownObligationError,
)
from bot.settings import DATA_DIR
from tests.workbooks import write_workbook

HEADER = "agency,obligation,received_on,reference_number,note\n"


@pytest.fixture
def engine(db_engine):
    return db_engine


@pytest.fixture
def repo(engine):
    r = Repository(engine)
    r.init_schema()
    r.seed(DATA_DIR)
    return r


def _counts(engine):
    with engine.connect() as c:
        return tuple(
            c.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (m.Agency, m.AgencySuccession, m.Obligation, m.Submission)
        )


def _snapshot(engine):
    with engine.connect() as c:
        return (
            sorted(tuple(r) for r in c.execute(select(m.Agency.code, m.Agency.name, m.Agency.kind))),
            sorted(tuple(r) for r in c.execute(select(m.Obligation.code, m.Obligation.due_date))),
            sorted(tuple(r) for r in c.execute(
                select(m.Submission.agency_id, m.Submission.obligation_id, m.Submission.reference_number,
                       m.Submission.created_at))),
        )


def test_seed_idempotent(engine):
    repo = Repository(engine)
    repo.init_schema()
    first = repo.seed(DATA_DIR)
    assert first.changed and first.samples_added == 10
    before = (_counts(engine), _snapshot(engine))
    assert _counts(engine) == (93, 38, 5, 10)
    repo.init_schema()
    second = repo.seed(DATA_DIR)
    assert not second.changed and second.samples_added == 0
    assert (_counts(engine), _snapshot(engine)) == before


def test_seed_without_samples(engine):
    repo = Repository(engine)
    repo.init_schema()
    assert repo.seed(DATA_DIR, with_samples=False).samples_added == 0
    assert _counts(engine)[3] == 0


def test_seed_updates_changed_due_date(engine, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("nlu", "rules", "stories"))
    repo = Repository(engine)
    repo.init_schema()
    repo.seed(data)
    text = (data / "obligations.yml").read_text(encoding="utf-8").replace("2022-04-30", "2022-05-31")
    (data / "obligations.yml").write_text(text, encoding="utf-8")
    assert repo.seed(data).changed
    assert repo.get_obligation("plan", 2022).due_date == date(2022, 5, 31)
    assert _counts(engine)[3] == 10  # submissions untouched


def test_obligations(repo):
    obls = repo.list_obligations(2022)
    assert [o.code for o in obls] == ["BC-2022-Q1", "KH-2022", "BC-2022-Q2", "BC-2022-Q3", "BC-2022-Q4"]
    assert repo.list_obligations(2023) == []
    plan = repo.get_obligation("plan", 2022)
    assert plan.code == "KH-2022" and plan.quarter is None and plan.due_date == date(2022, 4, 30)
    assert plan.due_date_origin == "operator_default"
    assert "không quy định" in plan.due_date_source
    q3 = repo.get_obligation("quarterly_report", 2022, 3)
    assert q3.code == "BC-2022-Q3" and q3.due_date == date(2022, 9, 15)
    assert repo.get_obligation("quarterly_report", 2022, 5) is None
    assert repo.get_obligation_by_code("bc-2022-q1").code == "BC-2022-Q1"


def test_vietnamese_round_trip(repo):
    a = repo.get_agency("BVHTTDL")
    assert a.name == "Bộ Văn hóa, Thể thao và Du lịch"
    assert "Bộ VH,TT&DL" in a.aliases
    assert repo.get_agency("DAKLAK").name == "Tỉnh Đắk Lắk"
    note = "Ghi chú: Ủy ban nhân dân tỉnh Đắk Lắk gửi bổ sung — “đầy đủ”"
    sub = repo.record_submission("DAKLAK", "BC-2022-Q1", date(2022, 3, 20), "số 12/BC-UBND", note)
    st = repo.agency_status("DAKLAK", date(2022, 4, 1))
    item = {i.obligation.code: i for i in st.items}["BC-2022-Q1"]
    assert item.submission == sub and item.submission.note == note


def test_status(repo):
    st = repo.agency_status("QUANGNINH", date(2022, 7, 1))
    assert st.agency.name == "Tỉnh Quảng Ninh"
    items = {i.obligation.code: i for i in st.items}
    assert items["BC-2022-Q1"].state == "submitted"
    assert items["BC-2022-Q1"].submission.received_on == date(2022, 3, 14)
    assert items["BC-2022-Q1"].submission.is_sample
    assert items["BC-2022-Q2"].state == "submitted"
    assert items["KH-2022"].state == "overdue" and items["KH-2022"].days_overdue == 62
    assert items["BC-2022-Q3"].state == "open" and items["BC-2022-Q3"].days_left == 76
    assert st.succession is None
    # Due today counts as open with 0 days left.
    st = repo.agency_status("BYT", date(2022, 4, 30))
    assert {i.obligation.code: (i.state, i.days_left) for i in st.items}["KH-2022"] == ("open", 0)
    # Late submission.
    hn = {i.obligation.code: i for i in repo.agency_status("HANOI", date(2022, 7, 1)).items}
    assert hn["BC-2022-Q1"].days_late == 3


def test_status_succession_and_unknown(repo):
    st = repo.agency_status("HAGIANG", date(2022, 7, 1))
    assert st.succession.successor_code == "TUYENQUANG"
    assert st.succession.effective == date(2025, 7, 1)
    with pytest.raises(UnknownAgencyError):
        repo.agency_status("NOPE", date(2022, 7, 1))


def test_overdue(repo):
    assert repo.overdue_agencies(date(2022, 3, 15)) == []  # due today is not overdue
    q1 = repo.overdue_agencies(date(2022, 3, 16))
    assert {e.obligation.code for e in q1} == {"BC-2022-Q1"}
    codes = {e.agency.code for e in q1}
    # Bộ Y tế and Quảng Ninh sent on time; Hà Nội sent on 18/03 (late, not yet)
    assert "BYT" not in codes and "QUANGNINH" not in codes and "HANOI" in codes
    assert len(q1) == 93 - 2
    assert all(e.days_overdue == 1 for e in q1)
    late = repo.overdue_agencies(date(2022, 7, 1), "KH-2022")
    assert len(late) == 93 - 5
    assert {e.agency.code for e in late}.isdisjoint({"BGDDT", "HANOI", "CANTHO", "HOCHIMINH", "NHNN"})
    everything = repo.overdue_agencies(date(2023, 1, 1))
    assert len(everything) == 93 * 5 - 10
    assert [e.obligation.due_date for e in everything] == sorted(e.obligation.due_date for e in everything)
    with pytest.raises(UnknownObligationError):
        repo.overdue_agencies(date(2022, 7, 1), "XX")


def test_record(repo):
    sub = repo.record_submission("BTTTT", "bc-2022-q1", date(2022, 3, 10), "1/BC-BTTTT", "gửi qua trục")
    assert sub.obligation_code == "BC-2022-Q1" and not sub.is_sample
    assert len(repo.overdue_agencies(date(2022, 3, 16))) == 93 - 3
    with pytest.raises(DuplicateSubmissionError):
        repo.record_submission("BTTTT", "BC-2022-Q1", date(2022, 3, 11), "1/BC-BTTTT")
    repo.record_submission("BTTTT", "BC-2022-Q1", date(2022, 3, 12), "2/BC-BTTTT")  # other reference: ok
    st = {i.obligation.code: i for i in repo.agency_status("BTTTT", date(2022, 4, 1)).items}
    assert st["BC-2022-Q1"].submission.reference_number == "1/BC-BTTTT"  # earliest counts
    with pytest.raises(UnknownAgencyError):
        repo.record_submission("NOPE", "BC-2022-Q1", date(2022, 3, 12), "x")
    with pytest.raises(UnknownObligationError):
        repo.record_submission("BTTTT", "BC-2021-Q1", date(2022, 3, 12), "x")


def test_import_ok(repo, tmp_path, agency_directory):
    csv_path = tmp_path / "ok.csv"
    csv_path.write_text(
        "\ufeff" + HEADER
        + "Bộ Y tế,KH-2022,01/04/2022,11/KH-BYT,kế hoạch\n"
        + "sở tt&tt cần thơ,BC-2022-Q1,2/3/2022,7/BC-STTTT,\n"
        + "UBND TP.HCM,báo cáo quý 2/2022,10/06/2022,9/BC-UBND,\"có dấu phẩy, trong ghi chú\"\n",
        encoding="utf-8",
    )
    before = _counts(repo.engine)[3]
    rep = repo.import_submissions_csv(csv_path, agency_directory, today=date(2022, 7, 1))
    assert rep.ok and rep.inserted == 3 and rep.total_rows == 3, rep.to_text()
    assert _counts(repo.engine)[3] == before + 3
    st = {i.obligation.code: i for i in repo.agency_status("HOCHIMINH", date(2022, 7, 1)).items}
    assert st["BC-2022-Q2"].submission.note == "có dấu phẩy, trong ghi chú"
    # Importing the same file again is rejected as duplicates, nothing written.
    rep = repo.import_submissions_csv(csv_path, agency_directory)
    assert not rep.ok and [e.row for e in rep.errors] == [2, 3, 4]
    assert all("đã có trong cơ sở dữ liệu" in e.reason for e in rep.errors)
    assert _counts(repo.engine)[3] == before + 3


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
    before = _snapshot(repo.engine)
    rep = repo.import_submissions_csv(csv_path, agency_directory, today=date(2023, 1, 1))
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
    assert _snapshot(repo.engine) == before
    text = rep.to_text()
    assert "Chưa có dòng nào được ghi" in text and "Dòng 3" in text


def test_import_bad_header(repo, tmp_path, agency_directory):
    p = tmp_path / "h.csv"
    p.write_text("co_quan,ngay\nBộ Y tế,01/04/2022\n", encoding="utf-8")
    rep = repo.import_submissions_csv(p, agency_directory)
    assert not rep.ok and rep.errors[0].row == 1 and "thiếu cột" in rep.errors[0].reason


def test_semicolon_csv(repo, tmp_path, agency_directory):
    p = tmp_path / "s.csv"
    p.write_text(HEADER.replace(",", ";") + "Bộ Y tế;KH-2022;01/04/2022;11/KH-BYT;ok\n", encoding="utf-8")
    assert repo.import_submissions_csv(p, agency_directory).inserted == 1


# --------------------------------------------------------------------------- #
# .xlsx import, audit entry, export (bot.tabular)                              #
# --------------------------------------------------------------------------- #
import csv  # noqa: E402
from datetime import datetime  # noqa: E402

import openpyxl  # noqa: E402

from bot import tabular  # noqa: E402
from bot.db.repository import OVERDUE_EXPORT_COLUMNS, STATUS_EXPORT_COLUMNS  # noqa: E402

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
    before = _counts(repo.engine)[3]
    rep = repo.import_submissions(path, agency_directory, today=date(2022, 7, 1))
    assert rep.ok and rep.inserted == 3 and rep.total_rows == 3, rep.to_text()
    assert rep.to_text() == f"Đã nhập 3/3 dòng từ {path}."
    assert _counts(repo.engine)[3] == before + 3
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
    assert repo.import_submissions_csv(csv_path, agency_directory, actor="operator").inserted == 1
    assert _audits(repo.engine)[-1] == ("operator", "import_submissions", "", {"file": "them.csv", "rows": 1})
    with pytest.raises(ValueError):
        repo.import_submissions(csv_path, agency_directory, actor="x" * 17)


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
    before = _snapshot(repo.engine)
    rep = repo.import_submissions(path, agency_directory, today=date(2023, 1, 1), actor="operator")
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
    assert _snapshot(repo.engine) == before and _audits(repo.engine) == []
    text = rep.to_text()
    assert "Chưa có dòng nào được ghi" in text and "9 lỗi trên 10 dòng" in text
    assert all(f"Dòng {n}:" in text for n in range(3, 12))


def test_import_csv_injection_agency_is_unknown(repo, tmp_path, agency_directory):
    p = tmp_path / "inj.csv"
    p.write_text(HEADER + f"\"{CSV_INJECTION_AGENCY}\",KH-2022,01/04/2022,1,\n"
                 + "@SUM(1+1)*cmd|' /C calc'!A0,KH-2022,01/04/2022,2,\n"
                 + "Xyz\x1b[2J\x07,KH-2022,01/04/2022,3,\n", encoding="utf-8")
    rep = repo.import_submissions(p, agency_directory)
    assert [e.row for e in rep.errors] == [2, 3, 4]
    assert all("không nhận ra cơ quan" in e.reason for e in rep.errors)
    assert f"'{CSV_INJECTION_AGENCY}'" in rep.errors[0].reason
    assert "\x1b" not in rep.to_text() and "\x07" not in rep.to_text()  # the report cannot drive a terminal
    assert _counts(repo.engine)[3] == 10


def test_import_file_level_errors(repo, tmp_path, agency_directory, monkeypatch):
    for name, content, needle in [
        ("a.xls", b"x", "không được hỗ trợ"),
        ("a.xlsx", b"not a workbook", "bị hỏng"),
        ("a.csv", b"", "tệp rỗng"),
    ]:
        (tmp_path / name).write_bytes(content)
        rep = repo.import_submissions(tmp_path / name, agency_directory)
        assert not rep.ok and rep.errors[0].row == 0 and needle in rep.errors[0].reason
        assert f"  - {rep.errors[0].reason}" in rep.to_text()
    with pytest.raises(FileNotFoundError):
        repo.import_submissions(tmp_path / "missing.xlsx", agency_directory)
    # Too many rows: a reported error on the first row beyond the limit, nothing written.
    monkeypatch.setattr(tabular, "MAX_ROWS", 2)
    p = tmp_path / "many.csv"
    p.write_text(HEADER + "".join(f"Bộ Y tế,KH-2022,01/04/2022,{i},\n" for i in range(3)), encoding="utf-8")
    rep = repo.import_submissions(p, agency_directory)
    assert not rep.ok and rep.errors[0].row == 4 and "hơn 2 dòng" in rep.errors[0].reason
    assert _counts(repo.engine)[3] == 10 and _audits(repo.engine) == []


def test_all_statuses_match_agency_status(repo):
    today = date(2022, 7, 1)
    statuses = repo.all_statuses(today)
    assert len(statuses) == 93 and statuses[0].agency.code == "BQP"  # agencies.yml order
    by_code = {st.agency.code: st for st in statuses}
    for code in ("QUANGNINH", "HANOI", "BYT", "HAGIANG"):
        assert by_code[code].items == repo.agency_status(code, today).items


def _read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_export_status_csv_and_xlsx(repo, tmp_path):
    repo.record_submission("BYT", "BC-2022-Q2", date(2022, 6, 20), "20/BC-BYT", '=HYPERLINK("http://x","y")')
    header, rows = repo.export_status(date(2022, 7, 1))
    assert header == STATUS_EXPORT_COLUMNS and len(rows) == 93 * 5
    tabular.write_table(tmp_path / "s.csv", header, rows)
    tabular.write_table(tmp_path / "s.xlsx", header, rows)

    back = _read_csv(tmp_path / "s.csv")
    assert tuple(back[0]) == STATUS_EXPORT_COLUMNS
    got = {(r[0], r[2]): dict(zip(back[0], r)) for r in back[1:]}
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
    assert tuple(c.value for c in ws[1]) == STATUS_EXPORT_COLUMNS and ws.max_row == 93 * 5 + 1
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
    header, rows = repo.export_overdue(date(2022, 7, 1), "KH-2022")
    assert header == OVERDUE_EXPORT_COLUMNS and len(rows) == 93 - 5
    tabular.write_table(tmp_path / "o.csv", header, rows)
    tabular.write_table(tmp_path / "o.xlsx", header, rows)
    back = _read_csv(tmp_path / "o.csv")
    assert tuple(back[0]) == OVERDUE_EXPORT_COLUMNS and len(back) == 93 - 5 + 1
    qn = next(r for r in back if r[0] == "QUANGNINH")
    assert qn == ["QUANGNINH", "Tỉnh Quảng Ninh", "KH-2022", qn[3], "30/04/2022", "operator_default", "62"]
    assert not any(r[0] in ("BGDDT", "HANOI", "CANTHO", "HOCHIMINH", "NHNN") for r in back)
    expected = [e.agency.code for e in repo.overdue_agencies(date(2022, 7, 1), "KH-2022")]
    assert [r[0] for r in back[1:]] == expected  # same order as overdue_agencies
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "QUANGNINH")
    assert row[1] == "Tỉnh Quảng Ninh" and row[4] == datetime(2022, 4, 30) and row[6] == 62
    everything = repo.export_overdue(date(2023, 1, 1))[1]
    assert len(everything) == 93 * 5 - 10
    with pytest.raises(UnknownObligationError):
        repo.export_overdue(date(2022, 7, 1), "XX")


def test_note_injection_round_trip(repo, tmp_path, agency_directory):
    """A note typed as =1+1 is imported as text, kept as text, and exported
    with a leading apostrophe in both formats."""
    src = _workbook(tmp_path / "in.xlsx", [
        COLUMNS,
        ["Bộ Công Thương", "KH-2022", date(2022, 4, 3), "9/KH-BCT", "=1+1"],
        ["Bộ Công Thương", "BC-2022-Q2", date(2022, 6, 3), "10/BC-BCT", '=HYPERLINK("http://x","y")'],
    ])
    assert repo.import_submissions(src, agency_directory).ok
    header, rows = repo.export_status(date(2022, 7, 1))
    tabular.write_table(tmp_path / "out.csv", header, rows)
    tabular.write_table(tmp_path / "out.xlsx", header, rows)
    notes_csv = {r[2]: r[10] for r in _read_csv(tmp_path / "out.csv")[1:] if r[0] == "BCT"}
    assert notes_csv["KH-2022"] == "'=1+1" and notes_csv["BC-2022-Q2"] == '\'=HYPERLINK("http://x","y")'
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    notes_xl = {r[2].value: r[10] for r in ws.iter_rows(min_row=2) if r[0].value == "BCT"}
    assert notes_xl["KH-2022"].value == "'=1+1" and notes_xl["KH-2022"].data_type == "s"
    # Reading the export back yields text, never an evaluated value.
    _, back = tabular.read_rows(tmp_path / "out.xlsx")
    assert {c[2]: c[10] for _, c in back if c[0] == "BCT" and len(c) > 10}["KH-2022"] == "'=1+1"


def test_a_real_submission_replaces_the_sample_row(repo):
    today = date(2022, 7, 1)
    sample = next(i for i in repo.agency_status("QUANGNINH", today).items if i.obligation.code == "BC-2022-Q2")
    assert sample.submission.is_sample
    repo.record_submission("QUANGNINH", "BC-2022-Q2", date(2022, 6, 16), "15/BC-UBND")
    item = next(i for i in repo.agency_status("QUANGNINH", today).items if i.obligation.code == "BC-2022-Q2")
    assert (item.submission.reference_number, item.submission.is_sample) == ("15/BC-UBND", False)
    assert item.days_late == 1
    exported = [row for row in repo.export_status(today)[1] if row[0] == "QUANGNINH" and row[2] == "BC-2022-Q2"]
    assert exported and "15/BC-UBND" in exported[0]
