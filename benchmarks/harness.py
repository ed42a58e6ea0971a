"""A small benchmark harness: named benchmarks, each reported as a ratio against a reference.

Every benchmark is a function registered by name in :data:`BENCHMARKS`. It takes a
:class:`Config` and returns a :class:`Result` whose ``value`` and ``reference_value`` were both
measured in the same process run (so the ``ratio`` compares like with like on this machine).

Timing (:func:`measure`) uses ``time.perf_counter``: warm-up calls are run first and discarded
(they absorb JIT compilation and cache effects), then ``repeat`` samples are taken and the
median is reported.

Results go to a JSON file (``benchmarks/results.json`` by default)::

    {"machine": {...}, "results": [{"name", "value", "unit", "reference",
                                     "reference_value", "ratio", "details"}, ...]}

Results already in the file for benchmarks that were not run this time are kept (merged by name).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import importlib
import io
import json
import math
import os
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parent / "results.json"

# Modules whose import registers benchmarks (via @register).
BENCHMARK_MODULES: tuple[str, ...] = (
    "benchmarks.bench_softmax",
    "benchmarks.bench_regions",
    "benchmarks.bench_search",
    "benchmarks.bench_jl24",
    "benchmarks.bench_we24",
    "benchmarks.bench_uap",
    "benchmarks.bench_mainjob",
)

RESULT_KEYS = ("name", "value", "unit", "reference", "reference_value", "ratio", "details")


# --------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median of ``repeat`` samples, warm-up calls excluded."""

    median: float
    samples: tuple[float, ...]
    warmup: int
    number: int  # calls averaged inside each sample

    def to_dict(self) -> dict[str, Any]:
        return {
            "median_s": self.median,
            "min_s": min(self.samples),
            "max_s": max(self.samples),
            "repeat": len(self.samples),
            "warmup": self.warmup,
            "number": self.number,
        }


def measure(fn: Callable[[], Any], *, warmup: int = 1, repeat: int = 5, number: int = 1) -> Timing:
    """Time ``fn()``: ``warmup`` discarded calls, then ``repeat`` samples of ``number`` calls each."""
    if repeat < 1 or number < 1 or warmup < 0:
        raise ValueError(f"measure wants repeat >= 1, number >= 1, warmup >= 0; got {repeat}, {number}, {warmup}")
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return Timing(median=statistics.median(samples), samples=tuple(samples), warmup=warmup, number=number)


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Config:
    """What a benchmark may depend on: smoke-test sizes or full sizes, and the RNG seed."""

    quick: bool = False
    seed: int = 0


@dataclass
class Result:
    """One benchmark's outcome; ``ratio`` is ``value / reference_value``."""

    value: float
    unit: str
    reference: str  # what the reference is, in words
    reference_value: float  # measured in the same run, same unit as ``value``
    details: dict[str, Any] = field(default_factory=dict)
    name: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.reference_value

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": float(self.value),
            "unit": self.unit,
            "reference": self.reference,
            "reference_value": float(self.reference_value),
            "ratio": float(self.ratio),
            "details": self.details,
        }


Benchmark = Callable[[Config], Result]

BENCHMARKS: dict[str, Benchmark] = {}


def register(fn: Benchmark | None = None, *, name: str | None = None):
    """Decorator: register ``fn`` under ``name`` (default: the function's name)."""

    def deco(f: Benchmark) -> Benchmark:
        key = name or f.__name__
        if key in BENCHMARKS and BENCHMARKS[key] is not f:
            raise ValueError(f"benchmark {key!r} registered twice")
        BENCHMARKS[key] = f
        return f

    return deco(fn) if fn is not None else deco


def load_benchmarks() -> dict[str, Benchmark]:
    for module in BENCHMARK_MODULES:
        importlib.import_module(module)
    return BENCHMARKS


def run_benchmark(name: str, config: Config) -> Result:
    result = BENCHMARKS[name](config)
    result = dataclasses.replace(result, name=name)
    for label, x in (("value", result.value), ("reference_value", result.reference_value)):
        if not (math.isfinite(x) and x > 0):
            raise RuntimeError(f"benchmark {name}: {label} must be finite and positive, got {x!r}")
    result.details.setdefault("quick", config.quick)
    result.details.setdefault("seed", config.seed)
    result.details.setdefault("run_at", datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
    return result


# --------------------------------------------------------------------------- machine description


def _cpu_model() -> str:
    proc = platform.processor()
    if proc and proc not in {"x86_64", "aarch64", "arm64", "i386"}:
        return proc
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return proc or platform.machine()


def blas_info() -> dict[str, Any]:
    """The BLAS/LAPACK numpy was built against, as ``numpy.show_config`` reports it."""
    import numpy as np

    try:
        cfg = np.show_config(mode="dicts")  # numpy >= 1.26
    except TypeError:
        buf = io.StringIO()
        with redirect_stdout(buf):
            np.show_config()
        return {"show_config": buf.getvalue()}
    deps = cfg.get("Build Dependencies", {}) if isinstance(cfg, dict) else {}
    out: dict[str, Any] = {"blas": deps.get("blas"), "lapack": deps.get("lapack")}
    simd = cfg.get("SIMD Extensions") if isinstance(cfg, dict) else None
    if simd is not None:
        out["simd"] = simd
    return out


def machine_info() -> dict[str, Any]:
    import jax
    import numpy as np

    try:
        from importlib.metadata import version

        jaxlib_version = version("jaxlib")
    except Exception:  # pragma: no cover - metadata missing
        jaxlib_version = None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        usable = os.cpu_count()
    thread_env = {
        k: os.environ[k]
        for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "XLA_FLAGS", "JAX_ENABLE_X64")
        if k in os.environ
    }
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "jax": jax.__version__,
        "jaxlib": jaxlib_version,
        "jax_backend": jax.default_backend(),
        "jax_devices": [str(d) for d in jax.devices()],
        "cpu_count": os.cpu_count(),
        "cpu_count_usable": usable,
        "thread_env": thread_env,
        "blas": blas_info(),
    }


# --------------------------------------------------------------------------- results file


def read_results(path: Path) -> dict[str, Any]:
    """The results file's contents, or an empty document if it is absent or unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"machine": {}, "results": []}
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        return {"machine": {}, "results": []}
    return data


def merge_results(existing: Iterable[dict[str, Any]], new: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace entries of ``existing`` by name with ``new``; keep the rest; registry order first."""
    by_name: dict[str, dict[str, Any]] = {}
    for entry in existing:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            by_name[entry["name"]] = entry
    for entry in new:
        by_name[entry["name"]] = entry
    order = {name: i for i, name in enumerate(BENCHMARKS)}
    return sorted(by_name.values(), key=lambda e: (order.get(e["name"], len(order)), e["name"]))


def write_results(path: Path, machine: dict[str, Any], results: Sequence[Result]) -> dict[str, Any]:
    path = Path(path)
    doc = {
        "machine": machine,
        "results": merge_results(read_results(path)["results"], [r.to_dict() for r in results]),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return doc


# --------------------------------------------------------------------------- reporting


def _fmt(x: float) -> str:
    if x == 0 or not math.isfinite(x):
        return str(x)
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.4g}"
    return f"{x:.3e}"


def render_table(results: Sequence[Result], console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title="benchmarks (ratio = value / reference, same run)")
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("reference", justify="right", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    table.add_column("ratio", justify="right", style="cyan", no_wrap=True)
    for r in results:
        table.add_row(r.name, _fmt(r.value), _fmt(r.reference_value), r.unit, _fmt(r.ratio))
    console.print(table)
    for r in results:
        console.print(f"  [dim]{r.name}: reference = {r.reference}[/dim]", highlight=False)


# --------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Run named benchmarks against same-run references."
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"results JSON (default: {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=0, help="RNG seed (default 0)")
    parser.add_argument("--list", action="store_true", help="list benchmark names and exit")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from rich.console import Console

    args = parse_args(argv)
    console = Console()
    load_benchmarks()
    if args.list:
        for name in BENCHMARKS:
            console.print(name)
        return 0
    names = list(dict.fromkeys(args.names)) or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        console.print(f"[red]unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}[/red]")
        return 2

    config = Config(quick=args.quick, seed=args.seed)
    t0 = time.perf_counter()
    results: list[Result] = []
    failures: list[str] = []
    for name in names:
        console.print(f"running {name}{' (quick)' if config.quick else ''} ...")
        t_start = time.perf_counter()
        try:
            result = run_benchmark(name, config)
        except Exception:
            failures.append(name)
            console.print(f"[bold red]benchmark {name} FAILED[/bold red]")
            console.print(traceback.format_exc(), markup=False, highlight=False)
            continue
        result.details.setdefault("benchmark_wall_s", time.perf_counter() - t_start)
        results.append(result)

    if results:
        write_results(args.out, machine_info(), results)
        render_table(results, console)
        console.print(f"wrote {args.out}")
    console.print(f"total {time.perf_counter() - t0:.1f} s")
    if failures:
        console.print(f"[bold red]FAILED: {', '.join(failures)}[/bold red]")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
