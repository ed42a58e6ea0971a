"""The attention constructions of WE24 §4 run as code."""

from __future__ import annotations

import itertools
import math

from fractions import Fraction

import numpy as np
import pytest

from approxtheory.constructions import memory_heads as mh
from approxtheory.core import ApproxTheoryError
from approxtheory.memory import kernels
from approxtheory.memory.bases import nested_grid
from approxtheory.memory.degenerate import family_below
from approxtheory.memory.problems import KernelProblem


def test_dpf_layer_runs_its_kernels() -> None:
    fits = [KernelProblem(kernels.damped(0.3), "lin", 40).fit(nested_grid(3, 0.05, 5.0)),
            KernelProblem(kernels.exponential(1.2), "lin", 40).fit(np.array([1.2]))]
    layer = mh.DPFLayer.from_fits(fits, 40)
    X = np.random.default_rng(0).uniform(-1, 1, size=(41, 3))
    out = layer(X)
    for k, fit in enumerate(fits):
        phi = layer.effective_kernel(k, 40)
        np.testing.assert_allclose(out[k], phi @ X, atol=1e-12)
        # the truncated softmax with W_V = alpha Z_N/Z rebuilds the fitted kernel on the window
        np.testing.assert_allclose(phi, fit.kernel_values(), atol=1e-12)
    with pytest.raises(ApproxTheoryError):
        mh.DPFLayer("lin", ())
    with pytest.raises(ApproxTheoryError):
        layer(np.zeros(5))


def test_log_dpf_layer_ignores_the_current_token() -> None:
    layer = mh.DPFLayer("log", ((mh.DPFHead(2.0, 1.0),),))
    X = np.zeros((10, 1))
    X[0] = 100.0
    assert layer(X)[0, 0] == 0.0


@pytest.mark.parametrize("encoding, kernel", [("lin", kernels.exponential(0.4)), ("log", kernels.power(1.7))])
def test_exact_single_heads(encoding: str, kernel: kernels.Kernel) -> None:
    layer = mh.exact_single_head(kernel, encoding, 50)
    X = np.random.default_rng(1).normal(size=(51, 2))
    np.testing.assert_allclose(layer(X)[0], kernel.values(np.arange(51)) @ X, rtol=1e-13, atol=1e-14)


def test_exact_single_head_refuses_other_kernels() -> None:
    with pytest.raises(ApproxTheoryError):
        mh.exact_single_head(kernels.damped(0.4), "lin", 20)
    with pytest.raises(ApproxTheoryError):
        mh.exact_single_head(kernels.exponential(0.4), "log", 20)


@pytest.mark.parametrize("encoding", ["lin", "log"])
def test_score_heads(encoding: str) -> None:
    N, width, beta, g = 20, 4, 1.7, 6
    u, c = mh.position_embedding(encoding, g)
    query = np.zeros(width)
    query[1], query[3] = u, c
    keys = np.zeros((N + 1, width))
    keys[:, 3] = c
    scores = mh.dp_score_head(encoding, beta, 1, 3, width).scores(query, keys)
    s = np.arange(N + 1, dtype=np.float64)
    if encoding == "lin":
        np.testing.assert_allclose(scores, -beta * (s - g), atol=1e-12)
    else:
        np.testing.assert_allclose(scores[1:], -beta * np.log(s[1:] / g), atol=1e-12)
        assert scores[0] == -math.inf
    tmx_query = np.zeros(width)
    tmx_query[1] = g
    tmx = mh.tmx_head(encoding, beta, 1, width)
    np.testing.assert_allclose(tmx.scores(tmx_query, N)[1:], scores[1:], atol=1e-12)
    assert tmx.parameters == width + 1
    with pytest.raises(ApproxTheoryError):
        mh.dp_score_head(encoding, beta, 1, 1, width)


def test_prop42_closed_form_matches_brute_force() -> None:
    rng = np.random.default_rng(2)
    N = 5
    for _ in range(3):
        H = int(rng.integers(1, 4))
        alphas, rates = rng.normal(size=H), rng.uniform(0.2, 2.5, size=H)
        brute = max(abs(w[int(w[0]) + 1] - mh.prop42_attention(alphas, rates, np.array(w, dtype=float)))
                    for w in itertools.product((-1, 0, 1), repeat=N + 1))
        assert brute == pytest.approx(mh.prop42_exact_error(alphas, rates, N), rel=1e-12)


def test_nested_chain_recovers_positions() -> None:
    def g(x: float) -> float:
        return 1.5 - 0.5 * x

    positions = (lambda xt: g(xt), lambda xt, first: g(first))
    # NF kernels e^{-beta(s - t)} explode for s < t: only a cancelling family works (psi = delta_0 on u >= -2)
    family = family_below("lin", 2, Fraction(1, 1000))
    alphas = tuple(float(c * x**2) for c, x in zip(family.coefficients, family.bases))
    chain = mh.NestedChain("lin", positions, alphas, tuple(family.rates()), lambda v: float(np.prod(v)))
    single = mh.NestedChain("lin", positions, (1.0,), (50.0,), lambda v: float(np.prod(v)))
    single_failures = 0
    for w in itertools.product((-1, 1), repeat=6):
        x = np.array(w, dtype=float)
        t1 = int(g(x[0]))
        trace = chain.run(x)
        assert trace.positions == (t1, int(g(x[t1])))
        assert abs(trace.output - x[0] * x[t1] * x[int(g(x[t1]))]) < 1e-2
        single_failures += single.run(x).positions != (t1, int(g(x[t1])))
    assert single_failures > 0
    with pytest.raises(ApproxTheoryError):
        mh.NestedChain("lin", positions, (1.0, 2.0), (1.0,), sum)
