"""Withdrawing and correcting recorded submissions (bot.db.corrections) on real
SQLite and PostgreSQL databases: the official's rights (own agency, linked,
within the window counted in local dates), the operator's, and the audit trail
(who, which account, when, before and after)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select, update

from bot.db import models as m
from bot.db.accounts import AccountRepository, NotLinkedError
from bot.db.corrections import (
    Change,
    CorrectionRepository,
    NothingToChangeError,
    NotOwnRecordError,
    RecordNotFoundError,
    SampleRecordError,
    WindowClosedError,
)
from bot.db.repository import Repository
from bot.db.views import DuplicateSubmissionError, UnknownObligationError

TG = ("telegram", "7001")


@pytest.fixture
def setup(seeded_engine):
    """Quảng Ninh linked to Telegram user 7001; one record of its quarter II report
    created at 2022-06-14 18:30 UTC, i.e. on 15/06/2022 in Asia/Ho_Chi_Minh."""
    accounts = AccountRepository(seeded_engine)
    code = accounts.issue_code("QUANGNINH").code
    assert accounts.redeem_code(*TG, code).status == "linked"
    accounts.record_for_account(*TG, "QUANGNINH", "BC-2022-Q2", date(2022, 6, 14), "15/BC-UBND", message="đã gửi")
    engine = seeded_engine
    with engine.begin() as c:
        record_id = c.execute(select(m.Submission.id).where(m.Submission.reference_number == "15/BC-UBND")).scalar_one()
        c.execute(update(m.Submission).where(m.Submission.id == record_id)
                  .values(created_at=datetime(2022, 6, 14, 18, 30, tzinfo=timezone.utc)))
    return CorrectionRepository(engine), accounts, record_id


def official(**kw):
    return dict(actor="official", channel=TG[0], user_id=TG[1], window_days=7, **kw)


def row(engine, record_id):
    with engine.connect() as c:
        return c.execute(select(m.Submission.obligation_id, m.Submission.received_on, m.Submission.reference_number)
                         .where(m.Submission.id == record_id)).first()


def test_the_record_is_found_by_obligation_number_or_as_the_newest(setup):
    corrections, _, record_id = setup
    record = corrections.find_records("QUANGNINH")[0]
    assert (record.id, record.obligation.code, record.reference_number) == (record_id, "BC-2022-Q2", "15/BC-UBND")
    assert record.created_on == date(2022, 6, 15)  # local date, not the UTC one
    assert record.last_day(7) == date(2022, 6, 22)
    assert [r.id for r in corrections.find_records("QUANGNINH", reference_number="15/bc-ubnd")] == [record_id]
    assert corrections.find_records("QUANGNINH", obligation_code="BC-2022-Q1") == []  # the shipped sample is not offered
    assert [r.agency_code for r in corrections.find_elsewhere("HANOI", "15/BC-UBND")] == ["QUANGNINH"]


def test_official_withdraws_within_the_window_with_audit(setup):
    corrections, accounts, record_id = setup
    repo = Repository(corrections.engine)

    def counted():  # the submission the agency's status counts for its quarter II report
        status = repo.agency_status("QUANGNINH", date(2022, 6, 22))
        return next(i.submission.reference_number for i in status.items if i.obligation.code == "BC-2022-Q2")

    assert counted() == "15/BC-UBND"
    before = corrections.withdraw(record_id, today=date(2022, 6, 22), message="rút lại báo cáo quý 2",
                                  message_id="m-9", **official())  # the last day of the window
    assert (before.obligation.code, before.reference_number) == ("BC-2022-Q2", "15/BC-UBND")
    assert corrections.get(record_id) is None
    # the agency's status is as if it was never recorded (the shipped sample counts again)
    assert counted() == "132/BC-UBND"
    entry = accounts.audit_trail(limit=1)[0]
    assert (entry.actor, entry.action, entry.channel, entry.user_id, entry.agency_code, entry.message) == (
        "official", "withdraw_submission", "telegram", "7001", "QUANGNINH", "rút lại báo cáo quý 2")
    assert entry.detail["record_id"] == record_id and entry.detail["message_id"] == "m-9"
    assert entry.detail["before"] == {
        "id": record_id, "agency": "QUANGNINH", "obligation": "BC-2022-Q2", "received_on": "2022-06-14",
        "reference_number": "15/BC-UBND", "created_at": before.created_at.isoformat(), "is_sample": False}
    # the entry of the original recording keeps its details
    recorded = [e for e in accounts.audit_trail() if e.action == "record_submission"][0]
    assert recorded.detail["reference_number"] == "15/BC-UBND"
    assert entry.detail["audit_entries_unlinked"] == [recorded.id]
    with pytest.raises(RecordNotFoundError):
        corrections.withdraw(record_id, today=date(2022, 6, 22), **official())
    # the same document can be recorded again
    accounts.record_for_account(*TG, "QUANGNINH", "BC-2022-Q2", date(2022, 6, 14), "15/BC-UBND")
    assert counted() == "15/BC-UBND"


def test_official_corrects_the_quarter_number_and_date_with_before_and_after(setup):
    corrections, accounts, record_id = setup
    before, after = corrections.correct(
        record_id, Change(obligation_code="BC-2022-Q3", received_on=date(2022, 6, 16), reference_number="16/BC-UBND"),
        today=date(2022, 6, 20), message="sửa thành quý 3", **official())
    assert (before.obligation.code, after.obligation.code) == ("BC-2022-Q2", "BC-2022-Q3")
    assert (after.received_on, after.reference_number, after.id) == (date(2022, 6, 16), "16/BC-UBND", record_id)
    assert after.created_at == before.created_at  # the window still counts from the creation
    entry = accounts.audit_trail(limit=1)[0]
    assert (entry.actor, entry.action, entry.channel, entry.user_id) == ("official", "correct_submission", *TG)
    assert entry.detail["before"]["obligation"] == "BC-2022-Q2" and entry.detail["after"] == {
        **entry.detail["before"], "obligation": "BC-2022-Q3", "received_on": "2022-06-16",
        "reference_number": "16/BC-UBND"}
    with pytest.raises(NothingToChangeError):
        corrections.correct(record_id, Change(reference_number="16/BC-UBND"), today=date(2022, 6, 20), **official())
    with pytest.raises(UnknownObligationError):
        corrections.correct(record_id, Change(obligation_code="BC-2030-Q1"), today=date(2022, 6, 20), **official())


def test_after_the_window_the_official_is_refused_and_the_operator_is_not(setup):
    corrections, accounts, record_id = setup
    kept = row(corrections.engine, record_id)
    with pytest.raises(WindowClosedError) as refused:
        corrections.withdraw(record_id, today=date(2022, 6, 23), **official())
    assert refused.value.last_day == date(2022, 6, 22) and refused.value.record.id == record_id
    with pytest.raises(WindowClosedError):
        corrections.correct(record_id, Change(reference_number="1/X"), today=date(2022, 6, 23), **official())
    assert row(corrections.engine, record_id) == kept
    # a longer window (CORRECTION_WINDOW_DAYS) lets it through
    corrections.correct(record_id, Change(reference_number="1/X"), today=date(2022, 6, 23),
                        **{**official(), "window_days": 30})
    corrections.withdraw(record_id, actor="operator", today=date(2023, 1, 1), message="cán bộ đề nghị")
    entry = accounts.audit_trail(limit=1)[0]
    assert (entry.actor, entry.action, entry.channel, entry.message) == (
        "operator", "withdraw_submission", None, "cán bộ đề nghị")


def test_other_agency_unlinked_and_samples_are_refused(setup):
    corrections, accounts, record_id = setup
    hanoi = accounts.issue_code("HANOI").code
    assert accounts.redeem_code("zalo", "z-1", hanoi).status == "linked"
    with pytest.raises(NotOwnRecordError) as refused:
        corrections.withdraw(record_id, actor="official", channel="zalo", user_id="z-1", today=date(2022, 6, 15))
    assert refused.value.linked_code == "HANOI" and refused.value.record.agency_code == "QUANGNINH"
    with pytest.raises(NotLinkedError):
        corrections.withdraw(record_id, actor="official", channel="telegram", user_id="999", today=date(2022, 6, 15))
    with pytest.raises(NotLinkedError):  # the same user id on another channel is another account
        corrections.withdraw(record_id, actor="official", channel="rest", user_id="7001", today=date(2022, 6, 15))
    sample = corrections.find_records("QUANGNINH", include_samples=True, obligation_code="BC-2022-Q1")[0]
    assert sample.is_sample
    with pytest.raises(SampleRecordError):
        corrections.withdraw(sample.id, today=date(2022, 6, 15), **official())
    assert corrections.get(record_id) is not None and corrections.get(sample.id) is not None
    assert not [e for e in accounts.audit_trail() if e.action == "withdraw_submission"]


def test_a_correction_onto_an_existing_record_is_refused(setup):
    corrections, accounts, record_id = setup
    accounts.record_for_account(*TG, "QUANGNINH", "BC-2022-Q3", date(2022, 6, 15), "15/BC-UBND")
    with pytest.raises(DuplicateSubmissionError):
        corrections.correct(record_id, Change(obligation_code="BC-2022-Q3"), today=date(2022, 6, 16), **official())
    assert corrections.get(record_id).obligation.code == "BC-2022-Q2"
