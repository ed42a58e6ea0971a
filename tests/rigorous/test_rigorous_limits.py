"""Crashes, runaways and recheck's contract on adversarial input (issue #11, classes 5-6).

A rule that cannot apply skips itself, SymPy's own errors never escape raw, every budget (cells,
seconds, bits of cut points) ends a search inconclusive with what it spent, and recheck proves the
caller's statement (box and strictness), never the certificate's.
"""

import dataclasses
from fractions import Fraction

import pytest
import sympy as sp

from approxtheory.core import ApproxTheoryError, Status
from approxtheory.rigorous import certify_leq, enclose, evaluate, nonnegative_on_orthant, recheck
from approxtheory.rigorous.comparison import confirm_counterexample
from approxtheory.rigorous.search import DEFAULT_MAX_BITS, Budget, bits, defined_cover
from approxtheory.rigorous.target import Target

x, y, t, b = sp.symbols("x y t b")
TIGHT = (t * sp.exp(-b * t), 1 / (sp.E * b), {"t": (0, 10), "b": ("1/2", 4)})  # = 0 all along t = 1/b


# --- 5. rules that cannot apply, raw SymPy errors ----------------------------------------------------

@pytest.mark.parametrize("budget", [5, 10, 20, 50])
def test_critical_point_outside_the_domain_skips_the_rule(budget: int) -> None:
    c = certify_leq(3 * sp.log(t + 3) - t**2, 4, {t: (-1, 2)}, budget=budget)  # t* = (-3 - sqrt 15)/2 < -1
    assert c.status in (Status.CERTIFIED, Status.INCONCLUSIVE)
    c = certify_leq(3 * sp.log(t + 3 + y) - t**2, 4, {t: (-1, 2), y: (0, "1/8")}, budget=budget)
    assert c.status in (Status.CERTIFIED, Status.INCONCLUSIVE)  # that critical point depends on y: not dropped


def test_max_and_min_at_a_point_where_an_argument_is_undefined() -> None:
    for lhs in (sp.Max(sp.log(x), -1), sp.Min(sp.log(x), y), sp.Max(1 / x, y)):
        box = {str(s): (0 if s == x else (0, 1)) for s in lhs.free_symbols}
        assert certify_leq(lhs, 1, box).status is Status.INCONCLUSIVE
    assert confirm_counterexample(sp.Max(sp.log(x), 2), 1, {"x": 0}, False, 128) is None
    assert certify_leq(sp.Max(sp.log(x), -1), 1, {x: (0, 1)}, budget=300).status is not Status.REFUTED


@pytest.mark.parametrize("expr", [sp.exp(x), 1 / x, sp.sqrt(x), x**y, sp.Abs(x - 2) + 1, sp.log(x + 2)])
def test_the_orthant_test_names_a_non_polynomial(expr: sp.Expr) -> None:
    with pytest.raises(ApproxTheoryError, match="not a polynomial"):
        nonnegative_on_orthant(expr, {s: 1 for s in expr.free_symbols})


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (certify_leq, (x < 1, 1, {"x": (0, 1)})),
        (certify_leq, (sp.Matrix([x]), 1, {"x": (0, 1)})),
        (certify_leq, (x, 1, {"x": (0, 1, 2)})),
        (certify_leq, (x, 1, {"x": None})),
        (certify_leq, (x, 1, {3: (0, 1)})),
        (certify_leq, (sp.Function("f")(x), 1, {"x": (0, 1)})),
        (certify_leq, (sp.Indexed("a", 1), 1, {})),
        (certify_leq, ("log(x, 0)", 1, {"x": (1, 2)})),
        (certify_leq, (x, 1, {"x": (0, 1)}, {"seconds": 0})),
        (certify_leq, (x, 1, {"x": (0, 1)}, {"max_bits": 2})),
        (enclose, (sp.gamma(x), {"x": (1, 2)})),
        (enclose, (x, {"x": ("1", "1/0")})),
        (evaluate, (sp.Max(sp.log(x), 1), {"x": 0})),
        (evaluate, (x, {"x": (0, 1)})),
        (nonnegative_on_orthant, (x, {x: 0.5})),
    ],
)
def test_bad_input_is_one_clear_error(call, args) -> None:  # noqa: ANN001 - the entry points differ
    kwargs = args[-1] if isinstance(args[-1], dict) and call is certify_leq and len(args) == 4 else {}
    with pytest.raises(ApproxTheoryError):
        call(*(args[:-1] if kwargs else args), **kwargs)


# --- 5. budgets: cells, seconds, bits --------------------------------------------------------------

def test_x_to_the_x_stops_within_its_bit_limit_instead_of_running_away() -> None:
    c = certify_leq(x**x, 1, {x: (0, 1)}, budget=3000)  # undefined at 0: cells shrink toward it forever
    assert c.status is Status.INCONCLUSIVE and c.stopped == "bits"
    assert c.cells_used <= 3000 and 0 < c.max_bits <= DEFAULT_MAX_BITS
    d = c.to_dict()
    assert {"seconds", "max_bits", "stopped", "cells_used"} <= set(d)


def test_each_limit_is_reported_as_what_stopped_the_search() -> None:
    c = certify_leq(sp.sin(x), 1, {x: (0, 3)}, max_bits=16)  # tight at the irrational pi/2
    assert c.status is Status.INCONCLUSIVE and c.stopped == "bits" and c.max_bits <= 16
    c = certify_leq(sp.sin(x), 1, {x: (0, 3)}, budget=40)
    assert c.status is Status.INCONCLUSIVE and c.stopped == "cells" and c.cells_used <= 40
    c = certify_leq(sp.sin(x) * sp.sin(y), 1, {x: (0, 3), y: (0, 3)}, budget=10**7, max_bits=10**6, seconds=0.2)
    assert c.status is Status.INCONCLUSIVE and c.stopped == "seconds"
    c = certify_leq(1 / x, 0, {x: 0})  # undefined at the one point: inconclusive, but no limit was reached
    assert c.status is Status.INCONCLUSIVE and c.stopped is None and c.cells_used == 1


# --- 6. recheck proves the caller's statement ----------------------------------------------------------

def test_recheck_requires_the_box_and_the_strictness() -> None:
    lhs, rhs, box = TIGHT
    c = certify_leq(lhs, rhs, box)
    assert c.status is Status.CERTIFIED
    with pytest.raises(TypeError):
        recheck(lhs, rhs, c)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        recheck(lhs, rhs, c, box)  # type: ignore[call-arg]
    assert recheck(lhs, rhs, c, box, strict=False)
    with pytest.raises(ApproxTheoryError, match="strict must be True or False"):
        recheck(lhs, rhs, c, box, strict=None)  # type: ignore[arg-type]
    assert not recheck(lhs, rhs, c, box, strict=True)  # lhs = rhs along t = 1/b
    assert not recheck(lhs, rhs, dataclasses.replace(c, strict=True), box, strict=True)
    with pytest.raises(ApproxTheoryError):
        recheck(lhs, rhs, c, {"t": (0, 10)}, strict=False)


def test_strict_check_at_critical_points_is_not_switched_off() -> None:
    """Kills the one-line bug "f = 0 at the critical points accepted for a strict inequality" in the
    search (rule (d) then certifies lhs < rhs although lhs = rhs along t = 1/b) and in recheck."""
    lhs, rhs, box = TIGHT
    for budget in (8, 20, 40):  # small budgets reach rule (d) before subdivision meets an exact zero
        assert certify_leq(lhs, rhs, box, strict=True, budget=budget).status is not Status.CERTIFIED
    c = certify_leq(lhs, rhs, box, budget=20)
    assert c.status is Status.CERTIFIED and c.cells[0]["rule"]["interior"][0]["exact_zero"] is True
    assert not recheck(lhs, rhs, c, box, strict=True)


@pytest.mark.parametrize("max_bits", [16, 32, DEFAULT_MAX_BITS])
def test_cells_stuck_at_the_bit_limit_still_reach_the_critical_point_rule(max_bits: int) -> None:
    """x + 2/x >= 2 sqrt 2 is tight at the irrational x = sqrt 2: subdivision alone reaches the bit limit
    there, and rule (d) must still be tried (it proves the inequality exactly)."""
    c = certify_leq(2 * sp.sqrt(2), x + 2 / x, {x: ("1/2", 4)}, budget=3000, max_bits=max_bits)
    assert c.status is Status.CERTIFIED and c.max_bits <= max_bits
    assert [e["rule"]["rule"] for e in c.cells] == ["critical"]
    assert recheck(2 * sp.sqrt(2), x + 2 / x, c, {x: ("1/2", 4)}, strict=False)


# --- rule (d)'s C^1 cover ---------------------------------------------------------------------------------

UNIT = ((Fraction(0), Fraction(1)),)


def test_the_c1_cover_of_a_smooth_function_is_the_box_itself() -> None:
    assert defined_cover(Target(x**2, ("x",)), 0, UNIT, Budget(100)) == [UNIT]


def test_no_c1_cover_where_the_derivative_is_undefined_at_a_corner() -> None:
    # sqrt is defined at 0 but its derivative is not: no cover, found at the corner before any bit limit.
    budget = Budget(10**6, max_bits=16)
    assert defined_cover(Target(sp.sqrt(x), ("x",)), 0, UNIT, budget) is None
    assert not budget.bits_hit and budget.used == 1


def test_no_c1_cover_around_an_irrational_pole_stops_at_the_bit_limit() -> None:
    # 1/(x^2 - 2) is undefined only at sqrt(2), never a cut point: the cells around it shrink to the bit limit.
    budget = Budget(10**6, max_bits=16)
    assert defined_cover(Target(1 / (x**2 - 2), ("x",)), 0, ((Fraction(1), Fraction(2)),), budget) is None
    assert budget.bits_hit and budget.used < 100


def test_the_bit_size_of_a_cut_point_is_its_longer_part() -> None:
    # 3 / 2^40 has a 2-bit numerator but needs 41 bits: the bit limit must see the denominator.
    assert bits(Fraction(3, 2**40)) == 41 == bits(Fraction(2**40, 3))
