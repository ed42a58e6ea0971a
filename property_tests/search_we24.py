"""WE24 searches: kernels inside and outside decay envelopes, memory positions and head budgets, every rate.

Run under a Hypothesis profile (``--hypothesis-profile=ci`` by default, ``nightly`` for long runs).
Anything a float computation flags is re-checked exactly (Fractions) or in Arb before it fails a test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np
from hypothesis import assume, given, target
from hypothesis import strategies as st

from approxtheory.constructions.memory_heads import exact_single_head
from approxtheory.core import ConditionStatus
from approxtheory.memory import kernels
from approxtheory.memory.bases import nested_grid
from approxtheory.memory.decay import decay_exp_condition, decay_poly_condition, fit_decay
from approxtheory.memory.degenerate import lin_delta_family, log_delta_family
from approxtheory.memory.problems import KernelProblem
from approxtheory.papers.we24 import rounding

WINDOW = 400


@dataclass(frozen=True)
class EnvelopeCase:
    kind: str  # "exponential" | "polynomial"
    rate: float
    amplitude: float
    frequency: float
    scale: float

    def kernel(self) -> kernels.Kernel:
        t = np.arange(WINDOW + 1, dtype=np.float64)
        envelope = np.exp(-self.rate * t) if self.kind == "exponential" else np.where(t > 0, np.maximum(t, 1.0) ** -self.rate, 0.0)
        return kernels.from_values("modulated", self.scale * envelope * (1 + self.amplitude * np.cos(self.frequency * t)))


@st.composite
def envelope_cases(draw: st.DrawFn, pure: bool = False) -> EnvelopeCase:
    kind = draw(st.sampled_from(["exponential", "polynomial"]))
    rate = draw(st.floats(0.02, 1.0) if kind == "exponential" else st.floats(1.1, 4.0))
    amplitude = 0.0 if pure else draw(st.floats(0.0, 0.5))
    # a period of at most 90 offsets fits in every block of the finite-window test
    return EnvelopeCase(kind, rate, amplitude, draw(st.floats(0.07, 0.3)), draw(st.floats(0.1, 10.0)))


def _condition(kind: str, rate: float):
    return (decay_exp_condition if kind == "exponential" else decay_poly_condition)(rate, WINDOW)


@given(envelope_cases())
def test_kernels_inside_their_envelope_pass(case: EnvelopeCase) -> None:
    assert _condition(case.kind, case.rate)(case.kernel()).status is ConditionStatus.HOLDS


@given(envelope_cases(), st.floats(0.1, 1.0))
def test_kernels_outside_a_faster_envelope_fail(case: EnvelopeCase, excess: float) -> None:
    # exponential: e^{excess (N/2)} growth; polynomial: 2^excess >= 1.07 > 1.02
    faster = case.rate + (excess / 10 if case.kind == "exponential" else excess)
    assert _condition(case.kind, faster)(case.kernel()).status is ConditionStatus.FAILS


@given(envelope_cases(pure=True))
def test_pure_decay_is_classified_and_its_rate_recovered(case: EnvelopeCase) -> None:
    fit = fit_decay(case.kernel(), WINDOW)
    assert fit.kind == case.kind
    assert abs(fit.rate - case.rate) <= 1e-6 * max(1.0, case.rate)


@given(st.sampled_from(["lin", "log"]), st.integers(1, 12), st.floats(0.05, 0.5), st.floats(2.0, 8.0))
def test_error_never_increases_with_heads(encoding: str, T: int, lo: float, hi: float) -> None:
    # nested rate grids: the LP's feasible set grows with H, so its optimum cannot grow
    lo = lo if encoding == "lin" else 1.0 + lo
    problem = KernelProblem(kernels.delta(T), encoding, 60)
    errors = [problem.fit(nested_grid(H, lo, hi)).error for H in range(1, 6)]
    target(errors[-1] - errors[0], label="error(5 heads) - error(1 head)")
    assert all(later <= earlier * (1 + 1e-7) + 1e-10 for earlier, later in zip(errors, errors[1:]))
    assert errors[0] <= 1.0 + 1e-9  # alpha = 0 is always available


@given(st.sampled_from(["lin", "log"]), st.lists(st.integers(1, 400), min_size=1, max_size=4),
       st.integers(1, 2000), st.integers(1, 8))
def test_explicit_constants_of_the_certified_rates(encoding: str, positions: list[int], heads: int, n: int) -> None:
    # WE24.thm3.1.statement.attention_rate_*: E_Attn <= M 1{H < S} <= C(n) shape/H^n, searched over M, T_k, H, n
    S = sum(t + 1 for t in positions) if encoding == "lin" else sum(positions)
    assume(heads < S)
    M = len(positions)
    if encoding == "lin":
        constant = 100 * math.exp(-0.99)
        shape = sum(math.exp(0.01 * t) for t in positions)
    else:
        constant, shape = 1.0, sum(t**1.01 for t in positions)
    ratio = M * heads**n / (constant**n * shape ** (n + 1))
    target(math.log(ratio), label="log(E_Attn / bound)")
    if ratio > 1 - 1e-9:  # confirm in Arb before failing
        c = flint.arb(100) * flint.arb(-0.99).exp() if encoding == "lin" else flint.arb(1)
        a = sum(((flint.arb(t) / 100).exp() if encoding == "lin" else flint.arb(t) ** flint.arb("1.01")) for t in positions)
        assert (c**n * a ** (n + 1) / flint.arb(heads) ** n - M).lower() >= 0


@given(st.lists(st.fractions(Fraction(1, 10), 10), min_size=2, max_size=4),
       st.lists(st.fractions(Fraction(1, 10), 10), min_size=2, max_size=4), st.integers(1, 4))
def test_any_head_split_is_at_least_the_optimal_one(a: list[Fraction], split: list[Fraction], n: int) -> None:
    # Hoelder (card §6): sum_k a_k^(n+1)/H_k^n >= (sum a)^(n+1)/H^n, exactly
    k = min(len(a), len(split))
    a, split = a[:k], split[:k]
    H = sum(split)
    lhs = sum(ak ** (n + 1) / hk**n for ak, hk in zip(a, split))
    rhs = sum(a) ** (n + 1) / H**n
    target(float(rhs / lhs), label="optimal / chosen split")
    assert lhs >= rhs
    assert sum(ak ** (n + 1) / (H * ak / sum(a)) ** n for ak in a) == rhs  # equality at H_k = H a_k/sum a


@given(st.lists(st.fractions(Fraction(1, 100), 100), min_size=2, max_size=5), st.integers(1, 6))
def test_prop45_superadditivity(u: list[Fraction], n: int) -> None:
    assert sum(u) ** (n + 1) >= sum(x ** (n + 1) for x in u)
    b = [x ** (n + 1) for x in u]
    assert sum(x * x for x in b) <= sum(b) ** 2


@given(st.integers(0, 6), st.integers(1, 8))
def test_lin_family_tail_is_below_its_exact_bound(T: int, halvings: int) -> None:
    family = lin_delta_family(T, Fraction(1, 2 * (T + 1) * 2**halvings))
    assert family.matches_delta_on_window()
    s = np.arange(T + 1, 600)
    tail = np.abs(sum(float(c) * float(x) ** s for c, x in zip(family.coefficients, family.bases))).sum()
    # float cancellation can only add |c| * eps-sized noise per term
    noise = 1e-12 * sum(abs(float(c)) for c in family.coefficients)
    assert tail <= float(family.error_bound) * (1 + 1e-9) + noise


@given(st.integers(1, 6), st.integers(2, 40))
def test_log_family_tail_is_below_its_exact_bound(T: int, b: int) -> None:
    family = log_delta_family(T, b)
    assert family.matches_delta_on_window()
    s = np.arange(T + 1, 20000, dtype=np.float64)
    tail = np.abs(sum(float(c) * s ** -float(p) for c, p in zip(family.coefficients, family.bases))).sum()
    noise = 1e-12 * sum(abs(float(c)) * (T + 1) ** -float(p) for c, p in zip(family.coefficients, family.bases))
    assert tail <= float(family.error_bound) * (1 + 1e-9) + noise


@given(st.floats(1.0, rounding.Z_MAX, allow_nan=False))
def test_log_precision_rounding(z: float) -> None:
    # WE24.propC.1, searched for counterexamples with the claim's own ratio and Arb confirmation
    r = rounding.rounding_ratio(z)
    target(r, label="|log[e^z] - z| * 2 min(e^z, [e^z])")
    if r > 1 + 1e-6:
        assert not rounding.confirm_rounding(z).violates


@given(st.sampled_from(["lin", "log"]), st.floats(0.1, 6.0), st.integers(0, 2**32 - 1))
def test_exact_single_heads_are_exact(encoding: str, rate: float, seed: int) -> None:
    kernel = kernels.exponential(rate) if encoding == "lin" else kernels.power(1.0 + rate)
    layer = exact_single_head(kernel, encoding, 32)
    X = np.random.default_rng(seed).uniform(-1, 1, size=(33, 2))
    want = kernel.values(np.arange(33)) @ X
    assert np.allclose(layer(X)[0], want, rtol=1e-12, atol=1e-14)
