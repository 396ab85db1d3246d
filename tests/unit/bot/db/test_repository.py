"""bot.db.repository against real SQLite and PostgreSQL databases."""
from __future__ import annotations

from datetime import date

import pytest

from bot.db.views import DuplicateSubmissionError, UnknownAgencyError, UnknownObligationError
from bot.submissions.export import status_table


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










# --------------------------------------------------------------------------- #
# .xlsx import, audit entry, export (bot.submissions.tabular)                              #
# --------------------------------------------------------------------------- #

















def test_all_statuses_match_agency_status(repo):
    today = date(2022, 7, 1)
    statuses = repo.all_statuses(today)
    assert len(statuses) == 93 and statuses[0].agency.code == "BQP"  # agencies.yml order
    by_code = {st.agency.code: st for st in statuses}
    for code in ("QUANGNINH", "HANOI", "BYT", "HAGIANG"):
        assert by_code[code].items == repo.agency_status(code, today).items










def test_a_real_submission_replaces_the_sample_row(repo):
    today = date(2022, 7, 1)
    sample = next(i for i in repo.agency_status("QUANGNINH", today).items if i.obligation.code == "BC-2022-Q2")
    assert sample.submission.is_sample
    repo.record_submission("QUANGNINH", "BC-2022-Q2", date(2022, 6, 16), "15/BC-UBND")
    item = next(i for i in repo.agency_status("QUANGNINH", today).items if i.obligation.code == "BC-2022-Q2")
    assert (item.submission.reference_number, item.submission.is_sample) == ("15/BC-UBND", False)
    assert item.days_late == 1
    exported = [row for row in status_table(repo, today)[1] if row[0] == "QUANGNINH" and row[2] == "BC-2022-Q2"]
    assert exported and "15/BC-UBND" in exported[0]
