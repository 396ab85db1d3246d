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
from bot.db.session import make_engine
from bot.settings import DATA_DIR

HEADER = "agency,obligation,received_on,reference_number,note\n"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sub' / 'test.db'}"  # parent folder created by make_engine
    else:
        url = request.getfixturevalue("pg_database_url")
    eng = make_engine(url, timeout_s=5)
    m.Base.metadata.drop_all(eng)
    yield eng
    m.Base.metadata.drop_all(eng)
    eng.dispose()


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
