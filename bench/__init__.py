"""Benchmark: answer quality, latency, throughput and training cost (issue 5).

``python -m bench.run`` (``make bench``) trains every pipeline itself, measures
it and writes ``bench/results.json`` and ``bench/results.md``;
``python -m bench.run --smoke --out results/bench-smoke`` runs the same code on
tiny data (``make test-bench``).
"""
