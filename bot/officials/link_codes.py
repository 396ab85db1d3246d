"""Link codes: the one-time codes an operator gives an official so that a chat
account can link to an agency (pure helpers: no database).

A code is 10 characters of :data:`CODE_ALPHABET` (31 symbols with no
look-alikes, about 49.5 bits from ``secrets``), shown as ``ABCDE-23456``;
only its SHA-256 (:func:`code_hash`) is stored
(:class:`bot.db.accounts.AccountRepository`). Users type codes with or without
the hyphen, with a space, in lower case, or inside a sentence:
:func:`find_codes` lists every candidate and the database decides.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from typing import List

# No 0/O, 1/I/L: codes are read off a screen or paper and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31**10 ≈ 8e14 (~49.5 bits)
# Overlapping matches (lookahead): in "phong ABCDE 23456" both "PHONG ABCDE" and
# "ABCDE 23456" are candidates; the database decides which one is a code.
_CODE_IN_TEXT = re.compile(r"(?<![A-Z0-9])(?=([A-Z0-9]{5})([\s\-–.]?)([A-Z0-9]{5})(?![A-Z0-9]))")
MAX_CANDIDATES = 3  # code-shaped strings tried from one message (one failed attempt)


def normalise_code(text: str) -> str:
    """``"abcde-23456"`` -> ``"ABCDE23456"``: upper case, no separators."""
    return re.sub(r"[\s\-–.]", "", (text or "").upper())


def format_code(code: str) -> str:
    """``"ABCDE23456"`` -> ``"ABCDE-23456"`` (how codes are shown)."""
    code = normalise_code(code)
    return f"{code[:5]}-{code[5:]}"


def find_codes(text: str) -> List[str]:
    """Everything in ``text`` shaped like a link code (10 letters/digits, optionally
    split 5+5, with at least one digit and one letter), normalised, best first:
    written as one block or with a hyphen before split by a space. Pure: the
    database decides which candidate, if any, is a real code.

    >>> find_codes("ma cua phong ABCDE 23456")
    ['ABCDE23456', 'PHONGABCDE']
    """
    joined, spaced = [], []
    for match in _CODE_IN_TEXT.finditer((text or "").upper()):
        code = match.group(1) + match.group(3)
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            (spaced if match.group(2).isspace() else joined).append(code)
    # a space-split candidate that shares a half with a better one comes after it
    ordered = joined + sorted(spaced, key=lambda c: not any(ch.isdigit() for ch in c[:5]) or
                              not any(ch.isdigit() for ch in c[5:]))
    return list(dict.fromkeys(ordered))


_CODE_SHAPED = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{5}[\-–][A-Za-z0-9]{5}(?![A-Za-z0-9])|"
                          r"(?<![A-Za-z0-9])(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{10}(?![A-Za-z0-9])")


def mask_codes(text: str) -> str:
    """``text`` with code-shaped strings ("ABCDE-23456", "abcde23456") replaced by
    ``•••••-•••••``, so that chat messages kept in the audit trail hold no code."""
    return _CODE_SHAPED.sub("•••••-•••••", text or "")


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


def new_code() -> str:
    """A random code (``secrets``) of :data:`CODE_LENGTH` characters from
    :data:`CODE_ALPHABET` with at least one letter and one digit."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code
