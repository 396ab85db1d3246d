"""The Vietnamese tokenizer: words from underthesea, offsets into the raw text."""
from __future__ import annotations

import unicodedata

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.domain.normalise import normalise
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
    """Offsets ordered inside ``text``; token texts are the normalised message's
    words; a token whose raw text the normaliser leaves alone (and that is not
    part of an expansion: "Q" of "Q3" -> "quý 3") is that raw text."""
    previous_end = 0
    norm = normalise(text)
    for token in toks:
        assert 0 <= previous_end <= token.start < token.end <= len(text)
        raw = unicodedata.normalize("NFC", text[token.start : token.end])
        if normalise(raw).text == raw and len("".join(raw.split())) == len(token.text.replace("_", "")):
            assert "_".join(raw.split()) == token.text
        previous_end = token.end
    assert "".join(t.text.replace("_", "") for t in toks) == "".join(norm.text.split())


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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Booj Taif chinhs ddax noopj keesh hoachj chuwa", ["Bộ", "Tài_chính", "đã", "nộp", "kế_hoạch", "chưa"]),
        ("ubnd tinh Nghe65 An nop bc chua", ["Nghệ_An", "báo_cáo"]),
    ],
)
def test_tokens_are_normalised_words_with_raw_offsets(tokenizer, raw, expected):
    toks = tokens(tokenizer, raw)
    texts = [t.text for t in toks]
    assert all(word in texts for word in expected), texts
    assert_offsets_exact(raw, toks)
    by_text = {t.text: raw[t.start : t.end] for t in toks}
    if "nộp" in by_text:
        assert by_text["nộp"] == "noopj"
    if "báo_cáo" in by_text:
        assert by_text["báo_cáo"] == "bc"


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
