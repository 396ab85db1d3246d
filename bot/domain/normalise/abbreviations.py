"""Chat abbreviations ("teen code") and their expansions, decided by context.

Pure module; the tables are here, in code, because several entries need a
look at the neighbouring words. Province and ministry short forms ("hn",
"BYT", "đn") are not expanded here: they belong to the agency gazetteer
(``bot/domain/agencies.py`` and ``data/agencies.yml``).

Input of :func:`expand`: the message's tokens, each a pair ``(kind, text)``
where kind is ``"word"``, ``"opaque"`` (URL, code, "797/BTTTT-THH", "TT&TT")
or ``"punct"``; words are already Telex/VNI-decoded. Output: a list of
:class:`Expansion` (token range and replacement text), non-overlapping and in
order.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from bot.domain.text import strip_diacritics

# Unambiguous in this assistant's domain; matched on the whole token, any case.
SIMPLE: Dict[str, str] = {
    "ko": "không", "k0": "không", "kh0ng": "không", "hok": "không", "khg": "không",
    "đc": "được", "dc": "được", "dk": "đăng ký", "đk": "đăng ký",
    "bc": "báo cáo", "vb": "văn bản", "nv": "nhiệm vụ",
    "cđs": "chuyển đổi số", "cds": "chuyển đổi số",
    "bik": "biết", "ntn": "như thế nào", "thg": "tháng",
    "qđ": "quyết định", "qd": "quyết định",
    "hnay": "hôm nay", "hqua": "hôm qua", "trc": "trước",
    "ng": "người", "mk": "mình", "mik": "mình", "cq": "cơ quan",
    "dvc": "dịch vụ công", "tmđt": "thương mại điện tử", "tmdt": "thương mại điện tử",
    "cntt": "công nghệ thông tin", "csdl": "cơ sở dữ liệu", "qg": "quốc gia",
}
# Only when typed in lower case: in capitals they may be short forms of provinces ("ND": Nam Định,
# "DN": Đà Nẵng or Đồng Nai).
LOWER_ONLY: Dict[str, str] = {"nd": "nội dung", "dnnvv": "doanh nghiệp nhỏ và vừa", "sk": "sức khỏe"}
# "dn" is doanh nghiệp only next to these words ("dn nhỏ và vừa", "các dn"); elsewhere
# it may be the short form of Đà Nẵng or Đồng Nai, which the gazetteer asks about.
_FIRM_NEXT = frozenset("nho vua".split())
_FIRM_PREV = frozenset("cac cho tro nhieu moi".split())
# Single lower-case letters: only when typed in lower case ("V" may be a Roman five).
LETTERS: Dict[str, str] = {"k": "không", "j": "gì", "z": "vậy", "v": "vậy", "r": "rồi"}
# Words after which a letter is a label ("mục V", "điểm a"), not an abbreviation.
_LABEL_BEFORE = frozenset("muc phan chuong dieu khoan diem y luc so quy quan phuong loai hang".split())
# e/a/c as pronouns (em/anh/chị): after these words ...
_PRONOUN_AFTER = frozenset("cho giup gium ho voi cua thua hi chao".split())
# ... or before these.
_PRONOUN_BEFORE = frozenset(
    "hoi muon can xin cam on oi co dang la thay khong ko chua da moi tim biet duoc hieu nho lam "
    "gui nop dang ky doc xem".split()
)
_PRONOUNS = {"e": "em", "a": "anh", "c": "chị"}
# "kh" is không before these words ("kh biết"), or at the end of a question after
# these ("có kh", "được kh"); everywhere else it is kế hoạch, the useful reading
# in this domain ("nộp kh", "kh năm 2022", "hạn kh").
_NOT_BEFORE = frozenset("biet co duoc phai hieu nho ro can thay a nhi nhe vay ha".split())
_NOT_AFTER = frozenset("co duoc phai dung roi hieu biet ok on".split())
# "Q.1" is a district (quận), not a quarter (quý), right before these words
# ("Q.1, TP.HCM") or right after these ("phường Bến Nghé Q.1" is not caught).
_DISTRICT_NEXT = frozenset("tp tphcm hcm sg saigon sai ho thanh".split())
_DISTRICT_PREV = frozenset("phuong duong quan".split())
# ... unless a report or a deadline comes right before it: "báo cáo Q1 TP.HCM" is quarter 1.
_QUARTER_PREV = frozenset("bc cao han nop gui ky".split())


@dataclass(frozen=True)
class Expansion:
    """Tokens ``first..last`` (inclusive) are replaced by ``text``."""

    first: int
    last: int
    text: str


@functools.lru_cache(maxsize=65536)
def _f(word: str) -> str:
    return strip_diacritics(word).lower()


def expand(tokens: Sequence[Tuple[str, str]]) -> List[Expansion]:
    """Abbreviations to expand in ``tokens`` (see the module docstring).

    >>> [e.text for e in expand([("word", "bc"), ("word", "q3"), ("word", "chưa"), ("word", "z")])]
    ['báo cáo', 'quý 3', 'vậy']
    """
    words = [(i, t) for i, (k, t) in enumerate(tokens) if k == "word"]
    folded = {i: _f(t) for i, t in words}
    result: List[Expansion] = []

    def word_at(i: int) -> Optional[str]:
        if 0 <= i < len(tokens) and tokens[i][0] == "word":
            return folded[i]
        return None

    def prev_word(i: int) -> Optional[str]:
        return word_at(i - 1)

    def next_word(i: int) -> Optional[str]:
        return word_at(i + 1)

    def near_district(i: int, j: int) -> bool:
        after = [folded[k] for k in range(j + 1, min(j + 4, len(tokens))) if k in folded][:1]
        if prev_word(i) in _QUARTER_PREV:
            return False
        return bool(after) and after[0] in _DISTRICT_NEXT or prev_word(i) in _DISTRICT_PREV

    skip_to = -1
    for i, (kind, text) in enumerate(tokens):
        if i <= skip_to or kind != "word":
            continue
        low = text.lower()
        f = folded[i]
        # Quarters: "q3", "Q.3", "q 3" -> "quý 3" (a district next to TP.HCM stays "quận").
        if f in ("q1", "q2", "q3", "q4"):
            name = "quận" if near_district(i, i) else "quý"
            result.append(Expansion(i, i, f"{name} {f[1]}"))
            continue
        if f == "q":
            j = i + 1
            if j < len(tokens) and tokens[j] == ("punct", "."):
                j += 1
            if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1] in ("1", "2", "3", "4"):
                name = "quận" if near_district(i, j) else "quý"
                result.append(Expansion(i, j, f"{name} {tokens[j][1]}"))
                skip_to = j
            continue
        if low in SIMPLE:
            result.append(Expansion(i, i, SIMPLE[low]))
            continue
        if text == "dn" and (next_word(i) in _FIRM_NEXT or prev_word(i) in _FIRM_PREV):
            result.append(Expansion(i, i, "doanh nghiệp"))
            continue
        if text in LOWER_ONLY:
            result.append(Expansion(i, i, LOWER_ONLY[text]))
            continue
        if low == "bn":
            result.append(Expansion(i, i, "bạn" if next_word(i) == "oi" else "bao nhiêu"))
            continue
        if low == "kh":
            before, after = prev_word(i), next_word(i)
            if after in _NOT_BEFORE or (after is None and before in _NOT_AFTER):
                result.append(Expansion(i, i, "không"))
            else:
                result.append(Expansion(i, i, "kế hoạch"))
            continue
        if low == "h" and prev_word(i) in ("bao", "bay"):
            result.append(Expansion(i, i, "giờ"))
            continue
        if text in LETTERS:
            before = prev_word(i)
            if before in _LABEL_BEFORE or (text == "r" and before is not None and before.isdigit()):
                continue
            if text in ("k", "r") and next_word(i) is not None and next_word(i).isdigit():
                continue
            result.append(Expansion(i, i, LETTERS[text]))
            continue
        if text in _PRONOUNS:
            before, after = prev_word(i), next_word(i)
            if before in _LABEL_BEFORE:
                continue
            if before in _PRONOUN_AFTER or after in _PRONOUN_BEFORE or (before is None and after is not None):
                result.append(Expansion(i, i, _PRONOUNS[text]))
    return result
