"""Exact symmetry groups beyond n = 6 (CLSL25 §2) on mechanisms built to have a known group, checked by an
independent method: the order in closed form, or every element of S_8 tested numerically (brute force)."""

from __future__ import annotations

import functools
import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from approxtheory.attention import Mechanism, validate
from approxtheory.conditions import permutations as perm
from approxtheory.conditions._compiled import compiled
from approxtheory.conditions._draws import draw_params, general_position_inputs, input_rng
from approxtheory.conditions.equivariance import _build, equivariance_condition, find_symmetry_group
from approxtheory.conditions.groups import PermGroup
from approxtheory.numerics import x64


def _qkv(key: jax.Array, d: int) -> dict[str, jax.Array]:
    kq, kk, kv, ks = jax.random.split(key, 4)
    return {name: jax.random.normal(k, (d, d), dtype=jnp.float64) for name, k in zip(("wq", "wk", "wv", "ws"), (kq, kk, kv, ks))}


def _bias_init(key: jax.Array, n: int, d: int, labels: np.ndarray) -> dict[str, jax.Array]:
    k1, k2 = jax.random.split(key)
    return {**_qkv(k1, d), "b": jax.random.normal(k2, (int(labels.max()) + 1,), dtype=jnp.float64)}


def _bias_apply(params: dict[str, jax.Array], X: jax.Array, labels: np.ndarray) -> jax.Array:
    """Softmax with the bias B[i, j] = b[labels[i, j]]: equivariant exactly under the permutations that
    preserve ``labels`` (for generic b), CLSL25.cor.symmetric with a general bias matrix."""
    logits = (X @ params["wq"]) @ (X @ params["wk"]).T + params["b"][labels]
    return jax.nn.softmax(logits, axis=-1) @ (X @ params["wv"])


def _bias_mechanism(name: str, labels: np.ndarray) -> Mechanism:
    return Mechanism(name, functools.partial(_bias_init, labels=labels), functools.partial(_bias_apply, labels=labels))


def _orbit_labels(n: int, gens: list[np.ndarray]) -> np.ndarray:
    labels = -np.ones((n, n), int)
    for count, (a, b) in enumerate(itertools.product(range(n), repeat=2)):
        if labels[a, b] < 0:
            for g in PermGroup(n, gens).elements():
                labels[g[a], g[b]] = count
    return np.unique(labels, return_inverse=True)[1].reshape(n, n)


def _block_labels(n: int, size: int) -> np.ndarray:
    i, j = np.indices((n, n))
    return (i // size == j // size) + 2 * (i == j)


def _sinkhorn_apply(params: dict[str, jax.Array], X: jax.Array, size: int) -> jax.Array:
    """Sinkhorn-like block sorting: block summaries (sums) choose, by a softmax over blocks, how much each
    block attends to each other block. Within-block reorderings keep the summaries; block reorderings permute
    them: the group is S_size wr S_(n / size)."""
    n, d = X.shape
    summary = X.reshape(n // size, size, d).sum(axis=1)
    sort = jax.nn.log_softmax(summary @ params["ws"] @ summary.T, axis=-1)
    logits = (X @ params["wq"]) @ (X @ params["wk"]).T + jnp.kron(sort, jnp.ones((size, size)))
    return jax.nn.softmax(logits, axis=-1) @ (X @ params["wv"])


def _pair_energy_init(key: jax.Array, n: int, d: int) -> dict[str, jax.Array]:
    return {"b": jax.random.normal(key, (n // 2 + 1,), dtype=jnp.float64)}


def _pair_energy_apply(params: dict[str, jax.Array], X: jax.Array) -> jax.Array:
    """x_i + tanh(sum_jk b[cyclic distance(j, k)] |x_j - x_k|^2): symmetric exactly under D_n, yet with all
    tokens equal but one the sum is the same whichever token differs (every row of the circulant has the same
    sum), so single-token perturbations cannot tell positions apart and the search must try leaf after leaf."""
    n = X.shape[0]
    i, j = np.indices((n, n))
    dist = np.minimum((i - j) % n, (j - i) % n)
    energy = jnp.sum(params["b"][dist] * jnp.sum((X[:, None] - X[None]) ** 2, axis=-1))
    return X + jnp.tanh(energy)


def _search(mechanism: Mechanism, n: int, d: int = 3, **kw):
    return find_symmetry_group(validate(mechanism, n, d), n=n, d=d, **kw)


@x64
def _brute_force_order(mechanism: Mechanism, n: int, d: int = 3) -> int:
    """How many elements of S_n pass the equivariance test (every one of the n! is tested, fewer draws)."""
    va = validate(mechanism, n, d)
    drawn = draw_params(va, 0, "equivariance", 1, layers=1, scales=(0.5, 1.5))
    X = jnp.asarray(general_position_inputs(input_rng(0, "equivariance"), 2, n, d))
    inverses = jnp.asarray(np.argsort(perm.all_permutations(n), axis=1))
    err = np.asarray(compiled("equivariance", va.attention.apply, _build)(drawn.layer(0), jnp.arange(drawn.count), X, inverses))
    return int((np.nan_to_num(err, nan=np.inf).max(axis=(1, 2)) <= 1e-9).sum())


def test_a_group_with_double_transposition_generators_is_found_exactly() -> None:
    # <(0 2)(1 3), (4 6)(5 7)> was out of reach of shifts, reflections and transpositions (issue 12 item 3)
    n = 8
    labels = _orbit_labels(n, [np.array([2, 3, 0, 1, 4, 5, 6, 7]), np.array([0, 1, 2, 3, 6, 7, 4, 5])])
    mech = _bias_mechanism("double-transpositions", labels)
    s = _search(mech, n)
    p = perm.all_permutations(n)
    stabiliser = int((labels[p[:, :, None], p[:, None, :]] == labels[None]).all(axis=(1, 2)).sum())
    assert s.exhaustive and s.closed and s.group.exact
    assert s.order == stabiliser
    assert s.group.contains(np.array([2, 3, 0, 1, 4, 5, 6, 7]))


def test_sinkhorn_like_block_sorting_at_n8_matches_brute_force() -> None:
    n, size = 8, 2
    mech = Mechanism("sinkhorn-like", lambda key, n, d: _qkv(key, d), functools.partial(_sinkhorn_apply, size=size))
    s = _search(mech, n)
    assert s.exhaustive and s.closed
    assert s.order == _brute_force_order(mech, n) == 2**4 * math.factorial(4)  # S_2 wr S_4


@pytest.mark.parametrize("n, size", [(12, 3), (16, 4)])
def test_block_structure_gives_the_wreath_product(n: int, size: int) -> None:
    s = _search(_bias_mechanism("blocks", _block_labels(n, size)), n)
    blocks = n // size
    assert s.exhaustive and s.group.exact and s.closed
    assert s.order == math.factorial(size) ** blocks * math.factorial(blocks)  # S_size wr S_blocks


def test_a_search_that_runs_out_of_leaves_is_a_lower_bound() -> None:
    n = 8
    mech = Mechanism("pair-energy", _pair_energy_init, _pair_energy_apply)
    s = _search(mech, n, d=2, leaf_budget=64)
    assert not s.exhaustive and not s.group.exact and s.describe()["exact"] is False
    assert (2 * n) % s.order == 0  # a subgroup of D_n, the true group
    assert s.describe()["description"].startswith("at least")
    assert "at least" in equivariance_condition(s, "auto").explanation
