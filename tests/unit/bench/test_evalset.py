"""The held-out sets of issue 11 and their scoring (bench.evalset), without a model."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from actions.feedback import BUTTON_INTENTS
from bench.data import plain_examples
from bench.evalset import (
    CHAT_SUBSETS,
    CONFIDENT_WRONG_GOLD,
    FALLBACK,
    HOLDOUT,
    compound_scores,
    facts_of,
    fallback_threshold,
    is_confident_wrong,
    load_cases,
    load_compound,
    score_variants,
    strip_annotations,
)
from bench.overlap import nearest
from bot.domain.text import strip_diacritics
from bot.nlu.augment import read_intents
from bot.settings import PROJECT_ROOT

DOMAIN_INTENTS = set(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])


def fold(text: str) -> str:
    return " ".join(strip_diacritics(text).lower().split())


def test_strip_annotations_gives_raw_text_and_spans() -> None:
    text, spans = strip_annotations("[Bộ Y tế](agency) và [UBND tỉnh Nam Định](agency) nộp chưa")
    assert text == "Bộ Y tế và UBND tỉnh Nam Định nộp chưa"
    assert sorted(text[a:b] for a, b in spans) == ["Bộ Y tế", "UBND tỉnh Nam Định"]


@pytest.mark.parametrize("name", list(CHAT_SUBSETS))
def test_chat_subsets_are_large_known_and_apart_from_training(name: str) -> None:
    intents = read_intents([CHAT_SUBSETS[name]])
    assert sum(map(len, intents.values())) >= 40
    assert set(intents) <= DOMAIN_INTENTS
    training = {fold(t) for t in plain_examples(PROJECT_ROOT / "data" / "nlu")[0]}
    copies = [t for t in plain_examples(CHAT_SUBSETS[name])[0] if fold(t) in training]
    assert not copies, copies


def test_compound_cases_are_well_formed() -> None:
    cases = load_compound()
    assert len(cases) >= 40
    for case in cases:
        assert case["parts"] and set(case["parts"]) <= DOMAIN_INTENTS, case
        assert len(case["parts"]) >= 2 or len(case["agency"]) >= 2, f"not compound: {case}"
        assert "[" not in case["text"] and all(case["text"][a:b].strip() for a, b in case["agency"]), case


def test_holdout_has_enough_out_of_scope_and_not_in_source_questions() -> None:
    intents = read_intents([HOLDOUT])
    for gold in CONFIDENT_WRONG_GOLD:
        assert len(intents[gold]) >= 20, gold


def test_holdout_covers_every_intent_of_the_domain() -> None:
    # but the quick replies' intents, which only button payloads carry (never the classifier)
    assert set(read_intents([HOLDOUT])) == DOMAIN_INTENTS - BUTTON_INTENTS


def test_holdout_has_no_near_copy_of_a_training_example() -> None:
    train = plain_examples(PROJECT_ROOT / "data" / "nlu")[0]
    texts = plain_examples(HOLDOUT)[0]
    close = [t for t, s in zip(texts, nearest(texts, train), strict=True) if s >= 0.8]
    assert not close, close


def test_fallback_threshold_is_the_config_one(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: DIETClassifier\n  - name: FallbackClassifier\n    threshold: 0.45\n")
    assert fallback_threshold(config) == 0.45
    assert 0 < fallback_threshold() < 1
    config.write_text("pipeline:\n  - name: DIETClassifier\n")
    with pytest.raises(ValueError):
        fallback_threshold(config)


def test_confident_wrong_only_on_out_of_scope_and_not_in_source() -> None:
    assert is_confident_wrong("out_of_scope", "ask_area_health", 0.9, 0.6)
    assert is_confident_wrong("ask_not_in_source", "ask_plan", 0.6, 0.6)
    assert not is_confident_wrong("out_of_scope", "ask_area_health", 0.59, 0.6)
    assert not is_confident_wrong("out_of_scope", FALLBACK, 0.9, 0.6)
    assert not is_confident_wrong("ask_plan", "ask_deadline", 0.99, 0.6)


def parser(table):
    async def parse(text: str):
        return table[text]
    return parse


def test_score_variants_counts_confident_wrong_answers() -> None:
    examples = [{"text": "giá vàng", "intent": "out_of_scope", "agency": set()},
                {"text": "chữ ký số", "intent": "ask_not_in_source", "agency": set()},
                {"text": "hạn q3", "intent": "ask_deadline", "agency": set()}]
    table = {"giá vàng": {"intent": {"name": "ask_area_sme", "confidence": 0.8}, "entities": []},
             "chữ ký số": {"intent": {"name": FALLBACK, "confidence": 0.6}, "entities": []},
             "hạn q3": {"intent": {"name": "ask_plan", "confidence": 0.9}, "entities": []}}
    result = asyncio.run(score_variants(parser(table), examples, ["diacritics"], threshold=0.6))["diacritics"]
    assert [w["text"] for w in result["confident_wrong"]] == ["giá vàng"]
    assert len(result["errors"]) == 3


def test_compound_needs_every_part_and_every_agency() -> None:
    cases = [{"text": "ai ban hành và khi nào", "parts": ["ask_issuer", "ask_doc_date"], "agency": set()},
             {"text": "ai ban hành, số mấy", "parts": ["ask_issuer", "ask_doc_number"], "agency": set()},
             {"text": "Bộ Y tế và Bộ Tài chính nộp chưa", "parts": ["ask_agency_status"],
              "agency": {(0, 7), (11, 23)}}]
    table = {
        "ai ban hành và khi nào": {"intent": {"name": "ask_issuer"}, "entities": [],
                                   "directive_facts": ["ask_issuer", {"intent": "ask_doc_date"}]},
        "ai ban hành, số mấy": {"intent": {"name": "ask_issuer"}, "entities": []},
        "Bộ Y tế và Bộ Tài chính nộp chưa": {"intent": {"name": "ask_agency_status"},
                                             "entities": [{"entity": "agency", "start": 0, "end": 7}]},
    }
    result = asyncio.run(compound_scores(parser(table), cases))
    assert result["examples"] == 3 and result["all_parts_share"] == round(1 / 3, 4)
    assert [e["text"] for e in result["errors"]] == ["ai ban hành, số mấy", "Bộ Y tế và Bộ Tài chính nộp chưa"]
    assert result["errors"][1]["agencies_missed"] == ["Bộ Tài chính"]
    assert facts_of(table["ai ban hành và khi nào"]) == {"ask_issuer", "ask_doc_date"}


def test_load_cases_ids_name_the_folder_and_refuse_duplicates(tmp_path: Path) -> None:
    for folder in ("eval", "eval-chat"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.yml").write_text("cases:\n  - {id: x, ask: hi, expect: [a]}\n")
    ids = [i for i, _ in load_cases((tmp_path / "eval", tmp_path / "eval-chat"))]
    assert ids == ["eval/a:x", "eval-chat/a:x"]
    (tmp_path / "eval" / "b.yml").write_text("cases:\n  - {id: y, ask: hi}\n  - {id: y, ask: ho}\n")
    with pytest.raises(ValueError, match="eval/b:y"):
        load_cases((tmp_path / "eval",))




def test_the_whitespace_baseline_is_stock_rasa_with_rasas_own_classifier(tmp_path):
    """The baseline keeps the stock components of config.yml and swaps our
    tokenizer and our tuned classifier for Rasa's own (never none at all)."""
    from bench.data import pipeline_configs

    pipeline_configs(tmp_path, None)
    baseline = yaml.safe_load((tmp_path / "config_whitespace_baseline.yml").read_text(encoding="utf-8"))["pipeline"]
    names = [c["name"] for c in baseline]
    assert names[0] == "WhitespaceTokenizer"
    assert names.count("LogisticRegressionClassifier") == 1 and "FallbackClassifier" in names
    assert not [n for n in names if "." in n]
    assert all("C" not in c for c in baseline)
