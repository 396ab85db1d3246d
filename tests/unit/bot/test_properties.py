"""Property-based tests (hypothesis): no Unicode input makes the normaliser,
the tokenizer, the agency matcher or the period parser raise, and their
offsets always point into the raw text, in order.

Budgets are small (a few hundred examples in total) so that the unit stage
stays fast; ``HYPOTHESIS_PROFILE=thorough`` runs many more.
"""
from __future__ import annotations

import os
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.domain.normalise import normalise
from bot.domain.periods import Period, parse_obligation_kind, parse_quarter_and_year
from bot.domain.text import fold, has_diacritics, nfc, nfc_with_offsets, strip_diacritics
from bot.nlu.tokenizer import VietnameseTokenizer, align_words, cut_at, syllable_spans

settings.register_profile(
    "unit", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "unit"))

# Any Unicode text (surrogates excluded: they cannot reach us through UTF-8 JSON),
# plus text biased towards Vietnamese: letters with stacked diacritics in NFC and
# NFD, combining marks on their own, spaces of every kind and control characters.
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐ"
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
VI_CHARS = st.sampled_from(
    list(VIETNAMESE + VIETNAMESE.upper() + " \t\n\u00a0\u200b\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b"
         "0123456789/.-&_,?!😀<>\x00\x07\u202e")
)
VI_TEXT = st.lists(VI_CHARS, max_size=60).map("".join)
WORDS = ("quý", "quy", "Q", "q.", "III", "ba", "tư", "thứ", "năm", "nay", "trước", "tới", "2022", "2023",
         "báo cáo", "kế hoạch", "Bộ", "Y tế", "UBND", "tỉnh", "Quảng Ninh", "TP.HCM", "/", "-")
PHRASES = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)
TEXTS = st.one_of(ANY_TEXT, VI_TEXT, PHRASES, PHRASES.map(lambda t: unicodedata.normalize("NFD", t)))


# --------------------------------------------------------------- normaliser
@given(TEXTS)
def test_normaliser_total_and_idempotent(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
    assert isinstance(has_diacritics(text), bool)
    stripped = strip_diacritics(nfc(text))
    assert strip_diacritics(stripped) == stripped


@given(TEXTS)
def test_nfc_offsets_map_back_into_raw(text):
    normalised, starts = nfc_with_offsets(text)
    assert normalised == nfc(text)
    assert len(starts) == len(normalised) + 1
    assert starts[0] == 0 and starts[-1] == len(text)
    # non-decreasing: the characters NFC makes of one cluster (a base letter
    # and its combining marks) all start where the cluster starts
    assert all(a <= b for a, b in zip(starts, starts[1:], strict=False))
    clusters = sorted(set(starts))
    assert "".join(nfc(text[a:b]) for a, b in zip(clusters, clusters[1:], strict=False)) == normalised


@given(TEXTS)
@example("ab\u0300 Booj bc q.3")
def test_chat_normaliser_offsets_map_back_into_raw(text):
    norm = normalise(text)
    assert len(norm.starts) == len(norm.text) + 1
    assert norm.starts[-1] == len(text)
    assert all(0 <= a <= b for a, b in zip(norm.starts, norm.starts[1:], strict=False))
    assert norm.text == nfc(norm.text)
    assert not any(unicodedata.combining(c) for c in norm.text)
    assert normalise(norm.text).text == norm.text  # idempotent


# ---------------------------------------------------------------- tokenizer
@pytest.fixture(scope="module")
def tokenizer() -> VietnameseTokenizer:
    VietnameseTokenizer.warm_up()
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


def _assert_spans(text, spans):
    previous_end = 0
    for start, end in spans:
        assert 0 <= previous_end <= start < end <= len(text)
        previous_end = end


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(TEXTS)
@example("ab\u0300")  # found by hypothesis: a mark NFC cannot compose used to cut the token
@example("\u0103\u0306 bo y te")
def test_tokenizer_offsets_inside_text_and_ordered(tokenizer, text):
    words = tokenizer.word_spans(text)
    _assert_spans(text, [(s, e) for s, e, _ in words])
    for _start, _end, token in words:
        assert token  # never an empty token
        # the normalised word: NFC, no stray combining mark, no white space
        assert token == nfc(token) and not any(unicodedata.combining(c) for c in token)
        assert not any(c.isspace() for c in token)


@given(TEXTS, st.lists(st.integers(min_value=0, max_value=100), max_size=4))
def test_syllables_and_cuts_stay_inside(text, boundaries):
    spans = syllable_spans(text)
    _assert_spans(text, spans)
    _assert_spans(text, cut_at(spans, boundaries, text))
    aligned = align_words([text[s:e] for s, e in spans], text)
    assert aligned is None or len(aligned) == len(spans)


# ----------------------------------------------------------- agency matcher
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(TEXTS)
def test_agency_matcher_total(agency_directory, text):
    mentions = agency_directory.find_mentions(text)
    previous_end = 0
    for mention in mentions:
        assert previous_end <= mention.start < mention.end <= len(text)
        assert text[mention.start:mention.end] == mention.surface
        assert agency_directory.get(mention.code) is not None
        previous_end = mention.end
    resolution = agency_directory.resolve(text)
    assert resolution.status in ("found", "ambiguous", "unknown")


# ------------------------------------------------------------ period parser
@given(TEXTS, st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_period_parser_total(text, today):
    period = parse_quarter_and_year(text, today)
    assert period is None or isinstance(period, Period)
    if period is not None:
        assert period.quarter is None or 1 <= period.quarter <= 4
        assert period.year is None or 1900 <= period.year <= 2100
    assert parse_obligation_kind(text) in (None, "plan", "quarterly_report") or isinstance(
        parse_obligation_kind(text), str
    )
