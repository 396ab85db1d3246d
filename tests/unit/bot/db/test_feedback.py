"""Ratings of the assistant's answers (bot.db.feedback) on real SQLite and
PostgreSQL databases: stored, commented, summarised worst-rated first from a
local date on, purged and forgotten."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import models as m
from bot.db.feedback import (
    FeedbackStore,
    add_comment,
    feedback_summary,
    forget_senders,
    purge_comments,
    record_feedback,
)

# 2026-11-30 17:30 UTC is 1 December 00:30 in Asia/Ho_Chi_Minh
EARLY = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)   # 30 November, local
LATE = datetime(2026, 11, 30, 17, 30, tzinfo=timezone.utc)   # 1 December, local


def rate(session, key, helpful, at, sender="rest:a", text=None, comment=None):
    return record_feedback(session, sender_id=sender, channel="rest", answer_key=key,
                           answer_text=text or f"text of {key}", helpful=helpful, at=at, comment=comment)


def test_the_summary_counts_per_answer_worst_rated_first(migrated_engine):
    with Session(migrated_engine) as s, s.begin():
        rate(s, "utter_purpose", True, EARLY)
        rate(s, "utter_purpose", False, LATE)
        rate(s, "utter_tasks", False, EARLY, text="old tasks text")
        wrong = rate(s, "utter_tasks", False, LATE, text="new tasks text")
        rate(s, "utter_scope", True, LATE)
        assert add_comment(s, wrong, "  thiếu nhiệm vụ số 5 ")
        assert not add_comment(s, 999999, "no such rating")
    with Session(migrated_engine) as s:
        summary = feedback_summary(s, None)
    assert [(r["answer_key"], r["helpful"], r["not_helpful"]) for r in summary] == [
        ("utter_tasks", 0, 2), ("utter_purpose", 1, 1), ("utter_scope", 1, 0)]
    tasks = summary[0]
    assert tasks["answer_text"] == "new tasks text"
    assert tasks["comments"] == ["thiếu nhiệm vụ số 5"]
    assert tasks["last_seen"] == LATE
    assert summary[1]["comments"] == []


def test_since_is_a_local_date(migrated_engine):
    with Session(migrated_engine) as s, s.begin():
        rate(s, "utter_purpose", True, EARLY)
        rate(s, "utter_tasks", False, LATE)
    with Session(migrated_engine) as s:
        assert [r["answer_key"] for r in feedback_summary(s, date(2026, 12, 1))] == ["utter_tasks"]
        assert len(feedback_summary(s, date(2026, 11, 30))) == 2
        assert feedback_summary(s, date(2026, 12, 2)) == []


def test_purge_clears_old_comments_and_forget_deletes_one_persons_ratings(migrated_engine):
    with Session(migrated_engine) as s, s.begin():
        rate(s, "utter_tasks", False, EARLY, sender="rest:a", comment="số điện thoại của tôi 0912")
        rate(s, "utter_tasks", False, LATE, sender="rest:b", comment="thiếu ý")
        rate(s, "utter_tasks", True, LATE, sender="rest:a")
    with Session(migrated_engine) as s, s.begin():
        assert purge_comments(s, LATE) == 1
    with Session(migrated_engine) as s:
        assert feedback_summary(s)[0]["comments"] == ["thiếu ý"]
        assert feedback_summary(s)[0]["not_helpful"] == 2  # the ratings stay
    with Session(migrated_engine) as s, s.begin():
        assert forget_senders(s, ["rest:a"]) == 2
        assert forget_senders(s, []) == 0
    with Session(migrated_engine) as s:
        assert s.execute(select(m.AnswerFeedback.sender_id)).scalars().all() == ["rest:b"]


def test_the_store_commits_each_call(migrated_engine):
    store = FeedbackStore(migrated_engine)
    rating = store.rate(sender_id="telegram:5", channel="telegram", answer_key="utter_issuer",
                        answer_text="Bộ TT&TT ban hành", helpful=False)
    assert store.comment(rating, "thiếu tên người ký")
    with Session(migrated_engine) as s:
        [row] = feedback_summary(s)
    assert (row["answer_key"], row["not_helpful"], row["comments"]) == ("utter_issuer", 1, ["thiếu tên người ký"])
    assert row["last_seen"].tzinfo is not None
