"""Seeded draws for the conditions: parameter stacks (draw x scale, layer) and inputs in general position.

Every random choice flows from one seed through a per-consumer stream, so adding draws to one condition
never changes another's. Parameters come from the attention's own ``init`` via
``approxtheory.attention.sample_params``; inputs from NumPy generators seeded with (seed, stream).

The draw law: init's draws, where a leaf that init leaves constant over its draws (zero biases, unit gains)
gets Gaussian noise of standard deviation ``noise`` times its RMS (or ``noise`` itself when it is zero), so
every leaf varies (CLSL25 quantifies over the whole family); then every leaf is multiplied by each scale.
All arithmetic stays in each leaf's own dtype, so a float32 mechanism is drawn, and later re-evaluated, in
float32 (a float64 factor would silently promote it and mix dtypes inside its graph). The arithmetic is NumPy,
not eager JAX: an eager JAX operation compiles once per leaf shape, so drawing stacks of a module with many
leaves at several draw counts cost hundreds of XLA compilations per check (issue 14); the stacks are NumPy
arrays and enter the jitted conditions as arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np

from ..attention import ValidatedAttention, sample_params, validate
from ..numerics import x64

STREAMS = {
    "equivariance": 2,
    "analyticity": 3,
    "battery_params": 4,
    "battery_inputs": 5,
    "kernel": 6,
    "ffn": 7,
    "witness": 8,
    "precision": 9,
    "graph": 10,
}
PARAM_NOISE = 0.5  # relative spread added to leaves init does not vary (the default draw law)
KEY_RULE = ("layer key = fold_in(fold_in(key(seed), stream), layer); draws = sample_params(layer key, draws) "
            "(init on split(layer key, draws)); a leaf constant over the draws gets noise x max(rms, 1 if zero) x "
            "N(0, 1) from numpy.random.default_rng(key_data(fold_in(layer key, leaf index))); every leaf is then "
            "multiplied by each scale, in its own dtype")


def validated(attention: Any, n: int, d: int, seed: int = 0) -> ValidatedAttention:
    """Pass a ValidatedAttention through (checking n, d), or validate a raw attention at (n, d)."""
    if isinstance(attention, ValidatedAttention):
        if (attention.n, attention.d) != (n, d):
            raise ValueError(f"the attention was validated at n={attention.n}, d={attention.d}, not n={n}, d={d}")
        return attention
    return validate(attention, n, d, seed)


def input_rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([seed, STREAMS[stream]])


def layer_key(seed: int, stream: str, layer: int) -> jax.Array:
    return jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), STREAMS[stream]), layer)


@dataclass(frozen=True)
class ParamDraws:
    """Parameters stacked as (draws * scales, layers, ...): entry ``r * len(scales) + s`` is draw r at scale s."""

    stacked: Any
    draws: int
    scales: tuple[float, ...]
    layers: int
    seed: int
    stream: str
    noise: float = PARAM_NOISE

    @property
    def count(self) -> int:
        return self.draws * len(self.scales)

    def scale_of(self, index: int) -> float:
        return self.scales[index % len(self.scales)]

    def layer(self, k: int) -> Any:
        return jax.tree_util.tree_map(lambda leaf: leaf[:, k], self.stacked)

    def keys(self) -> dict[str, Any]:
        return {"seed": self.seed, "stream": STREAMS[self.stream], "draws": self.draws,
                "scales": list(self.scales), "noise": self.noise, "rule": KEY_RULE}


def _noise(key: jax.Array, index: int, shape: tuple[int, ...]) -> np.ndarray:
    """N(0, 1) of ``shape`` from a NumPy generator seeded by the bits of fold_in(key, index) (no compilation per shape)."""
    bits = np.asarray(jax.random.key_data(jax.random.fold_in(key, index)), dtype=np.uint32).ravel()
    return np.random.default_rng(bits.tolist()).standard_normal(shape)


def _widen(stack: Any, key: jax.Array, noise: float) -> Any:
    """Add noise to every leaf of a (draws, ...) stack that init left constant over the draws (with a single
    draw: an all-zero leaf), in the leaf's dtype."""
    leaves, tree = jax.tree_util.tree_flatten(stack)
    out = []
    for index, leaf in enumerate(leaves):
        leaf = np.asarray(leaf)
        constant = bool(np.all(leaf == leaf[:1])) if leaf.shape[0] > 1 else not bool(np.any(leaf))
        if noise > 0 and leaf.size and constant:
            rms = float(np.sqrt(np.mean(np.square(leaf.astype(np.float64)))))
            spread = noise * (rms if rms > 0 else 1.0)
            leaf = (leaf + (spread * _noise(key, index, leaf.shape)).astype(leaf.dtype)).astype(leaf.dtype)
        out.append(leaf)
    return jax.tree_util.tree_unflatten(tree, out)


def _scaled(leaf: np.ndarray, scales: Sequence[float]) -> np.ndarray:
    """(draws, layers, ...) -> (draws * scales, layers, ...): entry r * len(scales) + s is draw r at scale s."""
    factors = np.asarray(scales, dtype=leaf.dtype).reshape((1, -1) + (1,) * (leaf.ndim - 1))
    return (leaf[:, None] * factors).astype(leaf.dtype).reshape((-1,) + leaf.shape[1:])


@x64
def draw_params(va: ValidatedAttention, seed: int, stream: str, draws: int, layers: int = 1,
                scales: Sequence[float] = (1.0,), noise: float = PARAM_NOISE) -> ParamDraws:
    """``draws`` independent parameter sets per layer (independent across layers), each at every scale."""
    per_layer = [_widen(sample_params(va.attention, va.n, va.d, layer_key(seed, stream, k), draws),
                        layer_key(seed, stream, k), noise) for k in range(layers)]
    stacked = jax.tree_util.tree_map(lambda *ls: np.stack(ls, axis=1), *per_layer)  # (draws, layers, ...)
    return ParamDraws(jax.tree_util.tree_map(lambda leaf: _scaled(leaf, scales), stacked), draws,
                      tuple(float(s) for s in scales), layers, seed, stream, float(noise))


def min_row_distance(X: np.ndarray) -> float:
    diff = X[:, None, :] - X[None, :, :]
    dist = np.sqrt((diff ** 2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    return float(dist.min())


def general_position_inputs(rng: np.random.Generator, count: int, n: int, d: int,
                            min_distance: float = 0.05) -> np.ndarray:
    """``count`` standard-normal inputs whose rows are pairwise at least ``min_distance`` apart (GP1)."""
    out = np.empty((count, n, d))
    for c in range(count):
        X = rng.standard_normal((n, d))
        while min_row_distance(X) < min_distance:
            X = rng.standard_normal((n, d))
        out[c] = X
    return out
