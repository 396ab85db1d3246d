"""Tone placement, the syllable inventory and Telex/VNI decoding."""
from __future__ import annotations

import pytest

from bot.domain.normalise.syllables import (
    canonical_syllable,
    decode_keys,
    folded_inventory,
    inventory,
    is_syllable,
    split_tone,
)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("hoà", "hòa"), ("hòa", "hòa"), ("thuỷ", "thủy"), ("uỷ", "ủy"), ("Uỷ", "Ủy"),
        ("khoẻ", "khỏe"), ("qúy", "quý"), ("Hoá", "Hóa"), ("hoàn", "hoàn"), ("hòan", "hoàn"),
        ("ngoaì", "ngoài"), ("gía", "giá"), ("gì", "gì"), ("tuyết", "tuyết"), ("ươ", "ươ"),
        ("người", "người"), ("ngừơi", "người"), ("mùa", "mùa"), ("chinh", "chinh"),
    ],
)
def test_canonical_tone_placement(typed, canonical):
    assert canonical_syllable(typed) == canonical


def test_split_tone_reports_the_tone_and_double_marks():
    assert split_tone("Hoà") == ("Hoa", 2)
    assert split_tone("nộp") == ("nôp", 5)
    assert split_tone("ban") == ("ban", 0)
    assert split_tone("a\u0301\u0300")[1] == -1


def test_inventory_is_canonical_lower_case_syllables():
    syllables = inventory()
    assert len(syllables) > 6000
    assert {"nộp", "chính", "được", "nghệ", "hòa", "thủy", "quý", "đắk", "lắk"} <= syllables
    assert "hoà" not in syllables and "thuỷ" not in syllables  # old style is not canonical
    assert {"chua", "nop", "ban", "bao", "cao"} <= folded_inventory()
    assert is_syllable("Bộ") and not is_syllable("chinhs")


@pytest.mark.parametrize(
    ("typed", "decoded"),
    [
        # Telex: tone keys s f r x j, doubled vowels, w for the horn/breve, dd for đ
        ("Booj", "Bộ"), ("Taif", "Tài"), ("chinhs", "chính"), ("ddax", "đã"), ("noopj", "nộp"),
        ("hoachj", "hoạch"), ("chuwa", "chưa"), ("tuwowng", "tương"), ("nguwowif", "người"),
        ("nhwng", "nhưng"), ("quys", "quý"), ("BOOJ", "BỘ"), ("thees", "thế"), ("dduwowcj", "được"),
        # VNI: 1-5 tones, 6 circumflex, 7 horn, 8 breve, 9 đ
        ("Nghe65", "Nghệ"), ("d9a4", "đã"), ("no6p5", "nộp"), ("chu7a", "chưa"), ("quy1", "quý"),
        ("tu7o7ng", "tương"), ("na8m", "năm"),
    ],
)
def test_decode_telex_and_vni(typed, decoded):
    assert decode_keys(typed) == decoded


@pytest.mark.parametrize("typed", ["ban", "chua", "2022", "q3", "abcde", "bo", "website", "ss", "a1b2", "xyzs"])
def test_no_keys_or_no_syllable_decodes_to_nothing(typed):
    assert decode_keys(typed) is None
