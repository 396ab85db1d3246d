"""Benchmark driver (issue 5): ``make bench`` / ``make test-bench``.

    python -m bench.run                                    # full run -> bench/results.{json,md}
    python -m bench.run --smoke --out results/bench-smoke  # tiny data, 6 epochs, a few requests
    python -m bench.run --render bench/results.json        # only redraw results.md from the JSON

Every figure comes from this run: each pipeline is trained here (fresh Rasa
cache, own work folder; ``models/`` is never touched), the servers are
started here on free loopback ports with a freshly seeded SQLite database.
Stages, in order, each in its own module:

1. training data, held-out set, configurations (:mod:`bench.data`);
2. train ours, augmentation included; train the WhitespaceTokenizer
   baseline; TF-IDF + logistic regression (:mod:`bench.train`);
3. held-out scores (:mod:`bench.nlu_eval`): the held-out set in each variant,
   the chat subsets and the compound messages of issue 11, confident wrong answers;
4. servers: start-up, memory, acceptance questions, latency, throughput and
   CPU per message of one ``make run`` process (:mod:`bench.serve`,
   :mod:`bench.load`), then the same load on the scale-out configuration
   (:mod:`bench.cluster`); in smoke mode while 3 runs;
5. (full run only) the time from a fresh clone to the first answer
   (:mod:`bench.first_answer`);
6. (full run only) k-fold cross-validation of our pipeline
   (:mod:`bench.cross_validation`).

``results.json`` and ``results.md`` (:mod:`bench.render`, with the targets of
:mod:`bench.targets`) are rewritten after every stage (``"complete": false``
until the end), so a run cut short still shows what it measured.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import shutil
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bench.cluster import cluster_and_measure
from bench.cross_validation import cross_validation
from bench.data import (
    SUBSETS,
    pipeline_configs,
    pipelines_of,
    plain_examples,
    prepare_chat_sets,
    prepare_holdout,
    prepare_training_data,
)
from bench.first_answer import first_answer
from bench.nlu_eval import nlu_summary, score_rasa_models
from bench.overlap import closeness_of_predictions
from bench.procs import ROOT, bench_env, load_average, machine_info, package_versions
from bench.render import render_markdown
from bench.serve import serve_and_measure
from bench.targets import targets
from bench.train import tfidf_logreg, tfidf_summary, train_nlu_only, train_ours

# train_per_intent / holdout_per_intent: examples kept per intent (None: all);
# epochs: DIETClassifier epochs (None: config.yml's); sequential, warmup and
# throughput and cluster ({concurrency: messages}, one `make run` process and the
# scale-out configuration): message counts; cv_folds: 0 skips the
# cross-validation; overlap: score the held-out set while the servers are
# measured; first_answer: time a fresh clone's `make run` to its first answer.
MODES = {
    "full": dict(train_per_intent=None, holdout_per_intent=None, epochs=None, sequential=500,
                 throughput={1: 100, 10: 300, 50: 500}, cluster={1: 100, 10: 300, 50: 500}, warmup=10,
                 cv_folds=5, overlap=False, first_answer=True),
    "smoke": dict(train_per_intent=4, holdout_per_intent=2, epochs=6, sequential=20,
                  throughput={1: 5, 10: 20, 50: 50}, cluster={1: 4, 10: 20}, warmup=2, cv_folds=0, overlap=True,
                  first_answer=False),
}


def repo_state() -> Dict:
    """``commit`` (HEAD, empty when git fails) and ``uncommitted``: tracked
    files that differ from it (the working tree is what runs)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD"),
            "uncommitted": [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]}


def in_background(function: Callable, *args: object) -> concurrent.futures.Future:
    """``function(*args)`` in a thread of its own; its result or exception comes from the future."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)
    return future


def render(results_json: Path) -> None:
    """Rewrite ``results.md`` next to ``results_json`` from it (no measuring)."""
    results = json.loads(results_json.read_text(encoding="utf-8"))
    (results_json.parent / "results.md").write_text(render_markdown(results), encoding="utf-8")


def main(argv: Optional[List[str]] = None) -> int:
    """Parse the command line and run the stages (see the module docstring). Returns the exit code (0).

    Raises:
        RuntimeError: a training, scoring or seeding subprocess failed.
        bot.server.launcher.LaunchError: a server did not start.
    """
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny data, few epochs, a few requests")
    parser.add_argument("--out", default=str(ROOT / "bench"), help="where results.json and results.md go")
    parser.add_argument("--work", help="scratch folder (models, logs); default results/bench-work/<run id>")
    parser.add_argument("--run-id", help="identifier written into the results (default: time + random)")
    parser.add_argument("--cv-folds", type=int, help="override the number of cross-validation folds (0: skip)")
    parser.add_argument("--no-first-answer", action="store_true",
                        help="skip the fresh clone's `make run` to its first answer (full run)")
    parser.add_argument("--render", metavar="RESULTS_JSON",
                        help="only rewrite results.md next to RESULTS_JSON from it (no measuring)")
    args = parser.parse_args(argv)
    if args.render:
        render(Path(args.render))
        return 0

    mode_name = "smoke" if args.smoke else "full"
    mode = dict(MODES[mode_name])
    if args.cv_folds is not None:
        mode["cv_folds"] = args.cv_folds
    if args.no_first_answer:
        mode["first_answer"] = False
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
        results["machine"]["load_average_now"] = load_average()
        results["targets"] = targets(results)
        (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (out / "results.md").write_text(render_markdown(results), encoding="utf-8")

    def stage(name: str) -> None:
        print(f"[bench {time.perf_counter() - started:7.1f}s] {name}", flush=True)

    def serve_both() -> None:
        serve_and_measure(model, work, env, mode, results, save)
        stage("the scale-out configuration (PostgreSQL, Redis, nginx): throughput, CPU, PSS")
        cluster_and_measure(model, work, env, {**mode, "throughput": mode["cluster"]}, results, save)

    stage(f"{mode_name} run {run_id}; work dir {work}")
    nlu_dir = prepare_training_data(work, mode["train_per_intent"])
    holdout = prepare_holdout(work, mode["holdout_per_intent"])
    chat_sets, compound = prepare_chat_sets(work, mode["holdout_per_intent"])
    configs = pipeline_configs(work, mode["epochs"])
    results["pipelines"] = pipelines_of(configs)
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
    tfidf = tfidf_logreg(nlu_dir, holdout, chat_sets, compound)
    model = Path(results["train"]["model"])
    scoring = ({"ours": str(model), "whitespace_baseline": results["train_baselines"]["whitespace_baseline"]["model"]},
               holdout, work, env, SUBSETS + ["nfd"], "holdout", chat_sets, compound)
    if mode["overlap"]:
        # smoke mode only: score the held-out set while the servers are measured
        # (keeps the smoke stage short; its timings mean nothing anyway)
        pending = in_background(score_rasa_models, *scoring)
        stage("servers (while the held-out set is scored)")
        serve_both()
        scores = pending.result()
    else:
        stage("scoring the held-out set")
        scores = score_rasa_models(*scoring)
    results["nlu"] = {
        "ours": nlu_summary(scores["ours"], with_entities=True),
        "whitespace_baseline": nlu_summary(scores["whitespace_baseline"], with_entities=True),
        "tfidf_logreg": tfidf_summary(tfidf),
        "holdout_file": str(holdout),
        "subset_files": {**{name: str(path) for name, path in chat_sets.items()}, "compound": str(compound)},
        # how close each held-out set is to the training examples, and our accuracy by closeness (issue 11)
        "closeness": {name: closeness_of_predictions(scores["ours"][name]["predictions"],
                                                     plain_examples(nlu_dir / "src")[0])
                      for name in ("diacritics", "telex_vni", "chat_abbrev") if name in scores["ours"]},
    }
    save()

    if not mode["overlap"]:
        stage("servers: start-up, memory, acceptance questions, latency, throughput, CPU")
        serve_both()

    if mode["first_answer"]:
        stage("fresh clone: `make run` to the first answer")
        results["first_answer"] = first_answer(work)
        results["first_answer_s"] = results["first_answer"]["seconds"]
        save()

    if mode["cv_folds"]:
        stage(f"{mode['cv_folds']}-fold cross-validation of our pipeline")
        sources = sorted((nlu_dir / "src").glob("*.yml"))
        results["nlu"]["ours_cross_validation"] = cross_validation(work, sources, configs["ours"],
                                                                   mode["cv_folds"], env)
        save()

    results["complete"] = True
    save()
    stage(f"done: {out / 'results.json'}, {out / 'results.md'}")
    print(render_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
