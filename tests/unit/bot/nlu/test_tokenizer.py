"""The Vietnamese tokenizer: words from underthesea, offsets into the raw text."""
from __future__ import annotations

import unicodedata

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tokenizer import VietnameseTokenizer, align_words, cut_at, syllable_spans


@pytest.fixture(scope="module")
def tokenizer() -> VietnameseTokenizer:
    VietnameseTokenizer.warm_up()
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


def tokens(tokenizer: VietnameseTokenizer, text: str, entities=None):
    data = {"text": text}
    if entities:
        data["entities"] = entities
    return tokenizer.tokenize(Message(data=data), "text")


def assert_offsets_exact(text: str, toks) -> None:
    previous_end = 0
    for token in toks:
        assert 0 <= previous_end <= token.start < token.end <= len(text)
        raw = unicodedata.normalize("NFC", text[token.start : token.end])
        assert "_".join(raw.split()) == token.text
        previous_end = token.end


def test_words_are_joined_syllables(tokenizer):
    toks = tokens(tokenizer, "Chuyển đổi số ở Hà Giang, báo cáo quý II")
    texts = [t.text for t in toks]
    assert "Chuyển_đổi" in texts and "Hà_Giang" in texts and "báo_cáo" in texts


@pytest.mark.parametrize(
    "text",
    [
        "Bộ TT&TT ban hành văn bản ngày 15/12/2022 tại TP.HCM, xem https://mic.gov.vn/a?b=1.",
        "Văn bản 797/BTTTT-THH thực hiện Quyết định 749/QĐ-TTg",
        "UBND   tỉnh  Quảng Ninh đã nộp BC Q3 chưa?? 😀 <b>gấp</b>",
        "hoá đơn và hóa đơn",
        "THỜI TIẾT HÔM NAY THẾ NÀO",
        "cong van 797 ky ngay nao",
        "email: vanthu@mic.gov.vn; sđt 0243.555.666",
    ],
)
def test_offsets_exact_in_nfc_and_nfd(tokenizer, text):
    for form in ("NFC", "NFD"):
        raw = unicodedata.normalize(form, text)
        toks = tokens(tokenizer, raw)
        assert toks, raw
        assert_offsets_exact(raw, toks)


def test_special_tokens_are_kept_whole(tokenizer):
    text = "Bộ TT&TT gửi TP.HCM ngày 15/12/2022, xem https://mic.gov.vn/tin?id=1."
    spans = {text[t.start : t.end] for t in tokens(tokenizer, text)}
    assert {"TT&TT", "TP.HCM", "15/12/2022", "https://mic.gov.vn/tin?id=1"} <= spans


def test_nfd_tokens_match_nfc_tokens(tokenizer):
    text = "Hà Giang hoá báo cáo chuyển đổi số"
    nfc = [t.text for t in tokens(tokenizer, text)]
    nfd = [t.text for t in tokens(tokenizer, unicodedata.normalize("NFD", text))]
    assert nfc == nfd


def test_text_without_diacritics_is_cut_into_syllables(tokenizer):
    assert [t.text for t in tokens(tokenizer, "chuyen doi so la gi")] == ["chuyen", "doi", "so", "la", "gi"]


def test_tokens_are_cut_at_entity_edges(tokenizer):
    text = "trạng thái bộ y tế thế nào"
    start = text.index("bộ y tế")
    toks = tokens(tokenizer, text, [{"start": start, "end": start + 7, "value": "bộ y tế", "entity": "agency"}])
    starts = {t.start for t in toks}
    ends = {t.end for t in toks}
    assert start in starts and start + 7 in ends
    assert_offsets_exact(text, toks)


def test_empty_and_blank_messages(tokenizer):
    assert tokens(tokenizer, "   ") == []
    assert tokens(tokenizer, "") == []


def test_align_words_rejects_rewritten_lengths():
    assert align_words(["ngày"], "ngay ấy") is not None  # same length, other accents
    assert align_words(["nghiêng"], "ngiêng") is None


def test_cut_at_trims_spaces():
    text = "ab  cd"
    assert cut_at([(0, 6)], [3], text) == [(0, 2), (4, 6)]


def test_syllable_spans_cover_emoji_and_punctuation():
    text = "ok 😀!"
    assert [text[a:b] for a, b in syllable_spans(text)] == ["ok", "😀", "!"]
