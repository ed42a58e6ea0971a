"""The separation battery: Delta(theta) = Phi_theta(X)[i] - Phi_theta(Y)[j] for all pairs and draws at once.

Phi_theta = (Id + g_{theta_m}) o ... o (Id + g_{theta_1}) with independent theta_k per layer
(CLSL25.def.two_sample). One jitted step applies one layer to every (draw, pair) state and returns
the separations there, so a sweep over depths 1..m applies m layers in all (not 1 + ... + m) and
compiles once per (n, d, pairs, draws) configuration, whatever the depth; ``TRACES['battery']``
counts the traces. sep = |a - b| / (1 + |a|) per slot; a non-finite draw gives NaN (skipped and
counted by the caller).
"""

from __future__ import annotations

from collections.abc import Callable
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
    def layer(params_k: Any, A: jax.Array, B: jax.Array, slot_map: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        counter.tick()

        def one(p: Any, a: jax.Array, b: jax.Array, sm: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
            a, b = a + apply(p, a), b + apply(p, b)
            bs = b[sm]
            sep = jnp.linalg.norm(a - bs, axis=-1) / (1.0 + jnp.linalg.norm(a, axis=-1))
            finite = jnp.all(jnp.isfinite(a), axis=-1) & jnp.all(jnp.isfinite(bs), axis=-1)
            return a, b, jnp.where(finite, sep, jnp.nan)

        per_pair = jax.vmap(one, in_axes=(None, 0, 0, 0))
        # the states carry the draw axis, also for a mechanism without parameters
        return jax.vmap(per_pair, in_axes=(0, 0, 0, None))(params_k, A, B, slot_map)

    return layer


def trace_count() -> int:
    """How often the battery has been traced (compiled) in this process."""
    counter = TRACES.get("battery")
    return 0 if counter is None else counter.count


@x64
def battery_sweep(va: ValidatedAttention, params: ParamDraws, pairs: PairSet, max_depth: int,
                  stop: Callable[[int, np.ndarray], bool] = lambda depth, seps: False) -> list[np.ndarray]:
    """sep[r, p, i] (draw r, pair p, slot i) at depths 1, 2, ... up to ``max_depth``, or up to the first
    depth at which ``stop(depth, seps)`` is true; each layer is applied once, to the carried states."""
    if max_depth > params.layers:
        raise ValueError(f"depth {max_depth} needs {max_depth} layers of parameters, only {params.layers} drawn")
    padded = pairs.padded(BATCH_MULTIPLE)
    step = compiled("battery", va.attention.apply, _build)
    A = jnp.broadcast_to(jnp.asarray(padded.X), (params.count,) + padded.X.shape)
    B = jnp.broadcast_to(jnp.asarray(padded.Y), (params.count,) + padded.Y.shape)
    slot_map = jnp.asarray(padded.slot_map)
    out: list[np.ndarray] = []
    for k in range(max_depth):
        A, B, seps = step(params.layer(k), A, B, slot_map)
        out.append(np.asarray(seps)[:, : len(pairs)])
        if stop(k + 1, out[-1]):
            break
    return out


def run_battery(va: ValidatedAttention, params: ParamDraws, pairs: PairSet, depth: int) -> np.ndarray:
    """sep[r, p, i] for draw r, pair p, slot i (NaN where non-finite) at the given depth."""
    return battery_sweep(va, params, pairs, depth)[-1]
