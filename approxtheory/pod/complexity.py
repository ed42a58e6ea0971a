"""The complexity measures of JL24 for one representation: C1^(alpha) (eq. 10), POD tails (eq. 9),
C0 (eq. 13) and C2^(beta) (eq. 12) with a pluggable feed-forward rate (eq. 11).

Each measure is an infimum over representations (F, f, rho); a concrete representation gives an
upper bound only, which is what these functions return, with flags saying what the bound covers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import mpmath
import numpy as np
import scipy.stats

from ..core import ApproxTheoryError
from .targets import SeparablePOD

Spectral = SeparablePOD | Sequence[float] | np.ndarray


def _sigmas(spec: Spectral) -> np.ndarray:
    s = spec.sigmas if isinstance(spec, SeparablePOD) else np.asarray(spec, dtype=np.float64)
    if s.ndim != 1 or s.size == 0 or not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ApproxTheoryError("singular values must be a non-empty 1-d array of finite non-negative numbers")
    return s


def _check_alpha(alpha: float) -> None:
    if not (isinstance(alpha, (int, float)) and math.isfinite(alpha) and alpha > 0.5):
        raise ApproxTheoryError(f"alpha must be a finite number above 1/2 (eq. 10), got {alpha!r}")


@dataclass(frozen=True)
class C1Bound:
    """sup_s sigma_s s^alpha for one representation: an upper bound on C1^(alpha)(H) when ``covers_tail``."""

    alpha: float
    value: float
    attained_at: int | None  # None when the sup is approached in the tail (or infinite)
    covers_tail: bool


def c1_upper(spec: Spectral, alpha: float) -> C1Bound:
    """C1^(alpha) bound of one representation (JL24.def.C1).

    A finite-rank POD, or an infinite one with a closed-form tail c k^-a, gives the exact sup
    (infinite when alpha > a). A bare list of singular values is treated as the whole spectrum
    only if you say so by passing a finite-rank SeparablePOD; otherwise ``covers_tail`` is False
    and the value is a lower estimate of the representation's sup.
    """
    _check_alpha(alpha)
    s = _sigmas(spec)
    k = np.arange(1, s.size + 1)
    scaled = s * k**alpha
    best = int(np.argmax(scaled))
    value, at = float(scaled[best]), best + 1
    if not isinstance(spec, SeparablePOD):
        return C1Bound(alpha, value, at, False)
    if spec.rank is not None:
        return C1Bound(alpha, value, at, True)
    c, a = spec.tail  # type: ignore[misc]
    if alpha > a:
        return C1Bound(alpha, math.inf, None, True)
    # sup_{k > K} c k^(alpha - a) is at k = K + 1 for alpha < a and equals c for alpha = a.
    tail = c if alpha == a else c * (s.size + 1) ** (alpha - a)
    if tail > value:
        return C1Bound(alpha, tail, None if alpha == a else s.size + 1, True)
    return C1Bound(alpha, value, at, True)


@dataclass(frozen=True)
class AlphaFit:
    """Least-squares fit log sigma_k = log c - alpha log k over k in [k_min, k_max], with a 95% interval."""

    alpha: float
    stderr: float
    ci95: tuple[float, float]
    log_c: float
    k_range: tuple[int, int]
    max_abs_residual: float


def fit_alpha(spec: Spectral, k_min: int = 1, k_max: int | None = None) -> AlphaFit:
    """Fitted decay exponent of the singular values (ordinary least squares on log-log axes).

    The interval treats residuals as independent, which spectra do not guarantee: read it as the
    spread of a straight-line fit, not as a sampling interval.
    """
    s = _sigmas(spec)
    k_max = s.size if k_max is None else k_max
    if not (isinstance(k_min, int) and isinstance(k_max, int) and 1 <= k_min and k_min + 2 <= k_max <= s.size):
        raise ApproxTheoryError(f"need 1 <= k_min, k_min + 2 <= k_max <= {s.size}; got k_min={k_min!r}, k_max={k_max!r}")
    sel = s[k_min - 1 : k_max]
    if np.any(sel <= 0):
        raise ApproxTheoryError("cannot fit a power law through zero singular values", "lower k_max below the rank")
    x, y = np.log(np.arange(k_min, k_max + 1)), np.log(sel)
    slope, intercept, stderr = _ols(x, y)
    q = float(scipy.stats.t.ppf(0.975, x.size - 2))
    resid = y - (intercept + slope * x)
    return AlphaFit(-slope, stderr, (-slope - q * stderr, -slope + q * stderr), intercept, (k_min, k_max),
                    float(np.abs(resid).max()))


def _ols(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Slope, intercept and the slope's standard error of y = intercept + slope x."""
    xm = x - x.mean()
    sxx = float(xm @ xm)
    slope = float(xm @ (y - y.mean())) / sxx
    intercept = float(y.mean() - slope * x.mean())
    resid = y - intercept - slope * x
    dof = x.size - 2
    stderr = math.sqrt(float(resid @ resid) / dof / sxx) if dof > 0 else math.inf
    return slope, intercept, stderr


# --- tails of the POD (eq. 9) -------------------------------------------------------------------

def power_tail(m: int, alpha: float, r: int | None = None, c: float = 1.0, dps: int = 30) -> mpmath.mpf:
    """sum_{k=m+1..r} (c k^-alpha)^2 = c^2 (zeta(2 alpha, m+1) - zeta(2 alpha, r+1)) (JL24.fix.hurwitz)."""
    _check_alpha(alpha)
    if not isinstance(m, int) or m < 0 or (r is not None and (not isinstance(r, int) or r < m)):
        raise ApproxTheoryError(f"need integers 0 <= m <= r (r=None for infinity); got m={m!r}, r={r!r}")
    with mpmath.workdps(dps):
        s = 2 * mpmath.mpf(alpha)
        value = mpmath.zeta(s, m + 1) - (0 if r is None else mpmath.zeta(s, r + 1))
        return mpmath.mpf(c) ** 2 * value


def tail_sum(spec: Spectral, m: int) -> float:
    """sum_{k>m} sigma_k^2: the best rank-m error ||rho - rho~_m||_2^2 (Eckart-Young, eq. 9).

    For an infinite-rank SeparablePOD the part beyond the listed terms is the Hurwitz tail.
    """
    s = _sigmas(spec)
    if not isinstance(m, int) or m < 0:
        raise ApproxTheoryError(f"m must be a non-negative integer, got {m!r}")
    listed = float(np.sum(s[m:] ** 2))
    if isinstance(spec, SeparablePOD) and spec.rank is None:
        c, a = spec.tail  # type: ignore[misc]
        listed += float(power_tail(max(m, s.size), a, None, c))
    return listed


# --- C0 (eq. 13) --------------------------------------------------------------------------------

Reading = Literal["max", "min"]
Grouping = Literal["sup_of_sum", "sum_of_sups"]


@dataclass(frozen=True)
class C0Bound:
    """K_F ||f||_inf S and C0 = {that, 1} under the chosen reading of eq. 13 (card §8)."""

    value: float
    product: float
    reading: str
    grouping: str
    bases_counted: int | None  # None: all bases (finite rank, or a uniform bound on the tail)


def c0_upper(pod: SeparablePOD, lipschitz_F: float, f_sup: float, *, reading: Reading = "max",
             grouping: Grouping = "sup_of_sum") -> C0Bound:
    """C0 bound of one representation: S = sup_i(||psi_i|| + ||phi_i||) or sup_i ||psi_i|| + sup_i ||phi_i||."""
    for name, v in (("lipschitz_F", lipschitz_F), ("f_sup", f_sup)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
            raise ApproxTheoryError(f"{name} must be a finite non-negative number, got {v!r}")
    if reading not in ("max", "min") or grouping not in ("sup_of_sum", "sum_of_sups"):
        raise ApproxTheoryError(f"reading must be 'max' or 'min' and grouping 'sup_of_sum' or 'sum_of_sups'; got {reading!r}, {grouping!r}")
    left, right = pod.left_sup, pod.right_sup
    covered: int | None = None
    if pod.rank is None:
        if pod.tail_sup is None:
            covered = pod.terms
        else:
            left = np.append(left, pod.tail_sup)
            right = np.append(right, pod.tail_sup)
    s = float(np.max(left + right)) if grouping == "sup_of_sum" else float(np.max(left) + np.max(right))
    product = lipschitz_F * f_sup * s
    value = max(product, 1.0) if reading == "max" else min(product, 1.0)
    return C0Bound(value, product, reading, grouping, covered)


# --- C2 (eq. 12) with a feed-forward rate oracle (eq. 11) ---------------------------------------

@dataclass(frozen=True)
class FeedForwardRate:
    """An external FFN approximation theorem: inf ||g - g^|| <= C_FF(g) / m_FF^beta (eq. 11).

    ``basis_constants(pod, k)`` returns C_FF of phi_1..phi_k and of psi_1..psi_k.
    """

    name: str
    beta: float
    basis_constants: Callable[[SeparablePOD, int], tuple[np.ndarray, np.ndarray]]


def barron_rate(radius: float = 1.0) -> FeedForwardRate:
    """Barron (1993): one sigmoidal hidden layer of width m_FF, ||g - g^||_L2 <= 2 r C_g / sqrt(m_FF),
    for g on the ball of radius r, C_g = int |omega| |g^(omega)| d omega. Only trigonometric bases
    have C_g in closed form here; [0, 1] lies in the ball of radius 1 about 0."""
    if not (isinstance(radius, (int, float)) and radius > 0):
        raise ApproxTheoryError(f"radius must be positive, got {radius!r}")

    def constants(pod: SeparablePOD, k: int) -> tuple[np.ndarray, np.ndarray]:
        if pod.left_system is None or pod.right_system is None:
            raise ApproxTheoryError("the Barron oracle needs trigonometric POD bases (a TrigSystem on each side)",
                                    "supply your own FeedForwardRate for other bases")
        if k > pod.left_system.size:
            raise ApproxTheoryError(f"only {pod.left_system.size} bases are listed, asked for k = {k}")
        return (2 * radius * pod.left_system.barron_moments()[:k], 2 * radius * pod.right_system.barron_moments()[:k])

    return FeedForwardRate("Barron 1993 (sigmoidal, width m_FF)", 0.5, constants)


def c2_upper(rate: FeedForwardRate, pod: SeparablePOD, k: int, c_F: float, c_f: float) -> float:
    """C2^(beta)(H, k) bound of one representation: C_FF(F) + C_FF(f) + sum_{i<=k} (C_FF(phi_i) + C_FF(psi_i))."""
    if not isinstance(k, int) or k < 1:
        raise ApproxTheoryError(f"k must be a positive integer, got {k!r}")
    for name, v in (("c_F", c_F), ("c_f", c_f)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
            raise ApproxTheoryError(f"{name} must be a finite non-negative number, got {v!r}")
    left, right = rate.basis_constants(pod, k)
    return float(c_F + c_f + np.sum(left) + np.sum(right))
