"""The linear-RNN setting of JL24 (App. D.1, card JL24.def.C_RNN) and the altered targets of Sec. 6.

A linear target is H_t(x) = sum_{s=0..t} rho(s) x(t-s) on sequences indexed from time 0 (eq. 72).
Its complexity, exactly as printed (eqs. 73-75):
  C1 = 1 + inf{beta > 0 : lim_{t->oo} e^(t/beta) |rho(t)| = 0},  C2 = sup_{t>=0} e^(t/C1) |rho(t)|,  C_RNN = C1 C2.
Kernels here are finite sums of exponentials rho(t) = sum_j c_j e^(-t/gamma_j) (the kernels c^T W^s U of
stable linear RNNs with real spectra), whose asymptotics are known exactly; or finite sequences (finite support).

Alterations act on the linear map's matrix M[t, j] (output t, input j) over a finite horizon, with exact
entries when the kernel values are Fractions: a restriction of a causal convolution is lower-triangular
Toeplitz, so a horizon on which M is not proves that the altered target is not of the form (72).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..core import ApproxTheoryError


@dataclass(frozen=True)
class ExpKernel:
    """rho(t) = sum_j c_j exp(-t / gamma_j) for integer t >= 0; distinct gamma_j > 0, nonzero c_j."""

    coefficients: tuple[float, ...]
    gammas: tuple[float, ...]

    def __post_init__(self) -> None:
        c, g = tuple(float(x) for x in self.coefficients), tuple(float(x) for x in self.gammas)
        if len(c) != len(g):
            raise ApproxTheoryError(f"need one gamma per coefficient, got {len(c)} and {len(g)}")
        if any(not math.isfinite(x) for x in c + g) or any(x <= 0 for x in g):
            raise ApproxTheoryError("coefficients must be finite and every gamma a finite positive number")
        if len(set(g)) != len(g):
            raise ApproxTheoryError("gammas must be distinct", "merge terms with equal gamma into one coefficient")
        if any(x == 0 for x in c):
            raise ApproxTheoryError("drop terms with coefficient 0", "the zero kernel is ExpKernel((), ())")
        object.__setattr__(self, "coefficients", c)
        object.__setattr__(self, "gammas", g)

    def __call__(self, t: np.ndarray | int) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        return sum((c * np.exp(-t / g) for c, g in zip(self.coefficients, self.gammas)), np.zeros_like(t))


@dataclass(frozen=True)
class RNNComplexity:
    """C1, C2 and C_RNN = C1 C2 (eqs. 73-75), and the time attaining the sup in C2."""

    c1: float
    c2: float
    c_rnn: float
    attained_at: int


def c_rnn(kernel: ExpKernel) -> RNNComplexity:
    """Eqs. 73-75 for an exponential-sum kernel.

    e^(t/beta) |rho(t)| -> 0 iff beta > gamma_max (the slowest term dominates), so C1 = 1 + gamma_max
    (C1 = 1 for the zero kernel). Every term of e^(t/C1) |rho(t)| then decays, since gamma_j < C1, so the
    sup over integers t >= 0 is attained on [0, T] once sum_j |c_j| e^(-T (1/gamma_j - 1/C1)) drops below it.
    """
    if not kernel.gammas:
        return RNNComplexity(1.0, 0.0, 0.0, 0)
    c1 = 1.0 + max(kernel.gammas)
    decay = min(1 / g - 1 / c1 for g in kernel.gammas)
    total = sum(abs(c) for c in kernel.coefficients)
    horizon = 64
    while True:
        t = np.arange(horizon + 1)
        values = np.exp(t / c1) * np.abs(kernel(t))
        best = int(np.argmax(values))
        if total * math.exp(-horizon * decay) < values[best]:
            return RNNComplexity(c1, float(values[best]), c1 * float(values[best]), best)
        horizon *= 2


# --- linear maps over a finite horizon ----------------------------------------------------------

def convolution_matrix(kernel: Sequence[Any], horizon: int) -> np.ndarray:
    """M[t, j] = rho(t - j) for j <= t < horizon (eq. 72), an object array (exact for Fractions)."""
    _check_horizon(kernel, horizon)
    m = np.full((horizon, horizon), Fraction(0), dtype=object)
    for t in range(horizon):
        for j in range(t + 1):
            m[t, j] = kernel[t - j]
    return m


def ordering_altered_matrix(kernel: Sequence[Any], perm: Sequence[int], horizon: int) -> np.ndarray:
    """The target with H~_t(x o p) = H_t(x) (JL24.def.alter): H~_t(y) = sum_j rho(t - p(j)) y(j) over p(j) <= t.

    ``perm`` is a permutation of 0..horizon-1 (fixing every later time)."""
    _check_horizon(kernel, horizon)
    p = list(perm)
    if sorted(p) != list(range(horizon)):
        raise ApproxTheoryError(f"perm must be a permutation of 0..{horizon - 1}, got {perm!r}")
    m = np.full((horizon, horizon), Fraction(0), dtype=object)
    for t in range(horizon):
        for j in range(horizon):
            if p[j] <= t:
                m[t, j] = kernel[t - p[j]]
    return m


def mixing_altered_matrix(kernel: Sequence[Any], theta: Sequence[Any], horizon: int) -> np.ndarray:
    """H~_t(x) = H_t(theta * x), (theta * x)[t] = sum_{s<l} theta(s) x(t + s) (JL24.def.alter).

    Output t < horizon reads inputs up to t + l - 1, so the matrix has horizon + l - 1 columns."""
    _check_horizon(kernel, horizon)
    width = len(theta)
    if width < 1:
        raise ApproxTheoryError("the filter theta must have length >= 1")
    m = np.full((horizon, horizon + width - 1), Fraction(0), dtype=object)
    for t in range(horizon):
        for s in range(t + 1):
            for k, th in enumerate(theta):
                m[t, t - s + k] += kernel[s] * th
    return m


def paper_mixed_kernel(kernel: Sequence[Any], theta: Sequence[Any], length: int) -> list[Any]:
    """rho~[s] = sum_{s'<l} theta[s'] rho[s + s'] for s < length (eqs. 89-95, as printed)."""
    if len(kernel) < length + len(theta) - 1:
        raise ApproxTheoryError(f"need {length + len(theta) - 1} kernel values, got {len(kernel)}")
    return [sum((theta[k] * kernel[s + k] for k in range(len(theta))), Fraction(0)) for s in range(length)]


def is_causal_convolution(m: np.ndarray) -> bool:
    """Whether the square part of M is lower-triangular Toeplitz and nothing reads beyond it."""
    rows, cols = m.shape
    if any(m[t, j] != 0 for t in range(rows) for j in range(rows, cols)):
        return False
    for t in range(rows):
        for j in range(rows):
            if j > t and m[t, j] != 0:
                return False
            if j <= t and m[t, j] != m[t - j, 0]:
                return False
    return True


def _check_horizon(kernel: Sequence[Any], horizon: int) -> None:
    if not isinstance(horizon, int) or horizon < 1:
        raise ApproxTheoryError(f"horizon must be a positive integer, got {horizon!r}")
    if len(kernel) < horizon:
        raise ApproxTheoryError(f"need kernel values rho(0..{horizon - 1}), got {len(kernel)}")
