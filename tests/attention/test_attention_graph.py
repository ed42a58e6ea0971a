"""The token graph read off the Jacobian matches declared patterns; connectivity, diameter and symmetry are right."""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import networkx as nx
import numpy as np
import pytest

from approxtheory.attention import Mechanism, automorphism_group, graph_from_mask, hop_diameter, token_graph, validate
from approxtheory.attention import expected as ex
from approxtheory.attention import patterns
from approxtheory.attention.zoo import ZOO, mean, softmax, window, zero

MASKED = sorted(k for k in ZOO if ZOO[k]().pattern is not None)


@pytest.mark.parametrize("name", MASKED)
@pytest.mark.parametrize("n", [5, 6])
def test_inferred_graph_equals_declared_pattern(name: str, n: int) -> None:
    va = validate(ZOO[name](), n, 3)
    tg = token_graph(va)
    np.testing.assert_array_equal(tg.mask, va.pattern | np.eye(n, dtype=bool))
    assert tg.draws > 0
    facts = ex.pattern_facts(va.pattern)
    assert (tg.strongly_connected, tg.hop_diameter, tg.automorphisms.order) == (
        facts.strongly_connected,
        facts.hop_diameter,
        facts.aut_order,
    )


def _dihedral(n: int) -> set[tuple[int, ...]]:
    rotations = {tuple((i + k) % n for i in range(n)) for k in range(n)}
    return rotations | {tuple((k - i) % n for i in range(n)) for k in range(n)}


@pytest.mark.parametrize("n", [5, 6, 8])
def test_wrapped_window_has_the_dihedral_group(n: int) -> None:
    tg = token_graph(validate(window(w=1, wrap=True), n, 2))
    assert tg.automorphisms.order == 2 * n
    assert set(tg.automorphisms.elements) == _dihedral(n)


@pytest.mark.parametrize("n", [5, 6])
def test_open_window_has_only_the_reflection(n: int) -> None:
    tg = token_graph(validate(window(w=1, wrap=False), n, 2))
    assert set(tg.automorphisms.elements) == {tuple(range(n)), tuple(range(n - 1, -1, -1))}
    assert tg.hop_diameter == n - 1


def test_dense_and_degenerate_mechanisms() -> None:
    dense = token_graph(validate(softmax, 4, 2))
    assert dense.mask.all() and dense.hop_diameter == 1 and dense.automorphisms.order == 24
    assert token_graph(validate(mean, 4, 2)).mask.all()
    blind = token_graph(validate(zero, 4, 2))
    assert not blind.strongly_connected and blind.hop_diameter is None
    np.testing.assert_array_equal(blind.mask, np.eye(4, dtype=bool))


def test_graph_of_an_undeclared_user_mask() -> None:
    # a user's causal-like mask that declares no pattern: the graph is inferred, not read
    def apply(params, X):
        n = X.shape[0]
        s = jnp.where(np.tril(np.ones((n, n), dtype=bool)), X @ params["w"] @ X.T, -jnp.inf)
        return jnp.exp(s - s.max(axis=-1, keepdims=True)) @ X

    mech = Mechanism("user_causal", lambda k, n, d: {"w": jnp.eye(d)}, apply)
    tg = token_graph(validate(mech, 4, 2))
    np.testing.assert_array_equal(tg.mask, patterns.causal(4))
    assert not tg.strongly_connected and tg.automorphisms.order == 1


@pytest.mark.parametrize("seed", range(6))
def test_automorphism_group_matches_brute_force_on_random_digraphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 7))
    mask = rng.random((n, n)) < rng.choice([0.2, 0.5, 0.8])
    mask = mask | mask.T if seed % 2 else mask  # undirected and directed cases
    group = automorphism_group(graph_from_mask(mask))
    adj = mask | np.eye(n, dtype=bool)
    brute = {s for s in itertools.permutations(range(n)) if (adj[np.ix_(s, s)] == adj).all()}
    assert group.order == len(brute) and set(group.elements) == brute


@pytest.mark.parametrize("name", MASKED)
def test_automorphism_orders_match_brute_force_on_the_zoo(name: str) -> None:
    # An independent method (every permutation of S_n tried, expected.pattern_facts) against the
    # individualise-refine search that replaced networkx's VF2, at every n it can enumerate.
    for n in range(2, ex.BRUTE_FORCE_MAX_N + 1):
        mask = ZOO[name]().pattern(n)
        group = automorphism_group(graph_from_mask(mask))
        assert group.order == ex.pattern_facts(mask).aut_order, (name, n)
        adj = mask | np.eye(n, dtype=bool)
        assert all((adj[np.ix_(g, g)] == adj).all() for g in group.generators)


def test_large_symmetric_group_without_enumeration() -> None:
    group = automorphism_group(graph_from_mask(np.ones((12, 12), dtype=bool)))
    assert group.order == math.factorial(12) and group.elements is None
    assert len(group.generators) < 12 * 12


def test_hop_diameter_is_directed() -> None:
    cycle = graph_from_mask(np.roll(np.eye(5, dtype=bool), 1, axis=1))  # j -> i only for j = i + 1
    assert nx.is_strongly_connected(cycle) and hop_diameter(cycle) == 4


def _scaled(base: Mechanism, factor) -> Mechanism:
    """``base`` times ``factor(params)``: a constant, or exp(1000 w) with w ~ N(0, 0.1^2), about e^(+-300)."""
    init = lambda key, n, d: {**base.init(key, n, d), "w": 0.1 * jax.random.normal(jax.random.fold_in(key, 7), ())}
    return Mechanism(f"{base.name}_scaled", init, lambda p, X: factor(p) * base.apply(p, X))


@pytest.mark.parametrize("factor", [lambda p: 1e-12, lambda p: 1e12, lambda p: jnp.exp(1000.0 * p["w"])],
                         ids=["1e-12", "1e12", "exp(1000 w)"])
@pytest.mark.parametrize("base", [softmax, window(w=1)], ids=["softmax", "window"])
def test_the_graph_does_not_depend_on_the_output_scale(base: Mechanism, factor) -> None:
    # relative thresholds (per draw, against that draw's largest Jacobian block): scale cannot erase a dependence
    n = 5
    reference = token_graph(validate(base, n, 3)).mask
    np.testing.assert_array_equal(token_graph(validate(_scaled(base, factor), n, 3)).mask, reference)


@pytest.mark.parametrize("n, w", [(6, 2), (8, 3), (7, 2), (5, 3)])
def test_window_hop_diameter_is_the_ceiling_of_n_minus_1_over_w(n: int, w: int) -> None:
    # from token 0 to n-1 in steps of at most w: ceil((n-1)/w) hops (floor undercounts whenever w does not divide n-1)
    from approxtheory.papers.clsl25 import _window_distance

    measured = token_graph(validate(window(w=w), n, 2)).hop_diameter
    assert measured == math.ceil((n - 1) / w) == _window_distance(n, w) == ex.window(w, wrap=False)(n).min_attention_layers


def _window_with_rounding_residue(n: int) -> Mechanism:
    """The open window w=1 in float32 plus token i + n/2 times 1 - sum(softmax(c)), c a drawn parameter: zero in
    exact arithmetic, a float32 rounding residue (about 1e-7) at most draws."""
    base = window(w=1)

    def init(key, n_, d):
        params = base.init(key, n_, d)
        params = jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float32), params)
        return {**params, "c": jax.random.normal(jax.random.fold_in(key, 7), (7,), jnp.float32)}

    def apply(p, X):
        X = X.astype(jnp.float32)
        return base.apply(p, X) + jnp.roll(X, n // 2, axis=0) * (1 - jax.nn.softmax(p["c"]).sum())

    return Mechanism("window_residue_f32", init, apply, family=base.family)


def test_the_default_dependency_tolerance_is_the_measured_one() -> None:
    # Called directly (no tol), token_graph uses the tolerance of the mechanism's measured float32 noise floor:
    # the rounding residue is no dependence, so the graph is the window's. A float64 constant (1e-10, the old
    # default) reads the residue as edges i + n/2 -> i (the last line: the residue is there at these draws).
    from approxtheory.conditions.precision import measure_precision

    n = 6
    va = validate(_window_with_rounding_residue(n), n, 2)
    tg = token_graph(va)
    assert tg.tolerance == measure_precision(va).tolerances["dependency"] > 1e-6
    np.testing.assert_array_equal(tg.mask, patterns.window(n, 1, wrap=False) | np.eye(n, dtype=bool))
    assert not np.array_equal(token_graph(va, tol=1e-10).mask, tg.mask)
