"""A time bound and an apology for every call to the action server.

Rasa 3.6 waits up to 5 minutes for the action server and, when it fails,
logs the error and sends the user nothing. :func:`install_action_guard` wraps
Rasa's ``RemoteAction.run`` so that a custom action that does not answer
within ``ACTION_TIMEOUT_S`` seconds (default 10; the cluster uses 6), cannot be
reached or fails is answered with :data:`ACTION_APOLOGY` instead. Rasa has no
hook for this, hence the wrapper; ``bot.channels`` installs it, so it is in
place in every Rasa server that loads one of our channels.
"""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, List

logger = logging.getLogger(__name__)

ACTION_APOLOGY = (
    "Xin lỗi anh/chị, hệ thống tra cứu đang tạm thời gián đoạn nên tôi chưa trả lời "
    "được câu hỏi này. Anh/chị vui lòng thử lại sau ít phút; các câu hỏi về nội dung "
    "Văn bản 797/BTTTT-THH vẫn được trả lời bình thường."
)


def action_timeout_s() -> float:
    """``ACTION_TIMEOUT_S`` (default 10 s, room for a cold action server on a
    busy machine; must exceed ``DB_TIMEOUT_S`` + 1)."""
    try:
        return max(0.5, float(os.environ.get("ACTION_TIMEOUT_S") or 10))
    except ValueError:
        return 10.0


def install_action_guard() -> None:
    """Bound every call to the action server and turn failures into an apology.

    Wraps ``RemoteAction.run`` (idempotent): the call gets ``ACTION_TIMEOUT_S``
    seconds; on a timeout, a refused connection, a 5xx or any other error the
    action's events are dropped (nothing half-applied) and the user gets
    :data:`ACTION_APOLOGY`, once per message: further custom actions of the
    same message are skipped at once. A rejection (HTTP 400 from a form's validation) is
    left to Rasa, as before.
    """
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.core.events import BotUttered, UserUttered

    if getattr(RemoteAction.run, "_guarded", False):
        return
    original = RemoteAction.run

    def failed_this_turn(tracker: Any) -> bool:
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                return False
            if isinstance(event, BotUttered) and (event.metadata or {}).get("action_failed"):
                return True
        return False

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        if failed_this_turn(tracker):
            # An earlier action of this message already failed (e.g. the form's
            # validation): fail fast, and apologise once, not once per action.
            logger.warning("custom action '%s' skipped: the action server already failed", self.name())
            return []
        timeout = action_timeout_s()
        try:
            return await asyncio.wait_for(original(self, output_channel, nlg, tracker, domain), timeout)
        except ActionExecutionRejection:
            raise
        except asyncio.TimeoutError:
            logger.error("custom action '%s' timed out after %.1f s; apologising", self.name(), timeout)
        except Exception as error:  # noqa: BLE001
            logger.error("custom action '%s' failed (%s); apologising", self.name(), type(error).__name__)
        return [BotUttered(text=ACTION_APOLOGY, metadata={"action_failed": self.name()})]

    run._guarded = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[assignment]
