"""WE24 card algebra, step by step in SymPy (card §2, §3, §6).

Every identity is checked twice: as stated, and perturbed so that it must fail (the negative
control), so that none of these tests can pass vacuously.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy as sp

p, b, g, s, B, C, H, eps, T = sp.symbols("p beta g s B C H epsilon T", positive=True)
n = sp.Symbol("n", positive=True)
N = sp.Symbol("N", integer=True, positive=True)
j = sp.Symbol("j", integer=True, nonnegative=True)


def is_zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


def simplify_powers(expr: sp.Expr) -> sp.Expr:
    """The card's recipe for the head-split identities."""
    return sp.powsimp(sp.expand_power_base(expr, force=True), force=True)


# --- normalisers (WE24.def.normaliser) -------------------------------------------------------------

@pytest.mark.parametrize("extra, holds", [(0, True), (sp.exp(-p * N), False)])
def test_lin_window_normaliser(extra: sp.Expr, holds: bool) -> None:
    finite = sp.summation(sp.exp(-p * j), (j, 0, N))
    closed = (1 - sp.exp(-p * (N + 1))) / (1 - sp.exp(-p)) + extra
    assert is_zero(finite.args[-1][0] - closed) is holds


@pytest.mark.parametrize("value, holds", [(1 / (1 - sp.exp(-p)), True), (1 / (1 + sp.exp(-p)), False)])
def test_lin_normaliser_limit(value: sp.Expr, holds: bool) -> None:
    window = (1 - sp.exp(-p * (N + 1))) / (1 - sp.exp(-p))
    assert is_zero(sp.limit(window, N, sp.oo) - value) is holds


@pytest.mark.parametrize("argument, value, holds", [(sp.log(2), 2, True), (sp.log(3), 2, False)])
def test_lin_normaliser_fixture(argument: sp.Expr, value: int, holds: bool) -> None:
    assert (sp.simplify(1 / (1 - sp.exp(-argument))) == value) is holds


@pytest.mark.parametrize("k, value, holds", [(2, sp.pi**2 / 6, True), (4, sp.pi**4 / 90, True), (2, sp.pi**2 / 8, False)])
def test_log_normaliser_fixtures(k: int, value: sp.Expr, holds: bool) -> None:
    assert (sp.zeta(k) == value) is holds


@pytest.mark.parametrize("shift, holds", [(0, True), (sp.Rational(1, 64), False)])
def test_log_window_normaliser(shift: sp.Expr, holds: bool) -> None:
    # Z_log on N+1 tokens is harmonic(N, p) = zeta(p) - zeta(p, N+1); at p = 3, N = 4:
    assert is_zero(sp.zeta(3) - sp.zeta(3, 5) - sp.harmonic(4, 3) + shift) is holds


# --- head splits (Thm 3.1, Thm 5.1) ----------------------------------------------------------------

@pytest.mark.parametrize("power, holds", [(n + 1, True), (n, False)])
def test_optimal_split_value(power: sp.Expr, holds: bool) -> None:
    a = sp.symbols("a1:4", positive=True)
    S = sum(a)
    total = sum(C * ak ** (n + 1) / (H * ak / S) ** n for ak in a)
    assert is_zero(simplify_powers(total) - C * S**power / H**n) is holds


@pytest.mark.parametrize("split, holds", [(lambda ak, S: H * ak / S, True), (lambda ak, S: H / 3, False)])
def test_optimal_split_is_stationary(split, holds: bool) -> None:
    # Lagrange: d/dH_k [a_k^(n+1) H_k^-n] must be the same for every k at the optimum
    a = sp.symbols("a1:3", positive=True)
    S = sum(a)
    hk = sp.Symbol("h", positive=True)
    slopes = [sp.diff(ak ** (n + 1) / hk**n, hk).subs(hk, split(ak, S)) for ak in a]
    assert is_zero(simplify_powers(slopes[0] - slopes[1])) is holds


def test_split_objective_is_convex() -> None:
    ak, hk = sp.symbols("a_k H_k", positive=True)
    assert sp.diff(ak ** (n + 1) / hk**n, hk, 2).is_positive
    assert not sp.diff(-(ak ** (n + 1)) / hk**n, hk, 2).is_positive  # control


@pytest.mark.parametrize("split, holds", [([Fraction(3), Fraction(1)], True), ([Fraction(2), Fraction(2)], False)])
def test_hoelder_at_a_point(split: list[Fraction], holds: bool) -> None:
    # a = (3, 1), H = 4, n = 2: the proportional split (3, 1) reaches (sum a)^3/H^2 = 4 exactly, the equal split exceeds it
    a = [Fraction(3), Fraction(1)]
    value = sum(ak**3 / hk**2 for ak, hk in zip(a, split))
    assert (value == Fraction(64, 16)) is holds
    assert value >= Fraction(64, 16)


@pytest.mark.parametrize("power, holds", [(n + 1, True), (n, False)])
def test_equal_split(power: sp.Expr, holds: bool) -> None:
    M = sp.Symbol("M", positive=True)
    assert is_zero(simplify_powers(M * C / (H / M) ** n) - C * M**power / H**n) is holds


# --- heads needed (Thm 3.1 with all T_i = T) ------------------------------------------------------

@pytest.mark.parametrize("exponent, holds", [(1 / n, True), (1 / (n + 1), False)])
def test_heads_needed_lin(exponent: sp.Expr, holds: bool) -> None:
    M = sp.Symbol("M", positive=True)
    error = C * M ** (n + 1) * sp.exp(sp.Rational(1, 100) * (n + 1) * T)
    heads = (error / eps) ** exponent
    assert is_zero(simplify_powers(error / heads**n) - eps) is holds


def test_heads_needed_growth_in_T() -> None:
    M = sp.Symbol("M", positive=True)
    lin = sp.expand_log(sp.log((C * M ** (n + 1) * sp.exp(sp.Rational(1, 100) * (n + 1) * T) / eps) ** (1 / n)), force=True)
    log = sp.expand_log(sp.log((C * M ** (n + 1) * T ** (sp.Rational(101, 100) * (n + 1)) / eps) ** (1 / n)), force=True)
    assert is_zero(sp.diff(lin, T, 2))  # log H_lin is linear in T
    assert is_zero(sp.diff(T * sp.diff(log, T), T))  # log H_log is linear in log T
    assert not is_zero(sp.diff(log, T, 2))  # control: log H_log is not linear in T


# --- admissible rates (Thm 5.1) ---------------------------------------------------------------------

def admissible_exp(beta: str) -> int:
    return int(sp.floor(99 * sp.Rational(beta)))


def admissible_poly(beta: str) -> int:
    return int(sp.floor(sp.Rational(99, 100) * sp.Rational(beta))) - 1


@pytest.mark.parametrize("beta, n_max", [("1/20", 4), ("1", 99)])
def test_admissible_exponential(beta: str, n_max: int) -> None:
    assert admissible_exp(beta) == n_max
    assert admissible_exp(beta) != n_max + 1  # control


@pytest.mark.parametrize("beta, n_max", [("3", 1), ("5", 3), ("10", 8)])
def test_admissible_polynomial(beta: str, n_max: int) -> None:
    assert admissible_poly(beta) == n_max
    assert admissible_poly(beta) != math.floor(0.99 * float(beta))  # control: the "- 1" of Thm 5.1(B) matters


def test_admissible_polynomial_threshold() -> None:
    assert admissible_poly("200/99") == 1
    assert admissible_poly(str(Fraction(200, 99) - Fraction(1, 10**9))) == 0


# --- scores and shifts (card §4.3, §4.4) ----------------------------------------------------------

@pytest.mark.parametrize("score, holds", [(-b * (s - g), True), (-b * (s + g), False)])
def test_lin_score(score: sp.Expr, holds: bool) -> None:
    assert is_zero(sp.sqrt(b) * g * sp.sqrt(b) * 1 + b * (-s) - score) is holds


@pytest.mark.parametrize("scale, holds", [(1 / sp.log(2), True), (1, False)])
def test_log_score_needs_the_1_over_log2_key(scale: sp.Expr, holds: bool) -> None:
    dot = (sp.sqrt(b) * sp.log(g)) * (sp.sqrt(b) * scale * sp.log(2))
    assert is_zero(sp.expand_log(dot - b * sp.log(s) + b * sp.log(s / g), force=True)) is holds


@pytest.mark.parametrize("factor, holds", [(sp.exp(b * B), True), (sp.exp(-b * B), False)])
def test_lin_shift(factor: sp.Expr, holds: bool) -> None:
    assert is_zero(sp.exp(-b * (s - B)) - factor * sp.exp(-b * s)) is holds


@pytest.mark.parametrize("factor, holds", [(B**b, True), (B ** (-b), False)])
def test_log_shift(factor: sp.Expr, holds: bool) -> None:
    assert is_zero(simplify_powers((s / B) ** (-b)) - factor * s ** (-b)) is holds


# --- the degenerate lin family: divided differences annihilate low powers ---------------------------

@pytest.mark.parametrize("T_, holds", [(3, True), (4, False)])
def test_divided_difference_weights(T_: int, holds: bool) -> None:
    # gamma_h = 1/prod_{j != h}(h - j) on nodes 1..4: sum_h gamma_h h^k = delta_{k, 3} for k = 0..3
    nodes = range(1, 5)
    gamma = [Fraction(1, math.prod(h - k for k in nodes if k != h)) for h in nodes]
    moments = [sum(gm * Fraction(h) ** k for gm, h in zip(gamma, nodes)) for k in range(4)]
    assert (moments == [1 if k == T_ else 0 for k in range(4)]) is holds


# --- rounding threshold behind the log width condition -------------------------------------------

@pytest.mark.parametrize("tolerance, holds", [(sp.Rational(1, 4), True), (1, False)])
def test_log_rounding_gap(tolerance: sp.Expr, holds: bool) -> None:
    # with |delta| <= tolerance/T and g <= T, the worst move of g e^delta is T(e^{tolerance/T} - 1), and rounding
    # returns g while it is below 1/2; T = 1 is the worst case of the bound e^u/4 used in the proof
    gap = sp.Integer(1) * (sp.exp(tolerance) - 1)
    assert bool(gap < sp.Rational(1, 2)) is holds


@pytest.mark.parametrize("K_, M_, L_", [(0, 1, 2), (0, 4, 2), (2, 2, 3), (1, 2, 3), (3, 5, 5), (4, 4, 5)])
def test_depth_formula(K_: int, M_: int, L_: int) -> None:
    layers = K_ + 1 + (1 if M_ >= K_ + 1 else 0)
    assert layers == L_
    assert K_ + 1 != L_ or M_ == K_  # control: without the indicator only K = M fits
