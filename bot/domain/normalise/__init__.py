"""Normalise a chat message the way people type Vietnamese, with offsets back to it.

:func:`normalise` turns a raw message into canonical text:

1. NFC, and stray combining marks that NFC cannot compose are dropped (never
   echoed);
2. old-style or misplaced tone marks move to the canonical vowel ("hoà",
   "qúy", "uỷ" -> "hòa", "quý", "ủy"; see :mod:`.syllables`);
3. Telex and VNI keys left in a word are decoded where the result is a real
   syllable ("Booj" -> "Bộ", "chinhs" -> "chính", "Nghe65" -> "Nghệ",
   "DDN" -> "ĐN"); words that already are syllables typed without marks
   ("chua", "nop", "ban"), English, URLs, e-mails, document numbers and link
   codes are left alone;
4. chat abbreviations are expanded by context ("bc" -> "báo cáo", "k" ->
   "không", "q3" -> "quý 3"; see :mod:`.abbreviations`).

The result keeps, for every character, the index in the raw message where it
begins (like :func:`bot.domain.text.nfc_with_offsets`), so spans found in the
normalised text map back to the raw text. Cost: a few tens of microseconds a
message (``python -c "from bot.domain.normalise import bench; print(bench())"``).
"""
from __future__ import annotations

import functools
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple

from bot.domain.normalise.abbreviations import expand
from bot.domain.normalise.syllables import VOWELS, canonical_syllable, decode_keys, folded_inventory
from bot.domain.text import fold, nfc_with_offsets

__all__ = ["Normalised", "normalise", "normalised_text", "chat_fold", "bench"]

# Tokens never rewritten: URLs, e-mails, link codes ("ABCDE-23456"), anything with
# a "/" and a digit (document numbers "797/BTTTT-THH", dates "6/3/2022"), and
# hyphenated codes with a number (obligation codes "KH-2022", "BC-2022-Q2").
_OPAQUE = r"""
    (?:https?://|www\.)\S+
  | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
  | \b[A-Za-z0-9]{5}-[A-Za-z0-9]{5}\b
  | \b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{10}\b
  | [^\s/]*\d[^\s/]*/\S*
  | [^\s/]+/[^\s/]*\d\S*
  | [^\W_]+(?:-[^\W_]+)*-\d[\w-]*
"""
_TOKEN = re.compile(rf"(?P<opaque>{_OPAQUE})|(?P<amp>[^\W_]+(?:&[^\W_]+)+)|(?P<word>[^\W_]+)|(?P<punct>[^\w\s]|_)",
                    re.VERBOSE)
_ASCII_WORD = re.compile(r"^[A-Za-z0-9]+$")
# A Telex word with a quality key (aa, ee, oo, dd, w), then a tone key, then one
# stray consonant: "keesh". Plain English ("more", "info") has no quality key.
_STRAY_LAST_KEY = re.compile(r"^(?=.*(?:aa|ee|oo|dd|w))[a-z]+[sfrxj][b-df-hj-np-tv-z]$")
# English words that Telex would read as a syllable ("see" -> "sê"): left alone.
ENGLISH = frozenset(
    """see tree free moon noon soon door floor poor book good food cool pool tool zoom room boom
    need feed seed speed sweet week keep deep sleep meet feet beef coffee agree three been
    is as us of if or ox ax fax tax mix fix six box fox max sex bus plus yes was has his
    its this these those does goes uses also less miss boss loss pass class glass mass kiss
    off staff stuff chef self golf half wolf for far car star bar jar her per our your four
    hour tour sir fur war bear hear dear near year wear""".split()
)


# Unmarked "oo" syllables ("coong", "khoong", "thoong") are rare loanwords
# (boong, xoong, moóc): typed by a person, "oo" is Telex for "ô", so the decoded
# syllable wins ("coong vawn" -> "công văn") unless the decoding is no syllable.
_TELEX_OO = re.compile(r"oo(?:ng|c|n|m|t|p|i)?$")
_OO_WORDS = frozenset({"boong", "xoong", "goong"})  # the ones people do type: "boong tàu", "xoong nồi"
_COMBINING = re.compile(r"[\u0300-\u036f]")
_VIETNAMESE_LETTERS = frozenset("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")


@functools.lru_cache(maxsize=4096)
def _clean_letter(ch: str) -> str:
    """A consonant carrying a tone mark ("ǹ", from a mark typed one key late) loses
    the mark; every other character is returned as is."""
    if ch.isascii() or not ch.isalpha():
        return ch
    base = unicodedata.normalize("NFD", ch)
    if len(base) > 1 and base[0].isascii() and base[0] not in _VIETNAMESE_LETTERS:
        return base[0]
    return ch


@dataclass(frozen=True)
class Normalised:
    """A normalised message.

    Attributes:
        raw: the message as received.
        text: canonical NFC text (decoded syllables, expanded abbreviations).
        starts: ``len(text) + 1`` indices into ``raw``: ``starts[i]`` is where
            character ``i`` of ``text`` begins, the last entry is ``len(raw)``;
            a span ``[i, j)`` of ``text`` covers ``raw[starts[i]:starts[j]]``.
        decoded: True when a word typed with Telex/VNI keys was decoded (the
            user meant diacritics although the raw text may have none).
    """

    raw: str
    text: str
    starts: Tuple[int, ...]
    decoded: bool = False

    def raw_span(self, start: int, end: int) -> Tuple[int, int]:
        """The raw span ``(starts[start], starts[end])`` of the text span ``[start, end)``."""
        return self.starts[start], self.starts[end]


def _dd_to_d(word: str) -> str:
    """"DDN" -> "ĐN", "bgdddt" -> "bgdđt": Telex "dd" in a word without vowels,
    read from the right (so "ddd" is "dđ")."""
    out: List[str] = []
    i = len(word) - 1
    while i >= 0:
        if i > 0 and word[i] in "dD" and word[i - 1] in "dD":
            out.append("Đ" if word[i - 1] == "D" else "đ")
            i -= 2
        else:
            out.append(word[i])
            i -= 1
    return "".join(reversed(out))


@functools.lru_cache(maxsize=65536)
def _decode_word(word: str, all_caps_message: bool) -> str:
    """One word after steps 2 and 3 of the module docstring."""
    if not _ASCII_WORD.match(word):
        if any(ord(c) > 127 for c in word):
            fixed = canonical_syllable(word)
            low = fixed.lower()
            if low.startswith("qu") and len(low) == 3 and low[2] in "iíìỉĩị":  # "quí" -> "quý"
                fixed = fixed[:2] + {"i": "y", "í": "ý", "ì": "ỳ", "ỉ": "ỷ", "ĩ": "ỹ", "ị": "ỵ"}[low[2]]
                fixed = fixed.upper() if word.isupper() else fixed
            return fixed
        return word
    low = word.lower()
    if not any(c in VOWELS or c == "w" for c in low):
        return _dd_to_d(word) if "dd" in low else word
    if (low in folded_inventory() and (low in _OO_WORDS or not _TELEX_OO.search(low))) or low in ENGLISH:
        return word
    if word.isupper() and len(word) > 1 and not all_caps_message:
        return word  # an acronym ("VAST", "USB") among ordinary words
    decoded = decode_keys(word)
    if decoded is None and _STRAY_LAST_KEY.match(low):
        decoded = decode_keys(word[:-1])  # a stray key after the tone key: "keesh" -> "kế"
    return decoded or word


def _pieces(text: str) -> List[Tuple[str, int, int, str]]:
    """``(kind, start, end, new_text)`` for every token of ``text``."""
    matches = list(_TOKEN.finditer(text))
    all_caps = not any(c.islower() for c in text)
    pieces: List[Tuple[str, int, int, str]] = []
    for m in matches:
        kind = m.lastgroup or "punct"
        s, e = m.span()
        piece = m.group()
        if kind == "word":
            piece = _decode_word(piece, all_caps)
        elif kind == "amp":  # "gd&ddt" -> "gd&đt"; no abbreviation inside
            piece = "&".join(_decode_word(p, all_caps) if "d" in p.lower() else p for p in piece.split("&"))
            kind = "opaque"
        pieces.append((kind, s, e, piece))
    return pieces


@functools.lru_cache(maxsize=4096)
def normalise(raw: str) -> Normalised:
    """Normalise ``raw`` (see the module docstring); pure and cached.

    >>> normalise("Booj Taif chinhs nop bc chua").text
    'Bộ Tài chính nop báo cáo chua'
    """
    raw = raw or ""
    if raw.isascii():
        text, mid_starts = raw, list(range(len(raw) + 1))
    elif unicodedata.is_normalized("NFC", raw) and not _COMBINING.search(raw):
        text, mid_starts = "".join(_clean_letter(c) for c in raw), list(range(len(raw) + 1))
    else:
        nfc_text, nfc_starts = nfc_with_offsets(raw)
        kept = [i for i, c in enumerate(nfc_text) if not unicodedata.combining(c)]
        text = "".join(_clean_letter(nfc_text[i]) for i in kept)
        mid_starts = [nfc_starts[i] for i in kept] + [len(raw)]

    pieces = _pieces(text)
    expansions = {x.first: x for x in expand([(k, p) for k, _, _, p in pieces])}
    out: List[str] = []
    starts: List[int] = []
    cursor = 0  # index into text

    def copy_until(pos: int) -> None:
        nonlocal cursor
        if cursor < pos:
            out.append(text[cursor:pos])
            starts.extend(mid_starts[cursor:pos])
            cursor = pos

    def put(replacement: str, s: int, e: int) -> None:
        """Write ``replacement`` for text[s:e]: word k maps to the k-th raw character
        (the last one when there are more words than characters)."""
        nonlocal cursor
        words = replacement.split(" ")
        length = max(e - s, 1)
        for k, word in enumerate(words):
            begin = mid_starts[s + min(k, length - 1)]
            if k:
                out.append(" ")
                starts.append(begin)
            if len(words) == 1 and len(word) > 0:
                for c_i, ch in enumerate(word):  # one word: character by character
                    out.append(ch)
                    starts.append(mid_starts[s + min(c_i, length - 1)])
            else:
                for ch in word:
                    out.append(ch)
                    starts.append(begin)
        cursor = e

    decoded = False
    i = 0
    while i < len(pieces):
        kind, s, e, piece = pieces[i]
        x = expansions.get(i)
        copy_until(s)
        if x is not None:
            end = pieces[x.last][2]
            put(x.text, s, end)
            i = x.last + 1
            continue
        if piece != text[s:e]:
            decoded = decoded or text[s:e].isascii()
            put(piece, s, e)
        else:
            copy_until(e)
        i += 1
    copy_until(len(text))
    starts.append(len(raw))
    return Normalised(raw=raw, text="".join(out), starts=tuple(starts), decoded=decoded)


def normalised_text(raw: str) -> str:
    """Just the text of :func:`normalise` (cached)."""
    return normalise(raw or "").text


@functools.lru_cache(maxsize=4096)
def chat_fold(raw: str) -> str:
    """:func:`bot.domain.text.fold` of the normalised message: what the parsers
    of periods, years and obligations match on ("bc q3" -> "bao cao quy 3")."""
    return fold(normalised_text(raw))


def bench(messages: Optional[Iterable[str]] = None, repeat: int = 3, cold: bool = False) -> float:
    """Mean CPU time of :func:`normalise` in microseconds a message (process time,
    so other processes on a busy machine do not inflate it), without its
    message cache (the per-word cache stays warm unless ``cold``).

    Args:
        messages: the messages to time; default: the examples of
            ``tests/data/nlu_holdout.yml``.
        repeat: passes over the messages; the best pass is reported.
    """
    if messages is None:
        from pathlib import Path

        holdout = Path(__file__).resolve().parents[3] / "tests" / "data" / "nlu_holdout.yml"
        messages = [
            re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:])
            for line in holdout.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("- ")
        ]
    msgs = list(messages)
    normalise("khởi động")  # load the inventory
    best = float("inf")
    for _ in range(repeat):
        normalise.cache_clear()
        if cold:
            _decode_word.cache_clear()
        t0 = time.process_time()
        for m in msgs:
            normalise(m)
        best = min(best, time.process_time() - t0)
    normalise.cache_clear()
    return best / max(len(msgs), 1) * 1e6
