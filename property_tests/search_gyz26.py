"""GYZ26 searches: counterexample hunts against the softmax-as-max bounds (card §3).

Run under a Hypothesis profile (``--hypothesis-profile=ci`` by default, ``nightly`` for long runs).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import given, settings, target
from hypothesis import strategies as st

from approxtheory.constructions.gate import gate_ibp
from approxtheory.constructions.maxout_transformer import simulate
from approxtheory.constructions.softmax_max import softmax_gap, softmax_gap_numpy
from approxtheory.networks import MaxoutNetwork
from approxtheory.regions import segment_regions, transformer_segment_regions
from approxtheory.papers.gyz26 import softmax_max
from approxtheory.search import run_ratio_search
from approxtheory.strategies import GapInput, softmax_gap_inputs


def _ratio_or_confirmed_violation(x: GapInput, search) -> float:
    r = search.ratio(x)
    if r > 1 + search.tolerance:
        confirmation = search.confirm(x)
        assert not confirmation.violates, confirmation.observed
    return r


@given(softmax_gap_inputs(max_tokens=softmax_max.MAX_TOKENS))
def test_gap_within_elementary_bound(x: GapInput) -> None:
    target(_ratio_or_confirmed_violation(x, softmax_max.gap_search()), label="gap*beta/c(n)")


@given(softmax_gap_inputs(max_tokens=softmax_max.MAX_TOKENS))
def test_gap_within_sharp_bound(x: GapInput) -> None:
    search = softmax_max.gap_search(softmax_max.SHARP)
    target(_ratio_or_confirmed_violation(x, search), label="gap*beta/W((n-1)/e)")


@given(softmax_gap_inputs(max_tokens=softmax_max.MAX_TOKENS))
def test_kernel_agrees_with_numpy_reference(x: GapInput) -> None:
    z, mask, beta = softmax_max._pad(x)
    jax_gap = float(softmax_gap(z, mask, beta)[0])
    ref = softmax_gap_numpy(x.z, x.beta)
    assert jax_gap >= 0.0
    assert math.isclose(jax_gap, ref, rel_tol=1e-9, abs_tol=1e-300)


def test_search_approaches_the_n2_closed_form() -> None:
    # The largest gap*beta/c(n) over all inputs is e W(1/e) = 0.75694..., at n = 2 and beta*gap = 1 + W(1/e)
    # (card §5). The claim's own search (Hypothesis, then Nelder-Mead) must reach it, and never exceed it.
    for seed in (0, 1, 2):
        result = run_ratio_search(softmax_max.gap_search(), budget=1000, seed=seed)
        assert abs(result.best_ratio - softmax_max.N2_WORST_RATIO) < 1e-6
        assert result.best_ratio <= softmax_max.N2_WORST_RATIO + 1e-12
        assert len(result.best_inputs["z"]) == 2
        z = [float.fromhex(v) for v in result.best_inputs["z"]]
        beta = float.fromhex(result.best_inputs["beta"])
        assert abs(beta * abs(z[0] - z[1]) - 1.2784645427610738) < 1e-3  # the maximiser u* = 1 + W(1/e)


def test_sharp_search_approaches_one() -> None:
    # Against the sharp constant the supremum ratio is exactly 1 (equal gaps), so a search that
    # cannot get near 1 is not searching where the bound is tight.
    result = run_ratio_search(softmax_max.gap_search(softmax_max.SHARP), budget=1000, seed=0)
    assert 1 - 1e-6 <= result.best_ratio <= 1 + 1e-12


def test_padding_does_not_change_the_gap() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, softmax_max.MAX_TOKENS))
    full = softmax_gap(z, np.ones_like(z, dtype=bool), np.full(5, 3.0))
    padded_z = np.where(np.arange(softmax_max.MAX_TOKENS) < 3, z, 123.0)
    mask = np.broadcast_to(np.arange(softmax_max.MAX_TOKENS) < 3, z.shape)
    part = softmax_gap(padded_z, mask, np.full(5, 3.0))
    ref = [softmax_gap_numpy(row[:3], 3.0) for row in z]
    np.testing.assert_allclose(part, ref, rtol=1e-12)
    assert not np.allclose(full, part)


# --- GYZ26 §3-§4: the construction against random maxout networks ----------------------------------

from fractions import Fraction  # noqa: E402

from hypothesis import strategies as st  # noqa: E402

from approxtheory.constructions.maxout_transformer import simulate, softmax_error_bound  # noqa: E402
from approxtheory.networks.transformer import apply  # noqa: E402
from approxtheory.papers.gyz26.common import power_of_two_gate  # noqa: E402
from approxtheory.regions import segment_regions, transformer_segment_regions  # noqa: E402
from approxtheory.strategies import maxout_networks  # noqa: E402

FIXED = dict(input_dim=2, widths=(3, 2), rank=3)  # one JAX compile for the float searches


def points(d: int) -> st.SearchStrategy[list[Fraction]]:
    return st.lists(st.integers(-64, 64).map(lambda v: Fraction(v, 64)), min_size=d, max_size=d)


@given(maxout_networks(**FIXED), st.lists(st.floats(-1, 1), min_size=2, max_size=2))
def test_hardmax_transformer_agrees_with_the_network(net, x) -> None:
    T = simulate(net, power_of_two_gate(net, -1.0, 1.0))
    xs = np.array([x])
    np.testing.assert_allclose(apply(T, xs), net(xs), rtol=0, atol=1e-12)


@given(maxout_networks(**FIXED), st.lists(st.floats(-1, 1), min_size=2, max_size=2), st.floats(-1, 4))
def test_softmax_error_under_its_bound(net, x, log_beta) -> None:
    beta = 10.0**log_beta
    T = simulate(net, power_of_two_gate(net, -1.0, 1.0, for_softmax=True))
    xs = np.array([x])
    bound = softmax_error_bound(net, beta)
    error = float(np.max(np.abs(apply(T, xs, beta) - net(xs))))
    if bound > 0:
        target(error / bound, label="softmax error / bound")
    assert error <= bound * (1 + 1e-9)


@given(st.data())
def test_transformer_regions_equal_network_regions(data) -> None:
    net = data.draw(maxout_networks(max_width=3, depth=(1, 2)))
    x0, x1 = data.draw(points(net.input_dim)), data.draw(points(net.input_dim))
    if x0 == x1:
        return
    T = simulate(net, power_of_two_gate(net, -1.0, 1.0))
    assert transformer_segment_regions(T, x0, x1).regions == segment_regions(net, x0, x1).regions


@settings(max_examples=20)
@given(st.integers(0, 2**32 - 1), st.integers(1, 2), st.lists(st.integers(1, 3), min_size=1, max_size=3), st.integers(2, 3))
def test_exact_transformer_has_the_network_s_regions(seed: int, d: int, widths: list[int], rank: int) -> None:
    # issue 11 item 9: float (non-dyadic) weights, the §4 construction built in exact rationals
    net = MaxoutNetwork.random(seed, d, widths, rank)
    x0, x1 = [Fraction(-2)] * d, [Fraction(2), *[Fraction(1, 3)] * (d - 1)]
    ends = np.array([[float(v) for v in x0], [float(v) for v in x1]])
    gate = gate_ibp(net, np.nextafter(ends.min(axis=0), -np.inf), np.nextafter(ends.max(axis=0), np.inf)).M
    expected = segment_regions(net, x0, x1)
    got = transformer_segment_regions(simulate(net, gate, exact=True), x0, x1)
    assert (got.regions, got.breakpoints) == (expected.regions, expected.breakpoints)
