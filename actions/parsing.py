"""Pure helpers that read the user's words; no Rasa, no database.

All matching is done on :func:`bot.text.fold` (no diacritics, lower case), so
NFD input, capitals and text typed without diacritics behave the same.
"""
from __future__ import annotations

import re
from typing import List

from bot.text import fold

_DECISION = re.compile(r"(?<!\d)(749|942)(?!\d)")
_YEAR = re.compile(r"(?<!\d)(2020|2021|2022)(?!\d)")
_YEAR_RANGE = re.compile(r"(?<!\d)20(20|21)\s*(-|–|den|toi)\s*(20)?(21|22)(?!\d)")


def mentioned_decisions(text: str) -> List[str]:
    """Decision numbers of the directive's legal bases named in ``text``.

    >>> mentioned_decisions("Quyết định 942/QĐ-TTg ban hành ngày nào?")
    ['942']
    """
    return sorted(set(_DECISION.findall(fold(text))))


def mentioned_years(text: str) -> List[int]:
    """Years 2020–2022 named in ``text``; a range ("2020-2022") names all three."""
    folded = fold(text)
    if _YEAR_RANGE.search(folded):
        return [2020, 2021, 2022]
    return sorted({int(y) for y in _YEAR.findall(folded)})
