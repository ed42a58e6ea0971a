"""Exact 1-D counting of maxout/ReLU nets along a segment (GYZ26.def.linear_regions, d = 1)."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from approxtheory.core import ApproxTheoryError
from approxtheory.networks.maxout import MaxoutLayer, MaxoutNetwork, relu_network
from approxtheory.regions import maxout_value, segment_regions


def one_layer_relu(kinks: list[float], readout: list[list[float]]) -> MaxoutNetwork:
    """Units ReLU(x - a) for each kink a; readout rows as given."""
    w = np.ones((len(kinks), 1))
    return relu_network([w], [-np.asarray(kinks, dtype=float)], np.asarray(readout, dtype=float), np.zeros(len(readout)))


def test_relu_net_with_known_count() -> None:
    # f = ReLU(x+0.5) - 2 ReLU(x) + 3 ReLU(x-0.5) on [-1,1]: slopes 0, 1, -1, 2 -> 4 regions
    r = segment_regions(one_layer_relu([-0.5, 0.0, 0.5], [[1.0, -2.0, 3.0]]), [-1], [1])
    assert (r.regions, r.activation_regions) == (4, 4)
    assert r.breakpoints == (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4))  # t = (x + 1)/2
    assert r.slopes() == [(0,), (2,), (-2,), (4,)]  # d/dt = 2 d/dx


def test_cancelling_kinks_are_merged() -> None:
    # ReLU(x) - ReLU(-x) = x: both units switch at 0 but the function is one affine map
    net = relu_network([np.array([[1.0], [-1.0]])], [np.zeros(2)], np.array([[1.0, -1.0]]), np.zeros(1))
    r = segment_regions(net, [-1], [1])
    assert (r.regions, r.activation_regions) == (1, 2)
    assert r.breakpoints == () and r.activation_breakpoints == (Fraction(1, 2),)
    # a kink whose contribution cancels in the readout: ReLU(x-0.3) - ReLU(x-0.3) + ReLU(x+0.2)
    r = segment_regions(one_layer_relu([0.3, 0.3, -0.2], [[1.0, -1.0, 1.0]]), [-1], [1])
    assert (r.regions, r.activation_regions) == (2, 3)


def test_vector_output_needs_whole_map_equal() -> None:
    both = segment_regions(one_layer_relu([0.0, 0.5], [[1.0, 0.0], [0.0, 1.0]]), [-1], [1])
    first = segment_regions(one_layer_relu([0.0, 0.5], [[1.0, 0.0], [1.0, 0.0]]), [-1], [1])
    assert (both.regions, first.regions) == (3, 2)
    assert both.activation_regions == first.activation_regions == 3


def test_exact_ties() -> None:
    # duplicated pieces (padding) and an identical pair tie on open sets; two units switch at one t
    W = np.array([[[1.0], [1.0], [0.0]], [[2.0], [0.0], [0.0]]])  # max(x, x, 0), max(2x, 0, 0)
    B = np.zeros((2, 3))
    net = MaxoutNetwork((MaxoutLayer(W, B),), np.array([[1.0, 1.0]]), np.zeros(1))
    r = segment_regions(net, [-1], [1])
    assert (r.regions, r.activation_regions) == (2, 2)
    assert r.breakpoints == (Fraction(1, 2),)
    # identical lines everywhere: a single region and a single pattern
    net = MaxoutNetwork((MaxoutLayer(np.ones((1, 3, 1)), np.zeros((1, 3))),), np.eye(1), np.zeros(1))
    r = segment_regions(net, [-1], [1])
    assert (r.regions, r.activation_regions) == (1, 1)
    # a crossing exactly at the segment end is not interior
    assert segment_regions(one_layer_relu([1.0], [[1.0]]), [-1], [1]).regions == 1


def test_float_weights_read_as_exact_binary_values() -> None:
    r = segment_regions(one_layer_relu([0.1], [[1.0]]), [0], [1])
    assert r.breakpoints == (Fraction(0.1),)  # the double nearest 0.1, not 1/10
    assert r.breakpoints[0] != Fraction(1, 10)


def test_multi_input_segment_values_are_exact() -> None:
    for seed in range(3):
        net = MaxoutNetwork.random(seed, 3, (8, 8), 3, output_dim=2)
        x0, x1 = [-2.0, 1.0, 0.5], [2.0, -1.5, 0.25]
        r = segment_regions(net, x0, x1)
        ab = [Fraction(0), *r.activation_breakpoints, Fraction(1)]
        pts = ab + [(a + b) / 2 for a, b in zip(ab[:-1], ab[1:])]
        X0, X1 = [Fraction(v) for v in x0], [Fraction(v) for v in x1]
        for t in pts:
            assert maxout_value(net, [a + t * (b - a) for a, b in zip(X0, X1)]) == r.value(t)
        # neighbouring regions really differ, and every region break is an activation break
        maps = list(zip(r.slopes(), r.intercepts()))
        assert all(a != b for a, b in zip(maps[:-1], maps[1:]))
        assert set(r.breakpoints) <= set(r.activation_breakpoints)
        assert r.regions >= 3


@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_width_one_cap(k: int, L: int) -> None:
    """GYZ26.thm.maxout_regions_mpcb14 sanity flag: width-1 rank-k nets have <= 1+(k-1)(2^L-1) regions."""
    cap = 1 + (k - 1) * (2**L - 1)
    for seed in range(25):
        net = MaxoutNetwork.random(seed, 1, (1,) * L, k, scale=2.0)
        assert segment_regions(net, [-4], [4]).regions <= cap


def test_zigzag_beats_width_one_cap() -> None:
    from approxtheory.networks.zigzag import zigzag_network
    for (k, L), cap in {(3, 2): 7, (3, 3): 15, (4, 2): 10}.items():
        assert 1 + (k - 1) * (2**L - 1) == cap
        assert segment_regions(zigzag_network(k, L), [0], [1]).regions == k**L > cap


def test_json_and_errors() -> None:
    r = segment_regions(one_layer_relu([-0.5, 0.0, 0.5], [[1.0, -2.0, 3.0]]), [-1], [1])
    data = json.loads(json.dumps(r.to_json()))
    assert data["regions"] == 4 and data["activation_regions"] == 4
    assert data["breakpoints"] == [0.25, 0.5, 0.75] and data["breakpoints_exact"] == ["1/4", "1/2", "3/4"]
    assert r.to_json(max_breakpoints=1)["breakpoints_truncated"]
    with pytest.raises(ApproxTheoryError, match="coordinates"):
        segment_regions(MaxoutNetwork.random(0, 2, (3,), 2), [0], [1])
    with pytest.raises(ApproxTheoryError, match="not finite"):
        segment_regions(one_layer_relu([0.0], [[1.0]]), [float("nan")], [1])


def test_degenerate_segment_and_big_integers() -> None:
    net = MaxoutNetwork.random(4, 2, (6, 6, 6), 3)
    r = segment_regions(net, [0.3, 0.3], [0.3, 0.3])
    assert (r.regions, r.activation_regions) == (1, 1)
    # tiny and huge weights force Python-int arithmetic; the result must still be exact
    W = np.array([[[1e-300], [-1e200]]])
    net = MaxoutNetwork((MaxoutLayer(W, np.array([[0.0, 1e200]])),), np.eye(1), np.zeros(1))
    r = segment_regions(net, [0], [2])
    assert r.breakpoints == (Fraction(1e200) / (Fraction(1e-300) + Fraction(1e200)) / 2,)


def test_width_one_cap_is_attained_for_rank_two() -> None:
    # folding |..||x| - 1/2| - 1/4|..|: width 1, rank 2, 2^L regions on [-1, 1] = 1 + (2-1)(2^L - 1)
    L = 5
    layers = [MaxoutLayer(np.array([[[1.0], [-1.0]]]), np.zeros((1, 2)))]
    for level in range(1, L):
        c = 2.0**-level
        layers.append(MaxoutLayer(np.array([[[1.0], [-1.0]]]), np.array([[-c, c]])))
    net = MaxoutNetwork(tuple(layers), np.eye(1), np.zeros(1))
    assert segment_regions(net, [-1], [1]).regions == 2**L == 1 + (2 - 1) * (2**L - 1)


def test_event_sort_repairs_float_ties_exactly() -> None:
    from approxtheory.regions.envelope import _sort_events
    big = 10**20
    p = np.array([0, 0, 1], dtype=np.int64)
    n = np.array([big + 1, big, 1], dtype=object)  # both round to the float 1.0
    d = np.array([big, big, 3], dtype=object)
    assert list(_sort_events(p, n, d)) == [1, 0, 2]
