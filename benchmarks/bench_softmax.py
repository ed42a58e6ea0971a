"""Benchmarks for ``approxtheory.constructions.softmax_max``: the batched JAX gap kernel.

Inputs (fixed seed, ``numpy.random.default_rng(seed)``): rows of padded width 8, each with
``n`` in [2, 8] live entries drawn uniformly from [-1, 1] and a sentinel (1e3) in the padding,
so that a masking bug would show up as a disagreement with the unpadded reference; ``beta`` is
log-uniform in [1e-2, 1e2]. With |beta * (z_i - max z)| <= 200 no weight underflows, so the two
evaluations of the gap can be compared to 1e-12 relative.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from approxtheory.constructions import softmax_max
from approxtheory.constructions.softmax_max import softmax_gap, softmax_gap_numpy

from .harness import Config, Result, Timing, measure, register

WIDTH = 8
N_MIN, N_MAX = 2, 8
Z_RANGE = (-1.0, 1.0)
BETA_RANGE = (1e-2, 1e2)
PAD_SENTINEL = 1e3
RTOL = 1e-12


@dataclass(frozen=True)
class Sizes:
    batch: int  # rows given to the JAX kernel
    ref_rows: int  # rows of the same batch given to the NumPy per-sample loop
    kernel_repeat: int
    ref_repeat: int
    matmul_n: int
    matmul_repeat: int


FULL = Sizes(batch=65536, ref_rows=2000, kernel_repeat=41, ref_repeat=11, matmul_n=2048, matmul_repeat=7)
QUICK = Sizes(batch=2048, ref_rows=200, kernel_repeat=3, ref_repeat=3, matmul_n=256, matmul_repeat=3)


def sizes(config: Config) -> Sizes:
    return QUICK if config.quick else FULL


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class GapInputs:
    z: np.ndarray  # (batch, width) float64, padding holds PAD_SENTINEL
    mask: np.ndarray  # (batch, width) bool, True on the first n[i] entries of row i
    beta: np.ndarray  # (batch,) float64
    n: np.ndarray  # (batch,) int

    def rows(self, count: int) -> list[tuple[np.ndarray, float]]:
        """The first ``count`` rows unpadded, as the NumPy reference takes them."""
        return [(self.z[i, : self.n[i]].copy(), float(self.beta[i])) for i in range(count)]


@lru_cache(maxsize=4)
def make_inputs(batch: int, width: int = WIDTH, seed: int = 0) -> GapInputs:
    rng = np.random.default_rng(seed)
    n = rng.integers(N_MIN, N_MAX + 1, size=batch)
    z = rng.uniform(*Z_RANGE, size=(batch, width))
    beta = np.exp(rng.uniform(math.log(BETA_RANGE[0]), math.log(BETA_RANGE[1]), size=batch))
    mask = np.arange(width)[None, :] < n[:, None]
    z = np.where(mask, z, PAD_SENTINEL)
    for a in (z, mask, beta, n):
        a.setflags(write=False)
    return GapInputs(z=z, mask=mask, beta=beta, n=n)


# --------------------------------------------------------------------------- agreement check


class AgreementError(AssertionError):
    """The JAX kernel and the NumPy reference disagree beyond the tolerance."""


def check_agreement(fast: np.ndarray, reference: np.ndarray, rtol: float = RTOL) -> float:
    """Max relative difference of ``fast`` against ``reference``; raises AgreementError above ``rtol``.

    Relative to ``|reference|`` (floored at the smallest normal double, so a zero gap still
    compares sensibly). Non-finite values or mismatched shapes also raise.
    """
    fast = np.asarray(fast, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if fast.shape != reference.shape:
        raise AgreementError(f"shape mismatch: kernel {fast.shape} vs reference {reference.shape}")
    if fast.size == 0:
        raise AgreementError("nothing to compare")
    if not (np.all(np.isfinite(fast)) and np.all(np.isfinite(reference))):
        bad = np.flatnonzero(~(np.isfinite(fast) & np.isfinite(reference)))
        raise AgreementError(f"non-finite gaps at rows {bad[:10].tolist()}")
    rel = np.abs(fast - reference) / np.maximum(np.abs(reference), np.finfo(np.float64).tiny)
    worst = int(np.argmax(rel))
    max_rel = float(rel[worst])
    if not max_rel <= rtol:
        raise AgreementError(
            f"JAX kernel and NumPy reference disagree: max relative difference {max_rel:.3e} > {rtol:.0e} "
            f"at row {worst} (kernel {fast[worst]!r}, reference {reference[worst]!r})"
        )
    return max_rel


# --------------------------------------------------------------------------- shared measurements


def _traces() -> int | None:
    counter = getattr(softmax_max, "TRACES", None)
    return getattr(counter, "count", None)


def time_kernel(inputs: GapInputs, repeat: int) -> tuple[np.ndarray, Timing, dict]:
    """Gaps and timing of the public ``softmax_gap`` (jit+vmap, incl. host<->device conversion)."""

    def call() -> np.ndarray:
        return softmax_gap(inputs.z, inputs.mask, inputs.beta)

    traces_before = _traces()
    t0 = time.perf_counter()
    gaps = call()  # first call: compiles for this (batch, width) unless already cached
    first_call_s = time.perf_counter() - t0
    traces_warm = _traces()
    timing = measure(call, warmup=2, repeat=repeat)
    traces_after = _traces()
    info = {
        "first_call_s": first_call_s,
        "traces_first_call": None if traces_before is None else traces_warm - traces_before,
        "traces_during_timing": None if traces_warm is None else traces_after - traces_warm,
    }
    return gaps, timing, info


# --------------------------------------------------------------------------- benchmarks


@register
def softmax_gap_throughput(config: Config) -> Result:
    """Samples/s of the jit+vmap kernel vs a Python loop of ``softmax_gap_numpy`` over rows."""
    sz = sizes(config)
    inputs = make_inputs(sz.batch, WIDTH, config.seed)
    gaps, kt, kinfo = time_kernel(inputs, sz.kernel_repeat)

    rows = inputs.rows(sz.ref_rows)

    def loop() -> list[float]:
        return [softmax_gap_numpy(z, b) for z, b in rows]

    ref_gaps = np.array(loop())
    rt = measure(loop, warmup=1, repeat=sz.ref_repeat)
    max_rel = check_agreement(gaps[: sz.ref_rows], ref_gaps)  # raises (benchmark fails) above RTOL

    kernel_sps = sz.batch / kt.median
    ref_sps = sz.ref_rows / rt.median  # per-sample rate of the loop, scaled from the subset
    return Result(
        value=kernel_sps,
        unit="samples/s",
        reference=f"NumPy per-sample loop of softmax_gap_numpy ({sz.ref_rows} rows)",
        reference_value=ref_sps,
        details={
            "batch": sz.batch,
            "width": WIDTH,
            "n_range": [N_MIN, N_MAX],
            "mean_n": float(inputs.n.mean()),
            "z_range": list(Z_RANGE),
            "beta_range_log_uniform": list(BETA_RANGE),
            "reference_rows": sz.ref_rows,
            "agreement_rows": sz.ref_rows,
            "agreement_rtol": RTOL,
            "max_rel_diff": max_rel,
            "kernel_s_per_batch": kt.to_dict(),
            "reference_s_per_subset": rt.to_dict(),
            "kernel_us_per_sample": 1e6 / kernel_sps,
            "reference_us_per_sample": 1e6 / ref_sps,
            **kinfo,
            "note": "kernel timed through the public softmax_gap (includes x64 context and host<->device "
            "conversion); reference loop over pre-sliced unpadded rows, slicing not timed",
        },
    )


def gap_flop_model(width: int) -> dict[str, int]:
    """Floating-point operations per padded row of ``softmax_max._gap``, by kind.

    Model: every lane of the padded width is computed (vmap does not skip masked entries), each
    elementwise op / select / compare / transcendental counts 1, a reduction over W entries
    counts W - 1. Following ``_gap`` and ``jax.scipy.special.logsumexp``:

      zm = where(mask, z, -inf)          W selects
      top = max(zm)                      W-1 compares
      d = where(mask, z - top, 0)        W subtracts + W selects
      logits = where(mask, beta*d, -inf) W multiplies + W selects
      logsumexp(logits): amax            W-1 compares
                         isfinite/select 2 scalar ops
                         exp(l - amax)   W subtracts + W exps
                         sum             W-1 adds
                         abs, log, +amax 3 scalar ops
      p = exp(logits - lse)              W subtracts + W exps
      -sum(where(mask, p*d, 0))          W multiplies + W selects + W-1 adds + 1 negate

    Total 15 W + 2 (122 for W = 8).
    """
    w = width
    return {
        "select (4 jnp.where)": 4 * w,
        "compare (max z, max in logsumexp)": 2 * (w - 1),
        "subtract (z-top, logits-amax, logits-lse)": 3 * w,
        "multiply (beta*d, p*d)": 2 * w,
        "exp (logsumexp, p)": 2 * w,
        "add (two sums)": 2 * (w - 1),
        "scalar (isfinite, select, abs, log, add, negate)": 6,
    }


def matmul_flops(n: int, repeat: int, seed: int) -> tuple[float, Timing]:
    """This machine's float64 ``a @ b`` rate on n x n matrices (2 n^3 flops per product)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    b = rng.standard_normal((n, n))
    out = np.empty((n, n))
    timing = measure(lambda: np.matmul(a, b, out=out), warmup=1, repeat=repeat)
    return 2.0 * n**3 / timing.median, timing


def matmul_fraction(value: float, n: int, repeat: int, seed: int, details: dict[str, Any]) -> Result:
    """A flop/s ``value`` as a Result against this machine's float64 n x n matmul rate, measured now."""
    mm_flops, mt = matmul_flops(n, repeat, seed)
    return Result(value=value, unit="flop/s", reference=f"NumPy float64 matmul {n}x{n} (2n^3 flops)",
                  reference_value=mm_flops,
                  details={**details, "matmul_n": n, "matmul_s": mt.to_dict(), "matmul_gflops": mm_flops / 1e9})


@register
def softmax_gap_flop_fraction(config: Config) -> Result:
    """Achieved flop/s of the kernel (by the model in gap_flop_model) over float64 matmul flop/s."""
    sz = sizes(config)
    inputs = make_inputs(sz.batch, WIDTH, config.seed)
    _, kt, kinfo = time_kernel(inputs, sz.kernel_repeat)
    model = gap_flop_model(WIDTH)
    flops_per_row = sum(model.values())
    kernel_flops = sz.batch * flops_per_row / kt.median

    return matmul_fraction(kernel_flops, sz.matmul_n, sz.matmul_repeat, config.seed, {
        "batch": sz.batch,
        "width": WIDTH,
        "flops_per_row": flops_per_row,
        "flop_model": model,
        "flop_model_rules": "per padded row (all W lanes computed under vmap); each elementwise "
        "arithmetic op, select (jnp.where), compare, exp and log counts 1 flop; a reduction over W "
        "entries counts W-1; total 15W+2",
        "kernel_s_per_batch": kt.to_dict(),
        "kernel_gflops": kernel_flops / 1e9,
        **kinfo,
    })
