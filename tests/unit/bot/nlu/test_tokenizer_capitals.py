"""The tokenizer segments a message typed in capitals as its lower-case form,
so the featurizers (which lower-case tokens) see the same words either way."""
from __future__ import annotations

import pytest

from bot.nlu.tokenizer import VietnameseTokenizer


@pytest.fixture(scope="module")
def tokenizer() -> VietnameseTokenizer:
    VietnameseTokenizer.warm_up()
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


def test_capitals_give_the_lower_case_words(tokenizer: VietnameseTokenizer) -> None:
    text = "đội tuyển Việt Nam đá trận tiếp theo khi nào"
    lower = [(a, b, t.lower()) for a, b, t in tokenizer.word_spans(text)]
    upper = [(a, b, t.lower()) for a, b, t in tokenizer.word_spans(text.upper())]
    assert upper == lower


def test_offsets_index_the_raw_capitals(tokenizer: VietnameseTokenizer) -> None:
    text = "ĐỘI TUYỂN VIỆT NAM ĐÁ TRẬN"
    spans = tokenizer.word_spans(text)
    assert [text[a:b] for a, b, _ in spans] == ["ĐỘI TUYỂN", "VIỆT NAM", "ĐÁ", "TRẬN"]
    assert [t for _, _, t in spans] == ["ĐỘI_TUYỂN", "VIỆT_NAM", "ĐÁ", "TRẬN"]
    # an acronym among lower-case words is no message in capitals
    assert [t for _, _, t in tokenizer.word_spans("BYT nộp chưa")] == ["BYT", "nộp", "chưa"]
