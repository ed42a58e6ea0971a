"""Benchmarks of whole commands, each a fresh process as a user runs it (issue 14, items 4 and 5).

* ``main_job``: wall seconds of the README's main job, ``approxtheory report --out DIR`` (every claim,
  then the report's tables and figures; the venv set-up is not timed), with the default workers (one
  per usable core) and an empty XLA cache (approxtheory.compile_cache: a machine's first run), against
  the same command with ``--workers 1`` (every claim in turn, one process, no cache) in the same run.
  Both must give the same verdict for every claim.
* ``main_job_warm``: the same command again on the cache the first run filled (every later run), against
  that first run. The verdicts must be the first run's.
* ``regress_default``: wall seconds of ``approxtheory regress`` (every bound, every fast verdict, default
  workers, no XLA cache) against the issue's 120 s budget.
* ``regress_bounds_only``: wall seconds of ``approxtheory regress --bounds-only`` against
  ``approxtheory theorems --json`` in the same run: the start-up every command pays (imports, registry).

``--quick`` runs the five claims of GYZ26.lem.softmax_max only. The load average before and after each command is recorded:
on a machine shared with other jobs the seconds are upper figures.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from approxtheory.compile_cache import ENV as CACHE_ENV
from approxtheory.parallel import usable_cores

from .harness import Config, Result, register

ROOT = Path(__file__).resolve().parent.parent
REGRESS_BUDGET_S = 120.0
QUICK_IDS = ["GYZ26.lem.softmax_max"]  # --quick: five cheap claims, enough to start the workers


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _command(args: Sequence[str], xla_cache: str = "off") -> tuple[float, subprocess.CompletedProcess, dict[str, Any]]:
    """Run ``approxtheory ARGS`` in a fresh process from the repository root, with the XLA cache folder
    ``xla_cache`` (``off``: none, every program compiled): wall seconds, the process, and the load average
    and CPU seconds (the process and its workers: what the load does not inflate)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           CACHE_ENV: xla_cache}
    load = {"before": os.getloadavg()[0]}
    cpu, start = _cpu_of_children(), time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "approxtheory", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    load.update(after=os.getloadavg()[0], cpu_s=round(_cpu_of_children() - cpu, 1))
    if proc.returncode != 0:
        raise RuntimeError(f"approxtheory {' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return wall, proc, load


def _report(ids: Sequence[str], workers: int | None, xla_cache: str = "off") -> tuple[float, dict[str, Any], dict[str, Any]]:
    with tempfile.TemporaryDirectory() as out:
        extra = [] if workers is None else ["--workers", str(workers)]
        wall, proc, load = _command(["report", *ids, "--out", out, "--json", *extra], xla_cache)
    return wall, json.loads(proc.stdout), load


def _statuses(data: dict[str, Any]) -> dict[str, str]:
    return {v["claim_id"]: v["status"] for v in data["verdicts"]}


@cache
def _first_run(ids: tuple[str, ...]) -> tuple[float, dict[str, Any], dict[str, Any], str]:
    """The main job on every core with an empty XLA cache, which it fills; the cache folder lives as long as
    this process, so that ``main_job_warm`` can run on it."""
    folder = tempfile.mkdtemp(prefix="approxtheory-bench-xla-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return (*_report(ids, None, folder), folder)


@register
def main_job(config: Config) -> Result:
    """The main job on every core, first run (empty XLA cache), against the same job in one process."""
    ids = QUICK_IDS if config.quick else []
    wall, data, load, _ = _first_run(tuple(ids))
    serial_wall, serial, serial_load = _report(ids, 1)
    verdicts = _statuses(data)
    if verdicts != _statuses(serial):
        raise AssertionError("the parallel and the serial report disagree on a verdict")
    slowest = sorted(serial["verdicts"], key=lambda v: -v["seconds"])[:10]
    return Result(
        value=wall,
        unit="s",
        reference="the same `approxtheory report` with --workers 1 (claims in turn, one process), same run",
        reference_value=serial_wall,
        details={"ids": ids or "all", "claims": len(verdicts), "workers": usable_cores(), "load_and_cpu": load,
                 "serial_load_and_cpu": serial_load,
                 "claim_seconds_in_workers": round(sum(v["seconds"] for v in data["verdicts"]), 1),
                 "claim_seconds_serial": round(sum(v["seconds"] for v in serial["verdicts"]), 1),
                 "slowest_claims_serial_s": {v["claim_id"]: v["seconds"] for v in slowest}},
    )


@register
def main_job_warm(config: Config) -> Result:
    """The main job on every core again, on the XLA cache its first run filled, against that first run."""
    ids = QUICK_IDS if config.quick else []
    cold_wall, cold, cold_load, folder = _first_run(tuple(ids))
    wall, data, load = _report(ids, None, folder)
    if _statuses(data) != _statuses(cold):
        raise AssertionError("the main job on a warm XLA cache and its first run disagree on a verdict")
    return Result(value=wall, unit="s", reference="the same `approxtheory report` on an empty XLA cache (the first run), same run",
                  reference_value=cold_wall,
                  details={"ids": ids or "all", "claims": len(data["verdicts"]), "workers": usable_cores(),
                           "load_and_cpu": load, "first_run_load_and_cpu": cold_load,
                           "claim_seconds_in_workers": round(sum(v["seconds"] for v in data["verdicts"]), 1)})


@register
def regress_default(config: Config) -> Result:
    """`approxtheory regress` (bounds and fast verdicts) against the issue's two-minute budget."""
    ids = QUICK_IDS if config.quick else []
    wall, proc, load = _command(["regress", *ids, "--json"])
    data = json.loads(proc.stdout)
    return Result(value=wall, unit="s", reference="the issue-14 budget for the default regress: 120 s",
                  reference_value=REGRESS_BUDGET_S,
                  details={"regressions": data["regressions"], "skipped_slow": len(data["skipped_slow"]),
                           "load_and_cpu": load})


@register
def regress_bounds_only(config: Config) -> Result:
    """`approxtheory regress --bounds-only` against the start-up of any command (`theorems`)."""
    wall, proc, load = _command(["regress", "--bounds-only", "--json"])
    startup, _, startup_load = _command(["theorems", "--json"])
    return Result(value=wall, unit="s", reference="`approxtheory theorems --json` in a fresh process (imports and "
                  "registry, the start-up of every command), same run", reference_value=startup,
                  details={"regressions": json.loads(proc.stdout)["regressions"], "target_s": 10.0,
                           "load_and_cpu": load, "startup_load_and_cpu": startup_load})
