"""Who sent the latest message: the chat account and, if linked, its agency.

``(channel, user_id)`` comes from the conversation id (``tracker.sender_id``:
``telegram:<chat id>``, ``zalo:<user id>``, ...), mapped back by
:func:`bot.channels.conversations.identity` to the raw ids the database stores
(an older, un-prefixed id with the input channel of the latest message). Only
channels in ``Settings.identity_channels`` can be linked; everything else is
public. The link is read from the database, never from slots.
"""
from __future__ import annotations

import re
from typing import Optional, Tuple

from rasa_sdk import Tracker

from actions.services import run_accounts
from bot.channels.conversations import identity
from bot.db.accounts import LinkView
from bot.domain.text import fold
from bot.settings import load_settings

# "đơn vị tôi", "cơ quan mình", "tỉnh chúng tôi", "bên em", "sở của tôi"
_OWN_AGENCY = re.compile(
    r"\b(?:don vi|co quan|so|tinh|thanh pho|bo|ben|ubnd|nganh)\s+(?:cua\s+)?"
    r"(?:toi|minh|em|chung toi|chung minh|chung em)\b"
)


def who(tracker: Tracker) -> Tuple[str, str]:
    """``(channel, user_id)`` of the conversation, e.g. ``("telegram", "12345")`` for
    ``telegram:12345``; in a Telegram group the (negative) chat id."""
    return identity(tracker.sender_id, tracker.get_latest_input_channel())


def is_group_chat(channel: str, user_id: str) -> bool:
    """Telegram group and channel chat ids are negative: a group is not a person."""
    return channel == "telegram" and user_id.startswith("-")


def names_own_agency(text: str) -> bool:
    """True when ``text`` speaks of the writer's own agency ("đơn vị tôi"...)."""
    return bool(_OWN_AGENCY.search(fold(text or "")))


def user_channels_since(tracker: Tracker, action_name: str) -> set:
    """Input channels of the user messages after the latest run of ``action_name``
    (all of them if it never ran). A conversation is keyed by sender id only, so
    a website visitor who reuses a Telegram chat id writes into the same tracker:
    a write must not rest on slots such a message could have filled."""
    channels = set()
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == action_name:
            break
        if event.get("event") == "user":
            channels.add(event.get("input_channel") or "")
    return channels


async def current_link(tracker: Tracker) -> Optional[LinkView]:
    """The active link of the account that sent the latest message, or ``None``
    (public); a linked account's ``last_inbound_at`` is brought up to now.

    Raises:
        actions.services.DatabaseUnavailable: the database did not answer.
    """
    channel, user_id = who(tracker)
    if channel not in load_settings().identity_channels or is_group_chat(channel, user_id):
        return None

    def read_and_touch(accounts):
        link = accounts.account(channel, user_id)
        if link is not None:
            accounts.touch(channel, user_id)
        return link

    return await run_accounts(read_and_touch)
