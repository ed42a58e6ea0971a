"""approxtheory.pod: domains, quadrature, trigonometric bases, targets in the form (8) and POD spectra."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import pytest

from approxtheory.core import ApproxTheoryError
from approxtheory.pod import targets
from approxtheory.pod.domain import Domain, gauss_legendre
from approxtheory.pod.spectrum import pod_spectrum, quadrature_pod
from approxtheory.pod.trig import (
    TrigSystem,
    hurwitz_zeta,
    periodic_zeta_cos,
    sine_system,
)

MIX_EXACT = [math.sqrt((7 + math.sqrt(33)) / 8), 0.5, math.sqrt((7 - math.sqrt(33)) / 8)]


def test_domain_rejects_overlap_and_bad_pieces() -> None:
    with pytest.raises(ApproxTheoryError, match="disjoint"):
        Domain(((0, 1), (0.5, 2)))
    with pytest.raises(ApproxTheoryError, match="lo < hi"):
        Domain(((1, 1),))
    with pytest.raises(ApproxTheoryError, match="at least one piece"):
        Domain(())
    with pytest.raises(ApproxTheoryError, match="per-position pieces"):
        Domain.encoded(3).bounds(4)


def test_encoded_domain_samples_each_token_on_its_piece() -> None:
    x = Domain.encoded(4).sample(np.random.default_rng(0), 100, 4)
    s = np.arange(4)
    assert np.all((x >= 2 * s) & (x <= 2 * s + 1))


def test_gauss_legendre_integrates_polynomials_exactly_on_pieces() -> None:
    nodes, w = gauss_legendre(Domain(((0, 1), (2, 3.5))), 4, 3)
    # int x^7 over [0,1] u [2,3.5]: degree 7 = 2*4 - 1 is the highest exact degree of a 4-point rule.
    exact = 1 / 8 + (3.5**8 - 2**8) / 8
    assert abs(w @ nodes**7 - exact) < 1e-12 * exact
    assert abs(w.sum() - 2.5) < 1e-14


def test_trig_system_sup_and_barron_of_a_sine() -> None:
    s = sine_system([3])
    assert s.sup_bounds()[0] == pytest.approx(math.sqrt(2))
    assert s.barron_moments()[0] == pytest.approx(2 * math.sqrt(2) * math.pi * 3)  # |omega| |g^| summed: 2 pi 3 sqrt2
    with pytest.raises(ApproxTheoryError, match="distinct"):
        TrigSystem(np.array([1, 1]), np.zeros((1, 2)), np.zeros((1, 2)))


@pytest.mark.parametrize("alpha", [1.25, 1.5, 2.0, 2.5, 4.0])
def test_periodic_zeta_matches_mpmath(alpha: float) -> None:
    xs = np.array([0.0, 1e-9, 0.013, 0.25, 0.5, 0.77, 0.999])
    with jax.enable_x64(True):
        got = np.asarray(periodic_zeta_cos(alpha, jnp.asarray(xs)))
    with mpmath.workdps(40):
        ref = [float(mpmath.re(mpmath.polylog(alpha, mpmath.exp(2j * mpmath.pi * x)))) for x in xs]
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-11)


def test_hurwitz_zeta_negative_s() -> None:
    with jax.enable_x64(True):
        got = float(hurwitz_zeta(-0.5, jnp.asarray(0.3)))
    assert abs(got - float(mpmath.zeta(-0.5, 0.3))) < 1e-13


@pytest.mark.parametrize("alpha", [1.0, 0.55, 3.0])
def test_periodic_zeta_refuses_divergent_or_unimplemented_alpha(alpha: float) -> None:
    with pytest.raises(ApproxTheoryError):
        targets.sines(alpha, None)


def test_mix_fixture_pod_to_ten_digits() -> None:
    target = targets.mix()
    np.testing.assert_allclose(target.pod.sigmas, MIX_EXACT, atol=1e-14)
    spectrum = pod_spectrum(target.rho, target.domain, lead=4, tol=1e-12)
    assert spectrum.converged and spectrum.tolerance_reached <= 1e-12
    np.testing.assert_allclose(spectrum.singular_values[:3], MIX_EXACT, atol=1e-10)  # card: 1.2621689, 0.5, 0.3961435
    assert spectrum.singular_values[3] < 1e-12
    assert np.sum(spectrum.singular_values**2) == pytest.approx(2.0, abs=1e-10)  # sum sigma^2 = ||rho~||^2 = 2


def test_mix_closed_form_bases_reconstruct_rho() -> None:
    target = targets.mix()
    u, v = np.linspace(0, 1, 9), np.linspace(0, 1, 7)
    with jax.enable_x64(True):
        recon = np.einsum("ik,jk,k->ij", np.asarray(target.pod.left(u)), np.asarray(target.pod.right(v)), target.pod.sigmas)
        direct = np.asarray(jax.vmap(jax.vmap(target.rho, (None, 0)), (0, None))(u, v))
        gram = np.asarray(target.pod.left(np.linspace(0, 1, 2001)[:-1]))
    np.testing.assert_allclose(recon, direct, atol=1e-13)
    np.testing.assert_allclose(gram.T @ gram / 2000, np.eye(3), atol=1e-12)  # orthonormal (exact for trig polynomials)


def test_rank2_and_sines_spectra() -> None:
    r2 = pod_spectrum(targets.rank2().rho, targets.rank2().domain, lead=3)
    np.testing.assert_allclose(r2.singular_values, [1, 1, 0], atol=1e-12)
    s = targets.sines(0.55, 6)
    spectrum = pod_spectrum(s.rho, s.domain, lead=7, tol=1e-12)
    np.testing.assert_allclose(spectrum.singular_values, [*(np.arange(1, 7) ** -0.55), 0], atol=1e-12)


def test_infinite_rank_sines_closed_form_matches_partial_sums() -> None:
    target = targets.sines(2.0, None, tau=2)
    u, v = np.array([0.1, 0.37, 0.8]), np.array([0.2, 0.37, 0.55])
    k = np.arange(1, 200_001)
    partial = [np.sum(k**-2.0 * 2 * np.sin(2 * np.pi * k * a) * np.sin(2 * np.pi * k * b)) for a, b in zip(u, v)]
    with jax.enable_x64(True):
        closed = np.asarray(jax.vmap(target.rho)(u, v))
    np.testing.assert_allclose(closed, partial, atol=2e-5)  # the partial sums' tail is below 2/200000


def test_infinite_rank_spectrum_reports_the_tolerance_it_reached() -> None:
    target = targets.sines(2.0, None, tau=2)
    spectrum = pod_spectrum(target.rho, target.domain, lead=3, tol=1e-14, max_nodes=256)
    assert not spectrum.converged  # the diagonal kink of rho slows Gauss-Legendre down
    assert 0 < spectrum.tolerance_reached < 1e-3
    np.testing.assert_allclose(spectrum.singular_values, [1, 1 / 4, 1 / 9], atol=1e-3)


def test_encoded_sines_scale_the_pod_by_tau() -> None:
    target = targets.sines(1.0, 3, tau=3, encoded=True)
    spectrum = pod_spectrum(target.rho, target.domain, lead=4, tol=1e-11)
    np.testing.assert_allclose(spectrum.singular_values, [3, 1.5, 1, 0], atol=1e-10)
    np.testing.assert_allclose(target.pod.sigmas, [3, 1.5, 1])


def test_repr_weights_fixture() -> None:
    target = targets.repr_weights((1.0, 0.5, 0.25, 0.75))
    tau = target.tau
    x = target.domain.sample(np.random.default_rng(1), 5, tau)
    p = np.asarray(jax.nn.softmax(jnp.asarray(target.logits(x)), axis=-1))
    expected = np.full((tau, tau), 1 / (tau + 1)) + np.eye(tau) / (tau + 1)
    np.testing.assert_allclose(p, np.broadcast_to(expected, p.shape), atol=1e-15)
    spectrum = pod_spectrum(target.rho, target.domain, lead=5, tol=1e-12)
    np.testing.assert_allclose(spectrum.singular_values, [*(math.log(2) * np.array([1, 0.75, 0.5, 0.25])), 0], atol=1e-12)
    np.testing.assert_allclose(target.pod.sigmas, math.log(2) * np.array([1, 0.75, 0.5, 0.25]))


@pytest.mark.parametrize("make", [targets.rank2, targets.mix, lambda: targets.sines(1.5, None, tau=5),
                                  lambda: targets.repr_weights((0.5, 0.5, 0.5))])
def test_constant_sequences_give_F_of_f(make) -> None:  # JL24.fix.const_seq
    target = make()
    lo, hi = target.domain.bounds(target.tau)
    if target.domain.shared:
        x = np.full((1, target.tau), 0.3 * lo[0] + 0.7 * hi[0])
        with jax.enable_x64(True):
            expected = float(target.F(target.f(jnp.asarray(x[0, 0]))))
        np.testing.assert_allclose(target.outputs(x), expected, atol=1e-15)
    else:
        # With disjoint pieces a constant sequence is impossible; the same identity holds for a sequence whose
        # tokens all map to one value of f (here the same relative position in every piece).
        x = (lo + 0.3 * (hi - lo))[None, :]
        np.testing.assert_allclose(target.outputs(x), 0.3, atol=1e-15)


def test_custom_target_and_its_quadrature_pod() -> None:
    def rho(u, v):
        return jnp.exp(-((u - v) ** 2)) + u * v

    target = targets.Target.custom(lambda h: h[0] ** 2, lambda u: jnp.stack([u, 1 - u]), rho, tau=3)
    assert target.n_prime == 2
    out = target.outputs(np.random.default_rng(0).uniform(size=(4, 3)))
    assert out.shape == (4, 3) and np.all(np.isfinite(out))
    pod = quadrature_pod(target, terms=12)
    u = np.linspace(0, 1, 11)
    with jax.enable_x64(True):
        recon = np.einsum("ik,jk,k->ij", np.asarray(pod.left(u)), np.asarray(pod.right(u)), pod.sigmas)
        direct = np.asarray(jax.vmap(jax.vmap(rho, (None, 0)), (0, None))(u, u))
    np.testing.assert_allclose(recon, direct, atol=1e-8)  # analytic rho: singular values decay super-geometrically


@pytest.mark.parametrize(
    "F, f, rho, match",
    [
        (lambda h: h, lambda u: jnp.atleast_1d(u), lambda u, v: u * v, "F\\(h\\) must be a scalar"),
        (lambda h: h[0], lambda u: u, lambda u, v: u * v, "1-d array"),
        (lambda h: h[0], lambda u: jnp.atleast_1d(u), lambda u, v: jnp.log(u - u), "non-finite"),
        (lambda h: h[0], lambda u: jnp.atleast_1d(u), "not callable", "must be a callable"),
        (lambda h: h[0], lambda u: jnp.atleast_1d(u), lambda u: u, "calling rho failed"),
    ],
)
def test_custom_target_rejects_bad_callables(F, f, rho, match) -> None:
    with pytest.raises(ApproxTheoryError, match=match):
        targets.Target.custom(F, f, rho, tau=2)


def test_outputs_reject_wrong_shape() -> None:
    with pytest.raises(ApproxTheoryError, match="shape"):
        targets.rank2().outputs(np.zeros((3, 5)))


def test_pod_spectrum_rejects_unbounded_rho() -> None:
    with pytest.raises(ApproxTheoryError, match="not finite"):
        pod_spectrum(lambda u, v: 1 / (u - v), Domain.unit(), lead=2)


def test_trig_system_numpy_values_equal_the_jax_values() -> None:
    # separable() checks orthonormality with the NumPy path (no tracing); it must be the same function
    system = TrigSystem(np.array([0, 2, 5]), np.array([[1.0, 0.5, 0.0], [0.0, -1.0, 2.0]]),
                        np.array([[0.0, 0.25, 1.0], [3.0, 0.0, -0.5]]))
    u = np.linspace(0.0, 1.0, 37)
    with jax.enable_x64(True):
        np.testing.assert_allclose(system.numpy_values(u), np.asarray(system(jnp.asarray(u))), rtol=0, atol=1e-13)
