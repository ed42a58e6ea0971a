"""``jax.random.rademacher`` in NumPy, bit for bit (float64 mode, partitionable Threefry-2x32).

An eager ``jax.random.rademacher`` compiles one XLA program per shape (a Threefry hash costs about a quarter of
a second to compile), and the precision probe nudges every parameter leaf of every mechanism, so the eager
calls cost an XLA compilation per distinct leaf shape (issue 14). The same signs are a few lines of NumPy:
under ``jax_threefry_partitionable`` entry k (row-major) of a draw of ``shape`` is Threefry-2x32 of the key on
the counter (0, k); ``bernoulli(0.5)`` compares the float64 uniform built from the 64 bits (hi, lo) with 1/2,
which is the top bit of hi being clear; rademacher is then 2 b - 1. tests/conditions/test_conditions_signs.py
holds it against JAX.
"""

from __future__ import annotations

import jax
import numpy as np

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def threefry2x32(k1: np.uint32, k2: np.uint32, x1: np.ndarray, x2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Threefry-2x32 hash (20 rounds) of counters (x1, x2) under key (k1, k2), as JAX computes it."""
    ks = (k1, k2, k1 ^ k2 ^ np.uint32(0x1BD11BDA))
    a, b = x1 + ks[0], x2 + ks[1]
    for block in range(5):
        for r in _ROTATIONS[block % 2]:
            a = a + b
            b = _rotl(b, r) ^ a
        a = a + ks[(block + 1) % 3]
        b = b + ks[(block + 2) % 3] + np.uint32(block + 1)
    return a, b


def rademacher(key: jax.Array, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """``jax.random.rademacher(key, shape, dtype)`` with ``jax_enable_x64`` on, computed in NumPy."""
    if not jax.config.jax_threefry_partitionable:
        raise RuntimeError("the NumPy rademacher follows JAX's partitionable Threefry (jax_threefry_partitionable)")
    k1, k2 = (np.uint32(v) for v in np.asarray(jax.random.key_data(key), dtype=np.uint32).ravel())
    count = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.uint32).reshape(shape)
    with np.errstate(over="ignore"):
        hi, _ = threefry2x32(k1, k2, np.zeros_like(count), count)
    return np.where(hi < np.uint32(2**31), 1, -1).astype(dtype)
