"""Benchmark driver (issue 5): ``make bench`` / ``make test-bench``.

    python -m bench.run                                  # full run -> bench/results.{json,md}
    python -m bench.run --smoke --out results/bench-smoke  # tiny data, 6 epochs, a few requests

Every figure comes from this run: each pipeline is trained here (fresh Rasa
cache, own output folder; ``models/`` is never touched), the servers are
started here on free loopback ports with a freshly seeded SQLite database.
Stages, in order: training data -> train ours (augmentation included) ->
train the WhitespaceTokenizer baseline -> TF-IDF + logistic regression ->
held-out scores -> servers: start-up, memory, eval pass rate, latency,
throughput -> (full run only) 5-fold cross-validation of our pipeline.
``results.json`` is rewritten after every stage (``"complete": false`` until
the end), so a run cut short still shows what it measured.
"""
from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import copy
import json
import re
import shutil
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import requests
import yaml

from bench.load import message_mix, run_load
from bench.procs import MB, PeakRss, Servers, bench_env, machine_info, package_versions, run_timed
from bot.domain.text import strip_diacritics
from bot.nlu.augment import read_intents, variants, write_intents
from tests.e2e.conftest import BIN, ROOT, reply_text
from tests.e2e.test_eval_questions import check, load_cases, turns_of
from tests.e2e.test_nlu_holdout import HOLDOUT, VARIANTS

SUBSETS = ["diacritics", "no_diacritics", "caps"]

MODES = {
    "full": dict(train_per_intent=None, holdout_per_intent=None, epochs=None, sequential=500,
                 throughput={1: 100, 10: 300, 50: 500}, warmup=10, cv_folds=5, overlap=False),
    "smoke": dict(train_per_intent=4, holdout_per_intent=2, epochs=6, sequential=20,
                  throughput={1: 5, 10: 20, 50: 50}, warmup=2, cv_folds=0, overlap=True),
}

# Targets of issue 5 (goals, not tests).
BASELINE_NOTE = ("stock single-process Rasa on this machine (issue 5): ~40 ms/message sequentially, "
                 "~22 msg/s with p95 > 1 s at 10 senders, ~47 s start-up, 1.27 GB resident")


# --------------------------------------------------------------------------- data
def nlu_source_files() -> List[Path]:
    return sorted((ROOT / "data" / "nlu").glob("*.yml"))


def prepare_training_data(work: Path, per_intent: Optional[int]) -> Path:
    """Copy the hand-written training examples into ``work/nlu/src`` (the first
    ``per_intent`` of each intent in smoke mode). The diacritic-free copies are
    generated later, as part of our pipeline's timed training."""
    src = work / "nlu" / "src"
    src.mkdir(parents=True, exist_ok=True)
    if per_intent is None:
        for path in nlu_source_files():
            shutil.copy(path, src / path.name)
    else:
        intents = {i: ex[:per_intent] for i, ex in read_intents(nlu_source_files()).items()}
        write_intents(intents, src / "nlu.yml", f"bench smoke subset: {per_intent} examples per intent")
    return work / "nlu"


def prepare_holdout(work: Path, per_intent: Optional[int]) -> Path:
    if per_intent is None:
        return HOLDOUT
    intents = {i: ex[:per_intent] for i, ex in read_intents([HOLDOUT]).items()}
    out = work / "holdout.yml"
    write_intents(intents, out, f"bench smoke subset of {HOLDOUT.name}")
    return out


def pipeline_configs(work: Path, epochs: Optional[int]) -> Dict[str, Path]:
    """Our config.yml and the stock baseline: WhitespaceTokenizer, same
    featurizers, same DIETClassifier and FallbackClassifier settings, no gazetteer."""
    ours = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    if epochs is not None:
        for component in ours["pipeline"]:
            if component["name"] == "DIETClassifier":
                component["epochs"] = epochs
    baseline = copy.deepcopy(ours)
    # stock Rasa components only: our tokenizer becomes WhitespaceTokenizer, our
    # own components (dotted module paths: gazetteer etc.) are left out
    baseline["pipeline"] = [
        {"name": "WhitespaceTokenizer"} if c["name"].endswith("Tokenizer") else c
        for c in ours["pipeline"] if c["name"].endswith("Tokenizer") or "." not in c["name"]
    ]
    out = {}
    for name, config in (("ours", ours), ("whitespace_baseline", baseline)):
        path = work / f"config_{name}.yml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        out[name] = path
    return out


_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def plain_examples(folder: Path) -> Tuple[List[str], List[str]]:
    texts, labels = [], []
    for intent, examples in read_intents(sorted(folder.rglob("*.yml"))).items():
        for example in examples:
            texts.append(_ANNOTATION.sub(r"\1", example))
            labels.append(intent)
    return texts, labels


# --------------------------------------------------------------------------- NLU
def train_ours(work: Path, nlu: Path, config: Path, env: Dict[str, str]) -> Dict:
    """Augmentation + full ``rasa train`` (NLU and dialogue), timed together."""
    augment = run_timed([str(BIN / "python"), "-m", "bot.nlu.augment", "train", str(nlu / "src"),
                         str(nlu / "generated" / "no_diacritics.yml")], work / "logs" / "augment.log", env)
    train = run_timed([str(BIN / "rasa"), "train", "--force", "--config", str(config),
                       "--domain", str(ROOT / "domain.yml"),
                       "--data", str(nlu), str(ROOT / "data" / "rules"), str(ROOT / "data" / "stories"),
                       "--out", str(work / "models"), "--fixed-model-name", "ours"],
                      work / "logs" / "train_ours.log", env)
    model = work / "models" / "ours.tar.gz"
    return {
        "wall_s": round(augment.wall_s + train.wall_s, 2),
        "augment_wall_s": augment.wall_s,
        "rasa_train_wall_s": train.wall_s,
        "peak_rss_mb": max(augment.peak_rss_mb, train.peak_rss_mb),
        "model_mb": round(model.stat().st_size / MB, 2),
        "model": str(model),
        "misaligned_entity_warnings": train.log.read_text(errors="replace").count("Misaligned entity annotation"),
    }


def train_nlu_only(name: str, work: Path, nlu: Path, config: Path, env: Dict[str, str]) -> Dict:
    out = work / "models"
    train = run_timed([str(BIN / "rasa"), "train", "nlu", "--config", str(config), "--nlu", str(nlu),
                       "--out", str(out), "--fixed-model-name", name], work / "logs" / f"train_{name}.log", env)
    model = out / f"{name}.tar.gz"
    return {"wall_s": train.wall_s, "peak_rss_mb": train.peak_rss_mb,
            "model_mb": round(model.stat().st_size / MB, 2), "model": str(model), "scope": "NLU only"}


def tfidf_logreg(nlu: Path, holdout: Path) -> Dict:
    """scikit-learn baseline, intents only: TF-IDF word 1-2-grams + char_wb 2-5-grams, logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    from bench.nlu_eval import score

    texts, labels = plain_examples(nlu)
    started = time.perf_counter()
    model = make_pipeline(
        make_union(TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        LogisticRegression(C=20, max_iter=3000),
    )
    model.fit(texts, labels)
    train_s = time.perf_counter() - started
    test_texts, test_labels = plain_examples_of_file(holdout)
    by_subset = {}
    for name in SUBSETS + ["nfd"]:
        predicted = list(model.predict([VARIANTS[name](t) for t in test_texts]))
        by_subset[name] = {"examples": len(test_texts), **score(test_labels, predicted)}
    return {"train_wall_s": round(train_s, 2), "training_examples": len(texts), "by_subset": by_subset}


def plain_examples_of_file(path: Path) -> Tuple[List[str], List[str]]:
    texts, labels = [], []
    for intent, examples in read_intents([path]).items():
        for example in examples:
            texts.append(_ANNOTATION.sub(r"\1", example))
            labels.append(intent)
    return texts, labels


def score_rasa_models(models: Dict[str, str], test: Optional[Path], work: Path, env: Dict[str, str],
                      subsets: List[str], tag: str) -> Dict:
    out = work / f"scores_{tag}.json"
    args = [str(BIN / "python"), "-m", "bench.nlu_eval", "--out", str(out), "--variants", ",".join(subsets)]
    if test is not None:
        args += ["--test", str(test)]
    for name, model in models.items():
        args += ["--model", f"{name}={model}"]
    timed = run_timed(args, work / "logs" / f"nlu_eval_{tag}.log", env)
    scores = json.loads(out.read_text(encoding="utf-8"))
    scores["_eval_wall_s"] = timed.wall_s
    return scores


def in_background(function, *args) -> concurrent.futures.Future:
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)
    return future


def nlu_summary(scores: Dict, with_entities: bool) -> Dict:
    entry = {
        "intent_macro_f1": {s: scores[s]["intent_macro_f1"] for s in SUBSETS},
        "intent_accuracy": {s: scores[s]["intent_accuracy"] for s in SUBSETS},
    }
    if "nfd" in scores:
        entry["intent_macro_f1_nfd"] = scores["nfd"]["intent_macro_f1"]
    if with_entities:
        entry["entity_f1"] = scores["diacritics"]["agency_entity_f1"]
        entry["entity_f1_by_subset"] = {s: scores[s]["agency_entity_f1"] for s in SUBSETS}
    entry["examples"] = scores["diacritics"]["examples"]
    entry["parse_ms_mean"] = scores["diacritics"].get("parse_ms_mean")
    entry["errors_sample"] = {s: scores[s].get("errors", [])[:8] for s in SUBSETS}
    return entry


def cross_validation(work: Path, nlu: Path, config: Path, folds: int, env: Dict[str, str]) -> Dict:
    """Our pipeline, ``folds``-fold stratified CV over the hand-written examples.
    The diacritic-free copies are generated from each training part only (no
    copy of a test example leaks into training); each test fold is scored as
    written, without diacritics and in capitals."""
    from sklearn.model_selection import StratifiedKFold

    intents = read_intents(sorted((nlu / "src").glob("*.yml")))
    pairs = [(intent, example) for intent, examples in intents.items() for example in examples]
    labels = [intent for intent, _ in pairs]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=797)
    per_fold, models = [], {}
    started = time.perf_counter()
    for k, (train_idx, test_idx) in enumerate(splitter.split(pairs, labels)):
        fold = work / "cv" / f"fold{k}"
        train: Dict[str, List[str]] = {}
        test: Dict[str, List[str]] = {}
        for i in train_idx:
            train.setdefault(pairs[i][0], []).append(pairs[i][1])
        for i in test_idx:
            test.setdefault(pairs[i][0], []).append(pairs[i][1])
        write_intents(train, fold / "nlu" / "src" / "nlu.yml", f"CV fold {k}: training part")
        write_intents(variants(train, strip_diacritics), fold / "nlu" / "generated" / "no_diacritics.yml",
                      f"CV fold {k}: diacritic-free copies of the training part")
        write_intents(test, fold / "test.yml", f"CV fold {k}: test part")
        trained = train_nlu_only(f"fold{k}", fold, fold / "nlu", config, env)
        models[f"fold{k}"] = f"{trained['model']}::{fold / 'test.yml'}"
        per_fold.append({"fold": k, "train_wall_s": trained["wall_s"], "test_examples": len(test_idx)})
    scores = score_rasa_models(models, None, work, env, SUBSETS, "cv")
    for entry in per_fold:
        s = scores[f"fold{entry['fold']}"]
        entry["intent_macro_f1"] = {v: s[v]["intent_macro_f1"] for v in SUBSETS}
        entry["entity_f1"] = s["diacritics"]["agency_entity_f1"]
    mean = lambda xs: round(sum(xs) / len(xs), 4)  # noqa: E731
    std = lambda xs: round((sum((x - sum(xs) / len(xs)) ** 2 for x in xs) / len(xs)) ** 0.5, 4)  # noqa: E731
    return {
        "folds": folds,
        "intent_macro_f1_mean": {v: mean([f["intent_macro_f1"][v] for f in per_fold]) for v in SUBSETS},
        "intent_macro_f1_std": {v: std([f["intent_macro_f1"][v] for f in per_fold]) for v in SUBSETS},
        "entity_f1_mean": mean([f["entity_f1"] for f in per_fold]),
        "per_fold": per_fold,
        "wall_s": round(time.perf_counter() - started, 1),
    }


# --------------------------------------------------------------------------- servers
def eval_pass_rate(url: str) -> Dict:
    """Replay every ../shared/eval/*.yml case over REST (the checks of tests/e2e)."""
    by_file: Dict[str, Dict] = {}
    failures = []
    for case_id, case in load_cases():
        sender = f"eval-{uuid.uuid4().hex[:12]}"
        ok = True
        for turn in turns_of(case):
            response = requests.post(f"{url}/webhooks/rest/webhook",
                                     json={"sender": sender, "message": turn["ask"]}, timeout=60)
            problems = (check(reply_text(response.json()), turn) if response.status_code == 200
                        else [f"HTTP {response.status_code}"])
            if problems:
                ok = False
                failures.append({"case": case_id, "ask": turn["ask"], "problems": problems})
                break
        stats = by_file.setdefault(case_id.split(":", 1)[0], {"cases": 0, "passed": 0})
        stats["cases"] += 1
        stats["passed"] += int(ok)
    for stats in by_file.values():
        stats["pass_rate"] = round(stats["passed"] / stats["cases"], 4)
    total = sum(s["cases"] for s in by_file.values())
    passed = sum(s["passed"] for s in by_file.values())
    return {"files": by_file, "cases": total, "passed": passed,
            "pass_rate": round(passed / total, 4) if total else 0.0, "failures": failures[:30]}


def serve_and_measure(model: Path, work: Path, env: Dict[str, str], mode: Dict, results: Dict, save) -> None:
    db = work / "assistant.db"
    env = dict(env, DATABASE_URL=f"sqlite:///{db}")
    run_timed([str(BIN / "python"), "-m", "bot", "init-db"], work / "logs" / "init_db.log", env)
    (work / "servers").mkdir(exist_ok=True)
    with Servers(model, work / "servers", env) as servers:
        time.sleep(2)
        server = {
            "startup_s": servers.startup_s,
            "action_server_startup_s": servers.action_startup_s,
            "rss_idle_mb": servers.rss_mb("rasa"),
            "action_rss_idle_mb": servers.rss_mb("actions"),
        }
        started = time.perf_counter()
        first = requests.post(f"{servers.url}/webhooks/rest/webhook",
                              json={"sender": "bench-first", "message": "xin chào"}, timeout=120)
        server["first_reply_ms"] = round(1000 * (time.perf_counter() - started), 1)
        server["first_reply_ok"] = first.status_code == 200 and bool(first.json())
        results["server"] = server
        save()

        with PeakRss(servers.pid("rasa")) as rasa_rss, PeakRss(servers.pid("actions")) as action_rss:
            results["eval"] = eval_pass_rate(servers.url)
            save()
            asyncio.run(run_load(servers.url, message_mix(mode["warmup"]), 1, "warmup"))
            sequential = asyncio.run(run_load(servers.url, message_mix(mode["sequential"]), 1, "seq"))
            results["latency_ms"] = {"sequential": {**sequential["latency_ms"],
                                                    "errors": sequential["errors"],
                                                    "empty_replies": sequential["empty_replies"],
                                                    "problems": sequential["problems"]}}
            save()
            throughput = {}
            for concurrency, count in mode["throughput"].items():
                throughput[f"c{concurrency}"] = asyncio.run(
                    run_load(servers.url, message_mix(count), concurrency, f"c{concurrency}"))
                results["throughput"] = throughput
                save()
        server["rss_load_mb"] = round(rasa_rss.peak / MB, 1)
        server["rss_after_load_mb"] = servers.rss_mb("rasa")
        server["action_rss_load_mb"] = round(action_rss.peak / MB, 1)
        server["rasa_processes"] = 1 + len(__import__("psutil").Process(servers.pid("rasa")).children(recursive=True))
        results["server"] = server
        results["errors_total"] = sequential["errors"] + sum(t["errors"] for t in throughput.values())
        results["empty_replies_total"] = (sequential["empty_replies"]
                                          + sum(t["empty_replies"] for t in throughput.values()))
        save()
    results.setdefault("artifacts", {})["server_logs"] = {k: str(v) for k, v in servers.logs.items()}


# --------------------------------------------------------------------------- targets and report
def targets(results: Dict) -> List[Dict]:
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


def fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k} {fmt(v, digits)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render_markdown(results: Dict) -> str:
    m = results["machine"]
    lines = [
        f"# Benchmark results ({results['mode']} run)",
        "",
        f"Run `{results['run_id']}`, started {results['started_at']}, took {fmt(results.get('wall_s'), 0)} s"
        + ("" if results.get("complete") else " — **incomplete run**") + ".",
        f"Machine: {m['cpu_model']}, {m['cpus_usable']} usable CPUs ({m['cpu_cores_logical']} logical), "
        f"{m['memory_total_gb']} GB RAM, load average at start {m['load_average_at_start']}, "
        f"at the last write {m.get('load_average_now')} "
        f"(the CPU is shared with other work); {m['os']}, Python {m['python']}.",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in results["packages"].items() if v) + ".",
        *([f"Code: commit `{results['repo']['commit'][:12]}`"
           + (f", with uncommitted changes to {', '.join(results['repo']['uncommitted'])}"
              if results["repo"]["uncommitted"] else "") + "."] if results.get("repo") else []),
        "",
    ]
    if results["mode"] == "smoke":
        lines += ["**Smoke mode**: tiny training subset, few epochs, a few requests. "
                  "These numbers only show that the benchmark runs; they say nothing about quality or speed.", ""]
    nlu = results.get("nlu", {})
    if nlu:
        lines += ["## Understanding (held-out set: intent macro-F1 / accuracy, agency entity F1)", "",
                  f"Held-out examples: {nlu.get('ours', {}).get('examples', '?')} per subset.", "",
                  "| pipeline | diacritics | no diacritics | CAPS | NFD | agency entity F1 (diacritics / none / caps) |",
                  "|---|---|---|---|---|---|"]
        for name in ("ours", "whitespace_baseline", "tfidf_logreg"):
            if name not in nlu:
                continue
            e = nlu[name]
            cells = [f"{fmt(e['intent_macro_f1'][s])} / {fmt(e['intent_accuracy'][s])}" for s in SUBSETS]
            ent = (" / ".join(fmt(e["entity_f1_by_subset"][s]) for s in SUBSETS)
                   if "entity_f1_by_subset" in e else "n/a (intents only)")
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {fmt(e.get('intent_macro_f1_nfd'))} | {ent} |")
        cv = nlu.get("ours_cross_validation")
        if cv:
            lines += ["", f"{cv['folds']}-fold cross-validation of our pipeline on the hand-written training "
                      "examples (diacritic-free copies made from each training part only): intent macro-F1 "
                      + ", ".join(f"{s} {fmt(cv['intent_macro_f1_mean'][s])} ± {fmt(cv['intent_macro_f1_std'][s])}"
                                  for s in SUBSETS)
                      + f"; agency entity F1 {fmt(cv['entity_f1_mean'])}."]
        else:
            lines += ["", "Cross-validation: not run in this mode."]
        lines.append("")
    ev = results.get("eval")
    if ev:
        lines += ["## Acceptance questions (`../shared/eval/*.yml` over REST)", "",
                  "| file | cases | passed | pass rate |", "|---|---|---|---|"]
        for name, s in ev["files"].items():
            lines.append(f"| {name} | {s['cases']} | {s['passed']} | {fmt(s['pass_rate'])} |")
        lines.append(f"| **all** | {ev['cases']} | {ev['passed']} | {fmt(ev['pass_rate'])} |")
        lines.append("")
    seq = results.get("latency_ms", {}).get("sequential")
    if seq:
        lines += ["## Latency and throughput (REST on loopback, action server + SQLite, mixed load)", "",
                  f"Sequential, {seq['n']} messages: p50 {seq['p50']} ms, p95 {seq['p95']} ms, "
                  f"p99 {seq['p99']} ms, max {seq['max']} ms (errors {seq['errors']}, empty replies "
                  f"{seq['empty_replies']}).", "",
                  "| concurrent senders | messages | msg/s | p50 ms | p95 ms | max ms | errors | empty replies |",
                  "|---|---|---|---|---|---|---|---|"]
        for t in results.get("throughput", {}).values():
            lines.append(f"| {t['concurrency']} | {t['messages']} | {t['msg_per_s']} | {t['latency_ms']['p50']} | "
                         f"{t['p95_ms']} | {t['latency_ms']['max']} | {t['errors']} | {t['empty_replies']} |")
        lines.append("")
    train, server = results.get("train", {}), results.get("server", {})
    if train or server:
        lines += ["## Cost", "", "| what | value |", "|---|---|"]
        if train:
            lines += [f"| training, ours (augmentation + `rasa train`, NLU and dialogue) | {train['wall_s']} s "
                      f"(augmentation {train['augment_wall_s']} s), peak RSS {train['peak_rss_mb']} MB |",
                      f"| model size, ours | {train['model_mb']} MB |"]
            ws = results.get("train_baselines", {}).get("whitespace_baseline")
            if ws:
                lines.append(f"| training, whitespace baseline (NLU only) | {ws['wall_s']} s, "
                             f"peak RSS {ws['peak_rss_mb']} MB, model {ws['model_mb']} MB |")
            tf = results.get("nlu", {}).get("tfidf_logreg")
            if tf:
                lines.append(f"| training, TF-IDF + logistic regression | {tf['train_wall_s']} s |")
        if server:
            lines += [f"| Rasa server start-up (process start → REST answers) | {server['startup_s']} s |",
                      f"| first reply after start-up | {server.get('first_reply_ms')} ms |",
                      f"| Rasa server RSS at rest / peak under load | {server['rss_idle_mb']} / "
                      f"{server.get('rss_load_mb', '–')} MB ({server.get('rasa_processes', 1)} process) |",
                      f"| action server RSS at rest / peak under load | {server['action_rss_idle_mb']} / "
                      f"{server.get('action_rss_load_mb', '–')} MB |"]
        lines.append("")
    tg = results.get("targets", [])
    if tg:
        lines += ["## Targets (issue 5)", "", f"Reference: {BASELINE_NOTE}.", "",
                  "| target | goal | measured | met |", "|---|---|---|---|"]
        for t in tg:
            lines.append(f"| {t['target']} | {t['goal']} | {fmt(t['value']) if isinstance(t['value'], dict) else t['value']} | {'yes' if t['met'] else '**no**'} |")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main
def repo_state() -> Dict:
    """The commit measured, and the files that differed from it (the working tree is what runs)."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD"),
            "uncommitted": [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny data, few epochs, a few requests")
    parser.add_argument("--out", default=str(ROOT / "bench"), help="where results.json and results.md go")
    parser.add_argument("--work", help="scratch folder (models, logs); default results/bench-work/<run id>")
    parser.add_argument("--run-id", help="identifier written into the results (default: time + random)")
    parser.add_argument("--cv-folds", type=int, help="override the number of cross-validation folds (0: skip)")
    parser.add_argument("--render", metavar="RESULTS_JSON",
                        help="only rewrite results.md next to RESULTS_JSON from it (no measuring)")
    args = parser.parse_args(argv)
    if args.render:
        source = Path(args.render)
        results = json.loads(source.read_text(encoding="utf-8"))
        (source.parent / "results.md").write_text(render_markdown(results), encoding="utf-8")
        return 0

    mode_name = "smoke" if args.smoke else "full"
    mode = dict(MODES[mode_name])
    if args.cv_folds is not None:
        mode["cv_folds"] = args.cv_folds
    run_id = args.run_id or f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(args.work).resolve() if args.work else ROOT / "results" / "bench-work" / run_id
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    # A fresh Rasa training cache: nothing is reused from an earlier run.
    env = bench_env(RASA_CACHE_DIRECTORY=str(work / "rasa-cache"))

    started = time.perf_counter()
    results: Dict = {
        "run_id": run_id, "mode": mode_name, "complete": False,
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(), "packages": package_versions(),
        "settings": {k: (v if not isinstance(v, dict) else {str(a): b for a, b in v.items()}) for k, v in mode.items()},
        "work_dir": str(work),
        "repo": repo_state(),
    }

    def save() -> None:
        results["wall_s"] = round(time.perf_counter() - started, 1)
        results["machine"]["load_average_now"] = [round(x, 2) for x in __import__("os").getloadavg()]
        results["targets"] = targets(results)
        (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (out / "results.md").write_text(render_markdown(results), encoding="utf-8")

    def stage(name: str) -> None:
        print(f"[bench {time.perf_counter() - started:7.1f}s] {name}", flush=True)

    stage(f"{mode_name} run {run_id}; work dir {work}")
    nlu_dir = prepare_training_data(work, mode["train_per_intent"])
    holdout = prepare_holdout(work, mode["holdout_per_intent"])
    configs = pipeline_configs(work, mode["epochs"])
    results["pipelines"] = {name: yaml.safe_load(path.read_text(encoding="utf-8"))["pipeline"]
                            for name, path in configs.items()}
    save()

    stage("training our pipeline (augmentation + rasa train)")
    results["train"] = train_ours(work, nlu_dir, configs["ours"], env)
    save()
    stage("training the WhitespaceTokenizer baseline (rasa train nlu)")
    results["train_baselines"] = {"whitespace_baseline": train_nlu_only("whitespace_baseline", work, nlu_dir,
                                                                        configs["whitespace_baseline"], env)}
    results["training_examples"] = len(plain_examples(nlu_dir)[0])
    save()

    stage("TF-IDF + logistic regression baseline")
    tfidf = tfidf_logreg(nlu_dir, holdout)
    scoring = ({"ours": results["train"]["model"],
                "whitespace_baseline": results["train_baselines"]["whitespace_baseline"]["model"]},
               holdout, work, env, SUBSETS + ["nfd"], "holdout")
    if mode["overlap"]:
        # smoke mode only: score the held-out set while the servers are measured
        # (keeps the smoke stage short; its timings mean nothing anyway)
        pending = in_background(score_rasa_models, *scoring)
        stage("servers (while the held-out set is scored)")
        serve_and_measure(Path(results["train"]["model"]), work, env, mode, results, save)
        scores = pending.result()
    else:
        stage("scoring the held-out set")
        scores = score_rasa_models(*scoring)
    results["nlu"] = {
        "ours": nlu_summary(scores["ours"], with_entities=True),
        "whitespace_baseline": nlu_summary(scores["whitespace_baseline"], with_entities=True),
        "tfidf_logreg": {
            "intent_macro_f1": {s: tfidf["by_subset"][s]["intent_macro_f1"] for s in SUBSETS},
            "intent_accuracy": {s: tfidf["by_subset"][s]["intent_accuracy"] for s in SUBSETS},
            "intent_macro_f1_nfd": tfidf["by_subset"]["nfd"]["intent_macro_f1"],
            "examples": tfidf["by_subset"]["diacritics"]["examples"],
            "train_wall_s": tfidf["train_wall_s"],
        },
        "holdout_file": str(holdout),
    }
    save()

    if not mode["overlap"]:
        stage("servers: start-up, memory, acceptance questions, latency, throughput")
        serve_and_measure(Path(results["train"]["model"]), work, env, mode, results, save)

    if mode["cv_folds"]:
        stage(f"{mode['cv_folds']}-fold cross-validation of our pipeline")
        results["nlu"]["ours_cross_validation"] = cross_validation(work, nlu_dir, configs["ours"], mode["cv_folds"], env)
        save()

    results["complete"] = True
    save()
    stage(f"done: {out / 'results.json'}, {out / 'results.md'}")
    print(render_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
