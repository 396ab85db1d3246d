"""The goals of issue 5, checked against a run's results (goals, not tests:
a missed target is reported, never raised)."""
from __future__ import annotations

from typing import Dict, List, Optional

from bench.data import SUBSETS

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
    ours = nlu.get("ours", {}).get("intent_macro_f1")
    if ours:
        add("held-out intent macro-F1, every subset", ">= 0.97", ours, min(ours.values()) >= 0.97)
        gap = round(max(ours["diacritics"] - v for v in ours.values()), 4)
        add("no subset more than 2 points below the diacritics subset", "<= 0.02", gap, gap <= 0.02)
        for base in ("whitespace_baseline", "tfidf_logreg"):
            other = nlu.get(base, {}).get("intent_macro_f1")
            if other:
                add(f"never below {base}", "ours >= baseline on every subset",
                    {s: round(ours[s] - other[s], 4) for s in SUBSETS}, all(ours[s] >= other[s] for s in SUBSETS))
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
