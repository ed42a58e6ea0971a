"""Exact 1-D counting for hardmax Transformers (T_inf, GYZ26.def.transformer / def.linear_regions)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from regions_nets import chain_transformer, max_unit_transformer

from approxtheory.core import ApproxTheoryError
from approxtheory.networks.maxout import MaxoutLayer, MaxoutNetwork
from approxtheory.networks.transformer import Block, Transformer, apply
from approxtheory.regions import segment_regions, transformer_segment_regions, transformer_value


def _maxout_unit(w: list[float], b: list[float]) -> MaxoutNetwork:
    return MaxoutNetwork((MaxoutLayer(np.array(w, dtype=float)[None, :, None], np.array([b], dtype=float)),),
                         np.eye(1), np.zeros(1))


@pytest.mark.parametrize(("w", "b"), [
    ([2.0, -1.0], [-0.5, 0.25]),
    ([2.0, -1.0, 0.5], [-0.5, 0.25, 0.0]),
    ([1.0, 1.0], [0.0, 0.0]),  # identical pieces: an exact tie on every token
    ([1.0, -1.0, 1.0], [0.0, 0.0, 0.0]),  # |x| with a duplicated piece
])
def test_attention_max_matches_maxout_unit(w: list[float], b: list[float]) -> None:
    model = max_unit_transformer(w, b, M=4.0)
    xs = np.linspace(-1, 1, 41)[:, None]
    assert np.allclose(apply(model, xs)[:, 0], np.max(np.outer(xs[:, 0], w) + b, axis=1))
    r_t = transformer_segment_regions(model, [-1], [1])
    r_m = segment_regions(_maxout_unit(w, b), [-1], [1])
    assert r_t.regions == r_m.regions
    assert r_t.breakpoints == r_m.breakpoints
    assert r_t.slopes() == r_m.slopes() and r_t.intercepts() == r_m.intercepts()
    assert r_t.activation_regions >= r_m.activation_regions  # the FFN gates add their own switches


def test_point_jump_separates_regions() -> None:
    # scores x, -x, 0 tie three ways only at x = 0; values 1, 1, 4: f = 1 except f(0) = 2
    model = max_unit_transformer([1.0, -1.0, 0.0], [0.0, 0.0, 0.0], M=4.0, values=[1.0, 1.0, 4.0])
    assert transformer_value(model, [0]) == (2,)
    assert transformer_value(model, [Fraction(1, 3)]) == (1,)
    r = transformer_segment_regions(model, [-1], [1])
    assert r.regions == 2 and r.breakpoints == (Fraction(1, 2),)
    assert r.slopes() == [(0,), (0,)] and r.intercepts() == [(1,), (1,)]
    # without the third token nothing happens at 0 except the switch between two equal values
    r = transformer_segment_regions(max_unit_transformer([1.0, -1.0], [0.0, 0.0], 4.0, values=[1.0, 1.0]), [-1], [1])
    assert r.regions == 1


def test_value_jump_is_a_region_boundary() -> None:
    model = max_unit_transformer([1.0, -1.0], [0.0, 0.0], M=4.0, values=[0.0, 1.0])  # 1 for x < 0, 0 for x > 0
    r = transformer_segment_regions(model, [-1], [1])
    assert r.regions == 2 and r.breakpoints == (Fraction(1, 2),)
    assert r.intercepts() == [(1,), (0,)]
    assert transformer_value(model, [0]) == (Fraction(1, 2),)


def test_quadratic_score_raises_clear_error() -> None:
    e = np.eye(2)  # token state [x, 1]; query = key = x gives s = x^2
    blk = Block(np.zeros((0, 2)), np.zeros(0), np.zeros((2, 0)), np.zeros(2), e[[0]], e[[0]], e[[0]], e[[0]])
    model = Transformer(np.array([[1.0], [0.0]]), np.array([[0.0, 1.0], [0.0, 2.0]]), (blk,), e[[0]], np.zeros(1))
    with pytest.raises(ApproxTheoryError, match="exact region counting needs affine scores") as err:
        transformer_segment_regions(model, [-1], [1])
    assert "quadratic" in str(err.value) and err.value.hint
    # the same model is fine on a segment where x is constant (a degenerate segment)
    assert transformer_segment_regions(model, [0.5], [0.5]).regions == 1


def test_exact_values_match_float_forward_pass() -> None:
    model = max_unit_transformer([2.0, -1.0, 0.5, -0.25], [-0.5, 0.25, 0.0, 0.1], M=4.0)
    r = transformer_segment_regions(model, [-1], [1])
    for t in [Fraction(i, 37) for i in range(38)]:
        x = -1 + 2 * t
        assert r.value(t) == transformer_value(model, [x])
        assert float(r.value(t)[0]) == pytest.approx(float(apply(model, np.array([[float(x)]]))[0, 0]), abs=1e-12)


def _chain_maxout(units: list[tuple[list[float], list[float]]]) -> MaxoutNetwork:
    layers = tuple(MaxoutLayer(np.array(w, dtype=float)[None, :, None], np.array([b], dtype=float)) for w, b in units)
    return MaxoutNetwork(layers, np.eye(1), np.zeros(1))


def test_multi_block_chain_matches_maxout_chain() -> None:
    folding = [([1.0, -1.0], [0.0, 0.0])] + [([1.0, -1.0], [-(2.0**-i), 2.0**-i]) for i in range(1, 4)]
    rng = np.random.default_rng(0)
    # dyadic weights, so the gate biases s b_j - M are exact doubles (otherwise the stored transformer
    # differs from the maxout chain by rounding, and the exact counts may legitimately differ)
    random3 = [(list(np.round(rng.normal(size=3) * 64) / 64), list(np.round(rng.normal(size=3) * 20) / 64))
               for _ in range(3)]
    for units in (folding, random3):
        model, net = chain_transformer(units, M=16.0), _chain_maxout(units)
        r_t, r_m = transformer_segment_regions(model, [-1], [1]), segment_regions(net, [-1], [1])
        assert r_t.regions == r_m.regions and r_t.breakpoints == r_m.breakpoints
        assert r_t.slopes() == r_m.slopes()
    assert segment_regions(_chain_maxout(folding), [-1], [1]).regions == 16
