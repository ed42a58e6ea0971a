"""conditions/_signs.py: the NumPy Rademacher signs are jax.random.rademacher's, bit for bit, so the precision
probe's nudges (and every tolerance derived from them) are what eager JAX gave."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from approxtheory.conditions._signs import rademacher
from approxtheory.numerics import x64

SHAPES = [(), (1,), (7,), (2, 6, 2), (3, 4), (12, 2, 2), (5, 1, 3), (300,)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", [0, 1, 2**31 + 5])
def test_the_numpy_signs_are_jax_rademacher(dtype: type, seed: int) -> None:
    @x64
    def both(shape: tuple[int, ...], key: jax.Array) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(jax.random.rademacher(key, shape, dtype=dtype)), rademacher(key, shape, np.dtype(dtype))

    key = jax.random.key(seed)
    for index, shape in enumerate(SHAPES):
        want, got = both(shape, jax.random.fold_in(key, index))
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got, want)
        if got.size > 100:  # both signs occur: the comparison is not trivially all +1
            assert set(np.unique(got)) == {-1.0, 1.0}


@pytest.mark.parametrize("dtype,eps", [("bfloat16", 2.0**-8), ("float16", 2.0**-11), ("float32", 2.0**-24)])
def test_the_numpy_nudge_of_low_precision_leaves_is_eager_jax_one(dtype: str, eps: float) -> None:
    """The nudge of parameters a user's module keeps in bfloat16 or float16, op by op as eager JAX rounded it."""
    import jax.numpy as jnp

    from approxtheory.conditions.precision import _nudge

    @x64
    def both() -> tuple[list[np.ndarray], list[np.ndarray]]:
        key = jax.random.fold_in(jax.random.key(3), 9)
        tree = {"w": jnp.asarray(np.random.default_rng(0).normal(size=(5, 7)), dtype), "b": jnp.arange(3.0, dtype=dtype) - 1}
        leaves, _ = jax.tree_util.tree_flatten(tree)
        eager = [leaf * (1 + jnp.asarray(eps, leaf.dtype) * jax.random.rademacher(jax.random.fold_in(key, i), leaf.shape,
                                                                                    dtype=leaf.dtype))
                 for i, leaf in enumerate(leaves)]
        return [np.asarray(a) for a in eager], [np.asarray(a) for a in jax.tree_util.tree_leaves(_nudge(tree, eps, key))]

    want, got = both()
    for a, b in zip(want, got):
        assert a.dtype == b.dtype and np.array_equal(a.astype(np.float64), b.astype(np.float64))
