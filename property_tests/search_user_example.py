"""The README's example: a user's own property tests built on approxtheory's strategies and pytest fixture.

A custom attention (any object with ``init(key, n, d)`` and ``apply(params, X)``) is checked for
permutation equivariance on inputs in general position and at several parameter scales, and a
registered claim about the same property is asserted from the same suite.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from approxtheory.strategies import attention_params, token_sequences


class CosineAttention:
    """A user's attention: softmax over cosine similarities of queries and keys, with a temperature."""

    @staticmethod
    def init(key, n, d):
        kq, kk, kv, kt = jax.random.split(key, 4)
        weights = {name: jax.random.normal(k, (d, d), dtype=jnp.float64) / jnp.sqrt(d)
                   for name, k in (("wq", kq), ("wk", kk), ("wv", kv))}
        return {**weights, "temperature": jnp.exp(jax.random.normal(kt, (), dtype=jnp.float64))}

    @staticmethod
    def apply(params, X):
        q, k = X @ params["wq"], X @ params["wk"]
        q = q / jnp.sqrt(jnp.sum(q**2, axis=-1, keepdims=True) + 1e-12)
        k = k / jnp.sqrt(jnp.sum(k**2, axis=-1, keepdims=True) + 1e-12)
        return jax.nn.softmax(params["temperature"] * q @ k.T, axis=-1) @ (X @ params["wv"])


N, D = 5, 3
attention = CosineAttention()
apply = jax.jit(attention.apply)  # shapes are fixed, so it compiles once


@settings(max_examples=50)
@given(
    X=token_sequences(N, D, min_distance=0.05, max_abs=2.0),
    params=attention_params(attention, N, D, scale=(1.0, 0.1, 10.0)),
    perm=st.permutations(range(N)),
)
def test_cosine_attention_is_permutation_equivariant(X, params, perm):
    p = np.asarray(perm)
    with jax.enable_x64(True):
        Y, Y_of_permuted = np.asarray(apply(params, X)), np.asarray(apply(params, X[p]))
    np.testing.assert_allclose(Y_of_permuted, Y[p], rtol=1e-12, atol=1e-12 * np.abs(Y).max())


def test_equivariance_lemma_is_supported(approxtheory_claims):
    approxtheory_claims.assert_verdict("JL24.lemA.1.statement.equivariance", "supported")
