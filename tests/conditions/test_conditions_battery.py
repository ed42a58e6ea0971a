"""The pair battery on distinct inputs: the same separations as a plain NumPy evaluation of each pair, and a
bounded number of compilations whatever the number of pairs."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from approxtheory.attention import patterns, validate, zoo
from approxtheory.conditions import battery
from approxtheory.conditions import permutations as perm
from approxtheory.conditions._draws import general_position_inputs
from approxtheory.conditions.distinguishability import draw_parameters
from approxtheory.conditions.pairs import PairSet, build_pairs
from approxtheory.conditions.precision import measure_precision


def _numpy_layer(p: dict[str, np.ndarray], Z: np.ndarray, mask: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Z + softmax(mask(Z Wq (Z Wk)^T / sqrt d + bias)) Z Wv, written out in NumPy."""
    S = (Z @ p["wq"]) @ (Z @ p["wk"]).T / np.sqrt(Z.shape[-1]) + bias
    S = np.where(mask, S, -np.inf)
    E = np.exp(S - S.max(axis=-1, keepdims=True))
    return Z + (E / E.sum(axis=-1, keepdims=True)) @ (Z @ p["wv"])


def _numpy_battery(params: Any, pairs: PairSet, depth: int, mask: np.ndarray,
                   bias: Any) -> np.ndarray:
    """sep[r, p, i] by a loop over draws and pairs, each member carried through ``depth`` layers."""
    leaves = {k: np.asarray(v) for k, v in params.stacked.items()}
    out = np.empty((params.count, len(pairs), pairs.X.shape[1]))
    for r in range(params.count):
        layers = [{k: v[r, m] for k, v in leaves.items()} for m in range(depth)]
        for q in range(len(pairs)):
            a, b = pairs.X[q], pairs.Y[q]
            for p in layers:
                a, b = _numpy_layer(p, a, mask, bias(p)), _numpy_layer(p, b, mask, bias(p))
            b = b[pairs.slot_map[q]]
            out[r, q] = np.linalg.norm(a - b, axis=-1) / (1.0 + np.linalg.norm(a, axis=-1))
    return out


N, D = 5, 3
CASES = {
    "softmax": (zoo.softmax, "S_n", np.ones((N, N), bool), lambda p: 0.0),
    "window": (zoo.window(w=1), "reflection", patterns.window(N, w=1, wrap=False), lambda p: 0.0),
    "bias_cyclic": (zoo.bias_cyclic, "C_n", np.ones((N, N), bool),
                    lambda p: p["b"][(np.arange(N)[None, :] - np.arange(N)[:, None]) % N]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_battery_equals_a_numpy_evaluation_of_every_pair(name: str) -> None:
    mechanism, group, mask, bias = CASES[name]
    va = validate(mechanism, N, D)
    rng = np.random.default_rng(4)
    built = build_pairs(general_position_inputs(rng, 2, N, D), perm.named_group(group, N), rng, max_reorderings=12)
    params = draw_parameters(va, 0, draws=2, max_depth=3)
    tolerance = measure_precision(va).tolerances["separation"]
    swept = battery.battery_sweep(va, params, built, 3)
    for depth in (1, 2, 3):
        want = _numpy_battery(params, built, depth, mask, bias)
        assert np.max(np.abs(swept[depth - 1] - want)) <= tolerance


def test_a_pair_reads_its_members_among_the_distinct_inputs() -> None:
    X = np.arange(12.0).reshape(3, 2, 2)
    Y = np.stack([X[1], X[0], -0.0 * X[0]])  # -0.0 x X[0] differs from X[0] in the sign of its zero
    inputs, a, b = battery.distinct_inputs(X, Y)
    assert len(inputs) == 4
    assert np.array_equal(inputs[a], X) and np.array_equal(inputs[b], Y)
    assert np.array_equal(np.signbit(inputs[b]), np.signbit(Y))


def _first(pairs: PairSet, count: int) -> PairSet:
    return PairSet(pairs.X[:count], pairs.Y[:count], pairs.slot_map[:count], pairs.relevant[:count],
                   pairs.generator[:count], pairs.detail[:count])


def test_the_battery_compiles_a_bounded_number_of_times_whatever_the_number_of_pairs() -> None:
    va = validate(zoo.softmax, N, D)
    rng = np.random.default_rng(5)
    built = build_pairs(general_position_inputs(rng, 2, N, D), perm.named_group("C_n", N), rng)
    assert len(built) > 3 * battery.CHUNK_PAIRS
    params = draw_parameters(va, 0, draws=1, max_depth=1)
    before, shapes = battery.trace_count(), set()
    for count in (3, 8, 40, battery.CHUNK_PAIRS, 2 * battery.CHUNK_PAIRS, len(built)):
        subset = _first(built, count)
        battery.run_battery(va, params, subset, 1)
        shapes |= {chunk.shape for chunk in battery.plan(subset)[1]}
    traced = battery.trace_count() - before
    assert traced <= len(shapes)  # one compilation per chunk shape at most ...
    for inputs, pairs in shapes:  # ... and the shapes are buckets: at most 8 x 8 of them, whatever the pairs
        assert inputs % battery.INPUT_MULTIPLE == 0 and inputs <= 2 * battery.CHUNK_PAIRS
        assert pairs % battery.BATCH_MULTIPLE == 0 and pairs <= battery.CHUNK_PAIRS
    battery.run_battery(va, params, built, 1)  # every chunk shape is compiled already
    assert battery.trace_count() - before == traced


def test_a_sweep_compiles_one_shape_and_its_numbers_do_not_depend_on_earlier_sweeps() -> None:
    # two copies of softmax with applies of their own, so each has its own battery step
    copies = [validate(dataclasses.replace(zoo.softmax, apply=lambda p, X: zoo.softmax.apply(p, X)), N, D)
              for _ in range(2)]
    rng = np.random.default_rng(5)
    built = build_pairs(general_position_inputs(rng, 2, N, D), perm.named_group("C_n", N), rng)
    assert len({c.shape for c in battery.plan(built)[1]}) > 1  # the plan's last chunk is shorter ...
    params = draw_parameters(copies[0], 0, draws=2, max_depth=3)
    before = battery.trace_count()
    retire = lambda depth, seps: np.arange(len(built)) % 2 == 0  # re-plans on half the pairs
    battery.battery_sweep(copies[0], params, built, 3, retire=retire)
    assert battery.trace_count() - before == 1  # ... yet the sweep, re-plans included, compiles one shape
    small = _first(built, 3)
    alone = battery.battery_sweep(copies[1], params, small, 2)
    battery.battery_sweep(copies[1], params, built, 2)
    again = battery.battery_sweep(copies[1], params, small, 2)
    for a, b in zip(alone, again, strict=True):  # a sweep's shapes are its own: the same numbers bit for bit
        assert np.array_equal(a, b, equal_nan=True)


def test_no_pairs_give_empty_separations_at_every_depth() -> None:
    va = validate(zoo.softmax, 4, 2)
    none = PairSet(np.zeros((0, 4, 2)), np.zeros((0, 4, 2)), np.zeros((0, 4), int), np.zeros((0, 4), bool), [], [])
    swept = battery.battery_sweep(va, draw_parameters(va, 0, draws=2, max_depth=2), none, 2)
    assert [s.shape for s in swept] == [(6, 0, 4), (6, 0, 4)]
