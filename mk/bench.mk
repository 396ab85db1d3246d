# Benchmark (issue 5): answer quality, latency, throughput and training cost,
# side by side with two baselines, every figure measured in one run.
#   make bench       full run (trains every pipeline itself, ~30 min on 2 cores)
#                    -> bench/results.md + bench/results.json (committed)
#   make test-bench  smoke mode inside `make test`: tiny data, few epochs, a few
#                    requests (~3-4 min) -> results/bench-smoke/ (not committed)
.PHONY: bench test-bench

bench: install
	$(BIN)/python -m bench.run --out bench

test-bench: install
	$(BIN)/python -m pytest tests/bench -q

TEST_STAGES += test-bench
