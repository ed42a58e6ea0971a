"""The separation battery: Delta(theta) = Phi_theta(X)[i] - Phi_theta(Y)[j] for all pairs and draws at once.

Phi_theta = (Id + g_{theta_m}) o ... o (Id + g_{theta_1}) with independent theta_k per layer
(CLSL25.def.two_sample). One jitted step applies one layer to every (draw, pair) state and returns
the separations there, so a sweep over depths 1..m applies m layers in all (not 1 + ... + m) and
compiles once per (n, d, pairs, draws) configuration, whatever the depth; ``TRACES['battery']``
counts the traces. sep = |a - b| / (1 + |a|) per slot; a non-finite draw gives NaN (skipped and
counted by the caller).

The pairs go through in chunks of CHUNK_PAIRS (padded, so every call has one shape and one compilation)
and each result is waited for with a deadline: a sweep never dispatches one unbounded batch (draws x
pairs x n tokens at once), and it stops at ``deadline`` with BatteryTimeout saying how far it got
instead of blocking forever. (Issue 12's FAVOR+ stall, 0% CPU with the main thread waiting on a
result, was not reproduced here; it matches public reports of XLA's CPU intra-op thread pool wedging on
very large vmapped batches. Bounded chunks and a bounded wait keep both the batch and the wait finite.)
"""

from __future__ import annotations

import threading
import time
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
CHUNK_PAIRS = 64  # a multiple of BATCH_MULTIPLE


class BatteryTimeout(Exception):
    """The sweep ran out of time: ``depths`` full depths were done, ``chunks`` chunks of the next one."""

    def __init__(self, depths: int, chunks: int, of: int) -> None:
        super().__init__(f"time budget spent after {depths} full depth(s) and {chunks} of {of} chunk(s) of the next")
        self.depths, self.chunks, self.of = depths, chunks, of


def wait(value: Any, deadline: float | None) -> np.ndarray:
    """``np.asarray(value)``, waiting at most until ``deadline`` (time.monotonic()); TimeoutError after it."""
    if deadline is None:
        return np.asarray(value)
    box: list[Any] = []
    worker = threading.Thread(target=lambda: box.append(np.asarray(value)), daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if not box:
        raise TimeoutError("the computation did not finish before the deadline")
    return box[0]


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
                  stop: Callable[[int, np.ndarray], bool] = lambda depth, seps: False,
                  deadline: float | None = None,
                  retire: Callable[[int, np.ndarray], np.ndarray] | None = None) -> list[np.ndarray]:
    """sep[r, p, i] (draw r, pair p, slot i) at depths 1, 2, ... up to ``max_depth``, or up to the first
    depth at which ``stop(depth, seps)`` is true; each layer is applied once, to the carried states.

    ``retire(depth, seps)`` (optional) says which pairs (a bool per pair) need no deeper layers; their states
    are dropped and the remaining pairs re-packed into full chunks (one shape, one compilation), so a deep sweep
    costs what its unfinished pairs cost. A retired pair's separations are NaN at later depths. Past ``deadline``
    (time.monotonic()) it raises BatteryTimeout."""
    if max_depth > params.layers:
        raise ValueError(f"depth {max_depth} needs {max_depth} layers of parameters, only {params.layers} drawn")
    chunk = min(CHUNK_PAIRS, len(pairs.padded(BATCH_MULTIPLE)))
    step = compiled("battery", va.attention.apply, _build)
    ids = np.arange(len(pairs))  # the pair each state row belongs to (padding rows repeat a real one)
    # States are NumPy between layers: re-packing them is host indexing, never an eager (compiled) JAX gather.
    A = np.broadcast_to(pairs.X, (params.count,) + pairs.X.shape)
    B = np.broadcast_to(pairs.Y, (params.count,) + pairs.Y.shape)
    out: list[np.ndarray] = []
    for k in range(max_depth):
        rows = np.concatenate([np.arange(len(ids)), np.zeros((-len(ids)) % chunk, dtype=int)])
        A, B, slot_map = A[:, rows], B[:, rows], pairs.slot_map[ids[rows]]
        layer, states, parts = params.layer(k), [], []
        for c in range(0, len(rows), chunk):
            if deadline is not None and time.monotonic() > deadline:
                raise BatteryTimeout(k, c // chunk, len(rows) // chunk)
            a, b, seps = step(layer, A[:, c:c + chunk], B[:, c:c + chunk], slot_map[c:c + chunk])
            states.append((np.asarray(a), np.asarray(b)))
            try:
                parts.append(wait(seps, deadline))
            except TimeoutError:
                raise BatteryTimeout(k, c // chunk, len(rows) // chunk) from None
        A = np.concatenate([a for a, _ in states], axis=1)[:, : len(ids)]
        B = np.concatenate([b for _, b in states], axis=1)[:, : len(ids)]
        seps = np.full((params.count, len(pairs), pairs.X.shape[1]), np.nan)
        seps[:, ids] = np.concatenate(parts, axis=1)[:, : len(ids)]
        out.append(seps)
        if stop(k + 1, seps):
            break
        if retire is not None:
            keep = np.flatnonzero(~retire(k + 1, seps)[ids])
            if not keep.size:
                break
            ids, A, B = ids[keep], A[:, keep], B[:, keep]
    return out


def run_battery(va: ValidatedAttention, params: ParamDraws, pairs: PairSet, depth: int) -> np.ndarray:
    """sep[r, p, i] for draw r, pair p, slot i (NaN where non-finite) at the given depth."""
    return battery_sweep(va, params, pairs, depth)[-1]
