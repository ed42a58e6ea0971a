"""enclose / enclosure_interval: sound Arb balls, narrow at points, non-finite outside the domain."""

from fractions import Fraction

import flint
import mpmath
import pytest
import sympy as sp

from approxtheory.core import ApproxTheoryError
from approxtheory.rigorous import enclose, enclosure_interval, working_precision

x, y = sp.symbols("x y")


def _fraction(value: mpmath.mpf) -> Fraction:
    man, exp = value.man_exp
    return Fraction(man) * Fraction(2) ** exp


def _contains(ball: flint.arb, value: mpmath.mpf) -> bool:
    lo, hi = enclosure_interval(ball)
    return Fraction(lo) <= _fraction(value) <= Fraction(hi)


def test_point_enclosure_contains_true_value_and_is_narrow() -> None:
    ball = enclose(sp.E * sp.LambertW(sp.exp(-1)), {}, prec=128)
    with mpmath.workdps(60):
        ref = mpmath.e * mpmath.lambertw(mpmath.exp(-1)).real
        assert _contains(ball, ref)
    assert ball.rad() < flint.arb(2) ** -100
    assert flint.ctx.prec == 53  # the working precision was restored


def test_interval_enclosure_contains_samples() -> None:
    expr = sp.sin(x) * sp.exp(-y) + sp.sqrt(x) - sp.Min(x, y) + sp.Abs(x - y) + sp.tanh(x * y)
    ball = enclose(expr, {"x": (0, 2), y: ("1/3", 3)})
    assert ball.is_finite()
    for i in range(11):
        for j in range(11):
            xv = Fraction(2 * i, 10)
            yv = Fraction(1, 3) + Fraction(8 * j, 30)
            point = {x: sp.Rational(xv.numerator, xv.denominator), y: sp.Rational(yv.numerator, yv.denominator)}
            with mpmath.workdps(30):
                assert _contains(ball, mpmath.mpf(str(sp.N(expr.subs(point), 30))))


def test_out_of_domain_is_not_finite() -> None:
    assert not enclose(sp.log(x), {"x": (0, 1)}).is_finite()
    assert not enclose(1 / x, {"x": (-1, 1)}).is_finite()
    assert not enclose(sp.sqrt(x), {"x": (-1, 1)}).is_finite()
    assert not enclose(sp.LambertW(x), {"x": (-1, 0)}).is_finite()


def test_powers_are_tight_and_sound() -> None:
    sq = enclose((x - 1) ** 2, {"x": (0, 2)})
    assert sq.lower() >= 0 and sq.upper() >= 1
    cube = enclose(x**3, {"x": (-2, 1)})
    assert cube.lower() <= -8 and cube.upper() >= 1
    assert enclose(x ** sp.Rational(1, 3), {"x": (0, 8)}).upper() >= 2
    assert enclose(2**x, {"x": (0, 3)}).upper() >= 8


def test_float_is_enclosed_as_its_binary_value() -> None:
    ball = enclose(sp.Float(0.1), {}, prec=200)
    exact = Fraction(0.1)  # the binary double SymPy holds
    lo, hi = enclosure_interval(ball)
    assert Fraction(lo) <= exact <= Fraction(hi)
    assert not (Fraction(lo) <= Fraction(1, 10) <= Fraction(hi))


def test_undeclared_infinity_and_unsupported_are_errors() -> None:
    with pytest.raises(ApproxTheoryError):
        enclose(x + sp.oo, {"x": 1})
    with pytest.raises(ApproxTheoryError):
        enclose(sp.exp(-x) * sp.zoo, {"x": 1})
    with pytest.raises(ApproxTheoryError):
        enclose(sp.gamma(x), {"x": 1})
    with pytest.raises(ApproxTheoryError):
        enclose(x + y, {"x": 1})
    with pytest.raises(ApproxTheoryError):
        enclose(x, {"x": 0.5})


def test_enclosure_interval_rounds_outward() -> None:
    ball = enclose(sp.Rational(1, 3), {}, prec=64)
    lo, hi = enclosure_interval(ball)
    assert Fraction(lo) < Fraction(1, 3) < Fraction(hi)
    assert enclosure_interval(enclose(sp.Rational(3, 8), {})) == ("0.375", "0.375")
    with pytest.raises(ApproxTheoryError):
        enclosure_interval(enclose(sp.log(x), {"x": (0, 1)}))


def test_working_precision_restores_on_error() -> None:
    with pytest.raises(RuntimeError):
        with working_precision(300):
            assert flint.ctx.prec == 300
            raise RuntimeError
    assert flint.ctx.prec == 53
