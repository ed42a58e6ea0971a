"""Exact rational head families whose l1 error against delta_T tends to 0 with finitely many heads.

With rates and value weights unbounded (the theorems allow any p_h > 0 and any W_V), the
infimum in the card's E_lin(delta_T, H) (§4.6) is 0 as soon as H >= T + 1, and E_log(delta_T, H) is 0
as soon as H >= T:

- lin: x_h = e^{-p_h} = eps h (h = 1..T+1) and phi(s) = eps^{-T} sum_h gamma_h (eps h)^s with
  gamma_h = 1/prod_{j != h}(h - j), the weights of the T-th divided difference. They annihilate
  s^0..s^{T-1} and send s^T to 1, so phi = delta_T on 0..T exactly, and the tail is O(eps).
- log: rates b, b+1, ..., b+T-1 and phi(s) = (T/s)^b Q(1/s)/Q(1/T) with Q(v) = prod_{j<T}(v - 1/j), so
  phi = delta_T on 1..T exactly and the tail is O((T/(T+1))^b).

Everything is exact (``fractions.Fraction``), so the error bounds are certificates, not estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..core import ApproxTheoryError


@dataclass(frozen=True)
class ExactFamily:
    """phi(s) = sum_h c_h b_h(s) with b_h(s) = x_h^s (lin, s >= 0) or s^{-p_h} (log, s >= 1).

    ``bases`` holds x_h = e^{-p_h} (lin, rationals in (0, 1)) or the integer rates p_h (log).
    ``error_bound`` is an exact upper bound on ||delta_T - phi||_{l1}.
    """

    encoding: str
    T: int
    parameter: Fraction
    bases: tuple[Fraction, ...]
    coefficients: tuple[Fraction, ...]
    error_bound: Fraction

    @property
    def heads(self) -> int:
        return len(self.bases)

    def value(self, s: int) -> Fraction:
        """phi(s), exactly."""
        if self.encoding == "lin":
            return sum((c * x**s for c, x in zip(self.coefficients, self.bases)), Fraction(0))
        if s < 1:
            return Fraction(0)
        return sum((c / Fraction(s) ** int(p) for c, p in zip(self.coefficients, self.bases)), Fraction(0))

    def matches_delta_on_window(self) -> bool:
        """phi(s) == delta_T(s) exactly for every s up to T (the window the construction interpolates)."""
        first = 0 if self.encoding == "lin" else 1
        return all(self.value(s) == (1 if s == self.T else 0) for s in range(first, self.T + 1))

    def rates(self) -> list[float]:
        """The head rates p_h as floats (lin: -log x_h)."""
        if self.encoding == "lin":
            return [-math.log(x) for x in self.bases]
        return [float(p) for p in self.bases]

    def to_dict(self) -> dict[str, object]:
        return {
            "encoding": self.encoding,
            "T": self.T,
            "heads": self.heads,
            "parameter": str(self.parameter),
            "bases": [str(b) for b in self.bases],
            "max_abs_coefficient": str(max(abs(c) for c in self.coefficients)),
            "error_bound": str(self.error_bound),
            "error_bound_float": float(self.error_bound),
        }


def _check_T(T: int, least: int) -> None:
    if not isinstance(T, int) or T < least:
        raise ApproxTheoryError(f"T must be an integer >= {least}, got {T!r}")


def lin_delta_family(T: int, eps: Fraction) -> ExactFamily:
    """T + 1 lin heads with e^{-p_h} = eps h: phi = delta_T on 0..T, tail <= sum_h |gamma_h| h^T eps h/(1 - eps h)."""
    _check_T(T, 0)
    eps = Fraction(eps)
    if not (0 < eps * (T + 1) < 1):
        raise ApproxTheoryError(f"need 0 < eps < 1/(T+1) so that every e^{{-p_h}} = eps*h lies in (0, 1); got eps = {eps}")
    nodes = range(1, T + 2)
    gamma = [Fraction(1, math.prod(h - j for j in nodes if j != h)) for h in nodes]
    coefficients = tuple(g / eps**T for g in gamma)
    # for s > T: |phi(s)| <= sum_h |gamma_h| h^T (eps h)^{s-T}; summing the geometric series over s > T
    bound = sum((abs(g) * Fraction(h) ** T * eps * h / (1 - eps * h) for g, h in zip(gamma, nodes)), Fraction(0))
    return ExactFamily("lin", T, eps, tuple(eps * h for h in nodes), coefficients, bound)


def log_delta_family(T: int, b: int) -> ExactFamily:
    """T log heads with rates b..b+T-1: phi = delta_T on 1..T, tail <= (prod_j 1/j)/|Q(1/T)| (T/(T+1))^b (1 + (T+1)/(b-1))."""
    _check_T(T, 1)
    if not isinstance(b, int) or b < 2:
        raise ApproxTheoryError(f"the smallest rate b must be an integer >= 2, got {b!r}")
    roots = [Fraction(1, j) for j in range(1, T)]
    q = [Fraction(1)]  # coefficients of Q(v) = prod (v - r), lowest degree first
    for r in roots:
        q = [(q[k - 1] if k > 0 else 0) - r * (q[k] if k < len(q) else 0) for k in range(len(q) + 1)]
    q_at = sum((c * Fraction(1, T) ** k for k, c in enumerate(q)), Fraction(0))
    coefficients = tuple(Fraction(T) ** b * c / q_at for c in q)  # of s^{-(b+k)}
    # on v = 1/s in [0, 1/T]: |v - 1/j| <= 1/j, so |Q| <= prod 1/j; sum_{s>T} (T/s)^b <= (T/(T+1))^b (1 + (T+1)/(b-1))
    q_max = Fraction(1, math.factorial(T - 1))
    ratio = Fraction(T, T + 1) ** b
    bound = q_max / abs(q_at) * ratio * (1 + Fraction(T + 1, b - 1))
    return ExactFamily("log", T, Fraction(b), tuple(Fraction(b + k) for k in range(T)), coefficients, bound)


def family_below(encoding: str, T: int, target: Fraction, max_rounds: int = 200) -> ExactFamily:
    """The first family of the ladder eps = 1/(2(T+1) 2^k) (lin) or b = 2, 4, 8, ... (log) with error bound <= target."""
    target = Fraction(target)
    if target <= 0:
        raise ApproxTheoryError(f"the target error must be positive, got {target}")
    for k in range(max_rounds):
        family = (lin_delta_family(T, Fraction(1, 2 * (T + 1) * 2**k)) if encoding == "lin"
                  else log_delta_family(T, 2 ** (k + 1)))
        if family.error_bound <= target:
            return family
    raise ApproxTheoryError(f"no family below {target} within {max_rounds} rounds", "ask for a larger target error")
