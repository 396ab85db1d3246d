"""bot.db.accounts against real SQLite and PostgreSQL databases: link codes,
lock-out, roles, recording by officials, audit trail."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.db import models as m
from bot.db.accounts import AccountRepository, NotLinkedError, WrongAgencyError
from bot.db.repository import Repository
from bot.db.views import DuplicateSubmissionError, UnknownAgencyError
from bot.officials.link_codes import find_codes

T0 = datetime(2022, 4, 1, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def engine(migrated_engine):
    return migrated_engine


@pytest.fixture
def accounts(engine):
    return AccountRepository(engine)


def count(engine, table) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar_one()




# ------------------------------------------------------------------ link codes
def test_code_links_once_and_is_stored_only_as_a_hash(accounts, engine):
    issued = accounts.issue_code("QUANGNINH", ttl_hours=72, now=T0)
    assert issued.agency_name == "Tỉnh Quảng Ninh" and issued.expires_at == T0 + timedelta(hours=72)
    with engine.connect() as c:
        stored = c.execute(select(m.LinkCode.code_hash)).scalar_one()
    assert issued.code.replace("-", "") not in stored and len(stored) == 64

    result = accounts.redeem_code("telegram", "1001", issued.code.lower(), now=T0 + timedelta(hours=1), message="mã")
    assert result.status == "linked" and result.link.agency_code == "QUANGNINH"
    assert accounts.account("telegram", "1001").agency_name == "Tỉnh Quảng Ninh"
    # a used code works once only, for anybody
    again = accounts.redeem_code("zalo", "u-2", issued.code, now=T0 + timedelta(hours=2))
    assert again.status == "used" and accounts.account("zalo", "u-2") is None
    assert [a.action for a in accounts.audit_trail()][:3] == ["link_failed", "link", "issue_code"]


def test_expired_revoked_and_unknown_codes_are_refused(accounts):
    expired = accounts.issue_code("BYT", ttl_hours=72, now=T0)
    assert accounts.redeem_code("telegram", "1", expired.code, now=T0 + timedelta(hours=72)).status == "expired"
    revoked = accounts.issue_code("BYT", ttl_hours=72, now=T0)
    assert accounts.revoke_code(revoked.id, now=T0) is True
    assert accounts.revoke_code(revoked.id, now=T0) is False
    assert accounts.redeem_code("telegram", "2", revoked.code, now=T0).status == "revoked"
    assert accounts.redeem_code("telegram", "3", "ABCDE-23456", now=T0).status == "invalid"
    assert accounts.account("telegram", "1") is None
    with pytest.raises(UnknownAgencyError):
        accounts.issue_code("KHONGCO", now=T0)
    with pytest.raises(ValueError):
        accounts.issue_code("BYT", ttl_hours=0)


def test_public_channels_cannot_link(accounts):
    code = accounts.issue_code("BYT", now=T0).code
    assert accounts.redeem_code("rest", "1001", code, now=T0).status == "channel_not_allowed"
    assert accounts.redeem_code("socketio", "1001", code, now=T0).status == "channel_not_allowed"
    # the code is not spent by the refused attempts
    assert accounts.redeem_code("zalo", "1001", code, now=T0).status == "linked"


def test_guessing_locks_the_account_out_even_for_a_right_code(accounts):
    good = accounts.issue_code("BTC", now=T0).code
    results = [accounts.redeem_code("telegram", "77", f"ABCD{i}-23456", now=T0 + timedelta(minutes=i),
                                    max_failures=5, lockout_minutes=15) for i in range(2, 7)]
    assert [r.status for r in results] == ["invalid"] * 4 + ["locked"]
    assert [r.failures_left for r in results[:4]] == [4, 3, 2, 1]
    locked = accounts.redeem_code("telegram", "77", good, now=T0 + timedelta(minutes=7))
    assert locked.status == "locked" and locked.locked_until == T0 + timedelta(minutes=6 + 15)
    # another account is not affected; the lock ends after the window
    assert accounts.lockout_until("telegram", "78", now=T0 + timedelta(minutes=7)) is None
    late = accounts.redeem_code("telegram", "77", good, now=T0 + timedelta(minutes=22))
    assert late.status == "linked"


def test_two_accounts_racing_for_one_code_only_one_links(accounts):
    code = accounts.issue_code("BTC", now=T0).code
    results = []

    def redeem(user):
        results.append(accounts.redeem_code("telegram", user, code, now=T0))

    threads = [threading.Thread(target=redeem, args=(str(u),)) for u in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in results)
    assert statuses.count("linked") == 1, statuses
    assert len(accounts.list_links()) == 1


def test_links_listed_and_revoked_by_the_operator(accounts):
    a = accounts.redeem_code("telegram", "1", accounts.issue_code("BYT", now=T0).code, now=T0).link
    accounts.redeem_code("zalo", "z", accounts.issue_code("HANOI", now=T0).code, now=T0)
    assert [(link.channel, link.agency_code) for link in accounts.list_links()] == [("telegram", "BYT"), ("zalo", "HANOI")]
    accounts.set_subscribed("telegram", "1", True, now=T0)
    revoked = accounts.revoke_link(a.id, now=T0)
    assert revoked.revoked_at == T0 and revoked.subscribed is False
    assert accounts.revoke_link(a.id, now=T0) is None
    assert accounts.account("telegram", "1") is None
    assert [link.agency_code for link in accounts.list_links()] == ["HANOI"]
    assert len(accounts.list_links(include_revoked=True)) == 2
    with pytest.raises(NotLinkedError):
        accounts.set_subscribed("telegram", "1", True)


# ------------------------------------------------------------------- recording
def _link(accounts, agency, user="1001", channel="telegram"):
    return accounts.redeem_code(channel, user, accounts.issue_code(agency, now=T0).code, now=T0).link


def test_official_records_for_own_agency_with_audit(accounts, engine):
    _link(accounts, "QUANGNINH")
    sub = accounts.record_for_account("telegram", "1001", "QUANGNINH", "bc-2022-q1", date(2022, 3, 14),
                                      " 123/BC-UBND ", message="đã gửi báo cáo quý 1", message_id="m1", now=T0)
    assert (sub.agency_code, sub.obligation_code, sub.reference_number) == ("QUANGNINH", "BC-2022-Q1", "123/BC-UBND")
    entry = accounts.audit_trail(limit=1)[0]
    assert (entry.actor, entry.action, entry.channel, entry.user_id, entry.agency_code) == (
        "official", "record_submission", "telegram", "1001", "QUANGNINH")
    assert entry.message == "đã gửi báo cáo quý 1" and entry.at == T0
    assert entry.detail["reference_number"] == "123/BC-UBND" and entry.detail["message_id"] == "m1"
    status = Repository(engine).agency_status("QUANGNINH", date(2022, 4, 1))
    assert status.items[0].state == "submitted" and status.items[0].submission.received_on == date(2022, 3, 14)


def test_other_agency_unlinked_and_replayed_writes_nothing(accounts, engine):
    _link(accounts, "QUANGNINH")
    with pytest.raises(WrongAgencyError) as wrong:
        accounts.record_for_account("telegram", "1001", "HANOI", "BC-2022-Q1", date(2022, 3, 14), "1/BC")
    assert wrong.value.linked_code == "QUANGNINH"
    with pytest.raises(NotLinkedError):
        accounts.record_for_account("telegram", "999", "QUANGNINH", "BC-2022-Q1", date(2022, 3, 14), "1/BC")
    # same user id on another channel is another account
    with pytest.raises(NotLinkedError):
        accounts.record_for_account("zalo", "1001", "QUANGNINH", "BC-2022-Q1", date(2022, 3, 14), "1/BC")
    assert count(engine, m.Submission) == 0
    accounts.record_for_account("telegram", "1001", "QUANGNINH", "BC-2022-Q1", date(2022, 3, 14), "1/BC",
                                message_id="m7")
    with pytest.raises(DuplicateSubmissionError):  # the same chat message again
        accounts.record_for_account("telegram", "1001", "QUANGNINH", "BC-2022-Q2", date(2022, 6, 14), "2/BC",
                                    message_id="m7")
    with pytest.raises(DuplicateSubmissionError):  # the same document again
        accounts.record_for_account("telegram", "1001", "QUANGNINH", "BC-2022-Q1", date(2022, 3, 14), "1/BC",
                                    message_id="m8")
    assert count(engine, m.Submission) == 1
    assert [a.action for a in accounts.audit_trail()].count("record_submission") == 1


def test_revoked_official_can_no_longer_record(accounts, engine):
    link = _link(accounts, "BYT")
    accounts.revoke_link(link.id)
    with pytest.raises(NotLinkedError):
        accounts.record_for_account("telegram", "1001", "BYT", "KH-2022", date(2022, 4, 2), "5/KH-BYT")
    assert count(engine, m.Submission) == 0


def test_relinking_moves_the_account_and_switches_reminders_off(accounts):
    _link(accounts, "BYT")
    accounts.set_subscribed("telegram", "1001", True)
    moved = _link(accounts, "BTC")
    assert moved.agency_code == "BTC" and moved.subscribed is False
    assert len(accounts.list_links(include_revoked=True)) == 1


def test_chat_text_is_stored_as_data(accounts, engine):
    _link(accounts, "BYT")
    nasty = "'); DROP TABLE submission; -- <script>alert(1)</script> =1+1"
    accounts.record_for_account("telegram", "1001", "BYT", "KH-2022", date(2022, 4, 2), "5/KH-BYT", message=nasty)
    assert accounts.audit_trail(limit=1)[0].message == nasty
    assert count(engine, m.Submission) == 1


def test_touch_records_the_latest_message_of_linked_accounts_only(accounts):
    _link(accounts, "BYT")
    later = T0 + timedelta(days=3)
    accounts.touch("telegram", "1001", now=later)
    accounts.touch("telegram", "not-linked", now=later)
    assert accounts.account("telegram", "1001").last_inbound_at == later
    assert accounts.account("telegram", "not-linked") is None


def test_the_database_picks_the_real_code_among_a_few_candidates(accounts):
    assert find_codes("ma cua phong MEUY9 3HP5S") == ["MEUY93HP5S", "PHONGMEUY9"]  # the word may be joined
    code = accounts.issue_code("BYT", now=T0).code
    first, second = code.split("-")
    text = f"ma cua phong {first} {second}"
    assert code.replace("-", "") in find_codes(text)
    assert accounts.redeem_code("telegram", "42", find_codes(text), now=T0).status == "linked"
    # a message packed with guesses is one attempt over at most three of them
    other = accounts.issue_code("BTC", now=T0).code
    packed = [f"ABCD{d}-2345{d}" for d in "23456789"] + [other]
    result = accounts.redeem_code("telegram", "43", packed, now=T0)
    assert result.status == "invalid" and result.failures_left == 4
