"""Where time and memory go in the Rasa server (for bench/NOTES.md).

    python -m bench.profile --model results/bench-work/<run>/models/ours.tar.gz [--seconds 30]

1. Memory: resident size of a fresh interpreter after each step of loading
   (TensorFlow import, Rasa import, model load, first parse).
2. Time: starts the action server and the Rasa server as the benchmark
   does (:func:`bench.serve.start_assistant`), samples the Rasa process with
   py-spy while 10 senders load it, and sums the samples by frame
   ("inclusive": a frame anywhere on the stack).
Writes ``results/bench-profile/profile.json`` and py-spy's raw stacks.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import subprocess
import threading
from pathlib import Path
from typing import Dict

from bench.load import message_mix, run_load
from bench.procs import BIN, ROOT, bench_env, run_timed
from bench.serve import start_assistant
from bot.server.launcher import Launcher

MEMORY_STEPS = r"""
import json, os, sys, asyncio, psutil
p = psutil.Process(); out = {}
def mark(name): out[name] = round(p.memory_info().rss / 2**20, 1)
mark("python")
import tensorflow; mark("import tensorflow")
import rasa.core.agent, rasa.core.run; mark("import rasa (agent, server)")
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1]); mark("model loaded (Agent.load)")
asyncio.run(agent.parse_message("hạn báo cáo quý 3")); mark("after first parse")
for _ in range(50): asyncio.run(agent.parse_message("Bộ Y tế đã nộp báo cáo quý 2 chưa"))
mark("after 50 parses")
print(json.dumps(out))
"""

# Frames whose inclusive share we report (substring of "function (file)").
BUCKETS = {
    "NLU: DIETClassifier.process": "process (rasa/nlu/classifiers/diet_classifier.py",
    "NLU: tokenizer (ours)": "bot/nlu/tokenizer.py",
    "NLU: CountVectorsFeaturizer": "count_vectors_featurizer.py",
    "NLU: agency gazetteer": "bot/nlu/agency_extractor.py",
    "TensorFlow (any)": "tensorflow/",
    "dialogue policies (predict)": "rasa/core/policies/",
    "tracker store / events": "rasa/core/tracker_store.py",
    "action server calls (aiohttp client)": "rasa/utils/endpoints.py",
    "sanic HTTP handling": "sanic/",
    "graph runner": "rasa/engine/runner/dask.py",
}


def memory_steps(model: str, env: Dict[str, str]) -> Dict:
    """``{step: resident MB}`` of a fresh interpreter loading ``model`` step by step (:data:`MEMORY_STEPS`).

    Raises:
        subprocess.CalledProcessError: the interpreter failed.
    """
    out = subprocess.run([str(BIN / "python"), "-c", MEMORY_STEPS, model], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarise(raw: Path, top: int = 25) -> Dict:
    """Sum py-spy's raw stacks (``frame;frame;... count`` lines) in ``raw``:
    ``samples``, ``buckets_pct`` (share of samples with a :data:`BUCKETS` frame
    anywhere on the stack, %), and the ``top`` frames by inclusive and by self share (%)."""
    total = 0
    inclusive: collections.Counter = collections.Counter()
    leaf: collections.Counter = collections.Counter()
    buckets: collections.Counter = collections.Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        leaf[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
        for name, needle in BUCKETS.items():
            if any(needle in f for f in frames):
                buckets[name] += n
    pct = lambda n: round(100 * n / total, 1) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "buckets_pct": {k: pct(v) for k, v in buckets.most_common()},
        "top_inclusive_pct": [[f, pct(n)] for f, n in inclusive.most_common(top)],
        "top_self_pct": [[f, pct(n)] for f, n in leaf.most_common(top)],
    }


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--out", default=str(ROOT / "results" / "bench-profile"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    report: Dict = {"model": args.model, "memory_mb": memory_steps(args.model, env)}
    print(json.dumps(report["memory_mb"]), flush=True)

    env = dict(env, DATABASE_URL=f"sqlite:///{out / 'assistant.db'}")
    run_timed([str(BIN / "python"), "-m", "bot", "init-db"], out / "init_db.log", env)
    with Launcher(env=env, log_dir=out) as launcher:
        url = start_assistant(launcher, Path(args.model), out)
        rasa = launcher.processes["rasa"]
        report["startup_s"] = rasa.ready_after_s
        raw = out / "rasa_c10.raw.txt"
        spy = subprocess.Popen([str(BIN / "py-spy"), "record", "--pid", str(rasa.pid), "--duration",
                                str(args.seconds), "--rate", "100", "--format", "raw", "--output", str(raw),
                                "--nonblocking"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        load: Dict = {}
        thread = threading.Thread(target=lambda: load.update(
            asyncio.run(run_load(url, message_mix(args.messages), 10, "profile"))))
        thread.start()
        spy_out, _ = spy.communicate()
        thread.join()
        report["load_c10"] = {k: load.get(k) for k in ("messages", "msg_per_s", "p95_ms", "errors")}
        report["py_spy_output"] = spy_out[-500:]
    report["profile_c10"] = summarise(raw)
    (out / "profile.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
