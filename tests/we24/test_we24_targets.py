"""Memory targets and their predicates: support, adaptive positions, nesting, normalisation, readout norms, decay."""

from __future__ import annotations

import math

import numpy as np
import pytest

from approxtheory.core import ApproxTheoryError, ConditionStatus
from approxtheory.memory import kernels
from approxtheory.memory.decay import decay_exp_condition, decay_poly_condition, fit_decay
from approxtheory.memory.readout import ReluReadout, linear, relu_sum
from approxtheory.memory.structure import fits_template, layers_needed, nesting_depth
from approxtheory.memory.targets import (AdaptiveTarget, EssentiallySparseTarget, FixedSparseTarget, MemoryRule,
                                         adaptive_positions_condition, input_normalisation, memory_support_condition,
                                         normalise_inputs, support_by_perturbation)


def g(x: np.ndarray) -> float:
    return 1.5 - 0.5 * float(x[0])  # the card's example: g(1) = 1, g(-1) = 2


CARD_NESTED = AdaptiveTarget((MemoryRule(lambda xt: g(xt), 2), MemoryRule(lambda xt, first: g(first), 2, (0,))),
                             lambda v: float(np.prod(v)))


def test_fixed_sparse_support_found_by_perturbation() -> None:
    target = FixedSparseTarget((3, 7), linear([1.0, 1.0, 1.0]))
    for alphabet in (None, (-1.0, 1.0)):
        result = memory_support_condition(12, alphabet)(target)
        assert result.status is ConditionStatus.HOLDS
        assert result.evidence["support"] == [3, 7] and result.evidence["M"] == 2
    # a target that reads the last offset of the window: the support may extend beyond it
    edge = FixedSparseTarget((5,), linear([1.0, 1.0]))
    assert memory_support_condition(5, (-1.0, 1.0))(edge).status is ConditionStatus.UNKNOWN


def test_support_of_adaptive_and_smooth_targets() -> None:
    assert support_by_perturbation(CARD_NESTED, 6, (-1.0, 1.0)) == {1, 2}
    smooth = EssentiallySparseTarget((kernels.exponential(0.5),), linear([1.0]), 30)
    assert support_by_perturbation(smooth, 30, samples=3) == set(range(1, 31))
    with pytest.raises(ApproxTheoryError, match="shorter"):
        support_by_perturbation(FixedSparseTarget((9,), linear([1.0, 1.0])), 4)


def test_adaptive_positions() -> None:
    result = adaptive_positions_condition((-1.0, 1.0))(CARD_NESTED)
    assert result.status is ConditionStatus.HOLDS
    assert result.evidence["nesting_depth_K"] == 1 and result.evidence["layers_L"] == 3
    assert CARD_NESTED.task == "WE24.task.nested"
    # Prop 4.2's target: g(x) = x + 1 takes the value 0, so it is not in the adaptive class (card §3)
    p42 = AdaptiveTarget((MemoryRule(lambda x: float(x[0]) + 1, 2),), lambda v: float(v[1]))
    failed = adaptive_positions_condition((-1.0, 0.0, 1.0))(p42)
    assert failed.status is ConditionStatus.FAILS and failed.evidence["position"] == 0.0
    assert p42.task == "WE24.task.adaptive_sparse"
    window = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    assert CARD_NESTED.positions(window) == [1, 2] and CARD_NESTED(window) == 1.0 * -1.0 * 1.0


def test_target_bad_input() -> None:
    with pytest.raises(ApproxTheoryError):
        FixedSparseTarget((3, 2), linear([1.0]))
    with pytest.raises(ApproxTheoryError, match="shape"):
        FixedSparseTarget((2,), linear([1.0, 1.0]))(np.zeros((2, 1)))
    with pytest.raises(ApproxTheoryError, match="cycle"):
        AdaptiveTarget((MemoryRule(g, 2, (1,)), MemoryRule(g, 2, (0,))), sum)


def test_input_normalisation() -> None:
    X = np.array([[0.6, 0.8], [3.0, 4.0]])
    assert input_normalisation(X).status is ConditionStatus.FAILS
    assert input_normalisation(X).evidence["max_norm"] == pytest.approx(5.0)
    fixed = normalise_inputs(X)
    assert input_normalisation(fixed).status is ConditionStatus.HOLDS
    assert np.allclose(fixed[1], [0.6, 0.8])
    assert np.array_equal(normalise_inputs(fixed), fixed)
    with pytest.raises(ApproxTheoryError):
        input_normalisation(np.array([]))


def test_nesting_and_depth_fixtures() -> None:
    # card §6: (K, M) = (0, M >= 1) -> 2; (2, 2) -> 3; (1, 2) -> 3; (3, 5) -> 5; (M, M) -> M + 1
    assert [layers_needed(0, m) for m in (1, 3)] == [2, 2]
    assert (layers_needed(2, 2), layers_needed(1, 2), layers_needed(3, 5)) == (3, 3, 5)
    assert [layers_needed(m, m) for m in range(1, 5)] == [2, 3, 4, 5]
    chain = nesting_depth([[], [0], [0, 1], [1], []])
    assert chain.depth == 2 and chain.order[:2] == (0, 1)
    assert fits_template([[], [0], [0, 1], [1], []], 2, chain.order)
    assert not fits_template([[], [0], [0, 1], [1], []], 1, chain.order)
    assert nesting_depth([[], [], []]).depth == 0 and nesting_depth([[], [], []]).layers == 2
    with pytest.raises(ApproxTheoryError):
        layers_needed(3, 2)
    with pytest.raises(ApproxTheoryError):
        nesting_depth([[0]])


def test_readout_norm_fixtures() -> None:
    w = np.array([1.0, -2.0, 0.5])
    f = linear(w)
    assert f(np.array([1.0, 1.0, 1.0])) == pytest.approx(-0.5)
    assert f.path_norm() == pytest.approx(2 * np.abs(w).sum()) and f.lipschitz_bound() == pytest.approx(2 * np.linalg.norm(w))
    e2b = linear([1.0, 1.0, 1.0])  # x_48 + x_56 + x_99: path norm <= 6, Lipschitz sqrt 3
    assert e2b.path_norm() == 6.0
    assert np.linalg.norm([1.0, 1.0, 1.0]) == pytest.approx(math.sqrt(3))
    W = np.random.default_rng(0).normal(size=(64, 3))
    r = relu_sum(W)
    assert r.path_norm() == pytest.approx(np.abs(W).sum()) and r.lipschitz_bound() == pytest.approx(np.linalg.norm(W, axis=1).sum())
    with pytest.raises(ApproxTheoryError):
        ReluReadout(np.ones(2), np.ones((3, 2)), np.zeros(2))
    with pytest.raises(ApproxTheoryError):
        f(np.ones(2))


def test_decay_fits_and_envelopes() -> None:
    exact = fit_decay(kernels.exponential(0.3), 400)
    assert exact.kind == "exponential" and exact.rate == pytest.approx(0.3, abs=1e-9)
    poly = fit_decay(kernels.power(2.5), 400)
    assert poly.kind == "polynomial" and poly.rate == pytest.approx(2.5, abs=1e-9)
    damped = fit_decay(kernels.damped(0.05), 400)
    assert damped.kind == "exponential" and abs(damped.rate - 0.05) < 0.01 and damped.stderr > 1e-4  # drift shows
    assert decay_exp_condition(0.05)(kernels.damped(0.05)).status is ConditionStatus.HOLDS
    assert decay_exp_condition(0.06)(kernels.damped(0.05)).status is ConditionStatus.FAILS
    assert decay_poly_condition(3.0)(kernels.shifted_power(3.0)).status is ConditionStatus.HOLDS
    assert decay_poly_condition(3.1)(kernels.shifted_power(3.0)).status is ConditionStatus.FAILS
    assert decay_poly_condition(1.0)(kernels.power(0.5)).status is ConditionStatus.FAILS  # beta > 1 required
    with pytest.raises(ApproxTheoryError):
        fit_decay(kernels.delta(3), 400)
