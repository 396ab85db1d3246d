"""Whether a typed "yes" / "no" judges an answer or only answers a question.

"đúng rồi", "sai rồi", "chính xác", "nhầm rồi" say whether an answer was
right; "có", "không", "ok", "thôi" are how people answer a question, above
all the assistant's "Anh/chị xác nhận ghi nhận?" (actions/feedback.py rates
only the former). Both are the intents ``affirm`` / ``deny``, so the words
decide. Pure functions, no I/O.
"""
from __future__ import annotations

import re

from bot.domain.text import fold, has_diacritics, nfc

# words that judge, as typed with diacritics, and the same without them
_JUDGING = re.compile(r"\b(đúng|sai|chính xác|chuẩn|nhầm|hữu ích|phải)\b")
_JUDGING_PLAIN = re.compile(r"\b(dung|sai|chinh xac|chuan|nham|huu ich|phai)\b")


def judges_answer(text: str) -> bool:
    """True when ``text`` (a message, any Unicode form or case) says whether an
    answer was right ("đúng rồi", "sai mất rồi", "chinh xac"), False for a bare
    "có" / "không" / "ok". Without diacritics only a message typed wholly
    without them is read unaccented ("dung roi"), so "dùng" never counts."""
    lowered = nfc(text).lower()
    if _JUDGING.search(lowered):
        return True
    return not has_diacritics(lowered) and bool(_JUDGING_PLAIN.search(fold(lowered)))
