"""Masking of people's ids shown in the console (Decree 13/2023/NĐ-CP: staff
see that someone wrote, not who)."""
from __future__ import annotations

from typing import Optional


def mask_id(value: Optional[str]) -> str:
    """``"880000001"`` -> ``"88…01"``: the first two and last two characters of
    an id longer than 6, else ``"…"`` and the last character; ``""`` for none."""
    if not value:
        return ""
    text = str(value)
    if len(text) > 6:
        return f"{text[:2]}…{text[-2:]}"
    return f"…{text[-1:]}"
