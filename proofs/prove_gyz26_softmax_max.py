"""GYZ26.lem.softmax_max, step by step in SymPy (card §3 and §5).

Each step is a symbolic identity or sign fact; general-n steps are checked at n = 3 (two free
gaps), which already exercises the cross terms. Every check also runs on a perturbed statement
that must fail, so none of these tests can pass vacuously.
"""

from __future__ import annotations

import pytest
import sympy as sp

beta, t, u, w = sp.symbols("beta t u w", positive=True)
d1, d2 = sp.symbols("Delta1 Delta2", nonnegative=True)
z0, z1, z2 = sp.symbols("z0 z1 z2", real=True)


def is_zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


def softmax3(z: tuple[sp.Expr, ...]) -> list[sp.Expr]:
    weights = [sp.exp(beta * zi) for zi in z]
    return [wi / sum(weights) for wi in weights]


# Step 1: with Delta_i = max z - z_i, gap = sum_i p_i Delta_i (the p_i sum to 1).
@pytest.mark.parametrize("shift, holds", [(0, True), (1, False)])
def test_gap_is_weighted_sum_of_gaps(shift: int, holds: bool) -> None:
    z = (z0, z0 - d1, z0 - d2)  # z0 is the max
    p = softmax3(z)
    gap = z0 - sum(pi * zi for pi, zi in zip(p, z))
    assert is_zero(gap - (p[1] * d1 + p[2] * d2) - shift) is holds


# Step 2: p_i <= e^{-beta Delta_i}, because the denominator contains e^0 = 1 for the max:
# e^{-beta Delta_1} - p_1 = e^{-beta Delta_1} * S / (1 + S) with S = sum_{j>=1} e^{-beta Delta_j} >= 0.
@pytest.mark.parametrize("factor, holds", [(1, True), (2, False)])
def test_weight_below_exponential(factor: int, holds: bool) -> None:
    a1, a2 = sp.exp(-beta * d1), sp.exp(-beta * d2)
    p1 = a1 / (1 + a1 + a2)
    s = a1 + a2
    assert is_zero(a1 - p1 - factor * a1 * s / (1 + s)) is holds


# Step 3: sup_{t>=0} t e^{-beta t} = 1/(e beta), at t = 1/beta.
def test_te_max() -> None:
    f = t * sp.exp(-beta * t)
    assert sp.solveset(sp.diff(f, t), t, sp.Interval(0, sp.oo)) == sp.FiniteSet(1 / beta)
    assert is_zero(f.subs(t, 1 / beta) - 1 / (sp.E * beta))
    assert not is_zero(f.subs(t, 1 / beta) - 1 / (2 * sp.E * beta))  # control
    assert sp.simplify(sp.diff(f, t, 2).subs(t, 1 / beta)).is_negative
    assert f.subs(t, 0) == 0 and sp.limit(f, t, sp.oo) == 0


# Step 4: the ln n half. beta <p, z> = LSE(beta z) - H(p), LSE(beta z) >= beta max z, H(p) <= ln n.
@pytest.mark.parametrize("extra, holds", [(0, True), (sp.log(3), False)])
def test_entropy_identity(extra: sp.Expr, holds: bool) -> None:
    z = (z0, z1, z2)
    p = softmax3(z)
    lse = sp.log(sum(sp.exp(beta * zi) for zi in z))
    entropy = -sum(pi * sp.log(pi) for pi in p)
    assert is_zero(sp.expand_log(beta * sum(pi * zi for pi, zi in zip(p, z)) - (lse - entropy) - extra, force=True)) is holds


def test_entropy_at_most_log_n_two_tokens() -> None:
    # H(q, 1-q) is maximal at q = 1/2 with value ln 2 (n = 2 instance of Gibbs' inequality, classical).
    q = sp.Symbol("q", positive=True)
    h = -q * sp.log(q) - (1 - q) * sp.log(1 - q)
    assert sp.solveset(sp.diff(h, q), q, sp.Interval.open(0, 1)) == sp.FiniteSet(sp.Rational(1, 2))
    assert is_zero(h.subs(q, sp.Rational(1, 2)) - sp.log(2))
    assert sp.simplify(sp.diff(h, q, 2)).subs(q, sp.Rational(1, 2)) < 0


# Step 5: c(n) = min(ln n, (n-1)/e) switches branch between n = 5 and n = 6 (card §3).
@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_small_n_uses_n_minus_one_over_e(k: int) -> None:
    assert (sp.log(k) - sp.Integer(k - 1) / sp.E).is_positive


@pytest.mark.parametrize("k", [6, 7, 10, 100])
def test_large_n_uses_log_n(k: int) -> None:
    assert (sp.Integer(k - 1) / sp.E - sp.log(k)).is_positive


# Step 6 (sharp form): F = sum Delta_i a_i / (1 + sum a_i), a_i = e^{-beta Delta_i};
# dF/dDelta_1 * (1 + sum a) / a_1 = 1 - beta Delta_1 + beta F, so all finite gaps are equal at a critical point.
@pytest.mark.parametrize("offset, holds", [(0, True), (1, False)])
def test_stationarity_makes_gaps_equal(offset: int, holds: bool) -> None:
    a1, a2 = sp.exp(-beta * d1), sp.exp(-beta * d2)
    F = (d1 * a1 + d2 * a2) / (1 + a1 + a2)
    assert is_zero(sp.diff(F, d1) * (1 + a1 + a2) / a1 - (1 - beta * d1 + beta * F) - offset) is holds


# Step 7: with m equal gaps u/beta, u = 1 + m e^{-u} and beta*F = u - 1 = W(m/e).
# Parametrise by w = W(m/e), i.e. m = e w e^w (principal branch, w >= 0).
@pytest.mark.parametrize("value, holds", [(w, True), (w + 1, False)])
def test_equal_gap_optimum_is_lambert_w(value: sp.Expr, holds: bool) -> None:
    m = sp.E * w * sp.exp(w)
    F = m * u * sp.exp(-u) / (1 + m * sp.exp(-u))
    assert is_zero((1 + w) - 1 - m * sp.exp(-(1 + w)))  # u* = 1 + w solves u = 1 + m e^{-u}
    assert is_zero(F.subs(u, 1 + w) - value) is holds


# Step 8: W(x) <= x and W(x) <= ln(1+x) for x >= 0, so the sharp form implies c(n).
def test_lambert_w_below_x_and_log() -> None:
    x = w * sp.exp(w)  # x >= 0 <=> w >= 0
    assert sp.factor(x - w) == w * (sp.exp(w) - 1)  # both factors >= 0 for w >= 0
    # ln(1 + w e^w) - w = ln(e^{-w} + w) >= 0 <=> g(w) = e^{-w} + w - 1 >= 0: g(0) = 0, g' = 1 - e^{-w} >= 0.
    assert is_zero(sp.expand_log(sp.log(1 + x) - w - sp.log(sp.exp(-w) + w), force=True))
    g = sp.exp(-w) + w - 1
    assert g.subs(w, 0) == 0 and sp.diff(g, w) == 1 - sp.exp(-w)


# Step 9: the n = 2 closed form of card §5.
def test_n2_worst_case_fixture() -> None:
    phi = u / (1 + sp.exp(u))
    u_star = 1 + sp.LambertW(sp.exp(-1))
    assert abs(sp.N(sp.diff(phi, u).subs(u, u_star), 50)) < 1e-40  # u* is the critical point
    assert abs(sp.N(u_star, 30) - sp.Float("1.2784645427610738", 30)) < 1e-15
    assert abs(sp.N(phi.subs(u, u_star), 30) - sp.Float("0.2784645427610738", 30)) < 1e-15
    assert abs(sp.N(sp.E * sp.LambertW(sp.exp(-1)), 30) - sp.Float("0.7569451064575837", 30)) < 1e-15
