"""``results.md``: the tables of a run, drawn from its ``results.json``.

:func:`render_markdown` takes the results dict (complete or not: sections
whose figures are missing are left out) and returns Markdown. Redraw a
committed run without measuring::

    python -m bench.run --render bench/results.json
"""
from __future__ import annotations

from typing import Dict, List

from bench.data import NEW_SUBSETS, REPORTED, SUBSETS
from bench.targets import BASELINE_NOTE


def fmt(value, digits: int = 3) -> str:
    """A figure for a table cell: ``–`` for ``None``, floats with ``digits`` decimals, dicts as ``key value, ...``."""
    if value is None:
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k} {fmt(v, digits)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


# Names of the parts whose CPU time is measured (bench.serve.measured_load).
PARTS = {"rasa": "Rasa server(s)", "actions": "action server", "nginx": "nginx", "postgresql": "PostgreSQL",
         "redis": "Redis", "load_client": "load client"}


def cpu_parts(cpu: Dict) -> str:
    """``{part: ms}`` as ``Rasa server(s) 14.0 ms, action server 4.0 ms, ...`` (known parts first)."""
    order = [part for part in PARTS if part in cpu] + sorted(set(cpu) - set(PARTS))
    return ", ".join(f"{PARTS.get(part, part)} {fmt(cpu[part], 1)} ms" for part in order)


def throughput_table(runs: Dict) -> List[str]:
    """Markdown table rows of the load runs in ``runs`` (``{"c<n>": run_load result, ...}``;
    other keys are ignored), with the CPU per message when measured."""
    lines = ["| concurrent senders | messages | msg/s | p50 ms | p95 ms | max ms | errors | empty replies "
             "| Rasa CPU ms/msg | actions CPU ms/msg |", "|---|---|---|---|---|---|---|---|---|---|"]
    for key, t in runs.items():
        if not (key.startswith("c") and isinstance(t, dict) and "concurrency" in t):
            continue
        cpu = t.get("cpu_ms_per_message", {})
        lines.append(f"| {t['concurrency']} | {t['messages']} | {t['msg_per_s']} | {t['latency_ms']['p50']} | "
                     f"{t['p95_ms']} | {t['latency_ms']['max']} | {t['errors']} | {t['empty_replies']} | "
                     f"{fmt(cpu.get('rasa'), 1)} | {fmt(cpu.get('actions'), 1)} |")
    return lines


def render_markdown(results: Dict) -> str:
    """``results.md`` (Markdown text) of ``results`` (the dict of results.json)."""
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
        lines += ["## Understanding (held-out sets: intent macro-F1 / accuracy)", "",
                  f"Held-out examples: {nlu.get('ours', {}).get('examples', '?')} per variant of the held-out set"
                  + "".join(f"; {s} {n}" for s, n in nlu.get("ours", {}).get("examples_by_subset", {}).items()
                            if s in NEW_SUBSETS)
                  + ". `telex_vni` and `chat_abbrev` are scored as written; for `compound` the figure is the share "
                  "of messages whose every part (each question's intent, or fact, and every agency) is recognised.",
                  "", "| pipeline | diacritics | no diacritics | CAPS | NFD | telex_vni | chat_abbrev | compound "
                  "| confident wrong |", "|---|---|---|---|---|---|---|---|---|"]
        for name in ("ours", "whitespace_baseline", "tfidf_logreg"):
            if name not in nlu:
                continue
            e = nlu[name]
            cells = [f"{fmt(e['intent_macro_f1'].get(s))} / {fmt(e['intent_accuracy'].get(s))}" for s in SUBSETS]
            cells.append(fmt(e.get("intent_macro_f1_nfd")))
            cells += [fmt(e["intent_macro_f1"].get(s)) for s in NEW_SUBSETS]
            cells.append(fmt(e.get("confident_wrong_total")))
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += ["", "Agency entity F1 (exact spans; the TF-IDF baseline has no entities):", "",
                  "| pipeline | " + " | ".join(REPORTED) + " |", "|---|" + "---|" * len(REPORTED)]
        for name in ("ours", "whitespace_baseline"):
            by = nlu.get(name, {}).get("entity_f1_by_subset")
            if by:
                lines.append(f"| {name} | " + " | ".join(fmt(by.get(s)) for s in REPORTED) + " |")
        sample = nlu.get("ours", {}).get("confident_wrong_sample")
        if sample:
            lines += ["", "Confident wrong answers of ours (first ones): "
                      + "; ".join(f"«{w['text']}» → {w['predicted']} ({fmt(w['confidence'], 2)})" for w in sample)
                      + "."]
        cv = nlu.get("ours_cross_validation")
        if cv:
            lines += ["", f"{cv['folds']}-fold cross-validation of our pipeline on the hand-written training "
                      "examples (diacritic-free copies made from each training part only): intent macro-F1 "
                      + ", ".join(f"{s} {fmt(cv['intent_macro_f1_mean'][s])} ± {fmt(cv['intent_macro_f1_std'][s])}"
                                  for s in SUBSETS)
                      + (", pooled over the folds " + fmt(cv["intent_macro_f1_pooled"])
                         if "intent_macro_f1_pooled" in cv else "")
                      + f"; agency entity F1 {fmt(cv['entity_f1_mean'])}."]
            if cv.get("lowest_intents"):
                lines.append("Lowest intents (pooled F1, examples): "
                             + ", ".join(f"{i} {fmt(f, 2)} ({n})" for i, f, n in cv["lowest_intents"]) + ".")
        close = dict(nlu.get("closeness", {}))
        if cv and cv.get("closeness"):
            close["cross-validation test parts"] = cv["closeness"]
        if close:
            bands = list(next(iter(close.values()))["accuracy_by_closeness"])
            lines += ["", "Closeness to the training examples (nearest neighbour, character 3-gram Jaccard; "
                      "`bench/overlap.py`) and our intent accuracy by closeness band:", "",
                      "| test set | messages | median | share ≥ 0.8 | " + " | ".join(f"accuracy {b}" for b in bands)
                      + " |", "|---|---|---|---|" + "---|" * len(bands)]
            for name, c in close.items():
                lines.append(f"| {name} | {c['messages']} | {fmt(c['median'])} | {fmt(c['share_close'])} | "
                             + " | ".join(f"{fmt(c['accuracy_by_closeness'][b]['accuracy'])} "
                                          f"(n={c['accuracy_by_closeness'][b]['messages']})" for b in bands) + " |")
        if not cv:
            lines += ["", "Cross-validation: not run in this mode."]
        lines.append("")
    ev = results.get("eval")
    if ev:
        lines += ["## Acceptance questions (`../shared/eval/*.yml` and `../shared/eval-chat/*.yml` over REST)", "",
                  "| file | cases | passed | pass rate |", "|---|---|---|---|"]
        for name, s in ev["files"].items():
            lines.append(f"| {name} | {s['cases']} | {s['passed']} | {fmt(s['pass_rate'])} |")
        lines.append(f"| **all** | {ev['cases']} | {ev['passed']} | {fmt(ev['pass_rate'])} |")
        lines.append("")
    seq = results.get("latency_ms", {}).get("sequential")
    if seq:
        lines += ["## Latency and throughput (REST on loopback, mixed load)", "",
                  "One `make run` process (action server, SQLite agency database and tracker store). "
                  f"Sequential, {seq['n']} messages: p50 {seq['p50']} ms, p95 {seq['p95']} ms, "
                  f"p99 {seq['p99']} ms, max {seq['max']} ms (errors {seq['errors']}, empty replies "
                  f"{seq['empty_replies']}).", "", *throughput_table(results.get("throughput", {})), ""]
    cluster = results.get("throughput_cluster", {})
    if cluster.get("skipped"):
        lines += [f"Scale-out configuration: not measured ({cluster['skipped']}).", ""]
    elif cluster:
        lines += [f"The scale-out configuration on the same machine: {cluster['servers']} Rasa servers on "
                  "PostgreSQL (tracker store) and Redis (lock store) behind nginx, one action server on PostgreSQL "
                  f"(start-up {fmt(cluster.get('startup_s'), 1)} s; Rasa PSS at rest "
                  f"{fmt(cluster.get('pss_idle_mb'), 1)} MB, under load {fmt(cluster.get('pss_load_mb'), 1)} MB, "
                  "all servers together).", "", *throughput_table(cluster), ""]
    train, server = results.get("train", {}), results.get("server", {})
    if train or server or "first_answer" in results:
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
            if "pss_idle_mb" in server:
                lines.append(f"| Rasa server PSS at rest / peak under load | {server['pss_idle_mb']} / "
                             f"{fmt(server.get('pss_load_mb'), 1)} MB |")
        cpu = results.get("cpu_ms_per_message")
        if cpu:
            lines.append("| CPU per message, one `make run` (sequential and concurrent runs) | "
                         f"{cpu_parts(cpu)} |")
        cluster_cpu = results.get("throughput_cluster", {}).get("cpu_ms_per_message")
        if cluster_cpu:
            lines.append(f"| CPU per message, scale-out configuration (every run) | {cpu_parts(cluster_cpu)} |")
        if "first_answer" in results:
            fa = results["first_answer"]
            lines.append("| fresh clone → `make run` → first answer (install, training included) | "
                         + (f"{fa['seconds']} s" if fa.get("seconds") is not None else f"no answer: {fa.get('error')}")
                         + " |")
        lines.append("")
    tg = results.get("targets", [])
    if tg:
        lines += ["## Targets (issues 5, 11 and 12)", "", f"Before: {BASELINE_NOTE}.", "",
                  "| target | before (issue 12) | goal | measured | met |", "|---|---|---|---|---|"]
        for t in tg:
            value = fmt(t["value"]) if isinstance(t["value"], dict) else t["value"]
            lines.append(f"| {t['target']} | {t.get('before') or ''} | {t['goal']} | {value} | "
                         f"{'yes' if t['met'] else '**no**'} |")
        lines.append("")
    return "\n".join(lines)
