"""evaluate: exact substitution, then high-precision evaluation."""

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from approxtheory.core import ApproxTheoryError
from approxtheory.rigorous import evaluate

x = sp.Symbol("x")


def test_lambertw_constants_to_50_digits() -> None:
    w = evaluate(sp.LambertW(sp.exp(-1)), {}, dps=50)
    ew = evaluate(sp.E * sp.LambertW(1 / sp.E), {}, dps=50)
    assert mpmath.nstr(w, 16) == "0.2784645427610738"
    assert mpmath.nstr(ew, 16) == "0.7569451064575837"
    with mpmath.workdps(70):
        ref = mpmath.lambertw(mpmath.exp(-1)).real
        assert abs(w - ref) < mpmath.mpf(10) ** -49
        assert abs(ew - mpmath.e * ref) < mpmath.mpf(10) ** -49


def test_values_are_read_exactly() -> None:
    third = evaluate(3 * x, {"x": "1/3"})
    assert third == 1
    assert evaluate(10 * x, {x: "0.1"}) == 1
    assert evaluate(3 * x, {"x": Fraction(1, 3)}) == 1
    assert evaluate(x**2, {"x": sp.sqrt(2)}) == 2


def test_matches_mpmath_at_requested_precision() -> None:
    got = evaluate(sp.log(1 + x), {"x": "1/7"}, dps=40)
    with mpmath.workdps(60):
        ref = mpmath.log(1 + mpmath.mpf(1) / 7)
    assert abs(got - ref) < mpmath.mpf(10) ** -38


def test_refuses_floats_missing_symbols_and_infinities() -> None:
    with pytest.raises(ApproxTheoryError):
        evaluate(x, {"x": 0.1})
    with pytest.raises(ApproxTheoryError):
        evaluate(x, {})
    with pytest.raises(ApproxTheoryError):
        evaluate(1 / x, {"x": 0})
    with pytest.raises(ApproxTheoryError):
        evaluate(sp.log(x), {"x": -1})
