"""Checking claims on several cores: the per-run memo, the task plan, the same verdicts as in turn, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from approxtheory import registry
from approxtheory.core import CheckContext, Claim, Outcome, Source, Status
from approxtheory.core.memo import RunMemo, SharedWork, active, per_run, run_memo
from approxtheory.parallel import Job, check_task, plan, schedule
from approxtheory.runner import run_claims

calls: list[tuple] = []


@per_run
def _square(x: int, power: int = 2) -> int:
    calls.append((x, power))
    return x**power


@per_run(portable=True)
def _shared(x: int) -> list[int]:
    return [x]


def test_a_per_run_function_computes_once_per_run_and_never_outside_one() -> None:
    calls.clear()
    assert _square(3) == _square(3) == 9 and len(calls) == 2  # no run: nothing kept
    with run_memo():
        assert _square(3) == _square(3, 2) == _square(x=3, power=2) == 9  # one call, however it is spelt
        assert _square(3, 3) == 27
    assert calls[2:] == [(3, 2), (3, 3)]
    with run_memo():  # a new run computes afresh
        _square(3)
    assert calls[4:] == [(3, 2)]
    assert active() is None


def test_a_nested_run_keeps_the_outer_memo_and_portable_entries_travel_once() -> None:
    with run_memo() as outer:
        with run_memo() as inner:
            assert inner is outer
            _shared(1)
            _square(1)
        taken = outer.take_portable()
        assert [v for v in taken.values()] == [[1]] and outer.take_portable() == {}
    fresh = RunMemo()
    fresh.merge(taken)
    with run_memo(fresh):
        assert _shared(1) == [1] and len(fresh) == 1  # found, not recomputed


def test_claim_check_shares_within_one_check() -> None:
    calls.clear()

    def verify(ctx: CheckContext) -> Outcome:
        _square(5)
        _square(5)
        return Outcome(Status.SUPPORTED, "numerical", "twice")

    Claim(id="TEST.a.statement.b", statement="s", source=Source("TEST", "v", "-"), provenance="classical",
          scope="statement", verify=verify).check()
    assert calls == [(5, 2)]


def _claim(name: str, cost: str = "fast", shares: str = "") -> Claim:
    return Claim(id=f"TEST.{name}.statement.x", statement="s", source=Source("TEST", "v", "-"), provenance="classical",
                 scope="statement", verify=lambda ctx: Outcome(Status.SUPPORTED, "numerical", "-"), cost=cost, shares=shares)


def test_plan_groups_shared_work_and_starts_slow_and_large_tasks_first() -> None:
    a, b, c, d, e = _claim("a"), _claim("b", shares="w"), _claim("c", "slow"), _claim("d", shares="w"), _claim("e")
    assert plan([a, b, c, d, e]) == [[c], [b, d], [a], [e]]


def test_report_work_starts_after_the_slow_claims_and_before_the_fast_ones() -> None:
    a, b, c = _claim("a"), _claim("b", "slow"), _claim("c", "slow", shares="w")

    def work() -> None: ...

    assert schedule([a, b, c], [work]) == [Job([b], []), Job([c], []), Job([], [work]), Job([a], [])]
    assert schedule([a], []) == [Job([a], [])]


def test_shared_work_runs_after_the_claims_it_shares_with_in_their_job() -> None:
    a, b, c = _claim("a", shares="w"), _claim("b"), _claim("c", shares="w")

    def work() -> None: ...

    def other() -> None: ...

    jobs = schedule([a, b, c], [SharedWork(work, "w"), SharedWork(other, "nobody selected")])
    assert jobs == [Job([], [other]), Job([a, c], [work]), Job([b], [])]


def test_a_failing_work_beside_claims_keeps_their_verdicts() -> None:
    def broken() -> None:
        raise RuntimeError("figure data failed")

    verdicts, _ = check_task("run", CHEAP[:1], 0, None, [broken])
    assert [v.claim_id for v in verdicts] == CHEAP[:1]
    with pytest.raises(RuntimeError, match="figure data failed"):
        check_task("run", [], 0, None, [broken])  # alone, the failure reaches the run (which leaves it to the reader)


CHEAP = ["GYZ26.lem.softmax_max.statement.c_closed_form", "GYZ26.prop.complexity.statement.nnz_bounds",
         "JL24.cor.vanish.statement.condition"]


def test_two_workers_give_the_verdicts_of_a_run_in_turn_in_the_same_order() -> None:
    claims = [registry().get(i) for i in CHEAP]
    serial = run_claims(claims, seed=3)
    parallel = run_claims(claims, seed=3, workers=2)
    assert [v.claim_id for v in parallel] == CHEAP
    assert [(v.status, v.evidence) for v in parallel] == [(v.status, v.evidence) for v in serial]


def _workers_of(pid: int) -> list[int]:
    """Pool workers among the children of ``pid`` (the spawn bootstrap, not the resource tracker)."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text()
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
def test_ctrl_c_with_workers_exits_130_and_ends_every_worker() -> None:
    cmd = [sys.executable, "-m", "approxtheory", "check", "CLSL25", "--workers", "2", "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    deadline = time.monotonic() + 180
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        time.sleep(0.2)
        workers = _workers_of(proc.pid)
    assert len(workers) == 2
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert json.loads(stdout)["interrupted"] is True
    assert stderr.strip().splitlines()[-1].startswith("interrupted") and "Traceback" not in stderr
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(map(_alive, workers)):
        time.sleep(0.1)
    assert not any(map(_alive, workers))


def test_equal_arguments_of_another_type_are_another_entry() -> None:
    calls.clear()
    with run_memo():
        _square(1)
        _square(True)
        _square(1.0)
    assert [type(x) for x, _ in calls] == [int, bool, float]
