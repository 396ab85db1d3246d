"""Guessing the agency phrase in a message ("tỉnh Xyz") when no gazetteer match exists.

Used by the NLU (to keep only plausible agency entities from DIETClassifier)
and by the actions (to tell a user that a name is not an addressee).
"""
from __future__ import annotations

import re
from typing import Optional

from bot.domain.text import fold, has_diacritics, nfc

# "tỉnh Xyz", "UBND thành phố Abc", "Bộ Xyz", "Sở TT&TT Xyz": a word that
# introduces an agency, then up to five words, stopping at words that start
# the rest of the question ("đã nộp", "chưa", "thì sao", ...).
_INTRO = r"(?:ubnd|uy ban nhan dan|so tt&tt|so thong tin va truyen thong|tinh|thanh pho|tp\.?|bo|so)"
_STOP_ACCENTED = {
    "đã", "chưa", "có", "nộp", "gửi", "báo", "kế", "thì", "còn", "ra", "sao", "nào",
    "thế", "được", "hay", "không", "về", "của", "là", "hạn", "tình", "hình", "quý",
    "năm", "này", "ơi", "à", "nhé", "vậy", "với", "giúp", "cho", "xem",
}
_STOP_PLAIN = {fold(w) for w in _STOP_ACCENTED} | {"bc", "kh"}
_INTRO_RE = re.compile(rf"(?<![\w&]){_INTRO}(?![\w&])")
_WORD = re.compile(r"[\w&.\-]+")


def agency_phrase(text: str) -> Optional[str]:
    """Guess the agency phrase in a question when no extractor found one.

    Returns the phrase as typed (NFC), e.g. ``"tỉnh Xyz"`` for
    ``"Tình hình báo cáo của tỉnh Xyz?"``, or ``None``. Used only to tell the
    user that a name is not an addressee; known agencies are found by the
    gazetteer. Folding keeps NFC character positions, so spans map back.
    """
    raw = nfc(text)
    folded = "".join(fold(c) or " " for c in raw)  # one folded char per raw char
    for intro in _INTRO_RE.finditer(folded):
        words = []
        for word in _WORD.finditer(folded, intro.end()):
            between = folded[(words[-1].end() if words else intro.end()):word.start()]
            if between.strip() or len(words) == 5 or _is_stop(raw[word.start():word.end()]):
                break
            words.append(word)
        if words:
            return raw[intro.start():words[-1].end()].strip(" .-")
    return None


def _is_stop(word: str) -> bool:
    # "Đà" (Đà Nẵng) is not "đã": compare with accents when the user typed them.
    word = word.lower().strip(".-")
    return word in _STOP_ACCENTED if has_diacritics(word) else fold(word) in _STOP_PLAIN
