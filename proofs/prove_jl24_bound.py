"""JL24.thm4.2's bound, step by step in SymPy: the minimiser in m_h and its exponent (JL24.cor.opt_mh),
the vanishing condition (JL24.cor.vanish), Lemma A.4 and the softmax identity behind JL24.fix.const_seq.

alpha > 1/2 is written alpha = 1/2 + a with a > 0. Every check also runs on a perturbed statement that
must fail, so none of these tests can pass vacuously.
"""

from __future__ import annotations

import pytest
import sympy as sp

a, b, tau, c0, c1, c2, m, mff, q = sp.symbols("a beta tau C0 C1 C2 m_h m_FF q", positive=True)
alpha = sp.Rational(1, 2) + a
E = tau**2 * c0 * (c1 / m ** (2 * alpha - 1) + c2 * m ** (b + 1) / mff**b)
M_STAR = ((2 * alpha - 1) * c1 * mff**b / ((b + 1) * c2)) ** (1 / (2 * alpha + b))


def is_zero(expr: sp.Expr) -> bool:
    return sp.simplify(sp.powsimp(sp.expand(expr), force=True)) == 0


def bracket(mm: sp.Expr, scale: sp.Expr = 1) -> sp.Expr:
    return -(2 * alpha - 1) * c1 + scale * (b + 1) * c2 * mm ** (2 * alpha + b) / mff**b


def test_derivative_is_a_positive_factor_times_an_increasing_bracket() -> None:
    assert is_zero(sp.diff(E, m) * m ** (2 * alpha) / (tau**2 * c0) - bracket(m))
    assert not is_zero(sp.diff(E, m) * m ** (2 * alpha) / (tau**2 * c0) - bracket(m, 2))  # control
    assert sp.diff(bracket(m), m).is_positive
    assert sp.limit(bracket(m), m, 0, "+").is_negative and sp.limit(bracket(m), m, sp.oo) == sp.oo


@pytest.mark.parametrize("candidate, holds", [(M_STAR, True), (M_STAR * 2, False),
                                              ((c1 * mff**b / c2) ** (1 / (2 * alpha + b)), False)])
def test_minimiser_is_the_root(candidate: sp.Expr, holds: bool) -> None:
    assert is_zero(bracket(candidate)) is holds


@pytest.mark.parametrize("factor, holds", [((2 * alpha + b) / (b + 1), True), (1, False)])
def test_value_at_the_minimiser(factor: sp.Expr, holds: bool) -> None:
    # E = tau^2 C0 m^(1-2 alpha) (C1 + C2 m^(2 alpha+beta)/m_FF^beta) and m*^(2 alpha+beta) = (2 alpha-1) C1 m_FF^b/((b+1) C2).
    assert is_zero(E - tau**2 * c0 * m ** (1 - 2 * alpha) * (c1 + c2 * m ** (2 * alpha + b) / mff**b))
    power = sp.powsimp(M_STAR ** (2 * alpha + b), force=True)
    assert is_zero(power - (2 * alpha - 1) * c1 * mff**b / ((b + 1) * c2))
    assert is_zero(c1 + c2 * power / mff**b - c1 * factor) is holds


@pytest.mark.parametrize("exponent, holds", [(-b * (2 * alpha - 1) / (2 * alpha + b), True), (-b / (2 * alpha + b), False)])
def test_exponent_in_m_ff(exponent: sp.Expr, holds: bool) -> None:
    e_star = tau**2 * c0 * c1 * (2 * alpha + b) / (b + 1) * M_STAR ** (1 - 2 * alpha)
    slope = sp.diff(sp.expand_log(sp.log(e_star), force=True), mff) * mff
    assert is_zero(slope - exponent) is holds
    if holds:  # the card's example: alpha = 1, beta = 1/2 gives -1/5
        assert exponent.subs({a: sp.Rational(1, 2), b: sp.Rational(1, 2)}) == sp.Rational(-1, 5)


def test_vanishing_condition() -> None:
    e_q = E.subs(mff, (q * m ** (b + 1)) ** (1 / b))
    assert is_zero(e_q - tau**2 * c0 * (c1 * m ** (-2 * a) + c2 / q))
    concrete = E.subs({a: sp.Rational(1, 2), b: sp.Rational(1, 2)})
    assert sp.limit(concrete.subs(mff, m**4), m, sp.oo) == 0  # m_FF / m_h^3 -> oo
    assert sp.limit(concrete.subs(mff, m**3), m, sp.oo) == tau**2 * c0 * c2  # control: q = 1, no vanishing
    assert sp.limit(concrete, m, sp.oo) == sp.oo  # m_FF fixed: the bound grows


def test_monotonicity_signs() -> None:
    for var in (tau, c0, c1, c2):
        assert sp.diff(E, var).is_positive
    assert sp.diff(E, mff).is_negative
    assert sp.diff(E, m).is_positive is None  # control: in m_h the sign changes at m_h*


def test_lemma_a4() -> None:
    x, y, xh, yh = sp.symbols("a b ahat bhat", real=True)
    # ab - ahat bhat = a (b - bhat) + bhat (a - ahat): the triangle inequality gives the first bound,
    # and |bhat| <= |b| + |b - bhat| the second.
    assert sp.expand(x * y - xh * yh - (x * (y - yh) + yh * (x - xh))) == 0
    assert sp.expand(x * y - xh * yh - (x * (y - yh) + y * (x - xh))) != 0  # control: bhat is needed
    pts = [(1, -2, 3, 0.5), (-0.3, 0.7, 2, -5)]
    for va, vb, vah, vbh in pts:
        lhs = abs(va * vb - vah * vbh)
        assert lhs <= abs(va) * abs(vb - vbh) + abs(vbh) * abs(va - vah) + 1e-15
        assert lhs <= abs(va) * abs(vb - vbh) + abs(vb) * abs(va - vah) + abs(va - vah) * abs(vb - vbh) + 1e-15


def test_softmax_weights_sum_to_one() -> None:  # JL24.fix.const_seq: H_t(c, ..., c) = F(f(c))
    l0, l1, l2 = sp.symbols("l0 l1 l2", real=True)
    weights = [sp.exp(li) / (sp.exp(l0) + sp.exp(l1) + sp.exp(l2)) for li in (l0, l1, l2)]
    assert sp.simplify(sum(weights) - 1) == 0
    assert sp.simplify(sum(weights[:2]) - 1) != 0  # control
