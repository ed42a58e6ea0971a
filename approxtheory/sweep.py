"""Sweeps: claims x a parameter grid, run through a ``concurrent.futures`` Executor.

Results stream to a JSON-lines file, one line per finished cell, flushed and fsynced, so a
killed sweep loses at most the cells in flight; a restart skips every cell already in the file
(a torn last line is discarded). A cell whose worker dies is reported and retried once, alone.
The executor is in-process by default, a local process pool with ``workers``, or Dask's own
``Client.get_executor()`` for ``dask://HOST:PORT``: no scheduling code of ours.

The file's first line is a header naming the format, the claims and the grid; a file without it is
someone else's and is never written to. The writer holds an exclusive lock (``fcntl.flock``) on the
file, so a second sweep on the same ``--out`` stops with a clear error instead of duplicating cells.
Grid cells are generated lazily and bounded (:data:`MAX_CELLS`).
"""

from __future__ import annotations

import fcntl
import itertools
import json
import math
import multiprocessing
import multiprocessing.util
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import interrupt
from .core import ApproxTheoryError, Claim, Status
from .core.errors import Interrupted
from .output import dumps, fallback_path
from .runner import check_budget

SPECIAL = ("seed", "budget")
#: The first line's ``format``: files of another format are refused, never rewritten.
SWEEP_FORMAT = "approxtheory.sweep/1"
#: Most cells one sweep may have (claims x every grid combination; README, "Errors and limits").
MAX_CELLS = 100_000
#: Longest single grid value, in characters.
MAX_VALUE_CHARS = 100
SEED_LIMIT = 2**63


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


def _value(text: str, spec: str) -> Any:
    if len(text) > MAX_VALUE_CHARS:
        raise ApproxTheoryError(f"grid entry {spec!r}: a value has {len(text)} characters, at most {MAX_VALUE_CHARS} allowed")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        raise ApproxTheoryError(f"grid entry {spec!r}: {text!r} is not a finite number", "grid values are finite numbers or names")
    return number


def _range(spec: str, values: str) -> range:
    lo, _, hi = values.partition("..")
    try:
        start, stop = int(lo), int(hi)
    except ValueError:
        raise ApproxTheoryError(f"grid range {spec!r} needs integer ends", "e.g. seed=0..9") from None
    if stop < start:
        raise ApproxTheoryError(f"grid range {spec!r} is empty (its end is below its start)", "e.g. seed=0..9")
    return range(start, stop + 1)


def parse_grid(specs: Sequence[str]) -> dict[str, Sequence[Any]]:
    """``name=a,b,c`` or ``name=lo..hi`` (integers, inclusive, kept as a lazy range) per spec; ``seed`` defaults to 0.

    ``seed`` values must lie in [0, 2**63) like ``--seed``, ``budget`` values in [1, MAX_BUDGET] like ``--budget``.
    """
    grid: dict[str, Sequence[Any]] = {}
    for spec in specs:
        name, sep, values = spec.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise ApproxTheoryError(f"grid entry {spec!r} is not NAME=VALUES", "e.g. --grid seed=0..9 or --grid budget=100,1000")
        if len(values) > MAX_VALUE_CHARS * 100:
            raise ApproxTheoryError(f"grid entry for {name!r} is {len(values)} characters long", "use a range lo..hi")
        items: Sequence[Any] = _range(spec, values) if ".." in values else \
            [_value(v.strip(), spec) for v in values.split(",") if v.strip()]
        if not items:
            raise ApproxTheoryError(f"grid entry {spec!r} has no values")
        if name in grid:
            raise ApproxTheoryError(f"grid parameter {name!r} is given twice")
        grid[name] = items
    seeds = grid.get("seed", ())
    for value in (seeds[0], seeds[-1]) if isinstance(seeds, range) else seeds:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < SEED_LIMIT:
            raise ApproxTheoryError(f"grid seed values must be non-negative integers below 2**63 (like --seed), got {value!r}")
    budgets = grid.get("budget", ())
    for value in (budgets[0], budgets[-1]) if isinstance(budgets, range) else budgets:
        check_budget(value, "grid budget values")
    grid.setdefault("seed", [0])
    return grid


def check_grid(grid: dict[str, Sequence[Any]], claims: Sequence[Claim]) -> int:
    """Every non-special name must be a parameter each claim declares; the number of cells, at most MAX_CELLS."""
    for name in grid:
        if name in SPECIAL:
            continue
        missing = [c.id for c in claims if name not in c.params]
        if missing:
            declared = sorted({p for c in claims for p in c.params})
            raise ApproxTheoryError(
                f"grid parameter {name!r} is not read by {missing[0]}" + (f" and {len(missing) - 1} other claims" if len(missing) > 1 else ""),
                "allowed names: " + ", ".join([*SPECIAL, *declared]))
    cells = len(claims) * math.prod(len(values) for values in grid.values())
    if cells > MAX_CELLS:
        raise ApproxTheoryError(f"the sweep has {cells:_} cells, more than the limit of {MAX_CELLS:_}",
                                "split it into several sweeps over smaller grids")
    return cells


def iter_cells(claim_ids: Iterable[str], grid: dict[str, Sequence[Any]]) -> Iterator[Cell]:
    """The cells one at a time, in a fixed order (claims, then seeds, budgets and named parameters)."""
    names = sorted(k for k in grid if k not in SPECIAL)
    for claim_id in claim_ids:
        for seed, budget, *rest in itertools.product(grid["seed"], grid.get("budget", [None]), *(grid[n] for n in names)):
            yield Cell(claim_id, seed, budget, tuple(zip(names, rest)))


def make_cells(claim_ids: Iterable[str], grid: dict[str, Sequence[Any]]) -> list[Cell]:
    return list(iter_cells(claim_ids, grid))


def sweep_header(claim_ids: Sequence[str], grid: dict[str, Sequence[Any]] | None) -> dict[str, Any]:
    """The first line of a sweep file: format, claims and grid (a range written as "lo..hi")."""
    shown = None if grid is None else {
        name: f"{values[0]}..{values[-1]}" if isinstance(values, range) else list(values) for name, values in sorted(grid.items())}
    return {"format": SWEEP_FORMAT, "claims": list(claim_ids), "grid": shown}


def run_cell(cell: dict[str, Any]) -> dict[str, Any]:
    """Check one cell in whatever process the executor chose (imports the registry there)."""
    from . import registry
    from .core import CheckContext
    from .runner import check_one

    claim = registry().get(cell["claim_id"])
    verdict = check_one(claim, CheckContext(seed=cell["seed"], budget=cell["budget"], params=cell["params"]))
    return {"cell": cell, "verdict": verdict.to_dict()}


def _not_ours(path: Path, why: str) -> ApproxTheoryError:
    return ApproxTheoryError(f"{path} is not an approxtheory sweep file ({why}); it is left untouched",
                             "choose another --out (a new file is created with a header line)")


def _record_key(record: Any) -> str:
    """The cell key of a record of the shape this version writes; TypeError for any other shape."""
    c, verdict = record["cell"], record["verdict"]
    ints = [c["seed"]] + ([] if c["budget"] is None else [c["budget"]])
    if not (isinstance(c["claim_id"], str) and isinstance(c["params"], dict) and isinstance(verdict, dict)
            and all(isinstance(n, int) and not isinstance(n, bool) for n in ints)
            and verdict.get("claim_id") == c["claim_id"] and verdict.get("status") in {s.value for s in Status}):
        raise TypeError("not a sweep record")
    return Cell(c["claim_id"], c["seed"], c["budget"], tuple(sorted(c["params"].items()))).key


def _scan(data: bytes, path: Path) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]], int]:
    """(header, finished cells by key, length of the good prefix) of a sweep file's bytes."""
    if not data:
        return None, {}, 0
    first, newline, rest = data.partition(b"\n")
    try:
        header = json.loads(first)
    except (ValueError, RecursionError):  # bad JSON or UTF-8, an integer too long, nesting too deep
        header = None
    if not isinstance(header, dict) or header.get("format") != SWEEP_FORMAT or not newline:
        if not newline and isinstance(header, dict) and header.get("format") == SWEEP_FORMAT:
            return None, {}, 0  # only the header, torn: nothing finished yet
        fmt = header.get("format") if isinstance(header, dict) else None
        raise _not_ours(path, f"its format is {fmt!r}, this version writes {SWEEP_FORMAT!r}" if fmt
                        else f"its first line is not the header {{\"format\": \"{SWEEP_FORMAT}\", ...}}")
    done: dict[str, dict[str, Any]] = {}
    good = len(first) + 1
    for raw in rest.splitlines(keepends=True):
        try:
            record = json.loads(raw)
            key = _record_key(record)
        except (ValueError, RecursionError, KeyError, TypeError, AttributeError):  # ValueError: bad JSON or UTF-8, a huge integer
            if raw.endswith(b"\n"):
                raise ApproxTheoryError(f"sweep file {path} has a corrupt line after byte {good}",
                                        "remove that line, or start a new file with --out") from None
            break  # torn tail (a kill in the middle of a write): dropped
        done[key] = record
        good += len(raw)
    return header, done, good


def read_done(path: Path) -> dict[str, dict[str, Any]]:
    """Finished cells by key (read only; a torn last line is ignored)."""
    if not path.exists():
        return {}
    return _scan(path.read_bytes(), path)[1]


class SweepFile:
    """A sweep file held under an exclusive lock: checked header, finished cells, appends that are fsynced."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise ApproxTheoryError(f"cannot open sweep file {path}: {err.strerror}", "choose another --out") from None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise ApproxTheoryError(f"another sweep is writing to {path} (it holds the file's lock)",
                                    "wait for it to finish, or choose another --out") from None
        try:
            self._open(header)
        except BaseException:
            os.close(self.fd)
            raise

    def _open(self, header: dict[str, Any]) -> None:
        size = os.fstat(self.fd).st_size
        data = os.pread(self.fd, size, 0)
        found, self.done, good = _scan(data, self.path)
        self.appended = 0  # records written by this run (the header is not one)
        if found is None:
            os.ftruncate(self.fd, 0)
            self._write(header)
            return
        if (found.get("claims"), found.get("grid")) != (header["claims"], header["grid"]) and header["grid"] is not None:
            raise ApproxTheoryError(
                f"sweep file {self.path} holds another sweep (claims {found.get('claims')}, grid {found.get('grid')})",
                "re-run with the same claims and grid to resume it, or choose another --out")
        if good != size:
            os.ftruncate(self.fd, good)
        if not data[:good].endswith(b"\n"):  # a complete last record without its newline: end its line first
            os.lseek(self.fd, 0, os.SEEK_END)
            os.write(self.fd, b"\n")
            os.fsync(self.fd)

    def append(self, record: dict[str, Any]) -> None:
        """One finished cell, written in full and fsynced (see :meth:`_write`), even if Ctrl-C comes meanwhile."""
        with interrupt.shielded():
            self._write(record)
            self.appended += 1

    def _write(self, record: dict[str, Any]) -> None:
        """One line, written in full and fsynced; on failure the line goes to a fallback file, named in the error."""
        line = (dumps(record, sort_keys=True) + "\n").encode()
        try:
            os.lseek(self.fd, 0, os.SEEK_END)
            view = memoryview(line)
            while view:
                view = view[os.write(self.fd, view):]
            os.fsync(self.fd)
        except OSError as err:
            fallback = fallback_path(self.path.name)
            with fallback.open("a", encoding="utf-8") as fh:
                fh.write(line.decode())
            raise ApproxTheoryError(
                f"cannot append to sweep file {self.path} ({err.strerror}); the result in hand was saved to {fallback}, "
                "the cells written before are kept", "free some space, then re-run the same command to resume") from None

    def close(self) -> None:
        os.close(self.fd)  # releases the lock


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)  # the sweep that started this worker is gone (even by SIGKILL): so is its work


def _worker_init(parent: int) -> None:
    """In each pool worker: leave Ctrl-C to the parent, and end when the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _end_now(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers without waiting for their tasks, and release its semaphores in this thread.

    An exit by os._exit (the CLI after Ctrl-C) skips finalisers, so the pool's semaphores are released
    here (the finalisers of priority >= 0), or the resource tracker reports them on stderr as leaked.
    Their objects are held until then: once the pool drops its queues they are cyclic garbage, and a
    collection on another thread (one of XLA's, say) would run their finalisers there, where the
    os._exit can cut one between unlinking a semaphore and telling the tracker, which then reports it.
    """
    finalisable = [ref() for ref in (f._weakref for f in list(multiprocessing.util._finalizer_registry.values()))
                   if ref is not None]
    pool.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.terminate()
        child.join()
    pool.shutdown(wait=True)
    multiprocessing.util._run_finalizers(0)
    del finalisable  # held until their finalisers have run, here


class InlineExecutor(Executor):
    """Runs each task at submit time in this process (the default: no workers, same results)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except KeyboardInterrupt:
            raise
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(err)
        return future


def check_executor(address: str | None) -> None:
    """An executor address is None or dask://HOST:PORT (checked before the sweep file is opened)."""
    if address is not None and not address.startswith("dask://"):
        raise ApproxTheoryError(f"unknown executor {address!r}", "use dask://HOST:PORT for a Dask scheduler")


@contextmanager
def open_executor(workers: int | None = None, address: str | None = None) -> Iterator[Executor]:
    """In-process, a spawn-based local process pool, or a Dask cluster's own executor."""
    check_executor(address)
    if address is not None:
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
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_init, initargs=(os.getpid(),))
        try:
            yield pool
        except BaseException:  # Ctrl-C or an error: do not wait for the cells in flight
            _end_now(pool)
            raise
        pool.shutdown(wait=True)
    else:
        yield InlineExecutor()


@dataclass
class SweepSummary:
    cells: int
    already_done: int
    ran: int = 0
    retried: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


class _Pending:
    """Cells still to run, drawn lazily from the grid; a cell that never ran can be put back in front."""

    def __init__(self, cells: Iterable[Cell], done: dict[str, Any]) -> None:
        self.skipped = 0  # cells of the grid already done (records of other cells are not counted)
        self._cells = self._skip(cells, done)
        self._front: deque[Cell] = deque()

    def _skip(self, cells: Iterable[Cell], done: dict[str, Any]) -> Iterator[Cell]:
        for cell in cells:
            if cell.key in done:
                self.skipped += 1
            else:
                yield cell

    def __bool__(self) -> bool:
        if not self._front:
            nxt = next(self._cells, None)
            if nxt is not None:
                self._front.append(nxt)
        return bool(self._front)

    def pop(self) -> Cell:
        return self._front.popleft() if self._front else next(self._cells)

    def put_back(self, cell: Cell) -> None:
        self._front.appendleft(cell)


def _drain(executor: Any, queue: _Pending, window: int, out: SweepFile, summary: SweepSummary,
           failures: list[tuple[Cell, BaseException]], progress: Callable[[], None]) -> None:
    """Keep up to ``window`` cells in flight, appending each result as it lands; stop if the executor breaks."""
    in_flight: dict[Future, Cell] = {}
    broken = False
    while (queue and not broken) or in_flight:
        interrupt.check()  # a cell whose library turned Ctrl-C into another error must not keep the sweep going
        while not broken and len(in_flight) < window and queue:
            cell = queue.pop()
            try:
                in_flight[executor.submit(run_cell, cell.to_dict())] = cell
            except BrokenExecutor:
                queue.put_back(cell)  # never ran: it goes to the next executor, not to the retries
                broken = True
        if not in_flight:
            break
        finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in finished:
            cell = in_flight.pop(future)
            try:
                record = future.result()
            except Exception as err:  # a dead worker surfaces here (BrokenProcessPool, KilledWorker, ...)
                failures.append((cell, err))
                broken = broken or isinstance(err, BrokenExecutor)
            else:
                out.append(record)
                summary.ran += 1
            progress()


def run_sweep(
    cells: Iterable[Cell],
    path: Path,
    executor_factory: Callable[[], Any],
    *,
    window: int = 1,
    on_done: Callable[[int, int], None] | None = None,
    header: dict[str, Any] | None = None,
    total: int | None = None,
) -> SweepSummary:
    """Run the cells not yet in ``path`` with at most ``window`` in flight; results are appended as they finish.

    ``header`` (default: the cells' claims, no grid) must match the file's; ``total`` is the number of
    cells when ``cells`` is a lazy iterator. Ctrl-C raises :class:`Interrupted` with the summary so far.
    """
    if header is None:
        cells = list(cells)
        header = sweep_header(list(dict.fromkeys(c.claim_id for c in cells)), None)
    total = len(cells) if total is None else total  # type: ignore[arg-type]
    out = SweepFile(path, header)
    try:
        queue = _Pending(cells, out.done)
        summary = SweepSummary(cells=total, already_done=0)
        failures: list[tuple[Cell, BaseException]] = []

        def progress() -> None:
            summary.already_done = queue.skipped
            if on_done:
                on_done(summary.already_done + summary.ran + len(failures), total)

        try:
            while queue:  # a broken executor is replaced for the cells that never ran
                with executor_factory() as executor:
                    _drain(executor, queue, window, out, summary, failures, progress)
            for cell, first in failures:  # once more, alone, so a crashing cell cannot take others with it
                summary.retried.append(cell.key)
                with executor_factory() as executor:
                    try:
                        record = executor.submit(run_cell, cell.to_dict()).result()
                    except Exception as err:
                        summary.failed.append({"cell": cell.to_dict(), "first_error": repr(first), "retry_error": repr(err)})
                    else:
                        out.append(record)
                        summary.ran += 1
            summary.already_done = queue.skipped  # the grid was drawn to its end
        except KeyboardInterrupt:
            raise Interrupted(partial=summary, kept=f"{len(out.done) + out.appended} finished cells kept in {path}; "
                                                    "re-run the same command to resume") from None
    finally:
        out.close()
    return summary


def load_results(path: Path) -> list[dict[str, Any]]:
    return list(read_done(path).values())
