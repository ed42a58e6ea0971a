"""approxtheory.strategies: every strategy draws valid objects, rejects bad arguments eagerly, shrinks as documented."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import jax
import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis.errors import InvalidArgument

from approxtheory import strategies as S
from approxtheory.attention import sample_params, zoo
from approxtheory.attention.validate import N_RANGE
from approxtheory.core import ConditionStatus
from approxtheory.memory import Kernel, decay_exp_condition, decay_poly_condition
from approxtheory.networks import MaxoutNetwork
from approxtheory.pod import (
    SeparablePOD,
    Target,
    c1_upper,
    pod_spectrum,
    power_tail,
    tail_sum,
)

FEW = settings(max_examples=20)


def minimal(strategy):  # the fully shrunk example
    return find(strategy, lambda _: True, settings=settings(database=None, max_examples=20))


# --- GYZ26 (existing strategies, unchanged) ------------------------------------------------------


@FEW
@given(S.softmax_gap_inputs(min_tokens=2, max_tokens=4))
def test_softmax_gap_inputs_draw_scores_and_a_temperature(x: S.GapInput) -> None:
    assert 2 <= len(x.z) <= 4 and x.beta > 0
    assert all(math.isfinite(v) for v in x.z)


@FEW
@given(S.maxout_networks(input_dim=2, widths=(3, 2), rank=2, grid=8, max_abs=1.0))
def test_maxout_networks_have_the_fixed_shape_and_dyadic_weights(net: MaxoutNetwork) -> None:
    assert net.widths == (3, 2) and net.input_dim == 2 and net.rank == 2
    for w in [*(a for layer in net.layers for a in layer), net.readout_weight, net.readout_bias]:
        assert np.all(np.abs(w) <= 1.0) and np.array_equal(w * 8, np.round(w * 8))


# --- CLSL25: token sequences and attention parameters ---------------------------------------------


@pytest.mark.parametrize(
    "n, d, min_distance, max_abs",
    [(2, 1, 1e-2, 1.0), (5, 3, 0.1, 1.0), (9, 2, 0.4, 1.0), (64, 1, 1e-2, 1.0), (6, 4, 1e-6, 1e-3)],
)
def test_token_sequences_are_in_general_position(n: int, d: int, min_distance: float, max_abs: float) -> None:
    @FEW
    @given(S.token_sequences(n, d, min_distance=min_distance, max_abs=max_abs))
    def check(X: np.ndarray) -> None:
        assert isinstance(X, np.ndarray) and X.dtype == np.float64 and X.shape == (n, d)
        assert np.all(np.abs(X) <= max_abs)
        gaps = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)[np.triu_indices(n, 1)]
        assert gaps.min() >= min_distance  # GP1 with the stated margin

    check()


def test_token_sequences_shrink_to_the_lattice_near_the_origin() -> None:
    X = minimal(S.token_sequences(3, 2, min_distance=0.1))
    steps = X / 0.2
    assert np.array_equal(steps, np.round(steps)) and np.abs(steps).max() <= 1
    assert len({tuple(row) for row in steps}) == 3


def _apply_x64(params, X: np.ndarray) -> np.ndarray:
    with jax.enable_x64(True):
        return np.asarray(zoo.softmax.apply(params, X))


@FEW
@given(S.attention_params(zoo.softmax, 3, 2), S.token_sequences(3, 2))
def test_attention_params_are_float64_pytrees_of_init(params: dict, X: np.ndarray) -> None:
    assert set(params) == {"wq", "wk", "wv"}
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float64 and v.shape == (2, 2) for v in params.values())
    Y = _apply_x64(params, X)
    assert Y.shape == (3, 2) and np.all(np.isfinite(Y))


def test_attention_params_shrink_to_seed_zero_at_the_first_scale() -> None:
    params = minimal(S.attention_params(zoo.softmax, 3, 2, scale=(2.0, 0.1)))
    seed0 = sample_params(zoo.softmax, 3, 2, jax.random.key(0), 1)
    for name, leaf in params.items():
        np.testing.assert_array_equal(leaf, 2.0 * np.asarray(seed0[name])[0])


def test_attention_params_draw_every_listed_scale() -> None:
    seed0 = sample_params(zoo.softmax, 3, 2, jax.random.key(0), 1)
    strategy = S.attention_params(zoo.softmax, 3, 2, scale=(1.0, 0.1, 10.0))
    largest = lambda p: max(float(np.abs(v).max()) for v in p.values())
    # Entries of init are N(0, 1/2): only the scale 10 exceeds 5, and only the scale 0.1 keeps all 12 below 0.2.
    for scale, holds in ((10.0, lambda p: largest(p) > 5), (0.1, lambda p: largest(p) < 0.2)):
        found = find(strategy, holds, settings=settings(database=None))
        for name, leaf in found.items():
            np.testing.assert_array_equal(leaf, scale * np.asarray(seed0[name])[0])


# --- JL24: POD spectra and targets ----------------------------------------------------------------


@FEW
@given(S.pod_spectra(kind="algebraic"))
def test_algebraic_spectra_are_k_to_the_minus_alpha_with_their_tail(pod: SeparablePOD) -> None:
    assert isinstance(pod, SeparablePOD) and pod.rank is None and pod.exact
    c, alpha = pod.tail
    assert c == 1.0 and 0.6 <= alpha <= 3.0 and pod.terms == 16
    np.testing.assert_allclose(pod.sigmas, np.arange(1, 17) ** -alpha, rtol=1e-15)
    bound = c1_upper(pod, alpha)  # sup_k sigma_k k^alpha = 1, attained everywhere
    assert bound.covers_tail and bound.value == pytest.approx(1.0, rel=1e-12)
    assert tail_sum(pod, 4) == pytest.approx(float(power_tail(4, alpha)), rel=1e-12)


@FEW
@given(S.pod_spectra(kind="exponential"))
def test_exponential_spectra_are_geometric_down_to_float64_resolution(pod: SeparablePOD) -> None:
    s = pod.sigmas
    assert pod.rank == s.size and s[0] == 1.0
    if s.size > 1:
        ratio = s[1]
        assert math.exp(-4.0) <= ratio <= math.exp(-0.5)
        np.testing.assert_allclose(s[1:] / s[:-1], ratio, rtol=1e-9)
        assert s[-1] >= 2.0**-52 > s[-1] * ratio  # listed exactly while float64 can tell sigma_k from sigma_1


@FEW
@given(S.pod_spectra(kind="finite_rank", max_rank=5))
def test_finite_rank_spectra_are_non_increasing(pod: SeparablePOD) -> None:
    assert 1 <= pod.rank == pod.terms <= 5
    assert np.all(np.diff(pod.sigmas) <= 0) and np.all((pod.sigmas >= 1e-6) & (pod.sigmas <= 1.0))


def test_pod_spectra_shrink_as_documented() -> None:
    assert minimal(S.pod_spectra()).tail == (1.0, 1.0)  # first kind, alpha = 1
    finite = minimal(S.pod_spectra(kind="finite_rank"))
    assert finite.rank == 1 and finite.sigmas.tolist() == [1.0]
    assert minimal(S.pod_spectra(kind="exponential")).sigmas[1] == pytest.approx(math.exp(-1.0), rel=1e-15)


@settings(max_examples=10)
@given(S.representation_targets(tau=(1, 2, 3), max_rank=3, rate=(2.0, 4.0)))
def test_representation_targets_evaluate_and_carry_their_pod(target: Target) -> None:
    assert isinstance(target, Target) and target.pod is not None and 1 <= target.tau <= 3
    x = np.random.default_rng(0).uniform(size=(2, target.tau))
    out = target.outputs(x)
    assert out.shape == (2, target.tau) and np.all(np.isfinite(out))
    if target.pod.rank is None:
        alpha = target.pod.tail[1]
        assert 1.1 <= alpha <= 3.0 and not (alpha.is_integer() and int(alpha) % 2)


@settings(max_examples=4)
@given(S.representation_targets(kind="finite_rank", max_rank=3, tau=2))
def test_separable_targets_pod_matches_quadrature(target: Target) -> None:
    """The attached singular values are those of rho itself (weighted SVD, an independent computation)."""
    r = target.pod.rank
    spectrum = pod_spectrum(target.rho, target.domain, lead=r + 1, tol=1e-10, max_nodes=256)
    np.testing.assert_allclose(spectrum.singular_values, np.append(target.pod.sigmas, 0.0), atol=1e-9)


def test_representation_targets_shrink_to_the_first_kind_and_tau() -> None:
    target = minimal(S.representation_targets(kind=("algebraic", "finite_rank")))
    assert target.name == "sines(alpha=2.0, r=inf)" and target.tau == 1
    finite = minimal(S.representation_targets(kind="finite_rank", tau=(2, 3)))
    assert finite.tau == 2 and finite.pod.sigmas.tolist() == [1.0]


# --- WE24: memory kernels -------------------------------------------------------------------------


def _envelope_holds(kernel: Kernel) -> bool:
    rate = kernel.decay_rate
    if kernel.decay == "exponential":  # window long enough to see decay, short enough not to underflow
        return decay_exp_condition(rate, window=int(min(2000, max(64, 200 / rate))))(kernel).status == ConditionStatus.HOLDS
    return decay_poly_condition(rate, window=2000)(kernel).status == ConditionStatus.HOLDS


@settings(max_examples=30)
@given(S.memory_kernels())
def test_memory_kernels_satisfy_their_decay_envelope(kernel: Kernel) -> None:
    assert isinstance(kernel, Kernel) and kernel.decay in ("exponential", "polynomial")
    lo, hi = (0.05, 2.0) if kernel.decay == "exponential" else (1.5, 6.0)
    assert lo <= kernel.decay_rate <= hi and (kernel.decay_rate * 64).is_integer()
    assert _envelope_holds(kernel)
    tail = np.abs(kernel.values(np.arange(11, 5000))).sum()
    assert tail <= kernel.tail_mass(10) * (1 + 1e-12)  # tail_mass bounds the l1 tail


def test_memory_kernels_shrink_to_one_pure_term_at_the_slowest_rate() -> None:
    assert minimal(S.memory_kernels()).name == "exp(-0.0625 s)"
    assert minimal(S.memory_kernels(decay="polynomial")).name == "s^-1.5"
    assert minimal(S.memory_kernels(decay="polynomial", polynomial_rate=(2.0, 3.0))).name == "s^-2"


# --- argument validation --------------------------------------------------------------------------

INVALID: list[tuple[str, Callable[[], object], str]] = [
    ("n", lambda: S.token_sequences(1, 2), "n=1"),
    ("d", lambda: S.token_sequences(3, 0), "d=0"),
    ("min_distance", lambda: S.token_sequences(3, 2, min_distance=0.0), "min_distance=0.0"),
    ("max_abs", lambda: S.token_sequences(3, 2, max_abs=float("inf")), "max_abs=inf"),
    ("too_many_rows", lambda: S.token_sequences(64, 1, min_distance=0.1, max_abs=1.0), "min_distance=0.1"),
    ("attention", lambda: S.attention_params(object(), 3, 2), "attention="),
    ("params_n", lambda: S.attention_params(zoo.softmax, N_RANGE[1] + 1, 2), f"n={N_RANGE[1] + 1}"),
    ("scale_zero", lambda: S.attention_params(zoo.softmax, 3, 2, scale=0.0), "scale=0.0"),
    ("scale_empty", lambda: S.attention_params(zoo.softmax, 3, 2, scale=()), "scale=()"),
    ("kind", lambda: S.pod_spectra(kind="gaussian"), "kind='gaussian'"),
    ("kind_empty", lambda: S.pod_spectra(kind=()), "kind=()"),
    ("alpha_half", lambda: S.pod_spectra(alpha=0.5), "alpha=0.5"),
    ("alpha_reversed", lambda: S.pod_spectra(alpha=(2.0, 1.0)), "alpha=(2.0, 1.0)"),
    ("rate", lambda: S.pod_spectra(rate=0.0), "rate=0.0"),
    ("max_rank", lambda: S.pod_spectra(max_rank=0), "max_rank=0"),
    ("terms", lambda: S.pod_spectra(terms=True), "terms=True"),
    ("tau", lambda: S.representation_targets(tau=0), "tau=0"),
    ("target_alpha", lambda: S.representation_targets(alpha=(0.8, 2.0)), "alpha=(0.8, 2.0)"),
    ("target_alpha_odd", lambda: S.representation_targets(alpha=3.0), "alpha=3.0"),
    ("decay", lambda: S.memory_kernels(decay="finite"), "decay='finite'"),
    ("polynomial_rate", lambda: S.memory_kernels(polynomial_rate=(1.0, 2.0)), "polynomial_rate=(1.0, 2.0)"),
    ("exponential_rate", lambda: S.memory_kernels(exponential_rate=(0.0, 1.0)), "exponential_rate=(0.0, 1.0)"),
    ("rate_off_grid", lambda: S.memory_kernels(exponential_rate=(0.05, 0.06)), "exponential_rate=(0.05, 0.06)"),
    ("max_terms", lambda: S.memory_kernels(max_terms=0), "max_terms=0"),
    ("min_tokens", lambda: S.softmax_gap_inputs(min_tokens=1), "min_tokens=1"),
    ("log10_beta_pair", lambda: S.softmax_gap_inputs(log10_beta=1.0), "log10_beta=1.0"),
    ("maxout_max_abs", lambda: S.maxout_networks(max_abs=0.0), "max_abs=0.0"),
]


@pytest.mark.parametrize("build, named", [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_arguments_raise_eagerly_naming_the_argument(build: Callable[[], object], named: str) -> None:
    with pytest.raises(InvalidArgument, match=re.escape(named)) as info:
        build()  # at construction, before any draw
    assert re.search(r"must|need", str(info.value))
