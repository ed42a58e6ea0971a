"""The separation battery: Delta(theta) = Phi_theta(X)[i] - Phi_theta(Y)[j] for all pairs and draws at once.

Phi_theta = (Id + g_{theta_m}) o ... o (Id + g_{theta_1}) with independent theta_k per layer
(CLSL25.def.two_sample). All pairs and parameter draws are batched with vmap under one jit per
(n, d, depth, pairs, draws) configuration; ``TRACES['battery']`` counts the traces.
sep = |a - b| / (1 + |a|) per slot; a non-finite draw gives NaN (skipped and counted by the caller).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..attention import ValidatedAttention
from ..numerics import TraceCounter, x64
from ._compiled import TRACES, compiled
from ._draws import ParamDraws
from .pairs import PairSet

BATCH_MULTIPLE = 16


def _build(apply: Any, counter: TraceCounter) -> Any:
    def compose(layers: Any, Z: jax.Array, depth: int) -> jax.Array:
        for k in range(depth):
            Z = Z + apply(jax.tree_util.tree_map(lambda leaf, k=k: leaf[k], layers), Z)
        return Z

    def seps(params: Any, draw_ids: jax.Array, X: jax.Array, Y: jax.Array, slot_map: jax.Array, depth: int) -> jax.Array:
        counter.tick()

        def one(p: Any, x: jax.Array, y: jax.Array, sm: jax.Array) -> jax.Array:
            a = compose(p, x, depth)
            b = compose(p, y, depth)[sm]
            sep = jnp.linalg.norm(a - b, axis=-1) / (1.0 + jnp.linalg.norm(a, axis=-1))
            finite = jnp.all(jnp.isfinite(a), axis=-1) & jnp.all(jnp.isfinite(b), axis=-1)
            return jnp.where(finite, sep, jnp.nan)

        per_pair = jax.vmap(one, in_axes=(None, 0, 0, 0))
        # draw_ids carries the draw axis even for a mechanism without parameters
        return jax.vmap(lambda p, _: per_pair(p, X, Y, slot_map), in_axes=(0, 0))(params, draw_ids)

    return seps


def trace_count() -> int:
    """How often the battery has been traced (compiled) in this process."""
    counter = TRACES.get("battery")
    return 0 if counter is None else counter.count


@x64
def run_battery(va: ValidatedAttention, params: ParamDraws, pairs: PairSet, depth: int) -> np.ndarray:
    """sep[r, p, i] for draw r, pair p, slot i (NaN where non-finite) at the given depth."""
    if depth > params.layers:
        raise ValueError(f"depth {depth} needs {depth} layers of parameters, only {params.layers} drawn")
    padded = pairs.padded(BATCH_MULTIPLE)
    fn = compiled("battery", va.attention.apply, _build, static_argnames=("depth",))
    out = fn(params.first_layers(depth), jnp.arange(params.count), jnp.asarray(padded.X), jnp.asarray(padded.Y),
             jnp.asarray(padded.slot_map), depth=depth)
    return np.asarray(out)[:, : len(pairs)]
