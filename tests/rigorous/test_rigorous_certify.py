"""certify_leq: certified truths, confirmed refutations, honest INCONCLUSIVE on tight and near-miss cases."""

import json
from fractions import Fraction

import pytest
import sympy as sp

from approxtheory.core import ApproxTheoryError, Status
from approxtheory.rigorous import Comparison, certify_leq, enclose, recheck
from approxtheory.rigorous.comparison import _witness, confirm_counterexample

x, t, b = sp.symbols("x t b")


def _rules(cells: list) -> set[str]:
    return {c["rule"]["rule"] for c in cells}


def _confirmed(lhs: sp.Expr, rhs: sp.Expr, witness: dict, strict: bool = False) -> bool:
    """Independently re-enclose lhs - rhs at the witness point; it must be certainly > 0 (or exactly 0 if strict)."""
    point = {k: sp.Rational(v) for k, v in witness["point"].items()}
    diff = (lhs - rhs).subs({sp.Symbol(k): v for k, v in point.items()})
    if strict and diff == 0:
        return True
    return bool(enclose(diff, {}, prec=256).lower() > 0)


def test_log1p_below_identity_is_certified_despite_tightness_at_zero() -> None:
    c = certify_leq(sp.log(1 + x), x, {"x": (0, 10)})
    assert c.status is Status.CERTIFIED
    assert "monotone" in _rules(c.cells)  # naive subdivision alone cannot close the cell at 0
    assert recheck(sp.log(1 + x), x, c, {"x": (0, 10)}, strict=False)


def test_t_exp_minus_bt_is_certified_by_critical_point_elimination() -> None:
    lhs, rhs = t * sp.exp(-b * t), 1 / (sp.E * b)
    c = certify_leq(lhs, rhs, {"t": (0, 10), "b": ("1/2", 4)})
    assert c.status is Status.CERTIFIED
    assert _rules(c.cells) == {"critical"}
    rule = c.cells[0]["rule"]
    assert rule["var"] == "t" and rule["solutions"] == ["1/b"]
    assert rule["interior"][0]["exact_zero"] is True
    assert c.cells_used <= c.budget
    assert recheck(lhs, rhs, c, {"t": (0, 10), "b": ("1/2", 4)}, strict=False)
    json.dumps(c.to_dict())  # the certificate is JSON


def test_critical_point_rule_certifies_through_a_reduced_problem_that_is_not_zero() -> None:
    # On t = 1/b the difference is -(b - 2)^2: a reduced problem, itself tight at b = 2 (rule (d) nested).
    lhs, rhs, box = t * sp.exp(-b * t), 1 / (sp.E * b) + (b - 2) ** 2, {"t": (0, 10), "b": ("1/2", 4)}
    c = certify_leq(lhs, rhs, box)
    assert c.status is Status.CERTIFIED and _rules(c.cells) == {"critical"}
    assert [piece["exact_zero"] for piece in c.cells[0]["rule"]["interior"]] == [False]
    assert recheck(lhs, rhs, c, box, strict=False)


def test_false_inequalities_are_refuted_with_confirmed_witnesses() -> None:
    for lhs, rhs, box in [
        (x, sp.log(1 + x), {"x": (0, 10)}),
        (sp.sin(x), x / 2, {"x": (0, 3)}),
    ]:
        c = certify_leq(lhs, rhs, box)
        assert c.status is Status.REFUTED
        assert c.witness is not None and _confirmed(lhs, rhs, c.witness)
        lo, hi = (Fraction(v) for v in box["x"])
        assert lo <= Fraction(c.witness["point"]["x"]) <= hi
        assert not recheck(lhs, rhs, c, box, strict=False)


def test_tight_square_is_never_refuted_and_certified_only_with_a_valid_certificate() -> None:
    c = certify_leq(0, (x - 1) ** 2, {"x": (0, 2)})
    assert c.status is not Status.REFUTED
    if c.status is Status.CERTIFIED:
        assert recheck(0, (x - 1) ** 2, c, {"x": (0, 2)}, strict=False)


def test_near_miss_invisible_in_float64_is_refuted_at_x_equal_1() -> None:
    eps = sp.Rational(1, 10**30)
    c = certify_leq(eps, (x - 1) ** 2, {"x": (0, 2)})
    assert c.status is Status.REFUTED
    assert c.witness["point"] == {"x": "1"}
    assert _confirmed(eps, (x - 1) ** 2, c.witness)


def test_near_miss_at_an_irrational_point_is_never_certified() -> None:
    eps = sp.Rational(1, 10**30)
    c = certify_leq(eps, (x - sp.sqrt(2)) ** 2, {"x": (1, 2)}, budget=3000)
    assert c.status is not Status.CERTIFIED
    if c.status is Status.REFUTED:  # the failure set is an interval of width ~2e-15 around sqrt(2)
        assert _confirmed(eps, (x - sp.sqrt(2)) ** 2, c.witness)


def test_strict_inequality_fails_where_equality_holds() -> None:
    c = certify_leq(x * (1 - x), sp.Rational(1, 4), {"x": (0, 1)}, strict=True)
    assert c.status is Status.REFUTED and c.witness["point"] == {"x": "1/2"}
    c = certify_leq(x * (1 - x), sp.Rational(1, 4), {"x": (0, 1)})
    assert c.status is Status.CERTIFIED and recheck(x * (1 - x), sp.Rational(1, 4), c, {"x": (0, 1)}, strict=False)


def test_tiny_budget_is_inconclusive_within_budget() -> None:
    lhs, rhs = t * sp.exp(-b * t), 1 / (sp.E * b)
    for budget in (1, 2, 3):
        c = certify_leq(lhs, rhs, {"t": (0, 10), "b": ("1/2", 4)}, budget=budget)
        assert c.status is Status.INCONCLUSIVE
        assert c.cells_used <= budget
        assert c.max_upper is not None
        assert not recheck(lhs, rhs, c, {"t": (0, 10), "b": ("1/2", 4)}, strict=False)


def test_tight_at_irrational_interior_max_is_inconclusive_not_certified() -> None:
    c = certify_leq(sp.sin(x), 1, {"x": (0, 3)}, budget=400)
    assert c.status is Status.INCONCLUSIVE
    assert c.cells_used <= 400 and c.open_cells > 0
    assert Fraction(c.max_upper) > 0


def test_one_cell_certifies_what_one_enclosure_proves() -> None:
    # Subdivision gets the first cell before rule (d) (critical point x = 1/2 here) is tried, even when a
    # single cell is all there is.
    c = certify_leq(x * (1 - x), 2, {"x": (0, 1)}, budget=1)
    assert c.status is Status.CERTIFIED and c.cells_used == 1


def test_undefined_points_are_inconclusive() -> None:
    c = certify_leq(sp.log(x), 0, {"x": (0, 1)}, budget=300)
    assert c.status is Status.INCONCLUSIVE and c.max_upper == "inf"


def test_nonsmooth_and_multivariate_and_special_functions() -> None:
    y = sp.Symbol("y")
    cases = [
        (sp.Abs(x - 1), 2, {"x": (-1, 3)}),
        (sp.Min(x, 1 - x), sp.Rational(1, 2), {"x": (0, 1)}),
        (x * y, (x**2 + y**2) / 2, {"x": (0, 3), "y": (0, 3)}),
        (sp.LambertW(x), x, {"x": (0, 5)}),
        (1 + x, sp.exp(x), {"x": (-2, 2)}),
    ]
    for lhs, rhs, box in cases:
        c = certify_leq(lhs, rhs, box, budget=5000)
        assert c.status is Status.CERTIFIED, (lhs, rhs, c.status)
        assert recheck(lhs, rhs, c, box, strict=False)


def test_integer_symbols_get_integer_witnesses() -> None:
    n = sp.Symbol("n", integer=True, positive=True)
    c = certify_leq(n, sp.Rational(21, 2), {"n": (1, 20)})
    assert c.status is Status.REFUTED
    assert Fraction(c.witness["point"]["n"]).denominator == 1
    low = certify_leq(2, n, {"n": (1, 20)})  # false only at the box's lower end, n = 1
    assert low.status is Status.REFUTED and low.witness["point"]["n"] == "1" and low.open_cells == 0
    # a candidate between integers is rounded into the box; the box's own end is a valid witness
    confirm = _witness(sp.Integer(2), n, ("n",), ((Fraction(1), Fraction(20)),), {"n"}, False, 64)
    assert confirm(((Fraction(6, 5), Fraction(6, 5)),))["point"] == {"n": "1"}


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ApproxTheoryError):
        certify_leq(x, 1, {"x": (0, 0.5)})
    with pytest.raises(ApproxTheoryError):
        certify_leq(x, 1, {"y": (0, 1)})
    with pytest.raises(ApproxTheoryError):
        certify_leq(x, 1, {"x": (1, 0)})
    with pytest.raises(ApproxTheoryError):
        certify_leq(x, sp.oo, {"x": (0, 1)})
    with pytest.raises(ApproxTheoryError):
        certify_leq(sp.Symbol("p", positive=True), 1, {"p": (-1, 1)})
    for limits in ({"budget": 0}, {"budget": True}, {"budget": 2.5}, {"seconds": 0}, {"max_bits": 7}):
        with pytest.raises(ApproxTheoryError):
            certify_leq(x, 1, {"x": (0, 1)}, **limits)
    assert certify_leq(x, 1, {"x": (0, 1)}, budget=1, max_bits=8).status is Status.CERTIFIED  # the least limits


def test_comparison_round_trips_through_json() -> None:
    c = certify_leq(sp.log(1 + x), x, {"x": (0, 10)})
    assert c.open_cells == 0 and c.stopped is None  # certified: nothing left open, no limit reached
    back = Comparison.from_dict(json.loads(json.dumps(c.to_dict())))
    assert back.status is Status.CERTIFIED and recheck(sp.log(1 + x), x, back, {"x": (0, 10)}, strict=False)


def test_a_record_without_the_spending_fields_reads_as_nothing_open_and_nothing_spent() -> None:
    record = certify_leq(sp.log(1 + x), x, {"x": (0, 10)}).to_dict()
    for key in ("open_cells", "seconds", "max_bits", "stopped"):
        del record[key]
    back = Comparison.from_dict(record)
    assert (back.open_cells, back.seconds, back.max_bits, back.stopped) == (0, 0.0, 0, None)


def test_strict_version_of_a_tight_curve_is_not_certified() -> None:
    lhs, rhs = t * sp.exp(-b * t), 1 / (sp.E * b)
    c = certify_leq(lhs, rhs, {"t": (0, 10), "b": ("1/2", 4)}, strict=True, budget=3000)
    assert c.status is not Status.CERTIFIED
    if c.status is Status.REFUTED:
        assert _confirmed(lhs, rhs, c.witness, strict=True)


def test_a_counterexample_is_confirmed_only_with_enclosures_of_both_sides() -> None:
    # lhs - rhs cancels to 1 > 0, but Arb has no rule for polylog: the witness could not report lhs and rhs.
    f = sp.polylog(3, x)
    assert confirm_counterexample(f + 1, f, {"x": Fraction(1, 3)}, strict=False, prec=64) is None
    assert confirm_counterexample(x + 1, x, {"x": Fraction(1, 3)}, strict=False, prec=64)["confirmed"]
