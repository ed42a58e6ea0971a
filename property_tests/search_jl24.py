"""JL24 searches: counterexample hunts for each rate claim at its scope, ``target()`` on observed / claimed.

Statement scope: the bound's minimiser, the POD tail sandwich, Eckart-Young (eq. 9), Lemma A.4, the
envelope of Prop. 6.3 (none may be beaten). Construction scope: exactness at finite rank (must hold) and
the stated bound (the search must find violations again on random spectra and bases, which is the
refutation recorded by JL24.thm4.2.construction.attains_bound; a search that stopped finding them would
mean the construction or the evaluator changed). The printed kernel identity of Prop. 6.3 must fail for
every genuinely mixing filter and hold for length-1 filters.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import assume, given, settings, target
from hypothesis import strategies as st

from approxtheory.constructions.pod_attention import quadrature_errors
from approxtheory.pod import complexity, rnn, targets
from approxtheory.pod.spectrum import pod_spectrum
from approxtheory.pod.trig import sine_system

positive = st.floats(0.05, 50.0)


@given(alpha=st.floats(0.51, 3.0), beta=st.floats(0.05, 2.0), c1=positive, c2=positive,
       m_ff=st.floats(1.0, 1e8), m=st.floats(1.0, 1e3))
def test_minimiser_is_never_beaten(alpha: float, beta: float, c1: float, c2: float, m_ff: float, m: float) -> None:
    with mpmath.workdps(40):
        a, b, C1, C2, F, M = (mpmath.mpf(x) for x in (alpha, beta, c1, c2, m_ff, m))

        def bound(mm: mpmath.mpf) -> mpmath.mpf:  # tau^2 C0 = 1: it scales both sides alike
            return C1 / mm ** (2 * a - 1) + C2 * mm ** (b + 1) / F**b

        star = ((2 * a - 1) * C1 * F**b / ((b + 1) * C2)) ** (1 / (2 * a + b))
        ratio = float(bound(star) / bound(M))
        closed = float(C1 * (2 * a + b) / (b + 1) * star ** (1 - 2 * a) / bound(star))
    target(ratio, label="E(m*)/E(m)")
    assert ratio <= 1 + 1e-12
    assert abs(closed - 1) < 1e-12


@given(alpha=st.floats(0.51, 4.0), m=st.integers(1, 10_000))
def test_tail_sandwich(alpha: float, m: int) -> None:
    with mpmath.workdps(30):
        z = mpmath.zeta(2 * mpmath.mpf(alpha), m + 1)
        lower = mpmath.mpf(m + 1) ** (1 - 2 * mpmath.mpf(alpha)) / (2 * mpmath.mpf(alpha) - 1)
        upper = mpmath.mpf(m) ** (1 - 2 * mpmath.mpf(alpha)) / (2 * mpmath.mpf(alpha) - 1)
        hi, lo = float(z / upper), float(lower / z)
    target(hi, label="zeta/upper")
    target(lo, label="lower/zeta")
    assert hi <= 1 and lo <= 1


@st.composite
def spectra_and_bases(draw: st.DrawFn, max_rank: int = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-increasing singular values and distinct sine frequencies for each side (randomly paired)."""
    r = draw(st.integers(1, max_rank))
    sig = np.sort(np.array(draw(st.lists(st.floats(0.01, 3.0), min_size=r, max_size=r))))[::-1]
    freqs = st.lists(st.integers(1, 8), min_size=r, max_size=r, unique=True)
    return sig, np.array(draw(freqs)), np.array(draw(freqs))


@settings(max_examples=10)
@given(spectra_and_bases(), st.integers(0, 5), st.integers(0, 2**31 - 1))
def test_eckart_young_and_the_quadrature_pod(data, rank: int, seed: int) -> None:
    sig, fl, fr = data
    t = targets.separable(sig, sine_system(fl), sine_system(fr), 2)
    spectrum = pod_spectrum(t.rho, t.domain, lead=sig.size, tol=1e-11, max_nodes=128)
    gap = float(np.max(np.abs(spectrum.singular_values - sig)))
    target(gap, label="|quadrature sigma - sigma|")
    assert gap <= 1e-9
    # Any other rank-`rank` approximation (random orthonormal combinations of the bases) is no better than the tail.
    rank = min(rank, sig.size)
    tail = float(np.sum(sig[rank:] ** 2))
    q = np.linalg.qr(np.random.default_rng(seed).normal(size=(sig.size, sig.size)))[0][:, :rank]
    a = np.diag(sig)  # rho in the (phi, psi) coordinates; the best rank-r approximation keeps the top r
    other = q @ q.T @ a  # project the left side on a random r-dimensional subspace
    err = float(np.sum((a - other) ** 2))
    if err > 0:
        target(tail / err, label="tail / other rank-r error")
        assert tail <= err * (1 + 1e-12)


@settings(max_examples=10)
@given(spectra_and_bases(max_rank=4), st.integers(2, 4))
def test_construction_exact_at_finite_rank(data, tau: int) -> None:
    sig, fl, fr = data
    t = targets.separable(sig, sine_system(fl), sine_system(fr), tau)
    x = np.random.default_rng(0).uniform(size=(64, tau))
    from approxtheory.constructions.pod_attention import construction_errors

    l1, _ = construction_errors(t, x, sig.size + 1)
    target(float(l1[:, sig.size - 1 :].max()), label="error at m_h >= r")
    assert l1[:, sig.size - 1 :].max() <= 1e-12


@settings(max_examples=5)
@given(a=st.floats(2.0, 3.0), freqs=st.permutations(list(range(1, 49))))
def test_stated_bound_fails_again_on_random_spectra_and_bases(a: float, freqs: list[int]) -> None:
    # Rank 48, sigma_k = k^-a, each sigma on a randomly chosen sine frequency (the same on both sides, so the
    # diagonal carries sum_k sigma_k 2 sin^2). Construction error at m_h = 32, tau = 2, against tau^2 C0 C1 m^-(2a-1).
    sig = np.arange(1, 49) ** -a
    t = targets.separable(sig, sine_system(freqs), sine_system(freqs), 2)
    curve = quadrature_errors(t, 32, order=8, panels=4)
    c0 = complexity.c0_upper(t.pod, 1.0, 1.0).value
    c1 = complexity.c1_upper(t.pod, a).value
    ratio = float(curve.l1[-1] / (4 * c0 * c1 * 32.0 ** (1 - 2 * a)))
    target(ratio, label="construction error / stated bound")
    assert ratio > 1


@given(gamma=st.floats(0.1, 20.0), theta=st.lists(st.floats(-1, 1), min_size=1, max_size=6),
       signs=st.lists(st.floats(-1, 1), min_size=40, max_size=40))
def test_prop63_envelope(gamma: float, theta: list[float], signs: list[float]) -> None:
    th = np.array(theta)
    assume(np.abs(th).sum() > 0)
    th = th / max(1.0, np.abs(th).sum())
    s = np.arange(40)
    rho = np.array(signs) * np.exp(-s / gamma)
    n = 40 - th.size + 1
    mixed = np.array([th @ rho[k : k + th.size] for k in range(n)])
    ratio = float(np.max(np.abs(mixed) / (np.exp(-s[:n] / gamma) * np.abs(th).sum())))
    target(ratio, label="|rho~(s)| / (e^(-s/gamma) ||theta||_1)")
    assert ratio <= 1 + 1e-12


@given(num=st.lists(st.integers(-9, 9), min_size=8, max_size=8), theta=st.lists(st.integers(-5, 5), min_size=1, max_size=3))
def test_prop63_identity_fails_exactly_for_mixing_filters(num: list[int], theta: list[int]) -> None:
    kernel = [Fraction(n, 7) for n in num]
    th = [Fraction(t, 5) for t in theta]
    true = rnn.mixing_altered_matrix(kernel, th, 5)
    printed = rnn.convolution_matrix(rnn.paper_mixed_kernel(kernel, th, 5), 5)
    agree = all(true[t, j] == (printed[t, j] if j < 5 else 0) for t in range(5) for j in range(true.shape[1]))
    mixing = any(x != 0 for x in th[1:]) and any(k != 0 for k in kernel[:5])
    assert agree is not mixing


@given(num=st.lists(st.integers(-9, 9), min_size=8, max_size=8), perm=st.permutations(list(range(8))))
def test_prop61_nonzero_kernels_leave_the_class(num: list[int], perm: list[int]) -> None:
    kernel = [Fraction(n, 3) for n in num]
    inside = rnn.is_causal_convolution(rnn.ordering_altered_matrix(kernel, perm, 8))
    trivial = perm == list(range(8)) or all(k == 0 for k in kernel)
    assert inside is trivial


@given(st.lists(st.floats(-1e3, 1e3), min_size=4, max_size=4))
def test_lemma_a4(vals: list[float]) -> None:
    a, b, ah, bh = vals
    lhs = abs(a * b - ah * bh)
    first = abs(a) * abs(b - bh) + abs(bh) * abs(a - ah)
    second = abs(a) * abs(b - bh) + abs(b) * abs(a - ah) + abs(a - ah) * abs(b - bh)
    if first > 0:
        target(lhs / first, label="Lemma A.4 first")
    assert lhs <= first * (1 + 1e-12) + 1e-9 and first <= second * (1 + 1e-12) + 1e-9
    assert math.isfinite(lhs)
