"""Helpers shared by the channel connectors: user-facing texts and compact
button payloads (retried deliveries are de-duplicated in :mod:`bot.channels.state`)."""
from __future__ import annotations

import json

# User-facing texts (polite Vietnamese, with diacritics).
TEXT_ONLY = (
    "Xin lỗi, hiện tôi chỉ đọc được tin nhắn dạng chữ. "
    "Anh/chị vui lòng gõ câu hỏi bằng chữ, ví dụ: \"Hạn nộp kế hoạch của Bộ Y tế là khi nào?\""
)
CHOOSE_BY_NUMBER = "Anh/chị có thể trả lời bằng số tương ứng:"
GREETING_TEXT = "xin chào"


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


