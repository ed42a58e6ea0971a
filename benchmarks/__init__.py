"""Performance benchmarks for approxtheory; run ``python -m benchmarks --help``.

The harness lives in :mod:`benchmarks.harness`; benchmarks register themselves by name from
the modules listed in ``harness.BENCHMARK_MODULES``.
"""
