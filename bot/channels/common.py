"""Helpers shared by the channel connectors: user-facing texts, de-duplication
of retried webhook deliveries and compact button payloads."""
from __future__ import annotations

import json
from collections import OrderedDict
from typing import Hashable

# User-facing texts (polite Vietnamese, with diacritics).
TEXT_ONLY = (
    "Xin lỗi, hiện tôi chỉ đọc được tin nhắn dạng chữ. "
    "Anh/chị vui lòng gõ câu hỏi bằng chữ, ví dụ: \"Hạn nộp kế hoạch của Bộ Y tế là khi nào?\""
)
CHOOSE_BY_NUMBER = "Anh/chị có thể trả lời bằng số tương ứng:"
GREETING_TEXT = "xin chào"



class SeenIds:
    """A bounded set of recently seen ids (LRU), to answer retried deliveries once.

    ``add(key)`` returns ``True`` the first time a key is seen and ``False`` for
    a repeat. Only the newest ``capacity`` keys are remembered, in memory.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._keys: "OrderedDict[Hashable, None]" = OrderedDict()

    def add(self, key: Hashable) -> bool:
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)
        return True

    def __contains__(self, key: Hashable) -> bool:
        return key in self._keys


def compact_payload(payload: str) -> str:
    """``/intent{"k": "v"}`` without optional spaces: ``/intent{"k":"v"}``.

    Any other payload (plain text, malformed JSON) is returned unchanged.
    """
    payload = payload.strip()
    if payload.startswith("/") and "{" in payload:
        intent, _, rest = payload.partition("{")
        try:
            entities = json.loads("{" + rest)
        except ValueError:
            return payload
        return intent + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))
    return payload


