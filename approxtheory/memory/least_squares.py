"""Best squared-loss kernels on finite sequences by variable projection (the experiments of WE24 App. H).

For i.i.d. Rademacher tokens the expected squared loss of a 1-layer DPF attention without FFN is
sum_s (rho(s) - phi(s))^2 exactly, so the paper's validation loss is an l2 kernel problem. At fixed
rates the coefficients are a least-squares solve; the rates (in log coordinates, clipped to a box)
are moved by Nelder-Mead on that projected loss, from the better of a nested grid and the previous
H's rates plus new grid rates. No JAX compilation, so an experiment costs milliseconds per H.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.optimize

from ..core import ApproxTheoryError
from .bases import nested_grid
from .gradient import RateBox
from .problems import Fit, KernelProblem


def refine_l2(problem: KernelProblem, start: np.ndarray, box: RateBox, evaluations: int = 1500) -> Fit:
    """Nelder-Mead over log-rates with the coefficients projected out by least squares."""
    if problem.loss != "l2":
        raise ApproxTheoryError("refine_l2 needs a problem with loss='l2'")
    box.validate(problem)
    lo, hi = np.log(box.lo), np.log(box.hi)

    def rates_of(v: np.ndarray) -> np.ndarray:
        return np.exp(np.clip(v, lo, hi))

    def loss(v: np.ndarray) -> float:
        return problem.fit(rates_of(v)).error

    result = scipy.optimize.minimize(loss, np.log(np.clip(start, box.lo, box.hi)), method="Nelder-Mead",
                                     options={"maxfev": evaluations, "xatol": 1e-10, "fatol": 1e-16})
    fit = problem.fit(rates_of(result.x))
    return Fit(problem, fit.rates, fit.alpha, fit.error, "least squares + Nelder-Mead over rates", None)


def l2_curve(problem: KernelProblem, heads: Sequence[int], box: RateBox, evaluations: int = 1500) -> list[Fit]:
    """The best squared loss found for each H (increasing; each H starts from the previous H's rates)."""
    fits: list[Fit] = []
    for H in sorted(set(int(h) for h in heads)):
        grid = nested_grid(H, box.lo, box.hi)
        starts = [grid]
        if fits:
            starts.append(np.concatenate([fits[-1].rates, grid[fits[-1].heads:]]))
        best = min((refine_l2(problem, s, box, evaluations) for s in starts), key=lambda f: f.error)
        fits.append(best)
    return fits
