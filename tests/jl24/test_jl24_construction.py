"""approxtheory.constructions.pod_attention: the proof's construction, three ways, and its error curves."""

from __future__ import annotations

import numpy as np
import pytest

from approxtheory.constructions import pod_attention as P
from approxtheory.core import ApproxTheoryError
from approxtheory.pod import targets


@pytest.fixture(scope="module")
def sines16() -> targets.Target:
    return targets.sines(2.0, None, tau=16, terms=12)


def test_selector_weights_pick_the_blocks() -> None:
    w_q, w_k, w_v = P.selector_weights(3, 2)
    h = np.arange(8.0)
    assert list(w_q @ h) == [0, 1, 2] and list(w_k @ h) == [3, 4, 5] and list(w_v @ h) == [6, 7]
    with pytest.raises(ApproxTheoryError, match="positive integers"):
        P.selector_weights(0, 1)


def test_literal_layer_fast_scan_and_numpy_agree(sines16: targets.Target) -> None:
    x = np.random.default_rng(0).uniform(size=(8, 16))
    l1, sq = P.construction_errors(sines16, x, 12)
    ref = P.construction_errors_numpy(sines16, x, 12)
    np.testing.assert_allclose(l1, ref, atol=1e-13)
    h = sines16.outputs(x)
    for m in (1, 5, 12):
        literal = P.construction_outputs(sines16, m, x)
        np.testing.assert_allclose(np.abs(h - literal).sum(axis=1), l1[:, m - 1], atol=1e-13)
        np.testing.assert_allclose(((h - literal) ** 2).sum(axis=1), sq[:, m - 1], atol=1e-14)


def test_exact_once_m_reaches_a_finite_rank() -> None:  # card §5.1 checks
    target = targets.sines(0.55, 3, tau=6)
    x = np.random.default_rng(1).uniform(size=(16, 6))
    l1, _ = P.construction_errors(target, x, 6)
    assert l1[:, 2:].max() <= 1e-14
    assert l1[:, 1].min() > 0


def test_monte_carlo_and_quadrature_agree_for_tau_2() -> None:
    target = targets.sines(2.0, None, tau=2, terms=8)
    quad = P.quadrature_errors(target, 8, order=8, panels=8)
    mc, per = P.monte_carlo_errors(target, 8, 4000, seed=3, batch=1000)
    assert per["l1"].shape == (4000, 8)
    assert np.all(np.abs(mc.l1 - quad.l1) <= 2 * mc.l1_halfwidth + 1e-4)
    assert np.all(np.abs(mc.mse - quad.mse) <= 2 * mc.mse_halfwidth + 1e-5)


def test_one_trace_per_configuration(sines16: targets.Target) -> None:
    x = np.random.default_rng(2).uniform(size=(4, 16))
    P.construction_errors(sines16, x, 12)
    before = P.TRACES.count
    P.construction_errors(sines16, x + 0.001, 12)
    P.construction_errors(sines16, x * 0.5, 12)
    assert P.TRACES.count == before


def test_fit_rate_recovers_a_known_slope() -> None:
    m = np.arange(1, 33)
    curve = P.ErrorCurve(m, 2.0 * m**-1.5, np.zeros(32), m**-3.0, np.zeros(32), "synthetic", 1)
    fit = P.fit_rate(curve, 4, 32)
    assert fit.exponent == pytest.approx(1.5, abs=1e-10)
    assert P.fit_rate(curve, 4, 32, which="mse").exponent == pytest.approx(3.0, abs=1e-10)
    with pytest.raises(ApproxTheoryError, match="zero errors"):
        P.fit_rate(P.ErrorCurve(m, np.zeros(32), np.zeros(32), np.zeros(32), np.zeros(32), "zero", 1), 1, 8)


def test_diagonal_diagnostic_decays_faster() -> None:
    target = targets.sines(2.0, None, tau=2, terms=32)
    full = P.quadrature_errors(target, 32, order=8, panels=8)
    diag = P.quadrature_errors(target, 32, order=8, panels=8, exact_diagonal=True)
    assert P.fit_rate(diag, 8, 32).exponent > P.fit_rate(full, 8, 32).exponent + 0.4


@pytest.mark.parametrize("kwargs, match", [({"m_max": 13}, "listed POD terms"), ({"x": np.zeros((2, 3))}, "shape")])
def test_bad_inputs(sines16: targets.Target, kwargs: dict, match: str) -> None:
    args = {"x": np.zeros((2, 16)), "m_max": 4, **kwargs}
    with pytest.raises(ApproxTheoryError, match=match):
        P.construction_errors(sines16, args["x"], args["m_max"])


def test_target_without_pod_is_refused() -> None:
    import jax.numpy as jnp

    bare = targets.Target.custom(lambda h: h[0], lambda u: jnp.atleast_1d(u), lambda u, v: u * v, tau=2)
    with pytest.raises(ApproxTheoryError, match="no POD"):
        P.construction_outputs(bare, 1, np.zeros((1, 2)))


def test_quadrature_refuses_huge_grids() -> None:
    with pytest.raises(ApproxTheoryError, match="too large"):
        P.quadrature_errors(targets.sines(1.0, 2, tau=4), 2, order=8, panels=8)
