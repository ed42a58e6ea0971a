"""Zigzag fixtures of GYZ26.prop.regions_lower (card §5): exact counts, breakpoints, values and slopes."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest

from approxtheory.core import ApproxTheoryError
from approxtheory.networks.maxout import MaxoutNetwork
from approxtheory.networks.zigzag import ZIGZAG_GATE, zigzag_network, zigzag_value
from approxtheory.regions import maxout_value, segment_regions

FIXTURES = [((2, 3), 8), ((3, 2), 9), ((3, 3), 27), ((4, 2), 16), ((2, 5), 32)]


@pytest.mark.parametrize(("kL", "count"), FIXTURES)
def test_zigzag_counts_breakpoints_values_slopes(kL: tuple[int, int], count: int) -> None:
    k, L = kL
    r = segment_regions(zigzag_network(k, L), [0], [1])
    n = k**L
    assert r.regions == count == n
    assert r.activation_regions == n
    assert r.breakpoints == tuple(Fraction(i, n) for i in range(1, n))
    assert np.array_equal(r.breakpoints_float, np.arange(1, n) / n)
    assert all(r.value(Fraction(i, n)) == (Fraction(i % 2),) for i in range(n + 1))
    assert r.slopes() == [(Fraction((-1) ** i * n),) for i in range(n)]


@pytest.mark.parametrize(("k", "L"), [(2, 3), (3, 2), (4, 2), (5, 2)])
def test_zigzag_network_matches_reference(k: int, L: int) -> None:
    net = zigzag_network(k, L)
    ts = [Fraction(i, 7 * k**L) for i in range(7 * k**L + 1)]
    assert all(maxout_value(net, [t]) == (zigzag_value(k, L, t),) for t in ts)
    xs = np.linspace(0, 1, 301)[:, None]
    ref = np.array([float(zigzag_value(k, L, Fraction(float(x)))) for x in xs[:, 0]])
    assert np.allclose(net(xs)[:, 0], ref, atol=1e-12)


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_zigzag_gate_bounds_preactivations(k: int) -> None:
    net = zigzag_network(k, 3)
    # pre-activations are affine between activation breakpoints, so their extremes sit at those points
    ts = [Fraction(0), Fraction(1), *segment_regions(net, [0], [1]).activation_breakpoints]
    pre = Fraction(0)
    for t in ts:
        h = [t]
        for lay in net.layers:
            y = [[sum(Fraction(w) * x for w, x in zip(lay.weight[u, j], h)) + Fraction(lay.bias[u, j])
                  for j in range(k)] for u in range(2)]
            pre = max(pre, *(abs(v) for row in y for v in row))
            h = [max(row) for row in y]
    assert pre <= ZIGZAG_GATE(k)
    assert pre == (Fraction(k * k + 1, 2) if k % 2 else Fraction(k * k, 2))  # card §5: attained on [0,1]


@pytest.mark.parametrize("k", [2, 3, 4])
def test_appending_a_zigzag_layer_multiplies_count_by_k(k: int) -> None:
    net = zigzag_network(k, 2)
    longer = MaxoutNetwork(net.layers + (zigzag_network(k, 2).layers[1],), net.readout_weight, net.readout_bias)
    base, more = segment_regions(net, [0], [1]).regions, segment_regions(longer, [0], [1]).regions
    assert more == k * base
    assert segment_regions(zigzag_network(k, 3), [0], [1]).regions == k * base


def test_zigzag_padding_and_arguments() -> None:
    net = zigzag_network(3, 2)
    assert net.rank == 3 and net.widths == (2, 2) and net.input_dim == 1
    np.testing.assert_array_equal(net.readout_weight, [[1.0, -1.0]])
    with pytest.raises(ApproxTheoryError):
        zigzag_network(1, 2)
    with pytest.raises(ApproxTheoryError):
        zigzag_value(2, 2, Fraction(3, 2))


def test_zigzag_k2_depth20_is_fast_and_exact() -> None:
    start = time.perf_counter()
    r = segment_regions(zigzag_network(2, 20), [0], [1])
    elapsed = time.perf_counter() - start
    assert r.regions == 2**20 == r.activation_regions
    assert elapsed < 20  # about 1 s on 2 CPU cores
    assert int(r.bp_num[12345]) * 2**20 == 12346 * int(r.bp_den[12345])
    assert r.slopes(slice(0, 2)) == [(Fraction(2**20),), (Fraction(-(2**20)),)]
    assert np.array_equal(r.slope_num[:, 0] // r.scale, (-1) ** np.arange(2**20) * 2**20)
