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
