"""Sweeps: claims x a parameter grid, run through a ``concurrent.futures`` Executor.

Results stream to a JSON-lines file, one line per finished cell, flushed and fsynced, so a
killed sweep loses at most the cells in flight; a restart skips every cell already in the file
(a torn last line is discarded). A cell whose worker dies is reported and retried once, alone.
The executor is in-process by default, a local process pool with ``workers``, or Dask's own
``Client.get_executor()`` for ``dask://HOST:PORT``: no scheduling code of ours.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections import deque
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .core import ApproxTheoryError

SPECIAL = ("seed", "budget")


@dataclass(frozen=True)
class Cell:
    """One claim at one point of the grid."""

    claim_id: str
    seed: int
    budget: int | None
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def key(self) -> str:
        return json.dumps([self.claim_id, self.seed, self.budget, [list(p) for p in self.params]])

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "seed": self.seed, "budget": self.budget, "params": dict(self.params)}


def _value(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse_grid(specs: Sequence[str]) -> dict[str, list[Any]]:
    """``name=a,b,c`` or ``name=lo..hi`` (integers, inclusive) per spec; ``seed`` defaults to 0."""
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        name, sep, values = spec.partition("=")
        name = name.strip()
        if not sep or not name or not values:
            raise ApproxTheoryError(f"grid entry {spec!r} is not NAME=VALUES", "e.g. --grid seed=0..9 or --grid budget=100,1000")
        if ".." in values:
            lo, _, hi = values.partition("..")
            try:
                items: list[Any] = list(range(int(lo), int(hi) + 1))
            except ValueError:
                raise ApproxTheoryError(f"grid range {spec!r} needs integer ends", "e.g. seed=0..9") from None
        else:
            items = [_value(v.strip()) for v in values.split(",") if v.strip()]
        if not items:
            raise ApproxTheoryError(f"grid entry {spec!r} has no values")
        if name in grid:
            raise ApproxTheoryError(f"grid parameter {name!r} is given twice")
        grid[name] = items
    for name in SPECIAL:
        bad = [v for v in grid.get(name, []) if not isinstance(v, int) or v < (0 if name == "seed" else 1)]
        if bad:
            raise ApproxTheoryError(f"grid {name} values must be {'non-negative' if name == 'seed' else 'positive'} integers, got {bad}")
    grid.setdefault("seed", [0])
    return grid


def make_cells(claim_ids: Iterable[str], grid: dict[str, list[Any]]) -> list[Cell]:
    names = sorted(k for k in grid if k not in SPECIAL)
    cells = []
    for claim_id in claim_ids:
        for seed, budget, *rest in itertools.product(grid["seed"], grid.get("budget", [None]), *(grid[n] for n in names)):
            cells.append(Cell(claim_id, seed, budget, tuple(zip(names, rest))))
    return cells


def run_cell(cell: dict[str, Any]) -> dict[str, Any]:
    """Check one cell in whatever process the executor chose (imports the registry there)."""
    from . import registry
    from .core import CheckContext

    claim = registry().get(cell["claim_id"])
    verdict = claim.check(CheckContext(seed=cell["seed"], budget=cell["budget"], params=cell["params"]))
    return {"cell": cell, "verdict": verdict.to_dict()}


def read_done(path: Path) -> dict[str, dict[str, Any]]:
    """Finished cells by key; a torn last line (from a kill mid-write) is cut off the file."""
    done: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return done
    good_bytes = 0
    with path.open("rb") as fh:
        for raw in fh:
            try:
                record = json.loads(raw)
                key = Cell(record["cell"]["claim_id"], record["cell"]["seed"], record["cell"]["budget"],
                           tuple(sorted(record["cell"]["params"].items()))).key
            except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError):
                if raw.endswith(b"\n"):
                    raise ApproxTheoryError(f"sweep file {path} has a corrupt line after byte {good_bytes}",
                                            "remove that line, or start a new file with --out") from None
                break  # torn tail: drop it
            done[key] = record
            good_bytes += len(raw)
    if good_bytes != path.stat().st_size:
        with path.open("rb+") as fh:
            fh.truncate(good_bytes)
    return done


class InlineExecutor(Executor):
    """Runs each task at submit time in this process (the default: no workers, same results)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(err)
        return future


@contextmanager
def open_executor(workers: int | None = None, address: str | None = None) -> Iterator[Executor]:
    """In-process, a spawn-based local process pool, or a Dask cluster's own executor."""
    if address is not None:
        if not address.startswith("dask://"):
            raise ApproxTheoryError(f"unknown executor {address!r}", "use dask://HOST:PORT for a Dask scheduler")
        try:
            from distributed import Client
        except ImportError:
            raise ApproxTheoryError("a Dask executor needs the 'distributed' package", "pip install 'approxtheory[dask]'") from None
        try:
            client = Client("tcp://" + address.removeprefix("dask://"), timeout="10s")
        except OSError as err:
            raise ApproxTheoryError(f"cannot reach the Dask scheduler at {address}: {err}") from None
        try:
            yield client.get_executor()
        finally:
            client.close()
    elif workers:
        # spawn: JAX is not fork-safe once initialised.
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            yield pool
    else:
        yield InlineExecutor()


@dataclass
class SweepSummary:
    cells: int
    already_done: int
    ran: int = 0
    retried: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def _append(fh: Any, record: dict[str, Any]) -> None:
    fh.write(json.dumps(record, sort_keys=True, default=str) + "\n")
    fh.flush()
    os.fsync(fh.fileno())


def _drain(executor: Any, queue: deque[Cell], window: int, fh: Any, summary: SweepSummary,
           failures: list[tuple[Cell, BaseException]], progress: Callable[[], None]) -> None:
    """Keep up to ``window`` cells in flight, appending each result as it lands; stop if the executor breaks."""
    in_flight: dict[Future, Cell] = {}
    broken = False
    while (queue and not broken) or in_flight:
        while queue and not broken and len(in_flight) < window:
            cell = queue.popleft()
            try:
                in_flight[executor.submit(run_cell, cell.to_dict())] = cell
            except BrokenExecutor:
                queue.appendleft(cell)  # never ran: it goes to the next executor, not to the retries
                broken = True
        if not in_flight:
            break
        finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in finished:
            cell = in_flight.pop(future)
            try:
                _append(fh, future.result())
                summary.ran += 1
            except Exception as err:  # a dead worker surfaces here (BrokenProcessPool, KilledWorker, ...)
                failures.append((cell, err))
                broken = broken or isinstance(err, BrokenExecutor)
            progress()


def run_sweep(
    cells: Sequence[Cell],
    path: Path,
    executor_factory: Callable[[], Any],
    *,
    window: int = 1,
    on_done: Callable[[int, int], None] | None = None,
) -> SweepSummary:
    """Run the cells not yet in ``path`` with at most ``window`` in flight; results are appended as they finish."""
    done = read_done(path)
    queue = deque(c for c in cells if c.key not in done)
    summary = SweepSummary(cells=len(cells), already_done=len(cells) - len(queue))
    failures: list[tuple[Cell, BaseException]] = []

    def progress() -> None:
        if on_done:
            on_done(summary.already_done + summary.ran + len(failures), len(cells))

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        while queue:  # a broken executor is replaced for the cells that never ran
            with executor_factory() as executor:
                _drain(executor, queue, window, fh, summary, failures, progress)
        for cell, first in failures:  # once more, alone, so a crashing cell cannot take others with it
            summary.retried.append(cell.key)
            with executor_factory() as executor:
                try:
                    _append(fh, executor.submit(run_cell, cell.to_dict()).result())
                    summary.ran += 1
                except Exception as err:
                    summary.failed.append({"cell": cell.to_dict(), "first_error": repr(first), "retry_error": repr(err)})
    return summary


def load_results(path: Path) -> list[dict[str, Any]]:
    return list(read_done(path).values())
