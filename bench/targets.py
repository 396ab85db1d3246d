"""The goals of issues 5 and 11, checked against a run's results (goals, not
tests: a missed target is reported, never raised).

The understanding thresholds are defined here once; ``make bench``
(:func:`targets`) and the held-out test ``tests/e2e/test_nlu_holdout.py``
both read them.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from bench.data import NEW_SUBSETS, SUBSETS

# Issue 11, "How it is measured" (F1 on 0..1; counts of messages).
INTENT_F1_EXISTING = 0.97      # held-out intent macro-F1: diacritics, no_diacritics, caps, nfd
INTENT_F1_NEW = 0.95           # telex_vni, chat_abbrev, compound (compound: share of messages fully recognised)
AGENCY_F1 = 0.97               # agency entity F1 (exact spans) on every subset
CONFIDENT_WRONG_MAX = 0        # wrong intents at or above the fallback threshold on out-of-scope/not-in-source
EXISTING_SUBSETS = SUBSETS + ["nfd"]

# Regression floors of tests/e2e/test_nlu_holdout.py while the goals above are
# not met (measured on the merged issue-11 work, 2026-12-02, minus about two
# points of run-to-run noise): the test stops a change that makes understanding
# worse; `make bench` reports the distance to the goals. Raise them as the
# scores rise, up to the goals.
# Raised after the held-out error kinds were fixed (bench/NOTES.md, "Held-out
# errors by kind"); measured 2026-12-02 on the merged model: 0.980 / 0.970 / 0.980 / 0.980,
# telex_vni, chat_abbrev and compound 1.0.
REGRESSION_FLOOR: Dict[str, float] = {
    "diacritics": 0.97, "no_diacritics": 0.96, "caps": 0.97, "nfd": 0.97,
    "telex_vni": 0.98, "chat_abbrev": 0.98, "compound": 0.97,
}
AGENCY_F1_FLOOR = 0.97
CONFIDENT_WRONG_FLOOR = 2      # 2026-12-02: 0 in all subsets (16 at the start of the day); the goal is 0


def intent_floor(subset: str) -> float:
    """The intent macro-F1 goal of ``subset`` (a variant of the held-out set or a new subset)."""
    return INTENT_F1_NEW if subset in NEW_SUBSETS else INTENT_F1_EXISTING

# What the targets are measured against.
BASELINE_NOTE = ("stock single-process Rasa on this machine (issue 5): ~40 ms/message sequentially, "
                 "~22 msg/s with p95 > 1 s at 10 senders, ~47 s start-up, 1.27 GB resident")


def targets(results: Dict) -> List[Dict]:
    """Every target whose figures ``results`` (results.json, possibly partial)
    already holds: ``[{target, goal, value, met}]``, ``value`` in the goal's
    unit (F1 0..1, ms, msg/s, s, MB), ``met`` a bool."""
    out: List[Dict] = []

    def add(name: str, goal: str, value, met: Optional[bool]) -> None:
        out.append({"target": name, "goal": goal, "value": value, "met": met})

    nlu = results.get("nlu", {})
    entry = nlu.get("ours", {})
    ours = entry.get("intent_macro_f1")
    if ours:
        existing = {s: ours[s] for s in SUBSETS if s in ours}
        if "intent_macro_f1_nfd" in entry:
            existing["nfd"] = entry["intent_macro_f1_nfd"]
        add("held-out intent macro-F1, every existing subset", f">= {INTENT_F1_EXISTING}", existing,
            min(existing.values()) >= INTENT_F1_EXISTING)
        new = {s: ours[s] for s in NEW_SUBSETS if s in ours}
        if new:
            add("intent macro-F1 on each chat subset (compound: share fully recognised)", f">= {INTENT_F1_NEW}",
                new, min(new.values()) >= INTENT_F1_NEW)
        gap = round(max(ours["diacritics"] - ours[s] for s in SUBSETS), 4)
        add("no variant more than 2 points below the diacritics subset", "<= 0.02", gap, gap <= 0.02)
        for base in ("whitespace_baseline", "tfidf_logreg"):
            other = nlu.get(base, {}).get("intent_macro_f1")
            if other:
                common = [s for s in ours if s in other]
                add(f"never below {base}", "ours >= baseline on every subset",
                    {s: round(ours[s] - other[s], 4) for s in common}, all(ours[s] >= other[s] for s in common))
    agency = entry.get("entity_f1_by_subset")
    if agency:
        add("agency entity F1, every subset", f">= {AGENCY_F1}", agency, min(agency.values()) >= AGENCY_F1)
    if "confident_wrong_total" in entry:
        add("confident wrong answers (out-of-scope and not-in-source, every subset)", f"<= {CONFIDENT_WRONG_MAX}",
            entry["confident_wrong_total"], entry["confident_wrong_total"] <= CONFIDENT_WRONG_MAX)
    ev = results.get("eval")
    if ev:
        add("acceptance questions (../shared/eval and eval-chat) over REST", "every case passes",
            f"{ev['passed']}/{ev['cases']}", ev["cases"] > 0 and ev["passed"] == ev["cases"])
    seq = results.get("latency_ms", {}).get("sequential")
    if seq:
        add("sequential p95", "<= 60 ms", seq["p95"], seq["p95"] <= 60)
    c10 = results.get("throughput", {}).get("c10")
    if c10:
        add("10 concurrent senders: throughput", ">= 80 msg/s", c10["msg_per_s"], c10["msg_per_s"] >= 80)
        add("10 concurrent senders: p95", "<= 250 ms", c10["p95_ms"], c10["p95_ms"] <= 250)
    if "errors_total" in results:
        add("errors and empty replies", "0", results["errors_total"] + results["empty_replies_total"],
            results["errors_total"] + results["empty_replies_total"] == 0)
    server = results.get("server", {})
    if "startup_s" in server:
        add("Rasa server start-up", "<= 25 s", server["startup_s"], server["startup_s"] <= 25)
    if "rss_load_mb" in server:
        add("resident memory per Rasa process (under load)", "<= 1024 MB", server["rss_load_mb"],
            server["rss_load_mb"] <= 1024)
    train = results.get("train", {})
    if "wall_s" in train:
        add("full training incl. augmentation", "<= 180 s", train["wall_s"], train["wall_s"] <= 180)
    return out
