"""Positive kernels for kernel attention (CLSL25.def.kernel_limit, CLSL25.cor.kernel), in JAX and in SymPy."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from .protocol import Kernel


def _dot(q: jax.Array, kappa: jax.Array) -> jax.Array:
    return jnp.dot(q, kappa)


def _sdot(q: sp.Matrix, kappa: sp.Matrix) -> sp.Expr:
    return (q.T * kappa)[0, 0]


EXPONENTIAL = Kernel(
    name="exponential",
    fn=lambda q, kappa: jnp.exp(_dot(q, kappa)),
    formula=lambda q, kappa: sp.exp(_sdot(q, kappa)),
    log_fn=_dot,
)


def gaussian(gamma: float = 1.0) -> Kernel:
    """k(q, kappa) = exp(-gamma |q - kappa|^2), gamma > 0 (CLSL25.cor.kernel: RBF)."""
    if not gamma > 0:
        raise ValueError(f"gamma must be positive, got {gamma}")
    g = sp.nsimplify(gamma)

    def log_k(q: jax.Array, kappa: jax.Array) -> jax.Array:
        return -gamma * jnp.sum((q - kappa) ** 2)

    return Kernel(
        name=f"gaussian(gamma={gamma})",
        fn=lambda q, kappa: jnp.exp(log_k(q, kappa)),
        formula=lambda q, kappa: sp.exp(-g * _sdot(q - kappa, q - kappa)),
        log_fn=log_k,
    )


@functools.cache
def performer_features(features: int, d: int, seed: int) -> np.ndarray:
    """omega_r ~ N(0, I_d), drawn once per (features, d, seed): part of the architecture, not of theta (card §3)."""
    return np.random.default_rng([seed, d]).standard_normal((features, d))


def performer(features: int = 32, seed: int = 0) -> Kernel:
    """Positive random features: k(q, kappa) = phi(q).phi(kappa), phi(x) = M^-1/2 e^{-|x|^2/2} (e^{omega_r.x})_r.

    omega is fixed by ``seed`` and d (known at trace time from the shapes), so no random bits
    are drawn inside apply and omega is a constant of the traced function.
    """

    def phi(x: jax.Array) -> jax.Array:
        omega = jnp.asarray(performer_features(features, x.shape[-1], seed))
        return jnp.exp(omega @ x - jnp.sum(x**2) / 2) / np.sqrt(features)

    def formula(q: sp.Matrix, kappa: sp.Matrix) -> sp.Expr:
        # exact binary values of the same floats the JAX kernel uses
        omega = sp.Matrix(performer_features(features, q.shape[0], seed).tolist()).applyfunc(sp.Rational)
        fq = (omega * q).applyfunc(sp.exp) * sp.exp(-_sdot(q, q) / 2)
        fk = (omega * kappa).applyfunc(sp.exp) * sp.exp(-_sdot(kappa, kappa) / 2)
        return _sdot(fq, fk) / features

    return Kernel(
        name=f"performer(features={features}, seed={seed})",
        fn=lambda q, kappa: jnp.dot(phi(q), phi(kappa)),
        formula=formula,
    )


def polynomial(p: int = 2, c: float = 1.0) -> Kernel:
    """k(q, kappa) = (q.kappa + c)^p + c with even p and c > 0: the power is >= 0, so k >= c > 0.

    Analytic and positive, but the kernel-limit ratio tends to a finite non-zero value, so
    CLSL25.cor.kernel does not apply (proofs/prove_clsl25_algebra.py).
    """
    if p < 2 or p % 2 or not c > 0:
        raise ValueError(f"need an even p >= 2 and c > 0 for a positive kernel, got p={p}, c={c}")
    cs = sp.nsimplify(c)
    return Kernel(
        name=f"polynomial(p={p}, c={c})",
        fn=lambda q, kappa: (_dot(q, kappa) + c) ** p + c,
        formula=lambda q, kappa: (_sdot(q, kappa) + cs) ** p + cs,
    )
