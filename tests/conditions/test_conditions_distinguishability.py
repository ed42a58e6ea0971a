"""The two-sample battery (CLSL25.def.two_sample): adversarial pairs, depth sweep, one compile per configuration."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sympy.combinatorics import Permutation

from approxtheory.attention import token_graph, validate, zoo
from approxtheory.conditions import battery, pairs
from approxtheory.conditions import permutations as perm
from approxtheory.conditions._draws import general_position_inputs
from approxtheory.conditions.distinguishability import (
    check_distinguishability,
    draw_parameters,
    replay_pair,
)


def _check(mechanism, n, group, d=3, max_depth=3, **kw):
    va = validate(mechanism, n, d)
    return check_distinguishability(va, n=n, d=d, group=perm.named_group(group, n), graph=token_graph(va),
                                    max_depth=max_depth, **kw)


def test_softmax_separates_every_pair_at_depth_one() -> None:
    r = _check(zoo.softmax, 5, "S_n")
    assert r.status.value == "holds" and r.evidence["min_depth"] == 1
    assert set(r.evidence["pairs_by_generator"]) >= {"a", "b", "b2", "d", "e"}
    assert r.evidence["weakest_separation"]["max_sep"] > 1e-6  # a visible margin above the 1e-8 tolerance


def test_zero_map_fails_on_change_one_token() -> None:
    r = _check(zoo.zero, 4, "S_n")
    assert r.status.value == "fails"
    fp = r.evidence["failing_pair"]
    assert fp["generator"] == "a" and fp["max_sep"] == 0.0 and fp["slots"][0] == fp["slots"][1]


def test_mean_map_fails_on_a_moment_matched_pair_at_every_depth() -> None:
    r = _check(zoo.mean, 5, "S_n")
    assert r.status.value == "fails"
    fp = r.evidence["failing_pair"]
    assert fp["generator"] in ("b", "b2") and fp["max_sep"] < 1e-12
    X, Y = np.asarray(fp["X"]), np.asarray(fp["Y"])
    assert np.allclose(X.mean(axis=0), Y.mean(axis=0), atol=1e-14)
    assert set(r.evidence["failing_by_generator"]) <= {"b", "b2", "e"}  # change-one-token pairs do separate
    assert all(depth["unseparated"] == r.evidence["depths"][0]["unseparated"] for depth in r.evidence["depths"])


def test_softmax_with_trivial_group_fails_on_a_reordering() -> None:
    r = _check(zoo.softmax, 4, "trivial")
    fp = r.evidence["failing_pair"]
    assert r.status.value == "fails" and fp["generator"] == "c"
    sigma = fp["detail"]["sigma"]
    assert fp["slots"] == [fp["slots"][0], sigma[fp["slots"][0]]]


def test_window_needs_exactly_the_hop_diameter() -> None:
    r = _check(zoo.window(w=1, wrap=True), 6, "D_n", max_depth=4)
    assert r.status.value == "holds" and r.evidence["min_depth"] == 3
    unseparated = [depth["unseparated"] for depth in r.evidence["depths"]]
    assert unseparated[0] > unseparated[1] > 0 == unseparated[2]


def test_failing_pair_replays_from_its_keys() -> None:
    r = _check(zoo.mean, 5, "S_n")
    fp = r.evidence["failing_pair"]
    replayed = replay_pair(zoo.mean, X=fp["X"], Y=fp["Y"], slots=fp["slots"], depth=fp["depth"],
                           seed=fp["keys"]["seed"], draws=fp["keys"]["draws"], scales=fp["keys"]["scales"])
    assert replayed < 1e-12


def test_battery_compiles_once_per_configuration() -> None:
    va = validate(zoo.softmax, 5, 3)
    rng = np.random.default_rng(0)
    group = perm.named_group("S_n", 5)
    params = draw_parameters(va, 0, draws=2, max_depth=2)
    first = pairs.build_pairs(general_position_inputs(rng, 1, 5, 3), group, rng)
    second = pairs.build_pairs(general_position_inputs(rng, 1, 5, 3), group, rng)
    assert len(first) == len(second)
    before = battery.trace_count()
    battery.run_battery(va, params, first, 1)
    after_first = battery.trace_count()
    battery.run_battery(va, params, second, 1)  # same (n, d, depth, batch): no new trace
    assert after_first - before <= 1 and battery.trace_count() == after_first
    battery.run_battery(va, params, second, 2)  # depth is a loop over one compiled layer step: no new trace
    assert battery.trace_count() == after_first


def test_a_depth_sweep_equals_recomputing_each_depth_from_scratch() -> None:
    # the sweep carries the states layer by layer; composing m layers afresh must give the same separations
    va = validate(zoo.window(w=1), 6, 2)
    rng = np.random.default_rng(3)
    params = draw_parameters(va, 0, draws=3, max_depth=3)
    built = pairs.build_pairs(general_position_inputs(rng, 1, 6, 2), perm.named_group("reflection", 6), rng)
    swept = battery.battery_sweep(va, params, built, 3)
    apply = va.attention.apply
    with jax.enable_x64(True):
        for m in (1, 2, 3):
            for r in range(params.count):
                layers = [jax.tree_util.tree_map(lambda leaf, k=k: leaf[r], params.layer(k)) for k in range(m)]
                for p in range(len(built)):
                    a, b = jnp.asarray(built.X[p]), jnp.asarray(built.Y[p])
                    for theta in layers:
                        a, b = a + apply(theta, a), b + apply(theta, b)
                    b = b[jnp.asarray(built.slot_map[p])]
                    want = np.linalg.norm(a - b, axis=-1) / (1 + np.linalg.norm(a, axis=-1))
                    np.testing.assert_allclose(swept[m - 1][r, p], want, rtol=1e-10, atol=1e-14)


def test_pairs_are_checked_in_general_position() -> None:
    X = np.random.default_rng(1).standard_normal((4, 2))
    s = np.array([1, 0, 2, 3])
    assert pairs.in_orbit(X, perm.act(s, X), perm.named_group("S_n", 4))
    assert pairs.general_position(X, perm.act(s, X), perm.named_group("S_n", 4)) == "GP2"
    assert pairs.general_position(X, perm.act(s, X), perm.named_group("C_n", 4)) is None
    Y = X.copy()
    Y[1] = Y[0]
    assert pairs.general_position(X, Y, perm.named_group("trivial", 4)) == "GP1"


@pytest.mark.parametrize("degree", sorted(pairs.PTE))
def test_prouhet_tarry_escott_sets_match_their_power_sums(degree: int) -> None:
    A, B = pairs.PTE[degree]
    assert sorted(A) != sorted(B)
    for p in range(1, degree + 1):
        assert sum(a**p for a in A) == sum(b**p for b in B)
    assert sum(a ** (degree + 1) for a in A) != sum(b ** (degree + 1) for b in B)


def test_reorderings_avoid_the_group() -> None:
    g = perm.named_group("D_n", 5)
    sigmas = pairs.outside_group(g, 5, np.random.default_rng(0), limit=200)
    assert len(sigmas) == 120 - 10
    assert not any(g.contains(Permutation(list(map(int, s)))) for s in sigmas)
