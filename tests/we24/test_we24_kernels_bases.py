"""Kernels, head bases, normalisers and rate grids (WE24 card §2, §4.6, §6)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special

from approxtheory.core import ApproxTheoryError
from approxtheory.memory import bases, kernels


def test_kernel_values_and_tails() -> None:
    s = np.arange(6)
    assert kernels.delta(3).values(s).tolist() == [0, 0, 0, 1, 0, 0]
    assert kernels.delta(3).tail_mass(2) == 1.0 and kernels.delta(3).tail_mass(3) == 0.0
    np.testing.assert_allclose(kernels.exponential(0.5).values(s), np.exp(-0.5 * s))
    assert kernels.power(2.0).values(s)[0] == 0.0 and kernels.power(2.0).values(s)[2] == 0.25
    # tails are upper bounds on the true remaining mass
    for k in (kernels.exponential(0.3), kernels.power(2.5), kernels.shifted_power(3.0), kernels.damped(0.1)):
        far = np.arange(41, 200000)
        assert k.tail_mass(40) >= np.abs(k.values(far)).sum() * (1 - 1e-9)
    assert kernels.power(0.5).tail_mass(10) == math.inf


def test_sum_and_table_kernels() -> None:
    k = kernels.sum_of([kernels.delta(2), kernels.delta(5)])
    assert k.decay == "finite" and k.decay_rate == 5.0
    assert k.values(np.arange(7)).tolist() == [0, 0, 1, 0, 0, 1, 0]
    t = kernels.from_values("t", [0.5, 0.0, -1.0])
    assert t.values(np.arange(5)).tolist() == [0.5, 0.0, -1.0, 0.0, 0.0] and t.tail_mass(1) == 1.0


@pytest.mark.parametrize("make", [lambda: kernels.delta(-1), lambda: kernels.exponential(0.0), lambda: kernels.power(-2),
                                  lambda: kernels.from_values("x", []), lambda: kernels.delta(1).values(np.array([-1])),
                                  lambda: kernels.sum_of([]), lambda: kernels.sum_of([kernels.power(2), kernels.exponential(1)])])
def test_kernel_bad_input(make) -> None:
    with pytest.raises(ApproxTheoryError):
        make()


def test_normaliser_fixtures() -> None:
    # card §6: Z_lin(log 2) = 2, Z_log(2) = pi^2/6, Z_log(4) = pi^4/90, and the window forms
    assert bases.normaliser("lin", math.log(2)) == pytest.approx(2.0, rel=1e-15)
    assert bases.normaliser("log", 2.0) == pytest.approx(math.pi**2 / 6, rel=1e-15)
    assert bases.normaliser("log", 4.0) == pytest.approx(math.pi**4 / 90, rel=1e-15)
    assert bases.normaliser("lin", math.log(2), 9) == pytest.approx(2 - 2.0**-9, rel=1e-15)
    assert bases.normaliser("log", 3.0, 4) == pytest.approx(1 + 1 / 8 + 1 / 27 + 1 / 64, rel=1e-15)
    with pytest.raises(ApproxTheoryError):
        bases.normaliser("log", 1.0)
    with pytest.raises(ApproxTheoryError):
        bases.normaliser("rope", 1.0)


@pytest.mark.parametrize("encoding, rates", [("lin", [0.05, 0.7, 4.0]), ("log", [1.2, 2.0, 9.0])])
def test_head_weights_have_unit_mass(encoding: str, rates: list[float]) -> None:
    r = np.array(rates)
    weights, tail = bases.head_weights(encoding, r, 300)
    np.testing.assert_allclose(weights.sum(axis=0) + tail, 1.0, rtol=1e-12)
    finite, zero = bases.head_weights(encoding, r, 300, "finite")
    np.testing.assert_allclose(finite.sum(axis=0), 1.0, rtol=1e-12)
    assert np.all(zero == 0)
    if encoding == "log":
        assert np.all(weights[0] == 0)  # phi_log(0) = -inf: the current token gets no weight


def test_jax_weights_match_numpy() -> None:
    r = np.array([1.3, 2.5, 7.0])
    with jax.enable_x64(True):
        jw, jt = bases.head_weights("log", jnp.asarray(r), 150, xp=jnp)
    nw, nt = bases.head_weights("log", r, 150)
    np.testing.assert_allclose(np.asarray(jw), nw, rtol=1e-13)
    np.testing.assert_allclose(np.asarray(jt), nt, rtol=1e-10)
    with jax.enable_x64(True):
        tail = bases.hurwitz_tail(jnp.asarray([1.01, 3.0]), 101, jnp)
    np.testing.assert_allclose(np.asarray(tail), scipy.special.zeta([1.01, 3.0], 101.0), rtol=1e-12)


def test_rates_are_validated() -> None:
    with pytest.raises(ApproxTheoryError, match="exceed 1"):
        bases.check_rates("log", np.array([0.9, 2.0]), "infinite")
    bases.check_rates("log", np.array([0.5]), "finite")  # a finite window needs only p > 0
    with pytest.raises(ApproxTheoryError):
        bases.check_rates("lin", np.array([np.nan]), "infinite")


def test_nested_grid_is_nested() -> None:
    for H in range(1, 12):
        small, large = bases.nested_grid(H, 0.1, 10.0), bases.nested_grid(H + 1, 0.1, 10.0)
        assert np.array_equal(small, large[:H])
        assert np.all((large > 0.1) & (large < 10.0))
    with pytest.raises(ApproxTheoryError):
        bases.nested_grid(0, 0.1, 1.0)
    with pytest.raises(ApproxTheoryError):
        bases.nested_grid(3, 2.0, 1.0)


def test_paper_grid_chebyshev_spans_the_heads() -> None:
    assert np.allclose(bases.paper_grid("lin", 3), [0.01, 0.02, 0.03])
    assert np.allclose(bases.paper_grid("log", 3), [1.01, 1.02, 1.03])
    c = np.array([0.3, -0.2, 0.5, 0.1, -0.05])
    cheb, _ = bases.paper_grid_chebyshev(5, 80)
    heads, _ = bases.head_weights("lin", bases.paper_grid("lin", 5), 80)
    np.testing.assert_allclose(cheb @ c, heads @ bases.chebyshev_to_heads(c), atol=1e-12)
