"""The best error of affine token maps on a finite-alphabet target (WE24.prop4.2(B)), exactly.

A 1-layer dot-product-free attention (any H, lin- or log-RPE, softmax or not, with embedding bias
and residual) outputs b + sum_s phi(s) x_{t-s}: an affine function of the window, with phi fixed by
the rates and value weights. So its best worst-case error is at least the minimax error of *all*
affine maps, an LP in (b, phi, e): minimise e subject to |y(p) - b - phi.p| <= e over the enumerated
windows p. Restricting inputs to windows that vanish beyond offset W can only lower the supremum,
so the LP value on those windows is a valid lower bound for every phi in l1.

Solved by HiGHS in float64, then certified in exact arithmetic: the rationalised primal map's
error is an upper bound, the rationalised dual weights (checked to be a valid dual point) give a
lower bound, and equality of the two is the certificate. (SymPy's rational simplex is not used: on
this LP it returns wrong optima that depend on the hash seed.)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.optimize

from ..core import ApproxTheoryError


@dataclass(frozen=True)
class AffineMinimax:
    """min over (b, phi) of max_p |y(p) - b - phi.p|: the HiGHS value and its exact certificate.

    ``lower`` comes from the LP dual: weights lambda >= 0 on (window, sign) pairs with sum 1 and
    sum lambda sigma (1, p) = 0, so that every affine map has max |residual| >= sum lambda sigma y. ``upper`` is
    the exact error of the rationalised primal map. ``certified`` when both checks pass in exact
    arithmetic and lower == upper: then the value is exact, whatever the floating-point solve did.
    """

    window: int
    patterns: int
    value: float
    intercept: Fraction
    phi: tuple[Fraction, ...]
    lower: Fraction | None
    upper: Fraction
    dual_support: tuple[tuple[tuple[int, ...], int, Fraction], ...]

    @property
    def certified(self) -> bool:
        return self.lower is not None and self.lower == self.upper

    def to_dict(self) -> dict[str, object]:
        return {
            "window_W": self.window,
            "patterns": self.patterns,
            "highs_value": self.value,
            "exact_upper_from_primal": str(self.upper),
            "exact_lower_from_dual": None if self.lower is None else str(self.lower),
            "certified_exact_value": str(self.upper) if self.certified else None,
            "primal_intercept_and_phi": [str(self.intercept), *map(str, self.phi)],
            "dual_certificate": [{"window": list(p), "sign": sign, "weight": str(w)} for p, sign, w in self.dual_support],
        }


def windows(alphabet: Sequence[int], W: int) -> np.ndarray:
    """Every window (x_t, x_{t-1}, ..., x_{t-W}) over the alphabet, one per row."""
    if W < 0 or not alphabet:
        raise ApproxTheoryError("need W >= 0 and a nonempty alphabet")
    return np.array(list(itertools.product(alphabet, repeat=W + 1)), dtype=np.int64)


def prop42_target(window: np.ndarray) -> int:
    """y_t = x_{t - g(x_t)} with g(x) = x + 1 on {-1, 0, 1} (WE24.prop4.2)."""
    return int(window[int(window[0]) + 1])


def _rational(x: float, denominator: int = 10**6) -> Fraction:
    return Fraction(x).limit_denominator(denominator)


def affine_minimax(target: Callable[[np.ndarray], int], alphabet: Sequence[int], W: int) -> AffineMinimax:
    """Best worst-case error of y ~ b + sum_{s<=W} phi(s) x_{t-s} over all windows of length W+1."""
    pats = windows(alphabet, W)
    y = np.array([target(p) for p in pats], dtype=np.float64)
    P, k = pats.shape
    # variables (b, phi_0..phi_W, e); rows r_p <= e (sign +1) then -r_p <= e (sign -1), r_p = y - b - phi.p
    design = np.hstack([np.ones((P, 1)), pats.astype(np.float64)])
    A = np.vstack([np.hstack([-design, -np.ones((P, 1))]), np.hstack([design, -np.ones((P, 1))])])
    rhs = np.concatenate([-y, y])
    cost = np.zeros(k + 2)
    cost[-1] = 1.0
    result = scipy.optimize.linprog(cost, A_ub=A, b_ub=rhs, bounds=[(None, None)] * (k + 1) + [(0, None)], method="highs")
    if result.status != 0:
        raise ApproxTheoryError(f"HiGHS failed on the affine minimax LP: {result.message}")
    intercept, *phi = (_rational(v) for v in result.x[:k + 1])
    upper = affine_error(intercept, phi, target, alphabet, W)
    weights = [(_rational(v), i) for i, v in enumerate(-result.ineqlin.marginals) if v > 1e-12]
    support = tuple((tuple(int(v) for v in pats[i % P]), 1 if i < P else -1, w) for w, i in weights)
    return AffineMinimax(W, P, float(result.fun), intercept, tuple(phi), _dual_bound(support, target), upper, support)


def _dual_bound(support: Sequence[tuple[tuple[int, ...], int, Fraction]], target: Callable[[np.ndarray], int]) -> Fraction | None:
    """sum lambda sigma y if the weights form a valid dual certificate (checked exactly), else None.

    An empty support is the trivial certificate: every error is >= 0.
    """
    if not support:
        return Fraction(0)
    if any(w < 0 for _, _, w in support) or sum(w for _, _, w in support) != 1:
        return None
    # the weighted residual average must not depend on (b, phi): sum lambda sigma (1, p) = 0
    moments = [sum(w * sign * (1, *p)[j] for p, sign, w in support) for j in range(len(support[0][0]) + 1)]
    if any(m != 0 for m in moments):
        return None
    return sum((w * sign * target(np.array(p)) for p, sign, w in support), Fraction(0))
def affine_error(intercept: Fraction, phi: Sequence[Fraction], target: Callable[[np.ndarray], int],
                 alphabet: Sequence[int], W: int) -> Fraction:
    """max over windows of |y - b - phi.p|, exactly: the error of one given affine map (a primal check)."""
    return max(abs(Fraction(target(p)) - Fraction(intercept) - sum(Fraction(int(v)) * Fraction(c) for v, c in zip(p, phi)))
               for p in windows(alphabet, W))
