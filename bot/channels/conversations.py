"""One conversation namespace per channel: the conversation id Rasa keys its
tracker by, and the one helper that maps it back to who wrote.

Rasa keys trackers by the sender id alone (RasaHQ/rasa#7941, #10158): without
a namespace a REST caller sending ``{"sender": "<a Telegram chat id>"}``
continued that Telegram conversation. Every connector therefore hands Rasa a
namespaced id built by :func:`conversation_id`:

=========  ==================================  =====================================
channel    conversation id                     platform address (``recipient``)
=========  ==================================  =====================================
telegram   ``telegram:<chat id>``              ``<chat id>``
telegram   ``telegram:<chat id>:<user id>``    ``<chat id>`` (a group: one context per member)
zalo       ``zalo:<user id>``                  ``<user id>``
rest       ``rest:<sender>``                   ``<sender>`` (as the caller sent it)
socketio   ``web:<session id>``                ``<session id>`` (the socket.io room)
=========  ==================================  =====================================

The part after the prefix is the caller's own, so no caller of one channel can
name another channel's conversation (``rest:telegram:1`` is not ``telegram:1``).

What the database stores (linked accounts, audit trail, reminders) is
unchanged: ``(channel, user id)`` with the platform's raw user id, which
:func:`identity` returns; so links, the operator's commands and reminders show
the same people as before the namespaces. An id without a known prefix (a
tracker written before this change) is read as ``(input channel, id)``, as it
was then.

No Rasa import here: the action server uses it too.
"""
from __future__ import annotations

from typing import Optional, Tuple

# input channel name (UserMessage.input_channel) -> conversation id prefix
PREFIXES = {"telegram": "telegram", "zalo": "zalo", "rest": "rest", "socketio": "web"}
CHANNELS = {prefix: channel for channel, prefix in PREFIXES.items()}
SEPARATOR = ":"


def conversation_id(channel: str, user_id: object, member: Optional[object] = None) -> str:
    """The tracker key for ``user_id`` on ``channel`` (an input channel name).

    Input: ``channel`` (``"telegram"``, ``"zalo"``, ``"rest"``, ``"socketio"``),
    the platform's ``user_id`` (Telegram: the chat id), and for a Telegram group
    the writing ``member``'s user id. Output: e.g. ``"telegram:-100123:42"``.

    Raises:
        ValueError: an unknown channel, or an empty ``user_id``.
    """
    if channel not in PREFIXES:
        raise ValueError(f"no conversation namespace for channel {channel!r}")
    user = str(user_id if user_id is not None else "")
    if not user:
        raise ValueError("a conversation needs a non-empty user id")
    key = f"{PREFIXES[channel]}{SEPARATOR}{user}"
    if member is not None and str(member):
        key += f"{SEPARATOR}{member}"
    return key


def split(sender_id: object, input_channel: Optional[str] = None) -> Tuple[str, str, Optional[str]]:
    """``(channel, user id, member)`` of a conversation id.

    ``channel`` is the input channel name (``"socketio"`` for ``web:``); for
    Telegram ``user id`` is the chat id and ``member`` the writer in a group
    (else ``None``); for the other channels everything after the prefix is the
    user id (a REST sender may itself contain ``:``). An id without a known
    prefix (older trackers) gives ``(input_channel or "", sender_id, None)``.
    Never raises.
    """
    text = str(sender_id)
    prefix, sep, rest = text.partition(SEPARATOR)
    if not sep or prefix not in CHANNELS or not rest:
        return input_channel or "", text, None
    channel = CHANNELS[prefix]
    if channel == "telegram":
        chat, sep, member = rest.partition(SEPARATOR)
        return channel, chat, (member if sep and member else None)
    return channel, rest, None


def identity(sender_id: object, input_channel: Optional[str] = None) -> Tuple[str, str]:
    """``(channel, user id)`` as the database stores an account, e.g.
    ``("telegram", "12345")`` for ``"telegram:12345"``; in a Telegram group the
    chat id (negative: a group is not a person, see
    :func:`actions.identity.is_group_chat`). Older, un-prefixed ids: see
    :func:`split`. Never raises."""
    channel, user_id, _ = split(sender_id, input_channel)
    return channel, user_id


def recipient(sender_id: object) -> str:
    """The platform address to send a reply of conversation ``sender_id`` to
    (the chat id, the Zalo user id, the REST sender, the socket.io room); an
    un-prefixed id is returned unchanged. Never raises."""
    return split(sender_id)[1]
