"""Search and sweep throughput.

- search_throughput_<claim>: examples per second of a claim's whole search (Hypothesis generate,
  target, shrink and the Nelder-Mead polish), against the bare objective evaluated on the same
  inputs in a loop; the ratio is the share of search time spent in the objective. JAX traces after
  warm-up are counted and must be 0.
- sweep_two_workers: cells per second of one sweep on a 2-worker process pool against 1 worker.
"""

from __future__ import annotations

import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from approxtheory.constructions import softmax_max as gap_kernel
from approxtheory.networks import transformer
from approxtheory.papers.gyz26 import regions, simulation, softmax_max
from approxtheory.search import RatioSearch, run_ratio_search
from approxtheory.sweep import make_cells, open_executor, parse_grid, run_sweep

from .harness import Config, Result, register


def _throughput(search: RatioSearch[Any], budget: int, counters: list[Any]) -> Result:
    seen: list[Any] = []
    recording = RatioSearch(**{**search.__dict__, "ratio": lambda e: (seen.append(e), search.ratio(e))[1]})
    run_ratio_search(recording, budget=min(budget, 20), seed=1)  # warm-up: compile once
    before = [c.count for c in counters]
    seen.clear()
    t0 = time.perf_counter()
    run_ratio_search(recording, budget=budget, seed=0)
    search_s = time.perf_counter() - t0
    traces = sum(c.count for c in counters) - sum(before)
    evaluated = list(seen)
    t0 = time.perf_counter()
    for e in evaluated:
        search.ratio(e)
    bare_s = time.perf_counter() - t0
    return Result(value=len(evaluated) / search_s, unit="examples/s",
                  reference="the bare objective on the same inputs, in a loop", reference_value=len(evaluated) / bare_s,
                  details={"budget": budget, "evaluations": len(evaluated), "search_s": search_s, "objective_s": bare_s,
                           "traces_after_warm_up": traces})


@register
def search_throughput_softmax_gap(config: Config) -> Result:
    return _throughput(softmax_max.gap_search(), 200 if config.quick else 1000, [gap_kernel.TRACES])


@register
def search_throughput_softmax_error(config: Config) -> Result:
    return _throughput(simulation.SOFT_SEARCH, 50 if config.quick else 300, [transformer.TRACES])


@register
def search_throughput_width1_regions(config: Config) -> Result:
    return _throughput(regions.WIDTH1_SEARCH, 50 if config.quick else 300, [])


def _sweep_rate(workers: int, cells: list[Any]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run_sweep(cells, Path(tmp) / "s.jsonl", partial(open_executor, workers=workers), window=2 * workers)
        return len(cells) / (time.perf_counter() - t0)


@register
def sweep_two_workers(config: Config) -> Result:
    seeds = "0..3" if config.quick else "0..11"
    cells = make_cells(["GYZ26.lem.softmax_max.statement.gap_bound"], parse_grid([f"seed={seeds}", "budget=1000"]))
    one, two = _sweep_rate(1, cells), _sweep_rate(2, cells)
    return Result(value=two, unit="cells/s", reference="the same sweep on 1 worker", reference_value=one,
                  details={"cells": len(cells), "claim": "GYZ26.lem.softmax_max.statement.gap_bound (budget 1000)",
                           "includes": "process start-up (spawn, JAX import) of each pool"})
