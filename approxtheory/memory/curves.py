"""Error against the number of heads H, computed two ways that must agree (WE24 card §4.6).

For each H: (1) the LP over coefficients on a nested rate grid; (2) Adam over coefficients and
rates, started from the better of the grid fit and the previous H's best fit plus the new grid
rates at zero weight; (3) the LP again at the rates Adam found. (2) and (3) evaluate the same
rates, so their gap measures how far Adam's coefficients are from optimal, and a (3) above (2)
would expose a wrong LP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import ApproxTheoryError
from .bases import nested_grid
from .gradient import DEFAULT_SETTINGS, OptimiserSettings, RateBox, gradient_fit
from .problems import Fit, KernelProblem

FLOOR = 1e-12  # errors below this are float64 noise for unit-mass kernels


@dataclass(frozen=True)
class CurvePoint:
    """The three fits at one H."""

    heads: int
    grid: Fit
    gradient: Fit
    polished: Fit

    @property
    def best(self) -> Fit:
        return min((self.grid, self.gradient, self.polished), key=lambda f: f.error)

    @property
    def agreement(self) -> float:
        """|gradient - LP at the gradient's rates| / LP, the two computations of one quantity."""
        return abs(self.gradient.error - self.polished.error) / max(self.polished.error, FLOOR)

    def to_dict(self) -> dict[str, Any]:
        return {
            "H": self.heads,
            "lp_grid_error": self.grid.error,
            "gradient_error": self.gradient.error,
            "lp_at_gradient_rates_error": self.polished.error,
            "best_error": self.best.error,
            "relative_gap_gradient_vs_lp": self.agreement,
            "best_rates": [float(r) for r in self.best.rates],
        }


def error_curve(problem: KernelProblem, heads: Sequence[int], box: RateBox,
                settings: OptimiserSettings = DEFAULT_SETTINGS) -> list[CurvePoint]:
    """The best error found for each H in ``heads`` (increasing), by LP and by gradient."""
    hs = sorted(set(int(h) for h in heads))
    if not hs or hs[0] < 1:
        raise ApproxTheoryError(f"heads must be positive integers, got {list(heads)!r}")
    points: list[CurvePoint] = []
    previous: Fit | None = None
    for H in hs:
        rates = nested_grid(H, box.lo, box.hi)
        grid = problem.fit(rates)
        start = grid
        if previous is not None:
            # H heads contain the previous H' heads: keep them and add the new grid rates at weight 0.
            warm_rates = np.concatenate([previous.rates, rates[previous.heads:]])
            warm_alpha = np.concatenate([previous.alpha, np.zeros(H - previous.heads)])
            warm = Fit(problem, warm_rates, warm_alpha, problem.error(warm_alpha, warm_rates), "warm start", None)
            start = warm if warm.error < grid.error else grid
        moved = gradient_fit(problem, start, box, settings, pad_to=hs[-1])
        point = CurvePoint(H, grid, moved, problem.fit(moved.rates))
        points.append(point)
        previous = point.best
    return points


def fixed_rate_agreement(problem: KernelProblem, rates: Any, settings: OptimiserSettings = DEFAULT_SETTINGS,
                         pad_to: int | None = None) -> dict[str, float]:
    """Where both methods solve the same convex problem: gradient steps over alpha alone (from 0) against the LP.

    ``pad_to`` lets this share the compiled optimiser of a curve over the same problem.
    """
    lp = problem.fit(rates)
    zero = Fit(problem, lp.rates, np.zeros(lp.heads), problem.error(np.zeros(lp.heads), lp.rates), "zero", None)
    box = RateBox(float(lp.rates.min()) * 0.5, float(lp.rates.max()) * 2.0)
    if problem.encoding == "log" and problem.sequence == "infinite":
        box = RateBox(1.0 + (float(lp.rates.min()) - 1.0) * 0.5, float(lp.rates.max()) * 2.0)
    adam = gradient_fit(problem, zero, box, settings, freeze_rates=True, pad_to=pad_to)
    return {"lp_error": lp.error, "gradient_error": adam.error,
            "relative_gap": abs(adam.error - lp.error) / max(lp.error, FLOOR)}


def tail_slope(heads: Sequence[int], errors: Sequence[float], points: int = 3, floor: float = 1e-9) -> float | None:
    """Least-squares slope of log(error) against log(H) over the last ``points`` values above ``floor``.

    A rate C/H^n is consistent with the tail of a curve when -slope >= n; ``None`` when fewer than
    two usable points remain.
    """
    pairs = [(h, e) for h, e in zip(heads, errors) if e > floor]
    if len(pairs) < 2:
        return None
    h, e = np.log(np.array(pairs[-points:], dtype=np.float64)).T
    return float(np.polyfit(h, e, 1)[0])
