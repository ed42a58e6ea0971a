"""Checking claims on several cores, through the sweep's process pool (spawned workers, no fork under JAX).

Claims are independent, so a run hands them to ``workers`` processes, with two rules:
- claims that declare the same ``shares`` name repeat one per-run computation (core.memo): they form
  one task, checked one after another in one worker, so that the work is done once;
- tasks start in a fixed order, slow claims and larger groups first, so that no long task starts last
  while the other worker idles (the order never changes a verdict: every verdict flows from the seed);
  the report's own work (a training for a figure, say) starts after the slow claims and before the fast
  ones, which fill in around it, instead of after everything; work that repeats a claim group's per-run
  computations (core.memo.SharedWork) runs after that group, in its worker, and finds them there.

Each worker keeps one memo for the run, so tasks landing in the same worker also share; the portable
entries it computed (plain data, core.memo) travel back with the verdicts into the parent's memo,
where the report's tables and figures find them. A worker ignores Ctrl-C (the parent handles it, keeps
the verdicts already in and ends the pool) and ends when its parent dies.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from typing import Any, NamedTuple

from . import interrupt
from .core import CheckContext, Claim, Verdict
from .core.memo import RunMemo, SharedWork, Work, active, run_memo

Done = Callable[[Claim, Verdict], None]


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no sched_getaffinity (macOS)
        return max(1, os.cpu_count() or 1)


def _slow(task: Sequence[Claim]) -> bool:
    return any(c.cost == "slow" for c in task)


def plan(claims: Sequence[Claim]) -> list[list[Claim]]:
    """The tasks of a run: claims grouped by ``shares`` (each alone if empty), slow and large tasks first."""
    groups: dict[tuple[str, str], list[Claim]] = {}
    for claim in claims:
        groups.setdefault(("shares", claim.shares) if claim.shares else ("claim", claim.id), []).append(claim)
    tasks = list(groups.values())
    return sorted(tasks, key=lambda t: (not _slow(t), -len(t)))


class Job(NamedTuple):
    """What one worker does in one go: check ``claims`` in turn, then compute ``works``, in the run's memo."""

    claims: list[Claim]
    works: list[Callable[[], object]]


def schedule(claims: Sequence[Claim], extra: Sequence[Work] = ()) -> list[Job]:
    """The jobs of a run in the order they start: the slow tasks of :func:`plan`, then the ``extra`` work, then the
    fast tasks; a :class:`SharedWork` joins the task of the claims it shares with (alone if none is selected)."""
    tasks = plan(claims)
    joined: dict[int, list[Callable[[], object]]] = {}
    alone: list[Job] = []
    for work in extra:
        shares = work.shares if isinstance(work, SharedWork) else ""
        compute = work.compute if isinstance(work, SharedWork) else work
        index = next((i for i, t in enumerate(tasks) if shares and t[0].shares == shares), None)
        if index is None:
            alone.append(Job([], [compute]))
        else:
            joined.setdefault(index, []).append(compute)
    jobs = [Job(t, joined.get(i, [])) for i, t in enumerate(tasks)]
    return [*(j for j in jobs if _slow(j.claims)), *alone, *(j for j in jobs if not _slow(j.claims))]


_worker_memo: tuple[str, RunMemo] | None = None  # in a worker process: (run id, the run's memo)


def _memo_of(run_id: str) -> RunMemo:
    global _worker_memo
    if _worker_memo is None or _worker_memo[0] != run_id:
        _worker_memo = (run_id, RunMemo())
    return _worker_memo[1]


def check_task(run_id: str, claim_ids: Sequence[str], seed: int, budget: int | None,
               works: Sequence[Callable[[], object]] = ()) -> tuple[list[Verdict], dict[Hashable, Any]]:
    """In a worker: check the claims (looked up in the default registry), then compute ``works`` (calls of portable
    per-run functions), in the run's memo; the verdicts and the portable memo entries computed meanwhile."""
    from . import registry
    from .runner import check_one

    reg = registry()
    with run_memo(_memo_of(run_id)) as memo:
        verdicts = [check_one(reg.get(i), CheckContext(seed=seed, budget=budget)) for i in claim_ids]
        for work in works:
            try:
                work()
            except Exception:  # noqa: BLE001 - whoever reads the entry computes it again and reports the failure
                if not claim_ids:
                    raise
        return verdicts, memo.take_portable()


def reachable(claims: Sequence[Claim]) -> bool:
    """Whether a worker finds these very claims: they are the default registry's (a worker loads only that)."""
    from . import registry

    reg = registry()
    return all(c.id in reg and reg.get(c.id) is c for c in claims)


def run_parallel(claims: Sequence[Claim], workers: int, *, seed: int, budget: int | None, done: Done,
                 failed: Callable[[Claim, str], Verdict], extra: Sequence[Work] = ()) -> None:
    """Check ``claims`` in ``workers`` processes, calling ``done`` as each verdict comes in, and compute the
    ``extra`` work there too (see :func:`schedule`; its portable entries join the active memo; a failure
    there is left to whoever reads the entry, which then computes it itself).

    A worker that dies (killed, out of memory) fails its tasks: ``failed(claim, problem)`` gives their
    verdicts. Ctrl-C raises KeyboardInterrupt here after the pool is shut down and its workers ended.
    """
    from .sweep import open_executor

    jobs = schedule(claims, extra)
    run_id = uuid.uuid4().hex
    memo = active()
    with open_executor(workers=min(workers, len(jobs))) as pool:
        pending: dict[Future, list[Claim]] = {
            pool.submit(check_task, run_id, [c.id for c in job.claims], seed, budget, job.works): job.claims for job in jobs}
        while pending:
            finished, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            interrupt.check()  # a Ctrl-C swallowed while waiting still ends the run
            for future in finished:
                task = pending.pop(future)
                try:
                    verdicts, portable = future.result()
                except Exception as err:  # noqa: BLE001 - extra work that failed is redone by its reader
                    if task and not isinstance(err, BrokenExecutor):
                        raise  # a verifier's bug surfaces as it would in a run in turn
                    for claim in task:
                        done(claim, failed(claim, f"its worker process died ({err}); check it alone with --workers 1"))
                    continue
                if memo is not None:
                    memo.merge(portable)
                for claim, verdict in zip(task, verdicts):
                    done(claim, verdict)
