"""Softmax as a soft max (GYZ26.lem.softmax_max): the gap max z - <softmax(beta z), z>.

Three evaluations of the same quantity: a batched JAX kernel on padded arrays (one compile per
padded width), a plain NumPy reference for benchmarks, and an Arb enclosure that confirms a
counterexample without trusting floating point.
"""

from __future__ import annotations

from collections.abc import Sequence

import flint
import jax
import jax.numpy as jnp
import numpy as np

from ..numerics import TraceCounter, x64

TRACES = TraceCounter()


def _gap(z: jax.Array, mask: jax.Array, beta: jax.Array) -> jax.Array:
    """Gap for one padded row: entries where ``mask`` is False are ignored."""
    TRACES.tick()
    zm = jnp.where(mask, z, -jnp.inf)
    top = jnp.max(zm)
    # Stable form: with d_i = z_i - max z <= 0, the gap is -<p, d> and log p = beta d - LSE(beta d).
    d = jnp.where(mask, z - top, 0.0)
    logits = jnp.where(mask, beta * d, -jnp.inf)
    p = jnp.exp(logits - jax.scipy.special.logsumexp(logits))
    return -jnp.sum(jnp.where(mask, p * d, 0.0))


_gap_batch = jax.jit(jax.vmap(_gap))


@x64
def softmax_gap(z: np.ndarray, mask: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Gaps of a batch: ``z`` and ``mask`` of shape (batch, width), ``beta`` of shape (batch,)."""
    z = np.asarray(z, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    beta = np.asarray(beta, dtype=np.float64)
    if z.ndim != 2 or mask.shape != z.shape or beta.shape != z.shape[:1]:
        raise ValueError(
            f"softmax_gap wants z (batch, width), mask of the same shape and beta (batch,); "
            f"got {z.shape}, {mask.shape}, {beta.shape}"
        )
    return np.asarray(_gap_batch(jnp.asarray(z), jnp.asarray(mask), jnp.asarray(beta)))


def softmax_gap_numpy(z: Sequence[float], beta: float) -> float:
    """Reference gap for one unpadded row, in plain NumPy (the benchmark's baseline)."""
    z = np.asarray(z, dtype=np.float64)
    d = z - z.max()
    w = np.exp(beta * d)
    return float(-(w * d).sum() / w.sum())


def softmax_gap_arb(z: Sequence[float], beta: float, prec: int = 200) -> flint.arb:
    """A rigorous ball containing the gap; floats are read as the exact binary values they are."""
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        top = flint.arb(max(float(v) for v in z))
        d = [flint.arb(float(v)) - top for v in z]  # exact: differences of doubles fit in prec bits
        b = flint.arb(float(beta))
        w = [(b * di).exp() for di in d]
        return -sum((wi * di for wi, di in zip(w, d)), flint.arb(0)) / sum(w, flint.arb(0))
    finally:
        flint.ctx.prec = old
