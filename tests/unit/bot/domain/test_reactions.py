"""bot.domain.reactions: which typed "yes" / "no" judges an answer (and so may rate it)."""
from __future__ import annotations

import unicodedata

import pytest

from bot.domain.reactions import judges_answer


@pytest.mark.parametrize("text", ["đúng rồi", "cảm ơn, đúng rồi", "Sai rồi!", "không đúng", "chưa chính xác",
                                  "nhầm rồi", "chuẩn luôn", "phải rồi", "hữu ích", "dung roi", "SAI ROI",
                                  unicodedata.normalize("NFD", "đúng rồi")])
def test_judging_words(text):
    assert judges_answer(text)


@pytest.mark.parametrize("text", ["có", "không", "ok", "thôi", "hủy", "vâng", "có, ghi nhận đi", "bỏ qua", "yes",
                                  "dùng rồi", "", "ừ ghi đi"])
def test_bare_answers_to_a_question(text):
    assert not judges_answer(text)
