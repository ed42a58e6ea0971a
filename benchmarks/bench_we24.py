"""Benchmarks for the WE24 kernel problems (``approxtheory.memory``): the two ways of computing the error.

- ``we24_lp_dual_vs_primal``: our l1 fit (HiGHS on the dual LP, one row per head) against the plain
  primal standard form (one row per offset), on the proof's grid of Lemma F.1 over H and T. Both
  fits' errors are recomputed from their coefficients; they must agree to 1e-3 relative or 1e-5
  absolute (the accuracy HiGHS reaches in this basis: its own reported optima drift by up to 1e-4
  relative and understate the recomputed errors), or the benchmark fails.
- ``we24_gradient_vs_lbfgs``: our gradient optimiser over coefficients and rates (JAX, compiled; timed
  after a warm-up call) against a plain reference: SciPy L-BFGS-B on the same smoothed loss with
  hand-written NumPy gradients, over H and the window T. Both results are re-solved by the LP at the
  rates they found, and their gap is reported; where both methods solve the same convex problem
  (rates frozen) they must agree to 1e-4, or the benchmark fails.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse as sps

from approxtheory.memory import gradient, kernels
from approxtheory.memory.bases import nested_grid, paper_grid_chebyshev
from approxtheory.memory.curves import fixed_rate_agreement
from approxtheory.memory.lp import l1_fit
from approxtheory.memory.problems import Fit, KernelProblem

from .harness import Config, Result, measure, register

LP_RTOL, LP_ATOL = 1e-3, 1e-5
AGREEMENT = 1e-4
BOX = gradient.RateBox(0.01, 5.0)


@dataclass(frozen=True)
class Sizes:
    lp_window: int
    lp_T: tuple[int, ...]
    lp_H: tuple[int, ...]
    opt_windows: tuple[int, ...]
    opt_H: tuple[int, ...]
    repeat: int


FULL = Sizes(2500, (1, 4, 8), (20, 40, 60), (200, 400), (2, 4, 6), 3)
QUICK = Sizes(1200, (1, 4), (20, 30), (150,), (2, 3), 1)


def sizes(config: Config) -> Sizes:
    return QUICK if config.quick else FULL


class AgreementError(RuntimeError):
    """The two computations of one quantity disagree: the benchmark's numbers would be meaningless."""


# --------------------------------------------------------------------------- LP: dual vs primal


def primal_l1(kappa: np.ndarray, basis: np.ndarray, tail: np.ndarray) -> tuple[float, float]:
    """Plain reference: min sum(u + v) + tail.(a+ + a-) s.t. B(a+ - a-) + u - v = kappa, all >= 0 (HiGHS).

    Returns the error recomputed from its coefficients, and the optimum HiGHS reported.
    """
    n, h = basis.shape
    A = sps.hstack([sps.csr_matrix(basis), sps.csr_matrix(-basis), sps.identity(n), -sps.identity(n)], format="csr")
    cost = np.concatenate([tail, tail, np.ones(2 * n)])
    result = scipy.optimize.linprog(cost, A_eq=A, b_eq=kappa, bounds=(0, None), method="highs")
    if result.status != 0:
        raise AgreementError(f"primal reference failed: {result.message}")
    alpha = result.x[:h] - result.x[h:2 * h]
    return float(np.abs(kappa - basis @ alpha).sum() + tail @ np.abs(alpha)), float(result.fun)


@register
def we24_lp_dual_vs_primal(config: Config) -> Result:
    """Seconds for all (T, H) LPs of the Lemma F.1 grid: dual formulation vs plain primal."""
    sz = sizes(config)
    rows, ours_total, ref_total = [], 0.0, 0.0
    for T in sz.lp_T:
        kappa = np.zeros(sz.lp_window + 1)
        kappa[T] = 1.0
        for H in sz.lp_H:
            basis, tail = paper_grid_chebyshev(H, sz.lp_window)
            ours = measure(lambda k=kappa, b=basis, t=tail: l1_fit(k, b, t), warmup=0, repeat=sz.repeat)
            ref = measure(lambda k=kappa, b=basis, t=tail: primal_l1(k, b, t), warmup=0, repeat=sz.repeat)
            dual = l1_fit(kappa, basis, tail)
            reference, reported = primal_l1(kappa, basis, tail)
            gap = abs(dual.objective - reference)
            if gap > LP_RTOL * max(dual.objective, reference) + LP_ATOL:
                raise AgreementError(f"T={T}, H={H}: dual fit error {dual.objective!r} vs primal {reference!r}")
            ours_total += ours.median
            ref_total += ref.median
            rows.append({"T": T, "H": H, "dual_s": ours.median, "primal_s": ref.median,
                         "dual_error_recomputed": dual.objective, "primal_error_recomputed": reference,
                         "dual_reported": dual.solver_value, "primal_reported": reported,
                         "relative_gap": gap / max(reference, 1e-300)})
    return Result(value=ours_total, unit="s", reference="plain primal standard-form LP (HiGHS), same problems",
                  reference_value=ref_total,
                  details={"window": sz.lp_window, "grid": "0.01(k+1), k < H (Chebyshev basis)", "cases": rows,
                           "agreement": {"rtol": LP_RTOL, "atol": LP_ATOL}, "repeat": sz.repeat})


# --------------------------------------------------------------------------- gradient: JAX vs L-BFGS-B


def lbfgs_reference(problem: KernelProblem, start: Fit, settings: gradient.OptimiserSettings) -> Fit:
    """Plain reference: L-BFGS-B over (alpha, log p) on the smoothed lin l1 loss, gradients written out in NumPy."""
    s = np.arange(problem.window + 1, dtype=np.float64)[:, None]
    kappa = problem.target
    H = start.heads
    N1 = problem.window + 1

    def loss(z: np.ndarray, mu: float) -> tuple[float, np.ndarray]:
        alpha, p = z[:H], np.exp(z[H:])
        x = np.exp(-p)
        basis = np.exp(-p * s) * (1 - x)
        tail = np.exp(-p * N1)
        r = kappa - basis @ alpha
        root_r, root_a = np.sqrt(r * r + mu * mu), np.sqrt(alpha * alpha + mu * mu)
        value = float((root_r - mu).sum() + tail @ (root_a - mu))
        psi = r / root_r
        d_alpha = -basis.T @ psi + tail * alpha / root_a
        d_basis = basis * (-s + x / (1 - x))  # d/dp of e^{-p s}(1 - e^{-p})
        d_p = -alpha * (d_basis.T @ psi) - N1 * tail * (root_a - mu)
        return value, np.concatenate([d_alpha, d_p * p])

    z = np.concatenate([start.alpha, np.log(start.rates)])
    bounds = [(None, None)] * H + [(np.log(BOX.lo), np.log(BOX.hi))] * H
    for mu in np.geomspace(settings.mu_start, settings.mu_end, settings.smoothing_levels):
        z = scipy.optimize.minimize(loss, z, args=(mu,), jac=True, method="L-BFGS-B", bounds=bounds,
                                    options={"maxiter": 200}).x
    rates, alpha = np.exp(z[H:]), z[:H]
    error = problem.error(alpha, rates)
    return start if error > start.error else Fit(problem, rates, alpha, error, "L-BFGS-B reference", None)


@register
def we24_gradient_vs_lbfgs(config: Config) -> Result:
    """Seconds per fit of the compiled JAX optimiser vs the NumPy/SciPy L-BFGS-B reference, over H and window T."""
    sz = sizes(config)
    settings = gradient.OptimiserSettings()
    rows, ours_total, ref_total = [], 0.0, 0.0
    pad = max(*sz.opt_H, 4)  # one compiled optimiser per window serves every H and the fixed-rate check
    for window in sz.opt_windows:
        problem = KernelProblem(kernels.damped(0.05), "lin", window)
        agreement = fixed_rate_agreement(problem, nested_grid(4, BOX.lo, BOX.hi), pad_to=pad)
        if agreement["relative_gap"] > AGREEMENT:
            raise AgreementError(f"window {window}: LP and gradient disagree at fixed rates: {agreement}")
        for H in sz.opt_H:
            start = problem.fit(nested_grid(H, BOX.lo, BOX.hi))
            compile_start = time.perf_counter()
            gradient.gradient_fit(problem, start, BOX, settings, pad_to=pad)  # warm-up: compiles once per window
            first_call = time.perf_counter() - compile_start
            ours = measure(lambda p=problem, s=start: gradient.gradient_fit(p, s, BOX, settings, pad_to=pad),
                           warmup=0, repeat=sz.repeat)
            ref = measure(lambda p=problem, s=start: lbfgs_reference(p, s, settings), warmup=0, repeat=sz.repeat)
            jax_fit = problem.fit(gradient.gradient_fit(problem, start, BOX, settings, pad_to=pad).rates)
            ref_fit = problem.fit(lbfgs_reference(problem, start, settings).rates)
            ours_total += ours.median
            ref_total += ref.median
            rows.append({"window_T": window, "H": H, "jax_s": ours.median, "lbfgs_s": ref.median, "jax_first_call_s": first_call,
                         "start_error": start.error, "jax_error_after_lp": jax_fit.error, "lbfgs_error_after_lp": ref_fit.error,
                         "relative_gap": abs(jax_fit.error - ref_fit.error) / max(ref_fit.error, 1e-12),
                         "fixed_rate_relative_gap": agreement["relative_gap"]})
    return Result(value=ours_total, unit="s", reference="SciPy L-BFGS-B with NumPy gradients, same loss, start and smoothing ladder",
                  reference_value=ref_total,
                  details={"kernel": "e^{-s/20}/(1+s)", "encoding": "lin", "rate_box": [BOX.lo, BOX.hi], "cases": rows,
                           "settings": {"adam_steps": settings.steps, "newton_steps_per_level": settings.newton_steps,
                                        "smoothing_levels": settings.smoothing_levels},
                           "fixed_rate_agreement_tolerance": AGREEMENT, "repeat": sz.repeat})
