"""GYZ26.prop.exact_simulation: the §4 transformer's hardmax model equals the maxout network."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from gyz26_nets import abs_net, random_net, relu_identity_net, with_duplicates, zigzag, zigzag_gate, zigzag_net

from approxtheory.constructions.gate import gate_condition, gate_ibp, preactivations
from approxtheory.constructions.maxout_transformer import layout, padded, simulate
from approxtheory.core import ConditionStatus
from approxtheory.networks.maxout import relu_network
from approxtheory.networks.transformer import apply, token_states

TOL = 1e-12

# (seed, d, widths, k): d in 1..3, k in 2..4, depth 1..3
CASES = [
    (0, 1, (3,), 2),
    (1, 2, (4,), 3),
    (2, 3, (2,), 4),
    (3, 1, (3, 2), 3),
    (4, 2, (3, 2), 2),
    (5, 3, (4, 3), 4),
    (6, 1, (2, 3, 2), 4),
    (7, 2, (3, 3, 2), 3),
    (8, 3, (2, 2, 2), 2),
]


def points(d: int, n: int, seed: int, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    corners = np.array(list(itertools.product([lo, hi], repeat=d)))
    return np.concatenate([rng.uniform(lo, hi, (n, d)), corners, np.zeros((1, d))])


def max_error(net, M, x, variant="full") -> float:
    t = simulate(net, M, variant)
    return float(np.max(np.abs(apply(t, x) - net(x))))


@pytest.mark.parametrize("seed, d, widths, k", CASES)
def test_hardmax_equals_network_random(seed, d, widths, k):
    net = random_net(seed, d, widths, k, q=2)
    M = gate_ibp(net, -1.0, 1.0).M
    x = points(d, 200, seed)
    variant = "full" if seed % 2 == 0 else "lean"
    assert max_error(net, M, x, variant) <= TOL


@pytest.mark.parametrize("seed, d, widths, k", [(10, 2, (3, 2), 3), (11, 1, (2, 2, 2), 4), (12, 3, (3,), 2)])
def test_duplicated_pieces_exact_ties(seed, d, widths, k):
    net = with_duplicates(random_net(seed, d, widths, k))
    x = points(d, 100, seed)
    pre = preactivations(net, x)
    assert all(np.array_equal(y[:, :, 0], y[:, :, 1]) for y in pre)  # every unit has a tied argmax pair
    M = gate_ibp(net, -1.0, 1.0).M
    for variant in ("full", "lean"):
        assert max_error(net, M, x, variant) <= TOL


def test_exact_ties_between_distinct_pieces():
    # |x| at x = 0 and a rank-3 unit max(x, -x, 0) whose three pieces tie at 0
    from approxtheory.networks.maxout import MaxoutLayer, MaxoutNetwork

    net = MaxoutNetwork(
        (MaxoutLayer(np.array([[[1.0], [-1.0], [0.0]], [[2.0], [2.0], [-1.0]]]), np.zeros((2, 3))),),
        np.array([[1.0, -0.5]]), np.array([0.25]))
    x = np.array([[0.0], [1e-300], [-1e-300], [0.5], [-0.5]])
    assert max_error(net, gate_ibp(net, -1.0, 1.0).M, x) <= TOL


def test_lower_rank_units_are_padded():
    # layer 1 rank 2, layer 2 rank 4: padded() repeats pieces, so the tokens k = 4 see ties
    from approxtheory.networks.maxout import MaxoutLayer, MaxoutNetwork

    rng = np.random.default_rng(3)
    net = MaxoutNetwork((MaxoutLayer(rng.normal(size=(3, 2, 2)), rng.normal(size=(3, 2))),
                         MaxoutLayer(rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4)))),
                        rng.normal(size=(1, 2)), rng.normal(size=1))
    assert padded(net).layers[0].weight.shape == (3, 4, 2)
    x = points(2, 100, 3)
    assert max_error(net, gate_ibp(net, -1.0, 1.0).M, x) <= TOL


@pytest.mark.parametrize("seed, d, widths", [(20, 1, (4,)), (21, 2, (3, 3)), (22, 3, (2, 4, 2))])
def test_relu_networks_as_rank_two(seed, d, widths):
    rng = np.random.default_rng(seed)
    dims = (d, *widths)
    ws = [rng.normal(size=(dims[i + 1], dims[i])) for i in range(len(widths))]
    bs = [rng.normal(size=dims[i + 1]) for i in range(len(widths))]
    net = relu_network(ws, bs, rng.normal(size=(1, widths[-1])), rng.normal(size=1))
    assert net.rank == 2
    x = points(d, 200, seed)
    # the ReLU reference, written out directly
    h = x
    for w, b in zip(ws, bs):
        h = np.maximum(h @ w.T + b, 0.0)
    assert np.allclose(net(x), h @ net.readout_weight.T + net.readout_bias, atol=1e-13)
    assert max_error(net, gate_ibp(net, -1.0, 1.0).M, x) <= TOL


@pytest.mark.parametrize("variant", ["full", "lean"])
@pytest.mark.parametrize("seed, d, widths, k", [(30, 2, (3, 4, 2), 3), (31, 3, (2, 3), 2)])
def test_token_states_after_each_block(variant, seed, d, widths, k):
    net = random_net(seed, d, widths, k)
    lay = layout(net)
    M = gate_ibp(net, -1.0, 1.0).M
    t = simulate(net, M, variant)
    x = np.random.default_rng(seed).uniform(-1, 1, d)
    states = token_states(t, x)
    hs = net.hidden(x[None])
    ys = preactivations(net, x[None])
    codes = np.concatenate([np.eye(k), np.ones((k, 1))], axis=1)
    X0 = states[0]
    assert np.array_equal(X0[:, lay.ih[:d]], np.tile(x, (k, 1)))
    assert np.array_equal(X0[:, lay.ih[d:]], 0 * X0[:, lay.ih[d:]]) and not X0[:, lay.iz].any()
    for l, X in enumerate(states[1:], start=1):
        m = widths[l - 1]
        h_expected = np.concatenate([hs[l][0], np.zeros(lay.H - m)])
        assert np.allclose(X[:, lay.ih], np.tile(h_expected, (k, 1)), atol=TOL, rtol=0)  # every token: (h^(l), 0)
        assert np.allclose(X[:, lay.iz[:m]], ys[l - 1][0].T, atol=TOL, rtol=0)  # token j: z_u = y_{u,j}
        assert not X[:, lay.iz[m:]].any()
        assert np.array_equal(X[:, np.append(lay.ie, lay.i1)], codes)  # e_j and 1 unchanged


@pytest.mark.parametrize("k, L", [(2, 3), (3, 2), (4, 2)])
def test_zigzag_net_simulated(k, L):
    net = zigzag_net(k, L)
    n = k**L
    x = np.concatenate([np.arange(n + 1) / n, np.random.default_rng(k).uniform(0, 1, 200)])[:, None]
    assert np.allclose(net(x)[:, 0], zigzag(n, x[:, 0]), atol=1e-12)
    assert np.allclose(net(np.arange(n + 1)[:, None] / n)[:, 0], np.arange(n + 1) % 2, atol=1e-12)
    M = zigzag_gate(k)  # the card's value; IBP over-estimates for L >= 2, so the predicate may say unknown
    assert gate_condition(net, (0.0, 1.0), M).status in (ConditionStatus.HOLDS, ConditionStatus.UNKNOWN)
    assert max_error(net, M, x) <= TOL
    assert max_error(net, M, x, "lean") <= TOL


def test_gate_far_too_small_breaks_output():
    # |x| on [-1, 1] with M = 0.5: at x = 1 the off-diagonal gate of each token leaks sign(y)(|y| - M),
    # token 0 gets 1 - 0.5 and token 1 gets -1 + 0.5, so T_inf(1) = 0.5 while N(1) = 1.
    net = abs_net()
    box = (-1.0, 1.0)
    result = gate_condition(net, box, 0.5)
    assert result.status is ConditionStatus.FAILS
    assert abs(result.evidence["witness"]["value"]) > 0.5
    t = simulate(net, 0.5)
    assert apply(t, np.array([[1.0]]))[0, 0] == pytest.approx(0.5, abs=1e-15)
    assert net(np.array([[1.0]]))[0, 0] == 1.0
    # with the computed gate it is exact again
    assert max_error(net, gate_ibp(net, *box).M, points(1, 50, 0)) <= TOL


def test_gate_violated_but_output_still_right():
    # ReLU(x) on [0, 1] with M = 0.5: flagged (|y| = 1 > M), yet the leak x - 0.5 on token 1 stays below
    # the max x on token 0, so T_inf = N on the whole box. The theorem's hypothesis fails; its conclusion holds.
    net = relu_identity_net()
    box = (0.0, 1.0)
    assert gate_condition(net, box, 0.5).status is ConditionStatus.FAILS
    x = np.linspace(0, 1, 101)[:, None]
    assert max_error(net, 0.5, x) <= TOL


def test_rank_one_net_gets_two_tokens():
    # an affine (rank-1) layer is padded to rank 2 (card hypothesis (a): k >= 2); the copy ties exactly
    from approxtheory.networks.maxout import MaxoutLayer, MaxoutNetwork

    net = MaxoutNetwork((MaxoutLayer(np.array([[[2.0, -1.0]]]), np.array([[0.5]])),), np.array([[1.0]]), np.array([0.0]))
    t = simulate(net, gate_ibp(net, -1.0, 1.0).M)
    assert t.tokens == 2
    x = points(2, 50, 0)
    assert np.max(np.abs(apply(t, x) - net(x))) <= TOL
