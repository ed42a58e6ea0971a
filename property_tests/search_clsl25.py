"""CLSL25 searches: counterexamples to the soundness of the uap checker itself (issue 3, item 8).

Run under a Hypothesis profile (``--hypothesis-profile=ci`` by default). A single example builds and
compiles a new attention, so each search sets its own small ``max_examples``.
"""

from __future__ import annotations

import functools
import itertools

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from approxtheory.attention import Mechanism, zoo
from approxtheory.attention.expected import pattern_facts
from approxtheory.conditions import permutations as perm
from approxtheory.conditions.equivariance import find_symmetry_group
from approxtheory.uap import check_uap

CHEAP = {"draws": 2, "base_samples": 1, "max_depth": 1}


# ---- 1. random sparse patterns: the verdict follows strong connectivity (card §5 case 3, cor.sparse)


@st.composite
def masks(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(3, 4))
    bits = draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n))
    return np.array(bits, dtype=bool).reshape(n, n) | np.eye(n, dtype=bool)


@settings(max_examples=6)
@given(masks())
def test_pattern_verdict_follows_connectivity(mask: np.ndarray) -> None:
    n = mask.shape[0]
    facts = pattern_facts(mask)  # brute force, shares no code with the checker
    r = check_uap(zoo.masked_softmax("hypothesis-pattern", lambda _n: mask), n=n, d=2, **CHEAP)
    if not facts.strongly_connected:
        assert r.verdict == "not_uap", r.human_lines()
        j, i = r.witness["unreachable"]["from"], r.witness["unreachable"]["to"]
        reach = np.linalg.matrix_power(mask.astype(int) + np.eye(n, dtype=int), n)  # reach[i, j] > 0 iff j -> i
        assert reach[i, j] == 0
        assert r.witness["pair"]["max_sep"] == 0.0
    else:
        assert r.verdict != "not_uap", r.human_lines()
        if r.verdict == "uap":  # no depth below the hop diameter can separate every pair
            assert r.min_attention_layers >= facts.hop_diameter


# ---- 2. random group-invariant position biases: the detected group is exactly the bias's stabiliser


def _orbit_bias_init(key: jax.Array, n: int, d: int, onehot: np.ndarray) -> dict[str, jax.Array]:
    kq, kk, kv, kb = jax.random.split(key, 4)
    w = lambda k: jax.random.normal(k, (d, d), dtype=jnp.float64)
    return {"wq": w(kq), "wk": w(kk), "wv": w(kv), "b": jax.random.normal(kb, (n * n,), dtype=jnp.float64)}


def _orbit_bias_apply(params: dict[str, jax.Array], X: jax.Array, onehot: np.ndarray) -> jax.Array:
    """Softmax with bias B[i, j] = b[orbit of (i, j)] for a group acting on both indices: B[s(i), s(j)] = B[i, j]
    for s in the group, so the layer is equivariant under it (CLSL25.cor.symmetric, general bias matrix).

    The one-hot orbit tensor is structure, not a parameter: it is bound into apply, since the parameter draws
    perturb every leaf of params (a perturbed orbit tensor would break the symmetry under test).
    """
    logits = (X @ params["wq"]) @ (X @ params["wk"]).T + jnp.asarray(onehot) @ params["b"]
    return jax.nn.softmax(logits, axis=-1) @ (X @ params["wv"])


def _orbits(n: int, elements: list[np.ndarray]) -> np.ndarray:
    label = -np.ones((n, n), dtype=int)
    count = 0
    for i, j in itertools.product(range(n), repeat=2):
        if label[i, j] < 0:
            for s in elements:
                label[s[i], s[j]] = count
            count += 1
    return label


@st.composite
def groups(draw: st.DrawFn) -> tuple[int, list[np.ndarray]]:
    n = draw(st.integers(3, 5))
    gens = draw(st.lists(st.permutations(range(n)), min_size=1, max_size=2))
    return n, [np.asarray(g) for g in gens]


@settings(max_examples=20)
@given(groups())
def test_detected_group_is_the_stabiliser_of_an_invariant_bias(case: tuple[int, list[np.ndarray]]) -> None:
    n, gens = case
    G = perm.group(gens, n)
    label = _orbits(n, perm.elements(G))
    onehot = np.eye(n * n)[label]  # (n, n, n*n)
    mechanism = Mechanism("orbit-bias", functools.partial(_orbit_bias_init, onehot=onehot),
                          functools.partial(_orbit_bias_apply, onehot=onehot))
    found = find_symmetry_group(mechanism, n=n, d=2)
    assert all(found.group.contains(g) for g in G.generators)
    # For generic b the symmetry group is exactly {sigma : label[sigma(i), sigma(j)] = label[i, j]}.
    stabiliser = [s for s in perm.all_permutations(n) if np.array_equal(label[np.ix_(s, s)], label)]
    assert found.order == len(stabiliser)


# ---- 3. degenerate mechanisms never get uap (card §5 cases 1, 2, 4)


def _wv_init(key: jax.Array, n: int, d: int) -> dict[str, jax.Array]:
    k1, k2 = jax.random.split(key)
    return {"w": jax.random.normal(k1, (d, d), dtype=jnp.float64), "c": jax.random.normal(k2, (d,), dtype=jnp.float64)}


def _zero_w(params: dict[str, jax.Array]) -> dict[str, jax.Array]:
    return jax.tree_util.tree_map(jnp.zeros_like, params)


def _moments(p: dict[str, jax.Array], X: jax.Array) -> jax.Array:
    # content-blind: the mean and the mean squared norm, the same for every token
    return jnp.broadcast_to(jnp.mean(X, axis=0) @ p["w"] + jnp.mean(jnp.sum(X**2, axis=1)) * p["c"], X.shape)


DEGENERATE = {
    "zero": (zoo.zero, "not_uap"),
    "constant": (Mechanism("constant", _wv_init, lambda p, X: jnp.broadcast_to(p["c"], X.shape),
                               zero_params=_zero_w), "not_uap"),
    "tokenwise": (Mechanism("tokenwise", _wv_init, lambda p, X: jnp.tanh(X @ p["w"]), zero_params=_zero_w),
                  "not_uap"),
    "self_only": (zoo.self_only, "not_uap"),
    "mean": (zoo.mean, "undecided"),
    "moments": (Mechanism("moments", _wv_init, _moments, zero_params=_zero_w), "undecided"),
}


@settings(max_examples=8)
@given(st.sampled_from(sorted(DEGENERATE)), st.integers(3, 4), st.integers(0, 2**16))
def test_degenerate_mechanisms_never_get_uap(kind: str, n: int, seed: int) -> None:
    mechanism, verdict = DEGENERATE[kind]
    r = check_uap(mechanism, n=n, d=2, seed=seed, draws=2, base_samples=1, max_depth=2)
    assert r.verdict == verdict, r.human_lines()
