"""bot.domain.source: the shipped copy of the article and its sentences."""
from __future__ import annotations

import pytest

from bot.domain.source import SOURCE_PATH, find, intent_sentences, sentences, syllable_key
from bot.settings import PROJECT_ROOT

SEED = PROJECT_ROOT.parent / "shared" / "seed" / "000_5488b2df58d3de7e.txt"
SEED_MAIN = PROJECT_ROOT.parent.parent / "shared" / "seed" / "000_5488b2df58d3de7e.txt"


def test_the_copy_is_the_seed_verbatim():
    seed = next((p for p in (SEED, SEED_MAIN) if p.exists()), None)
    if seed is None:
        pytest.skip("../shared/seed/ is not beside the project")
    assert SOURCE_PATH.read_bytes() == seed.read_bytes()


def test_sentences_leave_out_page_furniture_and_keep_list_items():
    texts = [s.text for s in sentences()]
    assert not any("lượt xem" in t or "Ảnh minh họa" in t for t in texts)
    assert texts[1].startswith("Ngày 6/3/2022, Bộ TT&TT đã ban hành Văn bản số 797/BTTTT-THH")
    areas = [t for t in texts if t.startswith("Phổ cập sử dụng")]
    assert len(areas) == 6
    assert any("giai đoạn 2021 - 2025" in t for t in texts)  # a dash inside a sentence does not split it


def test_each_fact_intent_has_its_sentences():
    assert [sentences()[i].text for i in intent_sentences("ask_area_public_services")] == [
        "Phổ cập sử dụng dịch vụ công trực tuyến do cơ quan chính quyền các cấp cung cấp cho người dân, doanh nghiệp."]
    assert len(intent_sentences("ask_priority_areas")) == 7
    assert intent_sentences("ask_doc_summary") == [s.index for s in sentences()]
    assert intent_sentences("greet") == []
    assert find("22 nhiệm vụ")[0].index == intent_sentences("ask_tasks")[0]


@pytest.mark.parametrize("a,b,accents,same", [
    ("khoẻ", "khỏe", True, True),   # tone mark on either vowel
    ("ký", "kỹ", True, False),      # different tone
    ("số", "sở", True, False),
    ("ky", "kỹ", False, True),      # typed without diacritics
    ("ĐỔI", "đổi", True, True),
])
def test_syllable_keys(a, b, accents, same):
    assert (syllable_key(a, accents) == syllable_key(b, accents)) is same
