"""bot.admin.insight on real SQLite and PostgreSQL: Rasa's ``events`` rows as
``SQLTrackerStore.save`` writes them (bench.console_data.turn_rows), read back
as the console's views."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from actions.directive import ActionAnswerDirectiveFacts
from bench.console_data import EVENTS_TABLE, turn_rows
from bot.admin import insight
from bot.db import models as m
from tests.support.actions import run, tracker

DAY = date(2026, 3, 2)


def at(hour_utc: float, day: int = 2) -> float:
    """Epoch seconds of 2026-03-``day`` at ``hour_utc`` UTC (local time is 7 hours ahead)."""
    return datetime(2026, 3, day, tzinfo=timezone.utc).timestamp() + hour_utc * 3600


@pytest.fixture
def events(migrated_engine):
    EVENTS_TABLE.create(migrated_engine)

    def add(sender: str, text: str, intent: str, action: str, ts: float, replies=None) -> None:
        with migrated_engine.begin() as c:
            c.execute(EVENTS_TABLE.insert(), turn_rows(sender, text, intent, action, ts, replies))
    return add


async def facts_answered(text: str, facts) -> list:
    """The bot events Rasa makes of ``action_answer_directive_facts``' messages for
    ``text`` whose NLU findings are ``facts``: the real action, then Rasa's own
    handling of an action server's response (``RemoteAction._utter_responses``)."""
    t = tracker(text, intent="ask_issuer")
    t.latest_message["directive_facts"] = facts
    messages, _ = await run(ActionAnswerDirectiveFacts(), t)
    nlg = TemplatedNaturalLanguageGenerator({"utter_issuer": [{"text": "Bộ Thông tin và Truyền thông."}]})
    return await RemoteAction._utter_responses(messages, CollectingOutputChannel(), nlg,
                                               DialogueStateTracker("web:x", []))


def test_unanswered_groups_near_identical_questions_across_channels(migrated_engine, events) -> None:
    events("web:s1", "Giá vàng hôm nay bao nhiêu?", "nlu_fallback", "utter_default", at(2))
    events("telegram:42", "gia vang hom nay bao nhieu", "nlu_fallback", "utter_default", at(3))
    events("zalo:77", "Thời tiết mai thế nào?", "out_of_scope", "utter_out_of_scope", at(4))
    events("rest:r1", "Có mấy nhiệm vụ trọng tâm?", "ask_tasks", "utter_tasks", at(5))  # answered
    # NLU was confident, but Rasa's core fallback ran: unanswered too
    events("rest:r2", "nhiệm vụ của con mèo là gì", "ask_tasks", "action_default_fallback", at(6))
    events("rest:r3", "Văn bản có nói về tiền điện tử không?", "ask_not_in_source",
           "action_answer_not_in_source", at(7))
    groups = insight.unanswered(migrated_engine, DAY, set())
    assert [(g["text"], g["count"]) for g in groups][0] == ("gia vang hom nay bao nhieu", 2)
    gold = groups[0]
    assert gold["channels"] == {"web": 1, "telegram": 1} and gold["people"] == 2
    assert gold["examples"] == ["Giá vàng hôm nay bao nhiêu?", "gia vang hom nay bao nhieu"]
    assert gold["first_seen"] == "02/03/2026 09:00" and gold["last_seen"] == "02/03/2026 10:00"
    assert {g["text"] for g in groups[1:]} == {"Thời tiết mai thế nào?", "nhiệm vụ của con mèo là gì",
                                               "Văn bản có nói về tiền điện tử không?"}
    assert all("42" != s and "s1" != s for g in groups for s in g["senders"])  # ids masked


async def test_a_topic_not_in_the_article_asked_beside_a_fact_is_unanswered(migrated_engine, events) -> None:
    mixed = await facts_answered("ai ban hành văn bản, có nói về chữ ký số không",
                                 [{"fact": "issuer", "clause": "ai ban hành văn bản"},
                                  {"fact": "not_in_source", "clause": "chữ ký số"}])
    # the intro ("hai câu hỏi"), the issuer, then the topic the article does not cover
    assert [e.metadata.get("answer_kind") for e in mixed] == [None, None, "not_in_source"]
    answered = await facts_answered("ai ban hành văn bản", [{"fact": "issuer", "clause": "ai ban hành văn bản"}])
    events("web:m1", "ai ban hành văn bản, có nói về chữ ký số không", "ask_issuer", "action_answer_directive_facts",
           at(2), mixed)
    events("web:m2", "ai ban hành văn bản", "ask_issuer", "action_answer_directive_facts", at(3), answered)
    groups = insight.unanswered(migrated_engine, DAY, set())
    assert [(g["text"], g["count"]) for g in groups] == [("ai ban hành văn bản, có nói về chữ ký số không", 1)]


def test_since_is_a_local_date(migrated_engine, events) -> None:
    events("web:a", "Giá vàng?", "nlu_fallback", "utter_default", at(16.5, day=1))  # 1 March 23:30 local
    events("web:b", "Giá xăng?", "nlu_fallback", "utter_default", at(17.5, day=1))  # 2 March 00:30 local
    assert [g["text"] for g in insight.unanswered(migrated_engine, DAY, set())] == ["Giá xăng?"]
    per_day = insight.messages_per_day(migrated_engine, date(2026, 3, 1))
    assert per_day == [{"day": "2026-03-01", "channel": "web", "count": 1},
                       {"day": "2026-03-02", "channel": "web", "count": 1}]


def test_handled_groups_leave_the_default_view_and_the_change_is_audited(migrated_engine, events) -> None:
    events("web:a", "Giá vàng hôm nay?", "nlu_fallback", "utter_default", at(2))
    key = insight.unanswered(migrated_engine, DAY, set())[0]["key"]
    assert insight.mark_handled(migrated_engine, key, "lan") is True
    assert insight.mark_handled(migrated_engine, key, "lan") is False  # already handled
    handled = insight.handled_keys(migrated_engine)
    assert handled == {insight.handled_id(key)} and "vang" not in repr(handled)  # no question text kept
    assert insight.unanswered(migrated_engine, DAY, handled) == []
    shown = insight.unanswered(migrated_engine, DAY, handled, include_handled=True)
    assert [g["handled"] for g in shown] == [True]
    # a new wording of the same question stays handled
    events("telegram:9", "gia vang hom nay", "nlu_fallback", "utter_default", at(3))
    assert insight.unanswered(migrated_engine, DAY, handled) == []
    assert insight.mark_handled(migrated_engine, key, "minh", handled=False) is True
    with migrated_engine.connect() as c:
        audit = c.execute(select(m.AuditEntry.actor, m.AuditEntry.user_id, m.AuditEntry.action)
                          .order_by(m.AuditEntry.id)).all()
    assert [tuple(a) for a in audit] == [("staff", "lan", "mark_handled"), ("staff", "minh", "unmark_handled")]


def test_top_intents_share_and_last_message_per_channel(migrated_engine, events) -> None:
    for i in range(3):
        events(f"web:{i}", "Có mấy nhiệm vụ?", "ask_tasks", "utter_tasks", at(1 + i))
    events("zalo:1", "Xin chào", "greet", "utter_greet", at(5))
    assert insight.top_intents(migrated_engine, DAY) == [{"intent": "ask_tasks", "count": 3, "share": 0.75},
                                                         {"intent": "greet", "count": 1, "share": 0.25}]
    assert insight.last_message_per_channel(migrated_engine) == {"web": "02/03/2026 10:00",
                                                                 "zalo": "02/03/2026 12:00"}


def test_index_is_added_once_and_only_when_rasa_made_the_table(migrated_engine) -> None:
    insight.ensure_indexes(migrated_engine)  # no events table yet: nothing to do
    EVENTS_TABLE.create(migrated_engine)
    insight.ensure_indexes(migrated_engine)
    insight.ensure_indexes(migrated_engine)
    from sqlalchemy import inspect

    assert insight.INDEX_NAME in {i["name"] for i in inspect(migrated_engine).get_indexes("events")}


@pytest.mark.parametrize("text,key", [("Giá vàng hôm nay?", "gia vang hom nay"),
                                      ("  GIÁ   vàng, hôm nay!!! ", "gia vang hom nay"),
                                      ("<img src=x onerror=alert(1)>", "img src x onerror alert 1")])
def test_group_key(text: str, key: str) -> None:
    assert insight.group_key(text) == key


def test_answer_ratings_worst_first_with_comments(migrated_engine) -> None:
    from bot.db.feedback import record_feedback

    with migrated_engine.begin() as c:
        for helpful in (True, True, False):
            record_feedback(c, sender_id="web:a", answer_key="utter_doc_number", answer_text="Số hiệu 797/BTTTT-THH",
                            helpful=helpful, at=datetime.fromtimestamp(at(2), timezone.utc))
        record_feedback(c, sender_id="telegram:1", answer_key="utter_doc_date", answer_text="Ngày 6/3/2022",
                        helpful=False, comment="<b>thiếu</b> giờ", at=datetime.fromtimestamp(at(3), timezone.utc))
    rows = insight.answer_ratings(migrated_engine, DAY)
    assert [(r["answer_key"], r["helpful"], r["not_helpful"]) for r in rows] == [
        ("utter_doc_date", 0, 1), ("utter_doc_number", 2, 1)]
    assert rows[0]["comments"] == ["<b>thiếu</b> giờ"] and rows[0]["last_seen"] == "02/03/2026 10:00"
    assert insight.answer_ratings(migrated_engine, date(2026, 3, 3)) == []
