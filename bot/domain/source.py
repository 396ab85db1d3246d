"""The source article (``data/source/797.txt``), sentence by sentence.

Every fact the assistant states comes from this article. Questions on a topic
are checked against its sentences (:mod:`bot.domain.topics`), and each fact
intent is tied to the sentences it answers from (:data:`INTENT_KEYS`), so that a
topic is never answered with an unrelated part of the directive.

Syllables are compared by :func:`syllable_key`: diacritic-insensitively when
the user typed none ("chu ky so"), diacritic-sensitively otherwise, so "ký"
(sign) never matches "kỹ" (skill), while "khoẻ" and "khỏe" (tone mark on
another vowel) are the same syllable.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from bot.domain.text import fold, nfc

SOURCE_PATH = Path(__file__).resolve().parents[2] / "data" / "source" / "797.txt"
ARTICLE_DATE = "09/03/2022"  # the article's own date (not the directive's)

_SYLLABLE = re.compile(r"[\w&]+", re.UNICODE)
# The article is one line: sentences end with ". " and list items start with " - ".
_SPLIT = re.compile(r"(?<=[.:;])\s+(?=[-A-ZĐÀ-Ỹ])|\s+-\s+(?=[A-ZĐÀ-Ỹ])|\s+(?=Ngày \d)")
# Page furniture that is not part of the text: "09/03/2022 | lượt xem: 8", "Ảnh minh họa".
_FURNITURE = re.compile(r"^\d\d/\d\d/\d{4}\s*\|\s*lượt xem:\s*\d+\s*|\bẢnh minh họa\s*")


def syllables(text: str) -> List[str]:
    """Lower-case NFC syllables (words between spaces and punctuation) of ``text``."""
    return [s for s in _SYLLABLE.findall(nfc(text).lower())]


@lru_cache(maxsize=8192)
def syllable_key(syllable: str, accents: bool) -> str:
    """Comparison key of one syllable: folded, plus its marks when ``accents``.

    The marks are taken as a set, so the tone mark may sit on either vowel
    ("khoẻ" = "khỏe"), but "ký" != "kỹ" and "số" != "sơ".
    """
    folded = fold(syllable)
    if not accents:
        return folded
    marks = sorted({c for c in unicodedata.normalize("NFD", syllable) if unicodedata.combining(c)})
    return folded + "".join(marks) + ("đ" if "đ" in syllable.lower() else "")


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    words: Tuple[str, ...]  # lower-case NFC syllables


@lru_cache(maxsize=1)
def sentences() -> Tuple[Sentence, ...]:
    """The article's sentences (list items are sentences of their own)."""
    raw = _FURNITURE.sub("", " ".join(nfc(SOURCE_PATH.read_text(encoding="utf-8")).split()))
    parts = [p.strip(" -") for p in _SPLIT.split(raw) if p.strip(" -") and p.strip() != "Cụ thể:"]
    return tuple(Sentence(i, p, tuple(syllables(p))) for i, p in enumerate(parts))


def find(phrase: str) -> List[Sentence]:
    """The sentences holding ``phrase`` (folded, as a substring)."""
    key = fold(phrase)
    return [s for s in sentences() if key in fold(s.text)]


# The sentences each fact intent answers from, by a phrase of each sentence.
INTENT_KEYS: Dict[str, Sequence[str]] = {
    "ask_doc_number": ("Văn bản số 797/BTTTT-THH hướng dẫn",),
    "ask_doc_date": ("Ngày 6/3/2022",),
    "ask_issuer": ("Ngày 6/3/2022",),
    "ask_addressees": ("Công văn được gửi đến",),
    "ask_legal_basis": ("Quyết định số 749/QĐ-TTg",),
    "ask_year_role": ("năm khởi động nhận thức",),
    "ask_orientation": ("định hướng xuyên suốt",),
    "ask_priority_areas": ("định hướng xuyên suốt", "sàn thương mại điện tử", "dạy học trực tuyến",
                           "tư vấn sức khỏe", "nền tảng số khác", "dịch vụ công trực tuyến",
                           "doanh nghiệp nhỏ và vừa"),
    "ask_area_ecommerce": ("sàn thương mại điện tử",),
    "ask_area_education": ("dạy học trực tuyến",),
    "ask_area_health": ("tư vấn sức khỏe",),
    "ask_area_daily_life": ("nền tảng số khác",),
    "ask_area_public_services": ("dịch vụ công trực tuyến",),
    "ask_area_sme": ("doanh nghiệp nhỏ và vừa",),
    "ask_tasks": ("22 nhiệm vụ",),
    "ask_plan": ("xây dựng kế hoạch",),
    "ask_quarterly_report": ("xây dựng kế hoạch",),
    "ask_committee": ("xây dựng kế hoạch",),
}


def intent_sentences(intent: str) -> List[int]:
    """Indexes of the sentences ``intent``'s answer comes from (all of them for the summary)."""
    if intent == "ask_doc_summary":
        return [s.index for s in sentences()]
    return sorted({s.index for key in INTENT_KEYS.get(intent, ()) for s in find(key)})
