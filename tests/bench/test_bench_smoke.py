"""Smoke run of the benchmark (``make test-bench``): the whole of ``bench.run``
end to end on tiny data (a few examples per intent, few epochs, a few
requests), so the benchmark cannot rot. Checks the shape of ``results.json``
(issue 5) and that every figure is real and comes from this run.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "results" / "bench-smoke"
SUBSETS = ("diacritics", "no_diacritics", "caps")
NEW_SUBSETS = ("telex_vni", "chat_abbrev", "compound")  # issue 11


@pytest.fixture(scope="module")
def smoke():
    run_id = f"smoke-{uuid.uuid4().hex[:10]}"
    started = time.time()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").unlink(missing_ok=True)
    process = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(OUT), "--work", str(OUT / "work"),
         "--run-id", run_id],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900,
    )
    (OUT / "bench.log").write_text(process.stdout)
    assert process.returncode == 0, process.stdout[-6000:]
    results = json.loads((OUT / "results.json").read_text(encoding="utf-8"))
    return {"results": results, "run_id": run_id, "started": started,
            "markdown": (OUT / "results.md").read_text(encoding="utf-8")}


def positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def test_results_come_from_this_run(smoke) -> None:
    r = smoke["results"]
    assert r["run_id"] == smoke["run_id"] and r["mode"] == "smoke" and r["complete"] is True
    assert datetime.fromisoformat(r["started_at"]).timestamp() >= smoke["started"] - 1
    model = Path(r["train"]["model"])
    assert model.is_file() and model.stat().st_mtime >= smoke["started"]
    assert model.resolve() != (ROOT / "models" / "tro-ly-797.tar.gz").resolve()
    assert smoke["run_id"] in smoke["markdown"]
    assert r["machine"]["cpu_cores_logical"] >= 1 and r["packages"]["rasa"]


def test_nlu_shape_and_values(smoke) -> None:
    nlu = smoke["results"]["nlu"]
    for name in ("ours", "whitespace_baseline", "tfidf_logreg"):
        f1 = nlu[name]["intent_macro_f1"]
        assert set(SUBSETS + NEW_SUBSETS) <= set(f1), name
        assert all(0.0 <= f1[s] <= 1.0 for s in SUBSETS + NEW_SUBSETS), (name, f1)
        assert all(nlu[name]["examples_by_subset"][s] > 0 for s in NEW_SUBSETS), name
        wrong = nlu[name]["confident_wrong"]
        assert set(SUBSETS) <= set(wrong) and sum(wrong.values()) == nlu[name]["confident_wrong_total"] >= 0, name
    for name in ("ours", "whitespace_baseline"):
        assert 0.0 <= nlu[name]["entity_f1"] <= 1.0
        by = nlu[name]["entity_f1_by_subset"]
        assert set(SUBSETS + NEW_SUBSETS) <= set(by) and all(0.0 <= v <= 1.0 for v in by.values()), (name, by)
    # even on tiny data the TF-IDF baseline and our gazetteer score above zero
    assert positive(nlu["tfidf_logreg"]["intent_macro_f1"]["diacritics"])
    assert positive(nlu["ours"]["entity_f1"])
    assert nlu["ours"]["examples"] > 0


def test_latency_throughput_and_errors(smoke) -> None:
    r = smoke["results"]
    seq = r["latency_ms"]["sequential"]
    assert all(positive(seq[k]) for k in ("p50", "p95", "p99", "max"))
    assert seq["p50"] <= seq["p95"] <= seq["p99"] <= seq["max"]
    assert seq["n"] == r["settings"]["sequential"]
    for key in ("c1", "c10", "c50"):
        t = r["throughput"][key]
        assert positive(t["msg_per_s"]) and positive(t["p95_ms"]), (key, t)
        assert t["errors"] == 0 and t["empty_replies"] == 0, (key, t["problems"])
    assert r["errors_total"] == 0 and r["empty_replies_total"] == 0
    assert r["eval"]["cases"] > 0 and 0.0 <= r["eval"]["pass_rate"] <= 1.0
    # both question folders are replayed (issue 11)
    assert {f.split("/", 1)[0] for f in r["eval"]["files"]} == {"eval", "eval-chat"}, r["eval"]["files"]


def test_cost_figures(smoke) -> None:
    r = smoke["results"]
    assert all(positive(r["train"][k]) for k in ("wall_s", "peak_rss_mb", "model_mb"))
    assert r["train"]["misaligned_entity_warnings"] == 0
    assert all(positive(r["server"][k]) for k in ("startup_s", "rss_idle_mb", "rss_load_mb", "action_rss_idle_mb",
                                                  "pss_idle_mb", "pss_load_mb"))
    # PSS shares the libraries among processes: never above the resident size
    assert r["server"]["pss_idle_mb"] <= r["server"]["rss_idle_mb"]
    assert r["targets"], "targets are evaluated"
    names = " ".join(t["target"] for t in r["targets"])
    assert "agency entity F1" in names and "confident wrong" in names and "chat subset" in names, names
    assert "Rasa server CPU per message" in names and "scale-out configuration" in names, names
    # the fresh clone runs in the full run only
    assert "first_answer_s" not in r and "first answer" not in names


def test_cpu_per_message(smoke) -> None:
    r = smoke["results"]
    cpu = r["cpu_ms_per_message"]
    # a message costs the Rasa server and the action server some CPU, and not seconds of it
    assert 0 < cpu["rasa"] < 5000 and 0 < cpu["actions"] < 5000, cpu
    for run in r["throughput"].values():
        assert run["cpu_s"]["rasa"] > 0 and positive(run["cpu_ms_per_message"]["rasa"]), run
    assert "Rasa CPU ms/msg" in smoke["markdown"]


def test_scale_out_configuration(smoke) -> None:
    cluster = smoke["results"]["throughput_cluster"]
    assert "skipped" not in cluster, cluster["skipped"]
    assert cluster["servers"] >= 2 and positive(cluster["startup_s"])
    assert set(smoke["results"]["settings"]["cluster"]) == {"1", "10"}
    for key, messages in smoke["results"]["settings"]["cluster"].items():
        t = cluster[f"c{key}"]
        assert t["messages"] == messages and positive(t["msg_per_s"]) and positive(t["p95_ms"]), t
        assert t["errors"] == 0 and t["empty_replies"] == 0, t["problems"]
    assert cluster["errors_total"] == 0 and cluster["empty_replies_total"] == 0
    cpu = cluster["cpu_ms_per_message"]
    assert set(cpu) == {"rasa", "actions", "nginx", "postgresql", "redis", "load_client"}, cpu
    # every message is stored in PostgreSQL by a Rasa server after an action-server call
    assert cpu["rasa"] > 0 and cpu["actions"] > 0 and cpu["postgresql"] > 0, cpu
    # two servers each hold a model of their own: together more than one server
    # (PSS under load may be below PSS at rest: it falls as other processes map the same libraries)
    assert positive(cluster["pss_load_mb"])
    assert cluster["pss_idle_mb"] > smoke["results"]["server"]["pss_idle_mb"]
    assert "Rasa servers on PostgreSQL" in smoke["markdown"]
