"""Head weights as bases of the 1-D kernel problems (WE24 card §4.6), and the rate grids they are taken on.

A dot-product-free head with rate p puts softmax weight e^{-p s}/Z_lin(p) (lin-RPE, s >= 0) or
s^{-p}/Z_log(p) (log-RPE, s >= 1) on the token s steps back (WE24.def.rpe_lin, WE24.def.rpe_log).
Using these *normalised* weights as basis columns keeps every column at unit l1 mass, so the
problems are well scaled, and the fitted coefficient of a column is the head's value weight W_V.

Two sequence models:
- ``infinite``: normalisers over all s (Z_lin = 1/(1-e^{-p}), Z_log = zeta(p), WE24.def.normaliser); the
  window 0..N carries the fit and the mass beyond N is a rigorous tail bound per head.
- ``finite``: a sequence of N+1 tokens, truncated normalisers, nothing beyond N (the paper's experiments).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.special
from numpy.polynomial import chebyshev, polynomial

from ..core import ApproxTheoryError

ENCODINGS: tuple[str, ...] = ("lin", "log")
PAPER_GRID_STEP = 0.01  # WE24.lemF.1 / lemF.4 grids: 0.01(k+1) (lin), 1.01 + 0.01k (log)


def check_encoding(encoding: str) -> None:
    if encoding not in ENCODINGS:
        raise ApproxTheoryError(f"unknown positional encoding {encoding!r}", "use 'lin' (ALiBi-type) or 'log' (T5/KERPLE-log)")


def check_rates(encoding: str, rates: np.ndarray, sequence: str) -> np.ndarray:
    """Rates as a 1-D float64 array, validated: > 0, and > 1 for log heads on an infinite sequence."""
    check_encoding(encoding)
    if sequence not in ("infinite", "finite"):
        raise ApproxTheoryError(f"unknown sequence model {sequence!r}", "use 'infinite' or 'finite'")
    r = np.atleast_1d(np.asarray(rates, dtype=np.float64))
    if r.ndim != 1 or r.size == 0 or not np.all(np.isfinite(r)):
        raise ApproxTheoryError("rates must be a nonempty 1-D array of finite numbers")
    lo = 1.0 if (encoding == "log" and sequence == "infinite") else 0.0
    if np.any(r <= lo):
        raise ApproxTheoryError(
            f"{encoding} head rates must exceed {lo:g} on an {sequence} sequence, got min {r.min():g}",
            "log-RPE heads need p > 1 for zeta(p) to be finite (WE24.def.rpe_log); use sequence='finite' otherwise",
        )
    return r


def head_weights(encoding: str, rates: Any, N: int, sequence: str = "infinite", xp: Any = np) -> tuple[Any, Any]:
    """Normalised head weights on offsets 0..N, shape (N+1, H), and each head's mass beyond N, shape (H,).

    ``xp`` is ``numpy`` or ``jax.numpy``: the same formulas feed the LP (NumPy) and the gradient
    optimiser (JAX). Callers validate ``rates`` first (:func:`check_rates`); JAX tracers cannot be.
    """
    s = xp.arange(N + 1, dtype=xp.float64)[:, None]
    p = rates[None, :]
    if encoding == "lin":
        raw = xp.exp(-p * s)
    else:
        # s = 0 gets weight 0 (phi_log(0) = -inf); the where keeps 0**(-p) out of the arithmetic.
        safe = xp.where(s > 0, s, 1.0)
        raw = xp.where(s > 0, safe ** (-p), 0.0)
    if sequence == "finite":
        return raw / xp.sum(raw, axis=0, keepdims=True), xp.zeros_like(rates)
    if encoding == "lin":
        one_minus = -xp.expm1(-rates)  # 1/Z_lin(p)
        return raw * one_minus[None, :], xp.exp(-rates * (N + 1))
    tail = hurwitz_tail(rates, N + 1, xp)
    z = xp.sum(raw, axis=0) + tail  # zeta(p) = sum_{s<=N} s^{-p} + zeta(p, N+1)
    return raw / z[None, :], tail / z


def hurwitz_tail(p: Any, q: int, xp: Any = np) -> Any:
    """zeta(p, q) = sum_{s>=q} s^{-p} for p > 1: SciPy's value, or Euler-Maclaurin in JAX.

    Four Euler-Maclaurin terms leave an error below p(p+1)...(p+4) q^{-p-5}/30240, under 1e-16
    relative for q >= 100 and the rates used here; JAX's own zeta is an order of magnitude slower
    inside the optimiser's inner loop.
    """
    if xp is np:
        return scipy.special.zeta(p, float(q))
    qf = float(q)
    return (qf ** (1.0 - p) / (p - 1.0) + 0.5 * qf ** (-p) + p * qf ** (-p - 1.0) / 12.0
            - p * (p + 1.0) * (p + 2.0) * qf ** (-p - 3.0) / 720.0)


def normaliser(encoding: str, rate: float, N: int | None = None) -> float:
    """Z_type(p) of WE24.def.normaliser; with ``N`` the truncated normaliser of a window of N+1 tokens."""
    check_encoding(encoding)
    p = float(rate)
    if N is None:
        if encoding == "lin":
            return float(1.0 / -np.expm1(-p))
        if p <= 1:
            raise ApproxTheoryError(f"Z_log(p) = zeta(p) needs p > 1, got {p:g}")
        return float(scipy.special.zeta(p, 1.0))
    s = np.arange(N + 1, dtype=np.float64)
    if encoding == "lin":
        return float(-np.expm1(-p * (N + 1)) / -np.expm1(-p))
    return float(np.sum(s[1:] ** (-p)))  # harmonic(N, p)


def _radical_inverse(count: int) -> np.ndarray:
    """Van der Corput points 1/2, 1/4, 3/4, 1/8, ...: each prefix refines the previous one."""
    out = np.empty(count)
    for i in range(1, count + 1):
        x, den, n = 0.0, 1.0, i
        while n:
            den *= 2.0
            x += (n % 2) / den
            n //= 2
        out[i - 1] = x
    return out


def nested_grid(H: int, lo: float, hi: float) -> np.ndarray:
    """H rates in [lo, hi], log-uniformly spread, such that the grid for H is a prefix of the grid for H + 1.

    Nesting makes the LP error over the grid non-increasing in H (a larger feasible set), which the
    property tests check.
    """
    if not isinstance(H, (int, np.integer)) or H < 1:
        raise ApproxTheoryError(f"the number of heads must be a positive integer, got {H!r}")
    if not (0 < lo < hi and np.isfinite(hi)):
        raise ApproxTheoryError(f"need a rate box 0 < lo < hi < inf, got [{lo}, {hi}]")
    return lo * (hi / lo) ** _radical_inverse(int(H))


def paper_grid(encoding: str, H: int) -> np.ndarray:
    """The proofs' rate grids: 0.01(k+1) (WE24.lemF.1) or 1.01 + 0.01k (WE24.lemF.4), k = 0..H-1."""
    check_encoding(encoding)
    k = np.arange(H, dtype=np.float64)
    return PAPER_GRID_STEP * (k + 1) if encoding == "lin" else 1.0 + PAPER_GRID_STEP * (k + 1)


def paper_grid_chebyshev(H: int, N: int) -> tuple[np.ndarray, np.ndarray]:
    """A well-conditioned basis of the span of the lemF.1 heads on offsets 0..N, and its tail bounds.

    With x = e^{-0.01 s}, head k has weight x^{k+1} up to its normaliser, so the span of H heads is
    x * (polynomials of degree < H in x). The columns x T_j(2x - 1) (Chebyshev T_j) span the same
    space with |x T_j| <= x, which gives the rigorous tail bound sum_{s>N} x_s = e^{-0.01(N+1)}/(1 - e^{-0.01}).
    """
    s = np.arange(N + 1, dtype=np.float64)
    x = np.exp(-PAPER_GRID_STEP * s)
    basis = x[:, None] * chebyshev.chebvander(2.0 * x - 1.0, H - 1)
    tail = np.exp(-PAPER_GRID_STEP * (N + 1)) / -np.expm1(-PAPER_GRID_STEP)
    return basis, np.full(H, tail)


def chebyshev_to_heads(coefficients: np.ndarray) -> np.ndarray:
    """Value weights alpha_k of the normalised lemF.1 heads that realise x * sum_j c_j T_j(2x - 1).

    Exact algebra but ill-conditioned in floating point for large H (the reason the LP works in
    the Chebyshev basis); used to build small constructions only.
    """
    in_y = chebyshev.cheb2poly(np.asarray(coefficients, dtype=np.float64))  # polynomial in y = 2x - 1
    in_x = polynomial.Polynomial(in_y)(polynomial.Polynomial([-1.0, 2.0])).coef  # substitute y = 2x - 1
    in_x = np.pad(in_x, (0, len(coefficients) - len(in_x)))
    rates = paper_grid("lin", len(coefficients))
    return in_x / -np.expm1(-rates)  # x^{k+1} = (normalised head k) / (1 - e^{-p_k})
