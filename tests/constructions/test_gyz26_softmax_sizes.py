"""GYZ26.cor.softmax_error (T_beta vs N) and GYZ26.prop.complexity (sizes, non-zeros) of the §4 construction."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special
from gyz26_nets import random_net, zigzag_net

from approxtheory.constructions.gate import gate_ibp, gate_safe
from approxtheory.constructions.maxout_transformer import (
    beta_for_accuracy,
    count_nonzeros,
    simulate,
    sizes,
    softmax_error_bound,
    softmax_error_terms,
)
from approxtheory.networks.maxout import relu_network
from approxtheory.networks.transformer import apply

BETAS = (1.0, 10.0, 100.0, 1000.0)


def sup_error(net, t, x, beta):
    return float(np.max(np.abs(apply(t, x, beta) - net(x))))


@pytest.mark.parametrize("seed, d, widths, k", [(0, 1, (3,), 2), (1, 2, (3, 2), 3), (2, 2, (2, 3, 2), 4)])
def test_softmax_error_below_bound_and_decays(seed, d, widths, k):
    net = random_net(seed, d, widths, k, q=2)
    box = (-1.0, 1.0)
    M = gate_safe(net, box).M  # bounds the pre-activations of every T_beta (card cor.softmax_error)
    assert M >= gate_ibp(net, *box, for_softmax=True).M
    t = simulate(net, M)
    x = np.random.default_rng(seed).uniform(-1, 1, (400, d))
    errors = [sup_error(net, t, x, b) for b in BETAS]
    for beta, err in zip(BETAS, errors):
        assert err <= softmax_error_bound(net, beta, "sharp") <= softmax_error_bound(net, beta)
    assert all(e2 < e1 for e1, e2 in zip(errors, errors[1:]))
    assert errors[-1] < 0.05 * errors[0]


def test_bound_formula_and_beta_for_accuracy():
    net = random_net(3, 2, (3, 2), 3)
    terms = softmax_error_terms(net)
    lips = [max(np.abs(layer.weight).sum(axis=2).ravel()) for layer in net.layers]
    assert terms["lip"] == pytest.approx(lips, rel=1e-15)
    assert terms["S"] == pytest.approx(lips[1] + 1.0, rel=1e-15)  # L = 2: Lip_2 + 1
    a_inf = float(np.abs(net.readout_weight).sum(axis=1).max())
    c3 = min(math.log(3), 2 / math.e)
    assert softmax_error_bound(net, 7.0) == pytest.approx(a_inf * c3 / 7.0 * terms["S"], rel=1e-14)
    w3 = float(scipy.special.lambertw(2 / math.e).real)
    assert softmax_error_bound(net, 7.0, "sharp") == pytest.approx(a_inf * w3 / 7.0 * terms["S"], rel=1e-14)
    for eps in (1e-1, 1e-3):
        beta = beta_for_accuracy(net, eps)
        assert softmax_error_bound(net, beta) <= eps
        assert softmax_error_bound(net, beta * (1 - 1e-9)) > eps
        t = simulate(net, gate_safe(net, (-1.0, 1.0)).M)
        x = np.random.default_rng(0).uniform(-1, 1, (200, 2))
        assert sup_error(net, t, x, beta) <= eps


# ---------------------------------------------------------------------------------------------- sizes


def test_sizes_fixture_zigzag():
    net = zigzag_net(3, 2)
    full, lean = sizes(net, "full"), sizes(net, "lean")
    assert (full.H, full.D, full.tokens, full.heads) == (2, 8, 3, (2, 2))
    assert full.ffn_widths == (20, 20) and lean.ffn_widths == (16, 20)
    t = simulate(net, 5.0)
    assert t.width == 8 and t.tokens == 3 and [b.w1.shape[0] for b in t.blocks] == [20, 20]
    assert [b.query.shape[0] for b in t.blocks] == [2, 2]


def test_sizes_fixture_d2_k2_widths_3_2():
    net = random_net(0, 2, (3, 2), 2)
    full, lean = sizes(net, "full"), sizes(net, "lean")
    assert (full.H, full.D) == (3, 9)
    assert full.ffn_widths == (24, 20) and lean.ffn_widths == (20, 20)
    assert full.nnz_total == 176 and lean.nnz_total == 168
    assert full.nnz_actual == 176 and lean.nnz_actual == 168  # Gaussian weights: no accidental zeros
    assert full.P0 == lean.P0 == 34 == net.params_hidden()
    assert full.nnz_total <= full.bound and lean.nnz_total <= lean.bound


@pytest.mark.parametrize("seed, d, widths, k", [(1, 1, (3,), 2), (2, 3, (2, 4, 3), 3), (3, 2, (5, 1), 4), (4, 4, (2, 2), 2)])
@pytest.mark.parametrize("variant", ["full", "lean"])
def test_counted_nonzeros_match_formulas(seed, d, widths, k, variant):
    net = random_net(seed, d, widths, k)
    s = sizes(net, variant)
    H = max(d, *widths)
    prev = (d, *widths[:-1])
    reset = [8 * H] * len(widths) if variant == "full" else [8 * n for n in prev]
    assert s.nnz_ffn == tuple(2 * k * m * (n + 3) + r for m, n, r in zip(widths, prev, reset))
    assert s.nnz_attention == tuple(4 * m for m in widths)
    assert s.nnz_counted == s.nnz_blocks and s.nnz_actual == s.nnz_total
    t = simulate(net, 2.0, variant)
    assert [f + a for f, a in count_nonzeros(t)] == list(s.nnz_blocks)
    dense = [b.w1.size + b.b1.size + b.w2.size + b.b2.size + 4 * b.query.size for b in t.blocks]
    assert list(s.dense_blocks) == dense
    assert s.nnz_total <= s.bound
    if variant == "full":
        assert s.bound <= 4 * s.P0 + 12 * len(widths) * H


def test_relu_net_has_fewer_actual_nonzeros():
    rng = np.random.default_rng(0)
    net = relu_network([rng.normal(size=(3, 2))], [rng.normal(size=3)], rng.normal(size=(1, 3)), np.zeros(1))
    s = sizes(net)
    # the fixed zero piece (0, 0) drops 2 * 3 units * 2 inputs = 12 entries out of the gated rows
    assert s.nnz_actual == s.nnz_total - 12
