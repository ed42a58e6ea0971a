"""approxtheory.pod.complexity and approxtheory.pod.rnn: C1, alpha fits, tails, C0, C2, C_RNN."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from approxtheory.core import ApproxTheoryError
from approxtheory.pod import complexity, rnn, targets


def test_c1_of_the_fixtures() -> None:
    assert complexity.c1_upper(targets.rank2().pod, 1.5).value == pytest.approx(2**1.5)  # JL24.fix.rank2
    assert complexity.c1_upper(targets.sines(0.55, 6).pod, 0.55).value == pytest.approx(1.0)  # JL24.fix.sines
    assert complexity.c1_upper(targets.sines(0.55, 6).pod, 0.75).value == pytest.approx(6**0.2)  # max_i i^(a'-a)
    inf_pod = targets.sines(2.0, None).pod
    assert complexity.c1_upper(inf_pod, 2.0).value == pytest.approx(1.0)
    assert complexity.c1_upper(inf_pod, 2.5).value == math.inf  # sup_k k^(0.5) over an infinite tail
    bare = complexity.c1_upper([1.0, 0.5], 1.0)
    assert not bare.covers_tail and bare.value == 1.0


def test_c1_rejects_alpha_at_most_half() -> None:
    with pytest.raises(ApproxTheoryError, match="above 1/2"):
        complexity.c1_upper([1.0], 0.5)


def test_fit_alpha_recovers_a_power_law_and_widens_with_noise() -> None:
    k = np.arange(1, 41)
    exact = complexity.fit_alpha(3 * k**-1.3)
    assert exact.alpha == pytest.approx(1.3, abs=1e-12) and exact.log_c == pytest.approx(math.log(3))
    noisy = complexity.fit_alpha(3 * k**-1.3 * np.exp(np.random.default_rng(0).normal(0, 0.05, k.size)))
    assert noisy.ci95[0] < 1.3 < noisy.ci95[1] and noisy.stderr > 0
    with pytest.raises(ApproxTheoryError, match="zero singular values"):
        complexity.fit_alpha([1.0, 0.5, 0.0, 0.0])


@pytest.mark.parametrize("alpha, m, r, text", [(1.5, 4, 10, "0.01986994863715"), (1.0, 4, None, "0.2213229557"),
                                               (0.55, 4, None, "8.6016415084")])
def test_hurwitz_tail_fixtures(alpha: float, m: int, r: int | None, text: str) -> None:  # JL24.fix.hurwitz
    value = complexity.power_tail(m, alpha, r, dps=40)
    digits = len(text.split(".")[1])
    assert float(text) <= value < float(text) + 10**-digits  # the card truncates after the printed digits


def test_tail_sum_of_infinite_pod_uses_the_hurwitz_tail() -> None:
    pod = targets.sines(2.0, None, terms=8).pod
    assert complexity.tail_sum(pod, 3) == pytest.approx(float(complexity.power_tail(3, 2.0)), rel=1e-14)
    assert complexity.tail_sum(pod, 20) == pytest.approx(float(complexity.power_tail(20, 2.0)), rel=1e-14)
    assert complexity.tail_sum(targets.sines(1.0, 6).pod, 6) == 0.0


def test_c0_readings_and_groupings() -> None:
    pod = targets.sines(1.0, 4).pod
    assert complexity.c0_upper(pod, 1.0, 1.0).value == pytest.approx(2 * math.sqrt(2))  # card: C0 <= 2 sqrt2
    assert complexity.c0_upper(pod, 1.0, 1.0, reading="min").value == 1.0
    assert complexity.c0_upper(pod, 1.0, 1.0, grouping="sum_of_sups").value == pytest.approx(2 * math.sqrt(2))
    weights = targets.repr_weights((1.0, 0.25)).pod  # sup norms 1 and 2: the groupings agree, sup(1+1, 2+2) = 4
    assert complexity.c0_upper(weights, 0.5, 1.0).value == pytest.approx(2.0)
    assert complexity.c0_upper(targets.sines(2.0, None).pod, 1, 1).bases_counted is None
    with pytest.raises(ApproxTheoryError, match="reading"):
        complexity.c0_upper(pod, 1.0, 1.0, reading="mean")


def test_c2_with_the_barron_oracle() -> None:
    pod = targets.sines(1.0, 6).pod
    rate = complexity.barron_rate()
    assert rate.beta == 0.5
    # C_FF(sqrt2 sin(2 pi i .)) = 2 r C_f = 2 * 2 sqrt2 pi i; both sides, i = 1..3, plus C_FF(F) + C_FF(f).
    assert complexity.c2_upper(rate, pod, 3, 1.0, 2.0) == pytest.approx(3 + 2 * 4 * math.sqrt(2) * math.pi * 6)
    with pytest.raises(ApproxTheoryError, match="trigonometric"):
        complexity.c2_upper(rate, targets.repr_weights().pod, 1, 0, 0)


@pytest.mark.parametrize("c, gamma, expected", [(-2 / 3, 1.5, (2.5, 2 / 3, 5 / 3)), (1.0, 1.0, (2.0, 1.0, 2.0))])
def test_c_rnn_fixtures(c: float, gamma: float, expected: tuple[float, ...]) -> None:  # JL24.fix.rnn_exp
    got = rnn.c_rnn(rnn.ExpKernel((c,), (gamma,)))
    np.testing.assert_allclose([got.c1, got.c2, got.c_rnn], expected, rtol=1e-14)
    assert got.attained_at == 0


def test_c_rnn_sum_attains_its_sup_later() -> None:
    # rho(t) = e^-t - e^(-t/3): zero at t = 0, so the sup of e^(t/4) |rho(t)| is attained at some t > 0.
    got = rnn.c_rnn(rnn.ExpKernel((1.0, -1.0), (1.0, 3.0)))
    t = np.arange(2000)
    brute = np.max(np.exp(t / 4) * np.abs(np.exp(-t) - np.exp(-t / 3)))
    assert got.c1 == 4.0 and got.attained_at > 0 and got.c2 == pytest.approx(brute, rel=1e-14)
    assert rnn.c_rnn(rnn.ExpKernel((), ())).c_rnn == 0.0


def test_linear_maps() -> None:
    k = [Fraction(1, 2**s) for s in range(8)]
    assert rnn.is_causal_convolution(rnn.convolution_matrix(k, 6))
    assert not rnn.is_causal_convolution(rnn.ordering_altered_matrix(k, [0, 2, 1, 3, 4, 5], 6))
    assert rnn.is_causal_convolution(rnn.ordering_altered_matrix(k, list(range(6)), 6))
    assert rnn.is_causal_convolution(rnn.mixing_altered_matrix(k, [Fraction(1, 3)], 6))  # a length-1 filter is a scaling
    assert not rnn.is_causal_convolution(rnn.mixing_altered_matrix(k, [Fraction(1, 2), Fraction(1, 2)], 6))
    assert rnn.paper_mixed_kernel(k, [Fraction(1, 2), Fraction(1, 2)], 2) == [Fraction(3, 4), Fraction(3, 8)]
    with pytest.raises(ApproxTheoryError, match="permutation"):
        rnn.ordering_altered_matrix(k, [0, 0, 1, 2, 3, 4], 6)
    with pytest.raises(ApproxTheoryError, match="distinct"):
        rnn.ExpKernel((1.0, 2.0), (1.0, 1.0))
