"""The gate constant of GYZ26.prop.exact_simulation: IBP, M_safe, sampled lower value, the predicate, errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from gyz26_nets import abs_net, random_net, zigzag_gate, zigzag_net

from approxtheory.constructions.gate import (
    GateBound,
    gate_condition,
    gate_ibp,
    gate_safe,
    gate_sampled_lower,
    preactivations,
)
from approxtheory.constructions.maxout_transformer import beta_for_accuracy, simulate, sizes, softmax_error_bound
from approxtheory.core import ApproxTheoryError, ConditionStatus
from approxtheory.networks.maxout import MaxoutLayer, MaxoutNetwork

NETS = [(0, 1, (3,), 2), (1, 2, (3, 2), 3), (2, 3, (2, 3, 2), 4), (3, 2, (4, 4), 2)]


@pytest.mark.parametrize("seed, d, widths, k", NETS)
def test_ordering_and_enclosure(seed, d, widths, k):
    net = random_net(seed, d, widths, k)
    lo, hi = -np.ones(d), np.linspace(0.5, 1.5, d)
    ibp = gate_ibp(net, lo, hi)
    soft = gate_ibp(net, lo, hi, for_softmax=True)
    safe = gate_safe(net, (lo, hi))
    sampled = gate_sampled_lower(net, (lo, hi), n=3000, seed=seed)
    assert isinstance(ibp, GateBound) and ibp.rigorous and not sampled.rigorous
    assert len(ibp.per_layer) == len(widths) and ibp.M == max(ibp.per_layer)
    assert sampled.M <= ibp.M <= soft.M <= safe.M * (1 + 1e-15)
    # every sampled pre-activation lies inside its IBP interval
    x = lo + (hi - lo) * np.random.default_rng(seed).random((500, d))
    for y, (y_lo, y_hi) in zip(preactivations(net, x), ibp.intervals):
        assert np.all(y_lo <= y) and np.all(y <= y_hi)


def test_ibp_exact_on_one_layer():
    # for one layer the IBP interval of an affine piece is attained at a corner of the box
    net = random_net(5, 3, (4,), 3)
    lo, hi = np.array([-1.0, 0.0, 0.25]), np.array([0.5, 2.0, 0.75])
    corners = np.array([[(lo[i], hi[i])[c] for i, c in enumerate(bits)] for bits in itertools.product([0, 1], repeat=3)])
    exact = float(np.max(np.abs(preactivations(net, corners)[0])))
    assert gate_ibp(net, lo, hi).M == pytest.approx(exact, rel=1e-15)
    assert gate_ibp(net, lo, hi).M >= exact


def test_outward_rounding_is_rigorous():
    # 0.1 is not a double: y = 0.1 x + 0.2 with x in [0, 3] has sup 0.1*3 + 0.2 computed exactly in Arb;
    # the returned M is a double >= that exact real, and the smallest such double
    from fractions import Fraction

    net = MaxoutNetwork((MaxoutLayer(np.array([[[0.1], [0.1]]]), np.array([[0.2, 0.2]])),), np.array([[1.0]]), np.array([0.0]))
    M = gate_ibp(net, 0.0, 3.0).M
    exact = Fraction(0.1) * 3 + Fraction(0.2)
    assert Fraction(M) >= exact
    assert Fraction(float(np.nextafter(M, -math.inf))) < exact


def test_zigzag_values():
    for k in (2, 3, 4, 5):
        net = zigzag_net(k, 1)
        # one layer on [0, 1]: IBP is exact, and equals the card's value (k^2+1)/2 (odd k) or k^2/2 (even k)
        expected = (k * k + 1) / 2 if k % 2 else k * k / 2
        assert gate_ibp(net, 0.0, 1.0).M == expected
        assert gate_sampled_lower(net, (0.0, 1.0), n=100).M == expected
    net = zigzag_net(3, 2)
    # deeper: IBP treats a and b independently and over-estimates; the sample finds the true value 5
    assert gate_sampled_lower(net, (0.0, 1.0), n=2000).M == pytest.approx(zigzag_gate(3))
    assert gate_ibp(net, 0.0, 1.0).M > zigzag_gate(3)


@pytest.mark.parametrize("seed, d, widths, k", NETS)
def test_condition_holds_at_ibp_and_fails_below_sample(seed, d, widths, k):
    net = random_net(seed, d, widths, k)
    box = (-1.0, 1.0)
    ibp = gate_ibp(net, *box)
    held = gate_condition(net, box, ibp.M)
    assert held.status is ConditionStatus.HOLDS and held.evidence["ibp_M"] == ibp.M
    sampled = gate_sampled_lower(net, box, n=2048, seed=0)
    failed = gate_condition(net, box, sampled.M * (1 - 1e-9), n=2048, seed=0)
    assert failed.status is ConditionStatus.FAILS
    w = failed.evidence["witness"]
    y = preactivations(net, np.array([w["point"]]))[w["layer"] - 1][0, w["unit"], w["piece"]]
    assert abs(y) > sampled.M * (1 - 1e-9)
    assert gate_condition(net, box, ibp.M * 10).status is ConditionStatus.HOLDS


def test_condition_unknown_in_between():
    net = zigzag_net(3, 2)
    ibp = gate_ibp(net, 0.0, 1.0).M
    res = gate_condition(net, (0.0, 1.0), (zigzag_gate(3) + ibp) / 2)
    assert res.status is ConditionStatus.UNKNOWN
    assert res.evidence["sampled_M"] <= res.evidence["M"] < res.evidence["ibp_M"]


def test_condition_for_softmax_uses_hull():
    net = random_net(7, 2, (3, 3), 3)
    hard, soft = gate_ibp(net, -1.0, 1.0).M, gate_ibp(net, -1.0, 1.0, for_softmax=True).M
    assert soft > hard  # this net's hull is strictly wider, so the hardmax value is not enough for T_beta
    assert gate_condition(net, (-1.0, 1.0), hard).status is ConditionStatus.HOLDS
    assert gate_condition(net, (-1.0, 1.0), hard, for_softmax=True).status is not ConditionStatus.HOLDS
    assert gate_condition(net, (-1.0, 1.0), soft, for_softmax=True).status is ConditionStatus.HOLDS


# ------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize("M", [math.inf, -math.inf, math.nan, 0.0, -1.0, "big", None])
def test_bad_gate_constant(M):
    net = abs_net()
    with pytest.raises(ApproxTheoryError, match="M"):
        simulate(net, M)
    with pytest.raises(ApproxTheoryError, match="M"):
        gate_condition(net, (-1.0, 1.0), M)


def test_non_finite_message_has_hint():
    with pytest.raises(ApproxTheoryError) as err:
        simulate(abs_net(), math.inf)
    assert "not a finite number" in str(err.value) and "gate_ibp" in str(err.value)


@pytest.mark.parametrize("box, needle", [
    (([0.0, 0.0], [1.0, 1.0]), "network takes 1 inputs"),
    ((np.zeros(3), np.ones(3)), "network takes 1 inputs"),
    ((1.0, 0.0), "empty"),
    ((-math.inf, 1.0), "not finite"),
    ((0.0, math.nan), "not finite"),
    ((0.0,), "pair"),
    (("a", 1.0), "not numeric"),
])
def test_bad_box(box, needle):
    net = abs_net()
    for call in (lambda: gate_ibp(net, box), lambda: gate_safe(net, box), lambda: gate_sampled_lower(net, box),
                 lambda: gate_condition(net, box, 1.0)):
        with pytest.raises(ApproxTheoryError, match=needle):
            call()


def test_box_dimension_names_the_fix():
    net = random_net(0, 3, (2,), 2)
    with pytest.raises(ApproxTheoryError) as err:
        gate_ibp(net, [0.0, 0.0], [1.0, 1.0])
    assert "takes 3 inputs" in str(err.value) and "length 3" in str(err.value)


def test_bad_network():
    good = abs_net()
    nan_net = good._replace(layers=(MaxoutLayer(np.array([[[np.nan], [1.0]]]), np.zeros((1, 2))),))
    wrong_readout = good._replace(readout_weight=np.ones((1, 3)))
    mismatch = MaxoutNetwork((MaxoutLayer(np.ones((2, 2, 1)), np.zeros((2, 2))), MaxoutLayer(np.ones((1, 2, 3)), np.zeros((1, 2)))),
                             np.ones((1, 1)), np.zeros(1))
    for bad, needle in ((nan_net, "non-finite"), (wrong_readout, "readout"), (mismatch, "takes 3 inputs"), ("net", "MaxoutNetwork")):
        for call in (lambda: simulate(bad, 1.0), lambda: gate_ibp(bad, 0.0, 1.0), lambda: sizes(bad),
                     lambda: softmax_error_bound(bad, 1.0)):
            with pytest.raises(ApproxTheoryError, match=needle):
                call()


def test_bad_options():
    net = abs_net()
    with pytest.raises(ApproxTheoryError, match="variant"):
        simulate(net, 1.0, "medium")
    with pytest.raises(ApproxTheoryError, match="beta"):
        softmax_error_bound(net, 0.0)
    with pytest.raises(ApproxTheoryError, match="beta"):
        softmax_error_bound(net, math.inf)
    with pytest.raises(ApproxTheoryError, match="eps"):
        beta_for_accuracy(net, -1e-3)
    with pytest.raises(ApproxTheoryError, match="constant"):
        softmax_error_bound(net, 1.0, constant="tight")
