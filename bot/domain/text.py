"""Vietnamese text normalisation with offsets back to the raw message.

Users type NFC, NFD (decomposed, from some keyboards), without diacritics or in
capitals. Everything that compares text (agency matching, period parsing,
tokenisation) goes through :func:`fold`, and everything that must point back into
the raw message uses :func:`nfc_with_offsets`.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import List, Tuple

_SPACES = re.compile(r"\s+")
# Characters that NFD does not decompose into base letter + combining mark.
_EXTRA_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (composed) form."""
    return unicodedata.normalize("NFC", text)


# Cached: most calls fold one character of a message or one word of the fixed
# name and trigger tables, again for every message (issue 12: ~4 % of the Rasa
# server's CPU per message went to these repeats).
@lru_cache(maxsize=16384)
def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics: ``"Đắk Lắk"`` -> ``"Dak Lak"``.

    Case and length in characters of NFC input are kept (every composed
    Vietnamese letter maps to exactly one ASCII letter).
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).translate(_EXTRA_FOLD)


def fold(text: str) -> str:
    """Comparison key: NFC, no diacritics, lower case, single spaces, trimmed.

    >>> fold("  Bộ  Y   TẾ ")
    'bo y te'
    """
    return _SPACES.sub(" ", strip_diacritics(nfc(text)).lower()).strip()


def has_diacritics(text: str) -> bool:
    """True when ``text`` holds at least one Vietnamese accented letter or đ."""
    return strip_diacritics(nfc(text)) != nfc(text)


def nfc_with_offsets(raw: str) -> Tuple[str, List[int]]:
    """NFC-normalise ``raw`` and map every character back to it.

    Returns ``(normalised, starts)`` where ``starts`` has ``len(normalised) + 1``
    entries: ``starts[i]`` is the index in ``raw`` where normalised character
    ``i`` begins, and the last entry is ``len(raw)``. A span ``[i, j)`` of the
    normalised text therefore covers ``raw[starts[i]:starts[j]]``.

    Normalisation is applied per cluster (a base character and the combining
    marks after it), which is exactly how NFC composes.
    """
    normalised: List[str] = []
    starts: List[int] = []
    i = 0
    n = len(raw)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(raw[j]):
            j += 1
        composed = unicodedata.normalize("NFC", raw[i:j])
        for ch in composed:
            normalised.append(ch)
            starts.append(i)
        i = j
    starts.append(n)
    return "".join(normalised), starts
