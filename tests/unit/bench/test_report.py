"""The benchmark's summaries, targets and tables of issue 11, on hand-made scores (no model)."""
from __future__ import annotations

import json

from bench.cross_validation import lowest_intents, merge_closeness
from bench.nlu_eval import nlu_summary
from bench.overlap import by_closeness, closeness_of_predictions, nearest
from bench.render import render_markdown
from bench.targets import AGENCY_F1, INTENT_F1_EXISTING, INTENT_F1_NEW, intent_floor, targets
from bot.settings import PROJECT_ROOT


def variant(f1: float, wrong: int = 0, entity: float = 1.0) -> dict:
    return {"examples": 10, "intent_macro_f1": f1, "intent_accuracy": f1, "agency_entity_f1": entity,
            "errors": [], "confident_wrong": [{"text": "x", "gold": "out_of_scope", "predicted": "ask_plan",
                                               "confidence": 0.9}] * wrong,
            "predictions": [["hạn q3", "ask_deadline", "ask_deadline"]]}


def scores() -> dict:
    return {"diacritics": variant(0.98), "no_diacritics": variant(0.97, wrong=1), "caps": variant(0.98),
            "nfd": variant(0.98), "telex_vni": variant(0.96), "chat_abbrev": variant(0.94, entity=0.9),
            "compound": {"examples": 5, "all_parts_share": 0.8, "intent_macro_f1": 0.8, "intent_accuracy": 0.8,
                         "agency_entity_f1": 1.0, "errors": []}}


def test_nlu_summary_reports_new_subsets_and_confident_wrong() -> None:
    entry = nlu_summary(scores(), with_entities=True)
    assert entry["intent_macro_f1"]["telex_vni"] == 0.96 and entry["intent_macro_f1"]["compound"] == 0.8
    assert entry["entity_f1_by_subset"]["chat_abbrev"] == 0.9
    assert entry["confident_wrong"] == {"diacritics": 0, "no_diacritics": 1, "caps": 0, "telex_vni": 0,
                                        "chat_abbrev": 0}
    assert entry["confident_wrong_total"] == 1 and entry["examples_by_subset"]["compound"] == 5


def test_targets_use_the_issue_thresholds() -> None:
    assert (INTENT_F1_EXISTING, INTENT_F1_NEW, AGENCY_F1) == (0.97, 0.95, 0.97)
    assert intent_floor("nfd") == 0.97 and intent_floor("compound") == 0.95
    results = {"nlu": {"ours": nlu_summary(scores(), with_entities=True)}}
    met = {t["target"]: t["met"] for t in targets(results)}
    assert met["held-out intent macro-F1, every existing subset"] is True
    assert met["intent macro-F1 on each chat subset (compound: share fully recognised)"] is False
    assert met["agency entity F1, every subset"] is False
    assert met["confident wrong answers (out-of-scope and not-in-source, every subset)"] is False
    results["eval"] = {"cases": 46, "passed": 45}
    assert [t["met"] for t in targets(results) if t["target"].startswith("acceptance")] == [False]
    results["eval"]["passed"] = 46
    assert [t["met"] for t in targets(results) if t["target"].startswith("acceptance")] == [True]


def test_render_draws_new_subsets_closeness_and_cross_validation() -> None:
    results = json.loads((PROJECT_ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    results["nlu"]["ours"] = nlu_summary(scores(), with_entities=True)
    results["nlu"]["closeness"] = {"diacritics": closeness_of_predictions([["hạn q3", "ask_deadline", "x"]],
                                                                          ["hạn nộp báo cáo quý 3"])}
    results["nlu"]["ours_cross_validation"].update(
        intent_macro_f1_pooled={"diacritics": 0.8}, lowest_intents=[["deny", 0.5, 10]],
        closeness=merge_closeness([closeness_of_predictions([["a b c", "x", "x"]], ["a b c d"])] * 2))
    text = render_markdown(results)
    assert "| ours | 0.980 / 0.980 | 0.970 / 0.970 | 0.980 / 0.980 | 0.980 | 0.960 | 0.940 | 0.800 | 1 |" in text
    assert "cross-validation test parts" in text and "deny 0.50 (10)" in text
    assert "Cross-validation: not run in this mode." not in text


def test_closeness_bands_and_lowest_intents() -> None:
    assert nearest(["hạn báo cáo quý 3"], ["hạn báo cáo quý 3", "chào bạn"]) == [1.0]
    bands = by_closeness([0.1, 0.5, 0.9, 0.95], [True, False, True, False])
    assert bands == {"0.0-0.4": {"messages": 1, "accuracy": 1.0}, "0.4-0.6": {"messages": 1, "accuracy": 0.0},
                     "0.6-1.0": {"messages": 2, "accuracy": 0.5}}
    rows = [["a", "deny", "goodbye"], ["b", "deny", "deny"], ["c", "affirm", "affirm"]]
    assert lowest_intents(rows, 1) == [["deny", 0.6667, 2]]


def load_run(concurrency: int, msg_per_s: float, p95: float, rasa_ms: float) -> dict:
    return {"concurrency": concurrency, "messages": 100, "msg_per_s": msg_per_s, "p95_ms": p95, "errors": 0,
            "empty_replies": 0, "latency_ms": {"p50": p95 / 2, "max": p95 * 2},
            "cpu_s": {"rasa": rasa_ms / 10, "actions": 0.4}, "cpu_ms_per_message": {"rasa": rasa_ms, "actions": 4.0}}


def speed_results() -> dict:
    """Issue 12's figures as one run writes them: one `make run` and the scale-out configuration."""
    return {
        "cpu_ms_per_message": {"rasa": 14.0, "actions": 4.0},
        "latency_ms": {"sequential": {"n": 500, "p50": 20.0, "p95": 41.0, "p99": 60.0, "max": 90.0,
                                      "errors": 0, "empty_replies": 0}},
        "throughput": {"c1": load_run(1, 40.0, 35.0, 14.0), "c10": load_run(10, 55.0, 280.0, 13.0)},
        "throughput_cluster": {"servers": 2, "startup_s": 30.0, "pss_idle_mb": 1500.0, "pss_load_mb": 1600.0,
                               "c10": load_run(10, 79.9, 240.0, 16.0),
                               "cpu_ms_per_message": {"load_client": 1.5, "rasa": 16.5, "postgresql": 2.0}},
        "errors_total": 0, "empty_replies_total": 0,
        "server": {"startup_s": 21.0, "pss_load_mb": 1000.0, "pss_idle_mb": 900.0, "rss_idle_mb": 1100.0,
                   "action_rss_idle_mb": 200.0},
        "train": {"wall_s": 119.5, "augment_wall_s": 9.5, "peak_rss_mb": 2000.0, "model_mb": 20.0},
        "first_answer_s": None, "first_answer": {"seconds": None, "error": "no answer within 1800 s"},
    }


def test_targets_use_issue_12_thresholds_on_every_speed_figure() -> None:
    found = {t["target"]: (t["value"], t["met"], t["before"]) for t in targets(speed_results())}
    assert found["Rasa server CPU per message (mixed load)"] == (14.0, True, "≈ 52 ms")
    assert found["sequential p95"][:2] == (41.0, False)
    assert found["10 concurrent senders, one `make run`: throughput"][:2] == (55.0, True)
    assert found["10 concurrent senders, one `make run`: p95"][:2] == (280.0, True)
    assert found["10 concurrent senders, scale-out configuration: throughput"][:2] == (79.9, False)
    assert found["10 concurrent senders, scale-out configuration: p95"][:2] == (240.0, True)
    assert found["Rasa server memory (PSS, peak under load)"][:2] == (1000.0, True)
    assert found["full training incl. augmentation"][:2] == (119.5, True)
    assert found["fresh clone, `make run` to the first answer (install included)"][:2] == ("no answer", False)
    assert found["Rasa server start-up"][:2] == (21.0, False)
    budget = {name.split(": ")[1].split(" ")[0]: (value, met) for name, (value, met, _) in found.items()
              if name.startswith("CPU per message, scale-out configuration")}
    # only the parts the run measured are listed, each against its share of the 25 ms
    assert budget == {"rasa": (16.5, False), "postgresql": (2.0, True), "load_client": (1.5, True)}


def test_render_shows_cluster_cpu_pss_first_answer_and_the_before_column() -> None:
    results = json.loads((PROJECT_ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    results.update(speed_results())
    results["targets"] = targets(results)
    text = render_markdown(results)
    assert "| 10 | 100 | 55.0 | 140.0 | 280.0 | 560.0 | 0 | 0 | 13.0 | 4.0 |" in text      # one process
    assert "| 10 | 100 | 79.9 | 120.0 | 240.0 | 480.0 | 0 | 0 | 16.0 | 4.0 |" in text      # the cluster
    assert "2 Rasa servers" in text and "under load 1600.0 MB" in text
    assert "| Rasa server PSS at rest / peak under load | 900.0 / 1000.0 MB |" in text
    assert "| CPU per message, one `make run` (sequential and concurrent runs) | Rasa server(s) 14.0 ms, " \
           "action server 4.0 ms |" in text
    assert "scale-out configuration (every run) | Rasa server(s) 16.5 ms, PostgreSQL 2.0 ms, load client 1.5 ms |" \
        in text
    assert "no answer: no answer within 1800 s" in text
    assert "| Rasa server CPU per message (mixed load) | ≈ 52 ms | <= 15 ms | 14.0 | yes |" in text
    results["throughput_cluster"] = {"skipped": "Redis unreachable: refused"}
    assert "Scale-out configuration: not measured (Redis unreachable: refused)." in render_markdown(results)
