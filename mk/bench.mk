# Benchmark (issues 5, 12): answer quality, latency, throughput, CPU, memory and
# training cost, side by side with two baselines, every figure measured in one run;
# one `make run` process and the scale-out configuration (needs PostgreSQL,
# Redis and nginx, as `make run-cluster`).
#   make bench       full run (trains every pipeline itself, times a fresh clone's
#                    `make run`; ~45 min on 2 cores)
#                    -> bench/results.md + bench/results.json (committed)
#   make test-bench  smoke mode inside `make test`: tiny data, few epochs, a few
#                    requests (~4-5 min) -> results/bench-smoke/ (not committed)
.PHONY: bench test-bench

bench: install nginx
	$(BIN)/python -m bench.run --out bench

test-bench: install nginx
	$(BIN)/python -m pytest tests/bench -q

TEST_STAGES += test-bench
