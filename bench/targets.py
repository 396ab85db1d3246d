"""The goals of issues 5, 11 and 12, checked against a run's results (goals,
not tests: a missed target is reported, never raised).

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

# What the speed and cost targets are measured against (issue 12, "now").
BASELINE_NOTE = ("issue 12's starting point on this machine (one `make run` process, mixed load): "
                 "Rasa CPU ≈ 52 ms/message, sequential p50 54–58 ms / p95 120–122 ms, "
                 "16–20 msg/s with p95 1.1–1.3 s at 10 senders, PSS 1.34 GB, full training 571 s, "
                 "fresh clone to first answer 11 min 19 s, start-up 25–40 s")

# Issue 12's speed and cost targets (ms, msg/s, MB, s).
RASA_CPU_MS_MAX = 15           # Rasa server CPU per message, mixed load
SEQUENTIAL_P95_MS_MAX = 40
C10_MSG_S_MIN, C10_P95_MS_MAX = 50, 300                   # one `make run` process
CLUSTER_C10_MSG_S_MIN, CLUSTER_C10_P95_MS_MAX = 80, 250   # the scale-out configuration, same machine
PSS_MB_MAX = 1024
TRAIN_S_MAX = 120              # augmentation included
FIRST_ANSWER_S_MAX = 300       # fresh clone, `make run`, install included
STARTUP_S_MAX = 20

# Issue 12's CPU budget per message for the scale-out configuration: 2 cores at
# 80 msg/s leave 25 ms of CPU per message for every part on the machine
# (Rasa's share is the issue's own target; the rest split by what each part does).
CPU_BUDGET_MS: Dict[str, float] = {
    "rasa": 15.0, "actions": 4.0, "postgresql": 2.5, "redis": 0.5, "nginx": 1.0, "load_client": 2.0,
}


def targets(results: Dict) -> List[Dict]:
    """Every target whose figures ``results`` (results.json, possibly partial)
    already holds: ``[{target, goal, value, met, before}]``, ``value`` in the goal's
    unit (F1 0..1, ms, msg/s, s, MB), ``met`` a bool, ``before`` issue 12's
    starting figure (text; ``None`` for the other issues' targets)."""
    out: List[Dict] = []

    def add(name: str, goal: str, value, met: Optional[bool], before: Optional[str] = None) -> None:
        out.append({"target": name, "goal": goal, "value": value, "met": met, "before": before})

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
    cpu = results.get("cpu_ms_per_message", {}).get("rasa")
    if cpu is not None:
        add("Rasa server CPU per message (mixed load)", f"<= {RASA_CPU_MS_MAX} ms", cpu, cpu <= RASA_CPU_MS_MAX,
            "≈ 52 ms")
    seq = results.get("latency_ms", {}).get("sequential")
    if seq:
        add("sequential p95", f"<= {SEQUENTIAL_P95_MS_MAX} ms", seq["p95"], seq["p95"] <= SEQUENTIAL_P95_MS_MAX,
            "120–122 ms")
    c10 = results.get("throughput", {}).get("c10")
    if c10:
        add("10 concurrent senders, one `make run`: throughput", f">= {C10_MSG_S_MIN} msg/s", c10["msg_per_s"],
            c10["msg_per_s"] >= C10_MSG_S_MIN, "16–20 msg/s")
        add("10 concurrent senders, one `make run`: p95", f"<= {C10_P95_MS_MAX} ms", c10["p95_ms"],
            c10["p95_ms"] <= C10_P95_MS_MAX, "1.1–1.3 s")
    cluster = results.get("throughput_cluster", {}).get("c10")
    if cluster:
        add("10 concurrent senders, scale-out configuration: throughput", f">= {CLUSTER_C10_MSG_S_MIN} msg/s",
            cluster["msg_per_s"], cluster["msg_per_s"] >= CLUSTER_C10_MSG_S_MIN)
        add("10 concurrent senders, scale-out configuration: p95", f"<= {CLUSTER_C10_P95_MS_MAX} ms",
            cluster["p95_ms"], cluster["p95_ms"] <= CLUSTER_C10_P95_MS_MAX)
    cluster_cpu = results.get("throughput_cluster", {}).get("cpu_ms_per_message") or {}
    for part, budget in CPU_BUDGET_MS.items():
        spent = cluster_cpu.get(part)
        if spent is not None:
            add(f"CPU per message, scale-out configuration: {part} (budget of 25 ms on 2 cores)",
                f"<= {budget} ms", spent, spent <= budget)
    if "errors_total" in results:
        add("errors and empty replies", "0", results["errors_total"] + results["empty_replies_total"],
            results["errors_total"] + results["empty_replies_total"] == 0)
    server = results.get("server", {})
    if "pss_load_mb" in server:
        add("Rasa server memory (PSS, peak under load)", f"<= {PSS_MB_MAX} MB", server["pss_load_mb"],
            server["pss_load_mb"] <= PSS_MB_MAX, "1.34 GB")
    train = results.get("train", {})
    if "wall_s" in train:
        add("full training incl. augmentation", f"<= {TRAIN_S_MAX} s", train["wall_s"], train["wall_s"] <= TRAIN_S_MAX,
            "571 s")
    if "first_answer_s" in results:
        seconds = results["first_answer_s"]
        add("fresh clone, `make run` to the first answer (install included)", f"<= {FIRST_ANSWER_S_MAX} s",
            seconds if seconds is not None else "no answer", seconds is not None and seconds <= FIRST_ANSWER_S_MAX,
            "11 min 19 s")
    if "startup_s" in server:
        add("Rasa server start-up", f"<= {STARTUP_S_MAX} s", server["startup_s"], server["startup_s"] <= STARTUP_S_MAX,
            "25–40 s")
    return out
