"""Link codes: random, readable, found in text (bot.officials.link_codes)."""
from __future__ import annotations

from bot.officials.link_codes import CODE_ALPHABET, find_codes, format_code, new_code


# ---------------------------------------------------------------- pure helpers
def test_codes_are_random_readable_and_found_in_text():
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == 10 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01IOL") & set(CODE_ALPHABET)
    assert find_codes("Mã liên kết: abcde-23456 nhé") == ["ABCDE23456"]
    assert find_codes("ma lien ket ABCDE 23456") == ["ABCDE23456"]
    assert find_codes("ABCDE23456") == ["ABCDE23456"]
    # document numbers, dates, words and all-letter runs are not codes
    for text in ("123/BC-UBND", "12/04/2022", "BC-2022-Q1", "CHUYEN DOISO", "hạn báo cáo quý 2", ""):
        assert find_codes(text) == [], text
    assert format_code("abcde23456") == "ABCDE-23456"
