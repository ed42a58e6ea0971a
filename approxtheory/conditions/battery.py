"""The separation battery: Delta(theta) = Phi_theta(X)[i] - Phi_theta(Y)[j] for all pairs and draws at once.

Phi_theta = (Id + g_{theta_m}) o ... o (Id + g_{theta_1}) with independent theta_k per layer
(CLSL25.def.two_sample). One jitted step applies one layer to every (draw, input) state and returns
the separations there, so a sweep over depths 1..m applies m layers in all (not 1 + ... + m) and
compiles once per (n, d, draws, bucket) configuration, whatever the depth; ``TRACES['battery']``
counts the traces. sep = |a - b| / (1 + |a|) per slot; a non-finite draw gives NaN (skipped and
counted by the caller).

The states are those of the *distinct* inputs, not of the pair members: most generators keep the base
input X and change Y (pairs.py), so the pairs of a base share one X, and Phi_theta(X) is computed once per
draw instead of once per pair (about half the work; the separations are the same numbers). Each pair
reads its two members' states by index.

The pairs go through in chunks of CHUNK_PAIRS and each result is waited for with a deadline: a sweep
never dispatches one unbounded batch (draws x pairs x n tokens at once), and it stops at ``deadline``
with BatteryTimeout saying how far it got instead of blocking forever. (Issue 12's FAVOR+ stall, 0% CPU
with the main thread waiting on a result, was not reproduced here; it matches public reports of XLA's
CPU intra-op thread pool wedging on very large vmapped batches. Bounded chunks and a bounded wait keep
both the batch and the wait finite.) A chunk's pair count is padded to a multiple of BATCH_MULTIPLE and
its distinct-input count to a multiple of INPUT_MULTIPLE, so the compiled shapes are at most
(CHUNK_PAIRS / BATCH_MULTIPLE) x (2 CHUNK_PAIRS / INPUT_MULTIPLE) whatever the number of pairs.

Within those buckets a sweep compiles one shape where it can (issue 14: each distinct shape is one more XLA
compilation of the mechanism): every chunk of a sweep, those of its re-plans after pairs retire included, is
padded to the largest chunk shape of its first plan. The shapes depend on the sweep's own pairs only, never
on what ran before, so a sweep's numbers are reproducible call by call (XLA may round the last bit of a row
differently in a batch of another shape).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..attention import ValidatedAttention
from ..numerics import TraceCounter, x64
from ._compiled import TRACES, compiled
from ._draws import ParamDraws
from .pairs import PairSet

BATCH_MULTIPLE = 8  # pairs per chunk are padded to a multiple of this
INPUT_MULTIPLE = 16  # distinct inputs per chunk (at most 2 x pairs) are padded to a multiple of this
CHUNK_PAIRS = 64  # a multiple of BATCH_MULTIPLE


class BatteryTimeout(Exception):
    """The sweep ran out of time: ``depths`` full depths were done, ``chunks`` chunks of the next one."""

    def __init__(self, depths: int, chunks: int, of: int) -> None:
        super().__init__(f"time budget spent after {depths} full depth(s) and {chunks} of {of} chunk(s) of the next")
        self.depths, self.chunks, self.of = depths, chunks, of


def wait(values: list[Any], deadline: float | None) -> list[np.ndarray]:
    """``np.asarray`` of each value in turn, waiting at most until ``deadline`` (time.monotonic()): the ones
    that arrived by then (all of them without a deadline). One waiting thread per call, not per value."""
    if deadline is None:
        return [np.asarray(v) for v in values]
    box: list[np.ndarray] = []

    def fetch() -> None:
        for v in values:
            box.append(np.asarray(v))

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    return box[:]


def _build(apply: Any, counter: TraceCounter) -> Any:
    def layer(params_k: Any, states: jax.Array, a: jax.Array, b: jax.Array,
              slot_map: jax.Array) -> tuple[jax.Array, jax.Array]:
        """states (draw, input, n, d) -> (states after the layer, sep (draw, pair, slot)): pair p compares
        input a[p] at slot i with input b[p] at slot slot_map[p, i]."""
        counter.tick()
        residual = jax.vmap(lambda p, z: z + apply(p, z), in_axes=(None, 0))
        # the states carry the draw axis, also for a mechanism without parameters
        states = jax.vmap(residual, in_axes=(0, 0))(params_k, states)
        # gathered with the draw axis inside each token's row: (input, slot, draw, d) -> (pair, slot, draw, d)
        tokens = jnp.transpose(states, (1, 2, 0, 3))
        x, y = tokens[a], tokens[b[:, None], slot_map]
        sep = jnp.linalg.norm(x - y, axis=-1) / (1.0 + jnp.linalg.norm(x, axis=-1))
        finite = jnp.all(jnp.isfinite(x), axis=-1) & jnp.all(jnp.isfinite(y), axis=-1)
        return states, jnp.transpose(jnp.where(finite, sep, jnp.nan), (2, 0, 1))

    return layer


def trace_count() -> int:
    """How often the battery has been traced (compiled) in this process."""
    counter = TRACES.get("battery")
    return 0 if counter is None else counter.count


def _round_up(count: int, multiple: int) -> int:
    return -(-count // multiple) * multiple


def _pad(rows: np.ndarray, size: int) -> np.ndarray:
    """``rows`` followed by copies of its first row, ``size`` rows in all (padding is computed, then dropped)."""
    return np.concatenate([rows, np.repeat(rows[:1], size - len(rows), axis=0)])


def distinct_inputs(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inputs, a, b) with inputs[a[p]] = X[p] and inputs[b[p]] = Y[p], inputs pairwise distinct.

    Inputs are equal when their bytes are (so -0.0 and 0.0 stay apart: the same input, bit for bit,
    is what lets one state stand for both)."""
    members = np.ascontiguousarray(np.concatenate([X, Y]))
    rows = members.reshape(len(members), -1)
    keys = rows.view(np.dtype((np.void, rows.shape[1] * rows.itemsize))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    return members[first], inverse[: len(X)], inverse[len(X):]


@dataclass(frozen=True)
class Chunk:
    """``count`` consecutive pairs on the states of their distinct members, padded to the bucket shapes."""

    count: int
    rows: np.ndarray  # (inputs padded to INPUT_MULTIPLE,) the members' rows in the pool of states
    a: np.ndarray  # (pairs padded,) position in ``rows`` of the pair's first member
    b: np.ndarray  # (pairs padded,) position in ``rows`` of the pair's second member
    slot_map: np.ndarray  # (pairs padded, n)

    @property
    def shape(self) -> tuple[int, int]:
        """(padded distinct inputs, padded pairs): what the compiled step is specialised to."""
        return len(self.rows), len(self.a)


def _chunks(a: np.ndarray, b: np.ndarray, slot_map: np.ndarray) -> list[Chunk]:
    """Pairs (members ``a[p]``, ``b[p]`` in a pool of states) in chunks of CHUNK_PAIRS (the last one, or a lone
    short one, padded to a multiple of BATCH_MULTIPLE as the others are), each on its own members."""
    size = min(CHUNK_PAIRS, _round_up(max(len(a), 1), BATCH_MULTIPLE))
    chunks = []
    for start in range(0, len(a), size):
        stop = min(start + size, len(a))
        rows, local = np.unique(np.concatenate([a[start:stop], b[start:stop]]), return_inverse=True)
        count = stop - start
        chunks.append(Chunk(count, _pad(rows, _round_up(len(rows), INPUT_MULTIPLE)), _pad(local[:count], size),
                            _pad(local[count:], size), _pad(slot_map[start:stop], size)))
    return chunks


def _fit(chunks: list[Chunk], shape: tuple[int, int]) -> tuple[list[Chunk], tuple[int, int]]:
    """``chunks`` padded to one shape: ``shape``, grown to the largest chunk if one exceeds it; and that shape."""
    if not chunks:
        return chunks, shape
    shape = (max([shape[0], *(len(c.rows) for c in chunks)]), max([shape[1], *(len(c.a) for c in chunks)]))
    padded = [Chunk(c.count, _pad(c.rows, shape[0]), _pad(c.a, shape[1]), _pad(c.b, shape[1]), _pad(c.slot_map, shape[1]))
              for c in chunks]
    return padded, shape


def plan(pairs: PairSet) -> tuple[np.ndarray, list[Chunk]]:
    """(the distinct inputs, the chunks of ``pairs`` on them): the first layer's pool and work."""
    if not len(pairs):
        return pairs.X[:0], []
    inputs, a, b = distinct_inputs(pairs.X, pairs.Y)
    return inputs, _chunks(a, b, pairs.slot_map)


@x64
def battery_sweep(va: ValidatedAttention, params: ParamDraws, pairs: PairSet, max_depth: int,
                  stop: Callable[[int, np.ndarray], bool] = lambda depth, seps: False,
                  deadline: float | None = None,
                  retire: Callable[[int, np.ndarray], np.ndarray] | None = None) -> list[np.ndarray]:
    """sep[r, p, i] (draw r, pair p, slot i) at depths 1, 2, ... up to ``max_depth``, or up to the first
    depth at which ``stop(depth, seps)`` is true; each layer is applied once, to the carried states.

    ``retire(depth, seps)`` (optional) says which pairs (a bool per pair) need no deeper layers: the
    remaining pairs are re-planned on the states of their members (still one state per distinct input),
    so a deep sweep costs what its unfinished pairs cost. A retired pair's separations are NaN at later
    depths. Past ``deadline`` (time.monotonic()) it raises BatteryTimeout.

    Every chunk of a depth is dispatched before the first is waited for, so the host's bookkeeping
    overlaps the device's work. Arguments go to the step as NumPy arrays (the jit converts them without
    a Python dispatch each); only the separations come back, once per depth."""
    if max_depth > params.layers:
        raise ValueError(f"depth {max_depth} needs {max_depth} layers of parameters, only {params.layers} drawn")
    step = compiled("battery", va.attention.apply, _build)
    inputs, chunks = plan(pairs)
    chunks, shape = _fit(chunks, (0, 0))
    live = np.arange(len(pairs))  # the pairs still swept, in the order of the chunks
    states = [np.broadcast_to(inputs[c.rows], (params.count,) + inputs[c.rows].shape) for c in chunks]
    host = jax.tree_util.tree_map(np.asarray, params.stacked)
    out: list[np.ndarray] = []
    for k in range(max_depth):
        if deadline is not None and time.monotonic() > deadline:
            raise BatteryTimeout(k, 0, len(chunks))
        layer = jax.tree_util.tree_map(lambda leaf: leaf[:, k], host)
        pending = []
        for c, chunk in enumerate(chunks):
            states[c], seps = step(layer, states[c], chunk.a, chunk.b, chunk.slot_map)
            pending.append(seps)
        parts = wait(pending, deadline)
        if len(parts) < len(pending):
            raise BatteryTimeout(k, len(parts), len(chunks))
        seps = np.full((params.count, len(pairs), pairs.X.shape[1]), np.nan)
        if chunks:
            seps[:, live] = np.concatenate([part[:, : chunk.count] for part, chunk in zip(parts, chunks)], axis=1)
        out.append(seps)
        if stop(k + 1, seps):
            break
        if retire is not None:
            keep = np.flatnonzero(~retire(k + 1, seps)[live])
            if not keep.size:
                break
            if keep.size < live.size:
                live, (chunks, states, shape) = live[keep], _replan(chunks, states, keep, shape)
    return out


def _replan(chunks: list[Chunk], states: list[Any], keep: np.ndarray,
            shape: tuple[int, int]) -> tuple[list[Chunk], list[np.ndarray], tuple[int, int]]:
    """The chunks (padded to the sweep's ``shape``, grown if needed) and states of the kept pairs (``keep``
    indexes the pairs of ``chunks`` in order), and the shape: a member's state is found by its chunk and row, so
    pairs that shared a state still share it, and no state is copied twice."""
    offsets = np.cumsum([0] + [len(c.rows) for c in chunks])[:-1]
    a = np.concatenate([c.a[: c.count] + o for c, o in zip(chunks, offsets)])[keep]
    b = np.concatenate([c.b[: c.count] + o for c, o in zip(chunks, offsets)])[keep]
    slot_map = np.concatenate([c.slot_map[: c.count] for c in chunks])[keep]
    pool = np.concatenate([np.asarray(s) for s in states], axis=1)  # (draw, every chunk's inputs, n, d)
    new, shape = _fit(_chunks(a, b, slot_map), shape)
    return new, [pool[:, c.rows] for c in new], shape


def run_battery(va: ValidatedAttention, params: ParamDraws, pairs: PairSet, depth: int) -> np.ndarray:
    """sep[r, p, i] for draw r, pair p, slot i (NaN where non-finite) at the given depth."""
    return battery_sweep(va, params, pairs, depth)[-1]
