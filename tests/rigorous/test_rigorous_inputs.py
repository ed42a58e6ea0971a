"""The input door of the rigorous layer on adversarial input (issue #11, classes 1-4).

Assumptions the box violates, SymPy Floats, strings with constant-looking names or code, box keys
that name nothing, and internal names a user symbol could collide with.
"""

from fractions import Fraction

import pytest
import sympy as sp
from flint import arb

from approxtheory.core import ApproxTheoryError, Status
from approxtheory.rigorous import certify_leq, enclose, evaluate, nonnegative_on_orthant, recheck
from approxtheory.rigorous.assumptions import check_symbol

x, y, t = sp.symbols("x y t")
F = Fraction


# --- 1. assumptions against the box -------------------------------------------------------------

def test_extended_assumption_outside_the_box_is_refused_not_certified() -> None:
    xe = sp.Symbol("x", extended_nonnegative=True)  # Abs(xe) is rewritten to xe
    with pytest.raises(ApproxTheoryError, match="extended_n"):
        certify_leq(sp.Abs(xe), 0, {xe: (-1, 0)})


def test_enclose_checks_assumptions_too() -> None:
    p = sp.Symbol("p", positive=True)  # sqrt(p**2) is p
    with pytest.raises(ApproxTheoryError, match="positive"):
        enclose(sp.sqrt(p**2), {p: (-2, -1)})
    ball = enclose(sp.sqrt(p**2), {p: (1, 2)})
    assert ball.lower() > 0.99 and ball.upper() < 2.01


@pytest.mark.parametrize(
    ("sym", "box"),
    [
        (sp.Symbol("z", real=False), (0, 1)),
        (sp.Symbol("i", imaginary=True), (0, 0)),
        (sp.Symbol("w", finite=False), (0, 1)),
        (sp.Symbol("q", extended_negative=True), (-1, 1)),
        (sp.Symbol("m", nonzero=True), (-1, 1)),
        (sp.Symbol("n", integer=True), ("1/3", "2/3")),  # no integer inside
        (sp.Symbol("e", even=True), (0, 10)),
        (sp.Symbol("r", noninteger=True), (0, 1)),
        (sp.Symbol("a", irrational=True), (1, 2)),
        (sp.Symbol("c", zero=True), (0, 1)),
        (sp.Symbol("k", nonpositive=True), ("-1", "1/1000")),
        (sp.Symbol("P", polar=True), (1, 2)),
    ],
)
def test_every_kind_of_assumption_is_checked_in_every_entry_point(sym: sp.Symbol, box: tuple) -> None:
    with pytest.raises(ApproxTheoryError):
        certify_leq(sym, 5, {sym: box})
    with pytest.raises(ApproxTheoryError):
        enclose(sym + 1, {sym: box})
    with pytest.raises(ApproxTheoryError):
        recheck(sym, 5, certify_leq(x, 5, {x: (0, 1)}), {sym: box}, strict=False)


def test_the_orthant_test_checks_assumptions_on_all_of_lower_to_infinity() -> None:
    with pytest.raises(ApproxTheoryError, match="negative"):
        nonnegative_on_orthant(-sp.Symbol("q", negative=True), {"q": -5})  # [-5, oo) holds q = 1
    with pytest.raises(ApproxTheoryError, match="prime"):
        nonnegative_on_orthant(sp.Symbol("n", integer=True, prime=False), {"n": 4})  # 5 is prime
    k = sp.Symbol("k", integer=True)
    assert nonnegative_on_orthant(k**2 - k, {k: 1})  # (1 + s)^2 - (1 + s) = s^2 + s
    assert not nonnegative_on_orthant(k**2 - k, {k: "1/3"})  # the real relaxation dips below 0 at 1/2: proves nothing


def test_assumptions_the_box_respects_are_accepted() -> None:
    assert check_symbol(sp.Symbol("n", negative=True, integer=True), F(-5), F(-1))  # prime=False, composite=False hold
    assert not check_symbol(sp.Symbol("m", nonzero=True), F(1), F(2))
    assert check_symbol(sp.Symbol("k", positive=True, integer=True), F(1), None)
    with pytest.raises(ApproxTheoryError):
        check_symbol(sp.Symbol("n", integer=True, prime=False), F(2), F(3))  # 2 and 3 are prime
    p = sp.Symbol("p", positive=True)
    c = certify_leq(sp.sqrt(p**2), p, {p: ("1/2", 2)})
    assert c.status is Status.CERTIFIED


def test_integer_symbols_range_over_their_integers() -> None:
    n = sp.Symbol("n", integer=True)
    assert certify_leq(n + sp.sin(sp.pi * n), 3, {n: (0, 3)}).status is Status.CERTIFIED  # sin(pi n) is 0
    r = sp.Symbol("n")
    assert certify_leq(r + sp.sin(sp.pi * r), 3, {r: (0, 3)}).status is Status.REFUTED  # 3.5 at n = 5/2
    c = certify_leq(n, sp.Rational(5, 2), {n: ("1/2", 7)})
    assert c.status is Status.REFUTED and F(c.witness["point"]["n"]).denominator == 1


def test_the_box_key_must_be_the_expressions_own_symbol() -> None:
    p = sp.Symbol("p", positive=True)
    with pytest.raises(ApproxTheoryError, match="another symbol"):
        certify_leq(p, 1, {sp.Symbol("p"): (1, 2)})
    with pytest.raises(ApproxTheoryError, match="both named"):
        certify_leq(p, sp.Symbol("p"), {"p": (1, 2)})


# --- 2. one Float policy: a Float is the exact binary rational it holds ---------------------------

def test_binary_point_one_exceeds_one_tenth() -> None:
    c = certify_leq(sp.Float(0.1) * t, t / 10, {t: (0, 1)})
    assert c.status is Status.REFUTED  # 0.1 is 3602879701896397/2**55 > 1/10
    assert F(c.witness["lhs_minus_rhs"][0]) > 0
    assert certify_leq(t / 10, sp.Float(0.1) * t, {t: (0, 1)}).status is Status.CERTIFIED


def test_strict_true_inequality_with_floats_is_not_refuted() -> None:
    assert certify_leq(t / 10, sp.Float(0.1) * t, {t: (1, 2)}, strict=True).status is Status.CERTIFIED
    c = certify_leq(x / 2, sp.Float(0.5) * x + sp.Float(1e-30), {x: (0, 1)}, strict=True)
    assert c.status is Status.CERTIFIED
    hi_prec = sp.Float("0.1", 40)  # another binary value, still not 1/10: the verdict follows its exact value
    above = sp.Rational(hi_prec) > sp.Rational(1, 10)
    c = certify_leq(sp.Rational(1, 10), hi_prec, {}, strict=True)
    assert c.status is (Status.CERTIFIED if above else Status.REFUTED)


def test_floats_are_exact_in_enclose_evaluate_recheck_and_the_orthant_test() -> None:
    ball = enclose(sp.Float(0.1) * x - 1, {x: 10})
    assert ball.lower() > 0  # 10 * binary(0.1) - 1 = 2**-54 > 0
    assert evaluate(sp.Float(0.1) * x, {x: 10}, dps=30) > 1
    c = certify_leq(t / 10, sp.Float(0.1) * t, {t: (0, 1)})
    assert recheck(t / 10, sp.Float(0.1) * t, c, {t: (0, 1)}, strict=False)
    up = sp.Add(sp.Float(0.1) * x, -x / 10, evaluate=False)
    assert nonnegative_on_orthant(up, {x: 0})
    assert not nonnegative_on_orthant(sp.Add(x / 10, -sp.Float(0.1) * x, evaluate=False), {x: 0})


# --- 3. strings: no implicit constants, no code, exact keys -----------------------------------------

@pytest.mark.parametrize("name", ["E", "pi", "I", "S", "N", "Q", "oo", "EulerGamma"])
def test_constant_names_in_strings_are_plain_symbols(name: str) -> None:
    c = certify_leq(name, "2", {name: ("0", "2")})
    assert c.status is Status.CERTIFIED
    assert certify_leq(f"{name}*{name}", "1", {name: ("-1", "1")}).status is Status.CERTIFIED


def test_strings_read_decimals_exactly_and_powers_with_caret() -> None:
    assert certify_leq("0.1*t", "t/10", {"t": ("0", "1")}).status is Status.CERTIFIED
    assert certify_leq("x^2 - 2*x + 1", "0", {"x": ("1", "1")}).status is Status.CERTIFIED
    assert certify_leq("abs(x) + Max(x, 0)", "2", {"x": ("-1", "1")}).status is Status.CERTIFIED


@pytest.mark.parametrize(
    "text",
    ["__import__('os').system('true')", "x.__class__", "(lambda: 1)()", "[x][0]", "x if x else 1", "f(x)",
     "exp(x, 2)", "open('/tmp/at', 'w')", "x; y", "x == 1", "'x'", "1j*x", "x" * 20001, "2**10**10",
     "x**(1/100001)", "9**9**9", "1e999999999*x"],
)
def test_strings_that_are_not_plain_formulas_are_refused(text: str) -> None:
    with pytest.raises(ApproxTheoryError):
        certify_leq(text, "1", {"x": ("0", "1")})


def test_exponents_too_large_for_exact_points_are_refused_in_expressions_too() -> None:
    with pytest.raises(ApproxTheoryError, match="exponent"):
        certify_leq(x**100_000, 1, {x: (0, 1)})
    assert certify_leq("x**9999", 1, {"x": (0, 1)}).status is Status.CERTIFIED


def test_box_values_may_name_constants_but_not_code() -> None:
    assert enclose("x", {"x": "pi"}).overlaps(arb.pi())
    with pytest.raises(ApproxTheoryError):
        enclose("x", {"x": "__import__('os')"})


def test_box_keys_match_the_free_symbols_exactly() -> None:
    with pytest.raises(ApproxTheoryError, match="no free symbol"):
        certify_leq("E", "2", {"F": ("0", "2")})
    with pytest.raises(ApproxTheoryError, match="no free symbol"):
        certify_leq(x, 2, {"x": (0, 1), "y": (0, 1)})
    with pytest.raises(ApproxTheoryError, match="no interval"):
        certify_leq(x + y, 2, {"x": (0, 1)})
    with pytest.raises(ApproxTheoryError, match="no free symbol"):
        enclose(x, {"x": 1, "z": 2})
    with pytest.raises(ApproxTheoryError, match="no free symbol"):
        nonnegative_on_orthant(x, {x: 0, y: 0})


# --- 4. internal names ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["x__shift", "x_shift", "_x", "x_0", "s", "_Dummy_1"])
def test_orthant_shift_names_cannot_collide_with_user_symbols(name: str) -> None:
    s = sp.Symbol(name, nonnegative=True)
    assert not nonnegative_on_orthant(x - s + 1, {x: 0, s: 0})  # false at x = 0, s = 2
    assert not nonnegative_on_orthant(s - x, {x: 1, s: 0})
    assert nonnegative_on_orthant(x * s + x - 1, {x: 1, s: 0})
