"""JL24's closed-form fixtures in SymPy: POD tails (Hurwitz zeta), the mixing example's singular values,
the C_RNN of an exponential kernel and the printed kernel identity of Prop. 6.3. Each with a negative control."""

from __future__ import annotations

import pytest
import sympy as sp

u, v = sp.symbols("u v", real=True)
k = sp.Symbol("k", integer=True, positive=True)


def l2(expr: sp.Expr, *vars_: sp.Symbol) -> sp.Expr:
    for var in vars_:
        expr = sp.integrate(expr, (var, 0, 1))
    return sp.simplify(expr)


@pytest.mark.parametrize("r, holds", [(10, True), (9, False)])
def test_finite_tail_is_a_difference_of_hurwitz_zetas(r: int, holds: bool) -> None:
    # alpha = 1: sum_{k=5..10} k^-2 = zeta(2, 5) - zeta(2, 11), both sides exact.
    direct = sum(sp.Rational(1, kk**2) for kk in range(5, 11))
    assert sp.simplify(sp.zeta(2, 5) - sp.zeta(2, r + 1) - direct).equals(0) is holds


def test_tail_sandwich_integrals() -> None:
    x = sp.Symbol("x", positive=True)
    a, m = sp.symbols("a m", positive=True)  # alpha = 1/2 + a
    assert sp.simplify(sp.integrate(x ** (-1 - 2 * a), (x, m + 1, sp.oo)) - (m + 1) ** (-2 * a) / (2 * a)) == 0
    assert sp.simplify(sp.integrate(x ** (-1 - 2 * a), (x, m, sp.oo)) - m ** (-2 * a) / (2 * a)) == 0
    # alpha = 1, m = 4: 1/5 <= zeta(2, 5) = pi^2/6 - 205/144 <= 1/4; and the control 1/4 <= 1/5 fails.
    zeta = sp.pi**2 / 6 - sum(sp.Rational(1, kk**2) for kk in range(1, 5))
    assert sp.simplify(sp.zeta(2, 5) - zeta) == 0
    assert sp.Rational(1, 5) < zeta < sp.Rational(1, 4)
    assert not sp.Rational(1, 4) < zeta


def test_mixing_example_singular_values() -> None:
    rho = 1 + 2 * sp.sin(2 * sp.pi * u) * sp.sin(2 * sp.pi * v)
    mixed = sp.expand(sp.expand_trig(rho.subs(v, u + v)))
    g = [sp.Integer(1), (1 - sp.cos(4 * sp.pi * u)) / sp.sqrt(2), sp.sin(4 * sp.pi * u) / sp.sqrt(2)]
    e = [sp.Integer(1), sp.sqrt(2) * sp.cos(2 * sp.pi * v), sp.sqrt(2) * sp.sin(2 * sp.pi * v)]
    assert sp.simplify(mixed - sp.expand(sp.expand_trig(sum(gi * ei for gi, ei in zip(g, e))))) == 0
    assert sp.Matrix(3, 3, lambda i, j: l2(e[i] * e[j], v)) == sp.eye(3)
    gram = sp.Matrix(3, 3, lambda i, j: l2(g[i] * g[j], u))
    assert gram == sp.Matrix([[1, 1 / sp.sqrt(2), 0], [1 / sp.sqrt(2), sp.Rational(3, 4), 0], [0, 0, sp.Rational(1, 4)]])
    values = sorted((sp.sqrt(ev) for ev in gram.eigenvals()), key=lambda z: -float(z))
    exact = [sp.sqrt((7 + sp.sqrt(33)) / 8), sp.Rational(1, 2), sp.sqrt((7 - sp.sqrt(33)) / 8)]
    assert all(sp.simplify(x - y) == 0 for x, y in zip(values, exact))
    assert abs(float(exact[0]) - 1.2621689) < 5e-8 and abs(float(exact[2]) - 0.3961435) < 5e-8
    assert sp.simplify(sum(z**2 for z in exact) - l2(rho**2, u, v)) == 0  # both are 2
    # Control: the unmixed coupling's x1-factors (1, sqrt2 sin) have Gram I_2, rank 2 with sigma = (1, 1).
    unmixed = sp.Matrix(2, 2, lambda i, j: l2([sp.Integer(1), sp.sqrt(2) * sp.sin(2 * sp.pi * u)][i]
                                               * [sp.Integer(1), sp.sqrt(2) * sp.sin(2 * sp.pi * u)][j], u))
    assert unmixed == sp.eye(2) and gram.rank() == 3


@pytest.mark.parametrize("beta_factor, in_set", [(2, True), (1, False), (sp.Rational(1, 2), False)])
def test_c_rnn_of_an_exponential_kernel(beta_factor: sp.Expr, in_set: bool) -> None:
    t, gamma, c = sp.Symbol("t", positive=True), sp.Rational(3, 2), sp.Rational(-2, 3)
    limit = sp.limit(sp.exp(t / (beta_factor * gamma)) * abs(c) * sp.exp(-t / gamma), t, sp.oo)
    assert (limit == 0) is in_set  # the set in (73) is {beta > gamma}: C1 = 1 + gamma = 5/2
    c1 = 1 + gamma
    env = abs(c) * sp.exp(t / c1 - t / gamma)
    assert sp.diff(env, t).is_negative and env.subs(t, 0) == sp.Rational(2, 3)  # C2 = |c|
    assert c1 * abs(c) == sp.Rational(5, 3)


def test_printed_kernel_identity_drops_future_inputs() -> None:
    th0, th1, r0, r1 = sp.symbols("theta0 theta1 rho0 rho1", nonzero=True)
    x0, x1 = sp.symbols("x0 x1")
    mixed_0 = r0 * (th0 * x0 + th1 * x1)  # H~_0(x) = H_0(theta * x) = rho(0) (theta * x)[0]
    printed_0 = (th0 * r0 + th1 * r1) * x0  # sum_{s=0..0} rho~[s] x[-s] with rho~[0] = theta0 rho0 + theta1 rho1
    assert sp.expand(mixed_0 - printed_0) != 0
    assert sp.diff(mixed_0, x1) == r0 * th1  # H~_0 reads the future input x(1)
    assert sp.expand(mixed_0.subs(th1, 0) - printed_0.subs(th1, 0)) == 0  # control: a length-1 filter agrees
