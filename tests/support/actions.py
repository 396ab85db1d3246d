"""Running a rasa-sdk action the way the action server does, on a hand-made tracker."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN: Dict[str, Any] = {"forms": {"agency_form": {"required_slots": ["agency"]}}, "slots": {}}


def tracker(text: str, slots: Optional[Dict[str, Any]] = None, entities: Optional[List[Dict]] = None,
            intent: str = "ask_deadline", active_loop: Optional[str] = None) -> Tracker:
    """A tracker whose latest message is ``text`` with ``intent`` and ``entities``."""
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


async def run(action, t: Tracker, domain: Optional[Dict[str, Any]] = None) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """``(messages the action sent, events it returned)``; ``domain`` defaults to :data:`DOMAIN`."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN if domain is None else domain)
    return dispatcher.messages, events


def texts(messages) -> str:
    """The texts (or response names) of ``messages``, one per line."""
    return "\n".join(m.get("text") or m.get("response") or "" for m in messages)
