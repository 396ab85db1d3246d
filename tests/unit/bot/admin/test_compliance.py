"""bot.admin.compliance on the shipped data (93 addressees, sample rows), real databases."""
from __future__ import annotations

import io
from datetime import date

import openpyxl

from bot.admin import compliance
from bot.db.accounts import AccountRepository

TODAY = date(2022, 12, 15)


def test_matrix_covers_every_addressee_and_obligation_with_totals(repo) -> None:
    data = compliance.matrix(repo, TODAY)
    assert len(data["agencies"]) == 93
    groups = {a["group"] for a in data["agencies"]}
    assert groups == {"ministries", "provinces"}
    assert sum(a["group"] == "provinces" for a in data["agencies"]) == 63
    n = len(data["obligations"])
    assert n >= 2 and all(len(a["cells"]) == n for a in data["agencies"])
    for i, o in enumerate(data["obligations"]):
        assert sum(o["totals"].values()) == 93
        assert o["totals"] == {s: sum(a["cells"][i]["status"] == s for a in data["agencies"])
                               for s in compliance.STATUSES}
    statuses = {c["status"] for a in data["agencies"] for c in a["cells"]}
    assert "sample" in statuses and "overdue" in statuses
    sample = next(c for a in data["agencies"] for c in a["cells"] if c["status"] == "sample")
    assert sample["received_on"] and sample["reference_number"]


def test_real_submission_on_time_or_late(repo) -> None:
    obligations = {o["code"]: o for o in compliance.matrix(repo, TODAY)["obligations"]}
    code = next(iter(obligations))
    due = date.fromisoformat(obligations[code]["due_date"])
    repo.record_submission("QUANGNINH", code, due, "12/KH-UBND", actor="operator")
    repo.record_submission("LAICHAU", code, date.fromordinal(due.toordinal() + 3), "7/KH-UBND", actor="operator")
    cells = {a["code"]: a["cells"][0] for a in compliance.matrix(repo, TODAY)["agencies"]}
    assert cells["QUANGNINH"]["status"] == "on_time"
    assert cells["LAICHAU"]["status"] == "late" and cells["LAICHAU"]["days_late"] == 3


def test_agency_page_masks_linked_accounts(repo, seeded_engine) -> None:
    accounts = AccountRepository(seeded_engine)
    issued = accounts.issue_code("QUANGNINH")
    accounts.redeem_code("telegram", "880000001", issued.code)
    page = compliance.agency_page(repo, accounts, "QUANGNINH", TODAY)
    assert page["name"] == "Tỉnh Quảng Ninh"
    assert page["links"][0]["user"] == "88…01" and page["links"][0]["active"]
    assert "880000001" not in repr(page)
    assert [e["action"] for e in page["audit"]][:2] == ["liên kết tài khoản", "cấp mã liên kết"]


def test_export_is_the_operator_export_as_xlsx_and_csv(repo) -> None:
    book = openpyxl.load_workbook(io.BytesIO(compliance.export_bytes(repo, TODAY, "xlsx")))
    rows = list(book.active.values)
    n = len(compliance.matrix(repo, TODAY)["obligations"])
    assert rows[0][:3] == ("ma_co_quan", "co_quan", "ma_nghia_vu") and len(rows) == 1 + 93 * n
    text = compliance.export_bytes(repo, TODAY, "csv").decode("utf-8-sig")
    assert text.splitlines()[0].startswith("ma_co_quan,co_quan") and len(text.splitlines()) == 1 + 93 * n
