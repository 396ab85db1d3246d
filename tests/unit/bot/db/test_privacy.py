"""Raw texts purged after the retention and one person's conversations
forgotten (bot.db.privacy), on Rasa's real SQL tracker store (SQLite file)
and the agency database (SQLite and PostgreSQL): texts go, who/when/what
stays, Rasa still reads the conversations back."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import models as m
from bot.db.accounts import AccountRepository
from bot.db.feedback import feedback_summary, record_feedback
from bot.db.privacy import FORGET, forget_conversation, purge_texts
from bot.db.session import make_engine

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)
OLD = NOW - timedelta(days=200)
RECENT = NOW - timedelta(days=10)
CUTOFF = NOW - timedelta(days=180)
DOMAIN_YAML = """version: '3.1'
intents: [ask_issuer, record_submission]
slots:
  agency: {type: text, mappings: []}
  sub_message: {type: text, mappings: []}
"""


def conversation(sender, at, text, reply, slot_text=None):
    from rasa.shared.core.events import BotUttered, SlotSet, UserUttered

    parse = {"text": text, "intent": {"name": "ask_issuer", "confidence": 0.9},
             "entities": [{"entity": "agency", "value": "Bộ Y tế", "start": 0, "end": 6}]}
    events = [UserUttered(text, parse["intent"], parse["entities"], parse_data=parse, timestamp=at.timestamp()),
              BotUttered(reply, metadata={"utter_action": "utter_issuer"}, timestamp=at.timestamp() + 1)]
    if slot_text:
        events.append(SlotSet("sub_message", slot_text, timestamp=at.timestamp() + 2))
    events.append(SlotSet("agency", "Bộ Y tế", timestamp=at.timestamp() + 3))
    return sender, events


@pytest.fixture
def stores(tmp_path, migrated_engine):
    """(agency engine, conversations engine, Rasa store) with two conversations:
    ``telegram:5550001`` (an old one and a recent one) and ``rest:u2`` (old)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.server.tracker_store import SQLiteTrackerStore

    domain = Domain.from_yaml(DOMAIN_YAML)
    store = SQLiteTrackerStore(domain, db=str(tmp_path / "conversations.sqlite"))
    for sender, events in (conversation("telegram:5550001", OLD, "tôi là Nguyễn Văn A, 0912345678", "Bộ TT&TT",
                                        slot_text="đã gửi, số 15/BC-UBND"),
                           conversation("rest:u2", OLD, "ai ban hành văn bản 797", "Bộ TT&TT")):
        tracker = DialogueStateTracker(sender, domain.slots)
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve("telegram:5550001"))
    for event in conversation("telegram:5550001", RECENT, "hỏi lại lần nữa", "Bộ TT&TT")[1]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    yield migrated_engine, make_engine(f"sqlite:///{tmp_path / 'conversations.sqlite'}"), store
    store.engine.dispose()


def texts(store, sender):
    tracker = asyncio.run(store.retrieve(sender))
    return [(e.type_name, getattr(e, "text", None) if e.type_name != "slot" else e.value)
            for e in tracker.events if e.type_name in ("user", "bot", "slot")]


def test_purge_removes_old_texts_everywhere_and_keeps_the_rest(stores):
    engine, conversations, store = stores
    accounts = AccountRepository(engine)
    code = accounts.issue_code("QUANGNINH", now=OLD).code
    accounts.redeem_code("telegram", "5550001", code, now=OLD)
    with Session(engine) as s, s.begin():
        s.execute(m.AuditEntry.__table__.update().values(message="mã của tôi là ... gọi 0912345678"))
        record_feedback(s, sender_id="rest:u2", answer_key="utter_issuer", answer_text="Bộ TT&TT", helpful=False,
                        comment="tôi là Nguyễn Văn B", at=OLD)
        record_feedback(s, sender_id="rest:u2", answer_key="utter_issuer", answer_text="Bộ TT&TT", helpful=False,
                        comment="thiếu người ký", at=RECENT)

    done = purge_texts(engine, conversations, CUTOFF)

    # old user and bot texts and the typed-text slot: gone; the agency slot and the recent turn: kept
    assert texts(store, "telegram:5550001") == [
        ("user", None), ("bot", None), ("slot", None), ("slot", "Bộ Y tế"),
        ("user", "hỏi lại lần nữa"), ("bot", "Bộ TT&TT"), ("slot", "Bộ Y tế")]
    old_user = asyncio.run(store.retrieve("rest:u2")).events[0]
    assert old_user.intent_name == "ask_issuer" and old_user.entities == [] and old_user.text is None
    assert done.events == 2 + 3  # rest:u2 (user, bot); telegram:5550001 (user, bot, sub_message)
    with engine.connect() as c:
        audit = c.execute(select(m.AuditEntry.actor, m.AuditEntry.action, m.AuditEntry.user_id,
                                 m.AuditEntry.message)).all()
    assert ("official", "link", "5550001", "") in audit and all(row[3] == "" for row in audit)
    assert done.audit_entries == len(audit) > 0
    with Session(engine) as s:
        [summary] = feedback_summary(s)
    assert summary["comments"] == ["thiếu người ký"] and summary["not_helpful"] == 2
    assert done.feedback_comments == 1

    again = purge_texts(engine, conversations, CUTOFF)  # idempotent
    assert (again.events, again.audit_entries, again.feedback_comments) == (0, 0, 0)


def test_forget_deletes_one_conversation_and_audits_it_without_texts(stores):
    engine, conversations, store = stores
    accounts = AccountRepository(engine)
    code = accounts.issue_code("QUANGNINH", now=OLD).code
    accounts.redeem_code("telegram", "5550001", code, now=OLD, message="mã ABC của tôi")
    with Session(engine) as s, s.begin():
        record_feedback(s, sender_id="telegram:5550001", channel="telegram", answer_key="utter_issuer",
                        answer_text="x", helpful=True)
        record_feedback(s, sender_id="rest:u2", channel="rest", answer_key="utter_issuer", answer_text="x",
                        helpful=True)
        s.add(m.UndeliveredReply(channel="telegram", recipient="5550001", call={"method": "sendMessage"}))
        s.add(m.LinkAttempt(channel="telegram", user_id="5550001", ok=True))

    done = forget_conversation(engine, conversations, "telegram:5550001", now=NOW)

    assert asyncio.run(store.retrieve("telegram:5550001")) is None
    assert texts(store, "rest:u2")[0] == ("user", "ai ban hành văn bản 797")  # others untouched
    # redeeming the code was a link attempt too
    assert (done.events, done.feedback, done.undelivered, done.link_attempts) == (7, 1, 1, 2)
    assert done.linked_account_kept
    with engine.connect() as c:
        entries = c.execute(select(m.AuditEntry.action, m.AuditEntry.message, m.AuditEntry.detail)
                            .where(m.AuditEntry.user_id == "5550001").order_by(m.AuditEntry.id)).all()
        assert c.execute(select(m.AnswerFeedback.sender_id)).scalars().all() == ["rest:u2"]
    assert [e.action for e in entries] == ["link", FORGET]
    assert all(e.message == "" for e in entries)
    assert entries[-1].detail["conversation"] == "telegram:5550001" and entries[-1].detail["events"] == 7
    assert accounts.account("telegram", "5550001").agency_code == "QUANGNINH"  # the link stays

    with pytest.raises(ValueError):
        forget_conversation(engine, conversations, "  ")
    assert forget_conversation(engine, None, "web:nobody").events == 0  # no tracker store: database only
