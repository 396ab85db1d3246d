"""Benchmark: answer quality, latency, throughput and training cost (issues 5 and 11).

``python -m bench.run`` (``make bench``) trains every pipeline itself, measures
it and writes ``bench/results.json`` and ``bench/results.md``;
``python -m bench.run --smoke --out results/bench-smoke`` runs the same code on
tiny data (``make test-bench``).

Modules, one job each:

- :mod:`bench.run` -- the driver: runs the stages in order, writes the results after each;
- :mod:`bench.data` -- training data, held-out set and pipeline configurations of a run;
- :mod:`bench.train` -- timed training of our pipeline and the baselines;
- :mod:`bench.nlu_eval` -- scores NLU models on a test file (in a subprocess);
- :mod:`bench.cross_validation` -- k-fold cross-validation (also ``python -m bench.cross_validation``);
- :mod:`bench.serve` -- the servers (through :class:`bot.server.launcher.Launcher`) and what is measured on them;
- :mod:`bench.cluster` -- the same load on the scale-out configuration (PostgreSQL, Redis, nginx);
- :mod:`bench.first_answer` -- a fresh clone's ``make run`` timed to its first answer (full run);
- :mod:`bench.load` -- the REST load client (the benchmark's runs and the cluster tests');
- :mod:`bench.targets`, :mod:`bench.render` -- the goals of issues 5, 11 and 12 (the thresholds the held-out
  test reads too), and ``results.md``;
- :mod:`bench.overlap` -- how close test messages are to the training examples (also ``python -m bench.overlap``);
- :mod:`bench.procs` -- timed commands, peak memory (RSS, PSS), CPU time from ``/proc``, machine and package facts;
- :mod:`bench.evalset` -- the question sets (held-out set and its chat and compound subsets, acceptance
  files), their scoring and the reply checks, shared with the tests;
- :mod:`bench.profile` -- where time and memory go in the Rasa server (``bench/NOTES.md``).

Nothing here imports from ``tests/`` (the tests import from here).
"""
