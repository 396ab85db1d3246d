"""Conversation namespaces (bot.channels.conversations): the id each connector
hands Rasa, and the one mapping back to the (channel, user id) the database stores."""
from __future__ import annotations

import pytest

from bot.channels.conversations import conversation_id, identity, recipient, split


@pytest.mark.parametrize("channel, user, member, expected", [
    ("telegram", 880000001, None, "telegram:880000001"),
    ("telegram", -1001880000004, 42, "telegram:-1001880000004:42"),
    ("zalo", "7712345678901234567", None, "zalo:7712345678901234567"),
    ("rest", "880000001", None, "rest:880000001"),
    ("rest", "telegram:880000001", None, "rest:telegram:880000001"),
    ("socketio", "0f3c", None, "web:0f3c"),
])
def test_each_channel_has_its_own_namespace(channel, user, member, expected) -> None:
    assert conversation_id(channel, user, member) == expected


def test_same_raw_id_on_two_channels_gives_two_conversations() -> None:
    ids = {conversation_id(c, "880000001") for c in ("telegram", "zalo", "rest", "socketio")}
    assert len(ids) == 4
    # a REST caller naming a Telegram conversation id still gets its own
    assert conversation_id("rest", conversation_id("telegram", "880000001")) != conversation_id("telegram", "880000001")


@pytest.mark.parametrize("sender, channel, user, who", [
    ("telegram:880000001", "telegram", "880000001", ("telegram", "880000001")),
    ("telegram:-1001880000004:42", "telegram", "-1001880000004", ("telegram", "-1001880000004")),
    ("zalo:7712345678901234567", "zalo", "7712345678901234567", ("zalo", "7712345678901234567")),
    ("rest:telegram:880000001", "rest", "telegram:880000001", ("rest", "telegram:880000001")),
    ("web:0f3c", "socketio", "0f3c", ("socketio", "0f3c")),
])
def test_mapped_back_to_the_ids_the_database_stores(sender, channel, user, who) -> None:
    assert split(sender)[:2] == (channel, user)
    assert identity(sender, "rest") == who  # the namespace wins over the latest input channel
    assert recipient(sender) == user


def test_older_unprefixed_ids_read_as_before() -> None:
    assert identity("880000001", "telegram") == ("telegram", "880000001")
    assert identity("u1", None) == ("", "u1")
    assert recipient("880000001") == "880000001"
    assert split("telegram:-100:42")[2] == "42" and split("telegram:5")[2] is None


@pytest.mark.parametrize("channel, user", [("slack", "1"), ("telegram", ""), ("zalo", None)])
def test_unknown_channel_or_empty_user_is_refused(channel, user) -> None:
    with pytest.raises(ValueError):
        conversation_id(channel, user)
