"""Trigonometric polynomials on [0, 1]: the closed-form POD bases of the card's fixtures (§7).

A :class:`TrigSystem` holds K functions g_k(u) = sum_j a_kj cos(2 pi n_j u) + b_kj sin(2 pi n_j u)
of the raw token u. Because the coefficients are explicit, the sup norms (needed by C0, eq. 13)
have the rigorous upper bound sum_j |a_kj| + |b_kj|, and Barron's constant (the feed-forward rate
of JL24.def.ffn_rate) has the closed form sum_j 2 pi n_j sqrt(a_kj^2 + b_kj^2).

Also here: the infinite-rank sine coupling of E1 in closed form,
sum_{n>=1} n^-alpha 2 sin(2 pi n u) sin(2 pi n v) = C_alpha(u - v) - C_alpha(u + v),
with C_alpha(x) = sum_{n>=1} cos(2 pi n x) / n^alpha (a periodic zeta function).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.special
import sympy as sp

from ..core import ApproxTheoryError


@dataclass(frozen=True, eq=False)
class TrigSystem:
    """K trigonometric polynomials of u in [0, 1] with integer frequencies n_j (shape (J,))."""

    frequencies: np.ndarray  # (J,) non-negative integers
    cos: np.ndarray  # (K, J)
    sin: np.ndarray  # (K, J)

    def __post_init__(self) -> None:
        n = np.asarray(self.frequencies)
        a, b = np.asarray(self.cos, dtype=np.float64), np.asarray(self.sin, dtype=np.float64)
        if n.ndim != 1 or a.ndim != 2 or a.shape != b.shape or a.shape[1] != n.shape[0]:
            raise ApproxTheoryError(
                f"a TrigSystem needs frequencies (J,) and cos/sin coefficients (K, J); got {n.shape}, {a.shape}, {b.shape}"
            )
        if np.any(n < 0) or np.any(n != np.round(n)) or len(set(n.tolist())) != n.size:
            raise ApproxTheoryError("frequencies must be distinct non-negative integers")
        object.__setattr__(self, "frequencies", n.astype(np.int64))
        object.__setattr__(self, "cos", a)
        object.__setattr__(self, "sin", b)

    @property
    def size(self) -> int:
        return self.cos.shape[0]

    def __call__(self, u: jax.Array) -> jax.Array:
        """Values g_k(u) for k = 1..K, shape u.shape + (K,) (JAX: traceable)."""
        return self._values(u, jnp)

    def numpy_values(self, u: np.ndarray) -> np.ndarray:
        """The same values in NumPy float64: no tracing, for host-side checks."""
        return self._values(u, np)

    def _values(self, u: Any, xp: Any) -> Any:
        angle = 2 * xp.pi * xp.asarray(u)[..., None] * xp.asarray(self.frequencies, dtype=xp.float64)
        return xp.cos(angle) @ xp.asarray(self.cos.T) + xp.sin(angle) @ xp.asarray(self.sin.T)

    def sup_bounds(self) -> np.ndarray:
        """Rigorous upper bounds sum_j |a_kj| + |b_kj| on sup |g_k| (exact for a single sine or cosine)."""
        return np.abs(self.cos).sum(axis=1) + np.abs(self.sin).sum(axis=1)

    def barron_moments(self) -> np.ndarray:
        """Barron's C_f = int |omega| |g^(omega)| d omega of each g_k: sum_j 2 pi n_j sqrt(a^2 + b^2)."""
        return (2 * np.pi * self.frequencies[None, :] * np.hypot(self.cos, self.sin)).sum(axis=1)

    def head(self, k: int) -> TrigSystem:
        """The first k functions."""
        return TrigSystem(self.frequencies, self.cos[:k], self.sin[:k])


def sine_system(frequencies: np.ndarray | list[int]) -> TrigSystem:
    """sqrt(2) sin(2 pi n u) for each n: the orthonormal sine bases of JL24.fix.sines."""
    n = np.asarray(frequencies, dtype=np.int64)
    return TrigSystem(n, np.zeros((n.size, n.size)), math.sqrt(2) * np.eye(n.size))


# --- the periodic zeta function C_alpha(x) = sum_{n>=1} cos(2 pi n x) n^-alpha, alpha > 1 ---------

_EM_TERMS = 16  # direct terms of the Euler-Maclaurin sum for the Hurwitz zeta
_EM_ORDER = 10  # Bernoulli corrections


def _bernoulli_factors() -> np.ndarray:
    return np.array([float(sp.bernoulli(2 * j) / sp.factorial(2 * j)) for j in range(1, _EM_ORDER + 1)])


_B2J = _bernoulli_factors()


def hurwitz_zeta(s: float, a: jax.Array) -> jax.Array:
    """zeta(s, a) for real s != 1 and a in [0, 1] by Euler-Maclaurin (valid for s > -2*_EM_ORDER).

    At a = 0 the k = 0 term a^-s is dropped for s < 0 (its limit), which continues zeta(s, a)
    to a = 0 exactly as the periodic zeta needs; the error is below 1e-13 for -4 < s < 1.
    """
    a = jnp.asarray(a, dtype=jnp.float64)
    k = jnp.arange(_EM_TERMS, dtype=jnp.float64)
    base = a[..., None] + k
    direct = jnp.where(base > 0, jnp.where(base > 0, base, 1.0) ** (-s), 0.0).sum(axis=-1)
    x = a + _EM_TERMS
    total = direct + x ** (1 - s) / (s - 1) + 0.5 * x ** (-s)
    rising = s  # (s)_{2j-1} = s (s+1) ... (s+2j-2)
    for j in range(1, _EM_ORDER + 1):
        total = total + _B2J[j - 1] * rising * x ** (-s - 2 * j + 1)
        rising = rising * (s + 2 * j - 1) * (s + 2 * j)
    return total


def periodic_zeta_cos(alpha: float, x: jax.Array) -> jax.Array:
    """C_alpha(x) = sum_{n>=1} cos(2 pi n x) / n^alpha for alpha > 1 (continuous, 1-periodic).

    Even integer alpha = 2m: the Bernoulli polynomial form (-1)^(m+1) (2 pi)^(2m) B_2m({x}) / (2 (2m)!).
    Non-integer alpha: Hurwitz's formula Gamma(1-alpha) (2 pi)^(alpha-1) sin(pi alpha / 2)
    (zeta(1-alpha, {x}) + zeta(1-alpha, 1-{x})). Odd integer alpha has no closed form here.
    """
    check_periodic_zeta(alpha)
    frac = jnp.mod(jnp.asarray(x, dtype=jnp.float64), 1.0)
    if float(alpha).is_integer():
        m = int(alpha) // 2
        u = sp.Symbol("u")
        coeffs = [float(c) for c in sp.Poly(sp.bernoulli(2 * m, u), u).all_coeffs()]
        scale = (-1) ** (m + 1) * (2 * math.pi) ** (2 * m) / (2 * math.factorial(2 * m))
        return scale * jnp.polyval(jnp.asarray(coeffs), frac)
    scale = float(scipy.special.gamma(1 - alpha)) * (2 * math.pi) ** (alpha - 1) * math.sin(math.pi * alpha / 2)
    return scale * (hurwitz_zeta(1 - alpha, frac) + hurwitz_zeta(1 - alpha, 1 - frac))


def check_periodic_zeta(alpha: float) -> None:
    """Raise unless :func:`periodic_zeta_cos` has a closed form for this alpha."""
    if not alpha > 1:
        raise ApproxTheoryError(
            f"sum cos(2 pi n x) n^-alpha has no finite value at x = 0 for alpha = {alpha} <= 1",
            "the infinite-rank sine coupling is continuous only for alpha > 1; use a finite rank r",
        )
    if float(alpha).is_integer() and int(alpha) % 2:
        raise ApproxTheoryError(f"no closed form implemented for odd integer alpha = {alpha}", "use alpha = 2, 4 or a non-integer")
