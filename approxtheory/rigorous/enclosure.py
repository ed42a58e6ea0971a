"""Rigorous Arb enclosures of SymPy expressions over boxes of exact values and intervals."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import flint
from flint import arb, fmpq

from approxtheory.core import ApproxTheoryError

from .compile import compile_expr, nonnegative, run
from .exact import ball_bounds, decimal_outward, to_exact, to_fraction
from .precision import working_precision
from .symbols import as_expr, symbol_names


def interval_ball(lo: Fraction, hi: Fraction, exact_end: str | None = None) -> arb:
    """A ball containing [lo, hi], clipped at 0 when the interval does not cross 0; ``exact_end`` "lo"/"hi" makes that end exact (for dyadic ends)."""
    a = arb(fmpq(lo.numerator, lo.denominator))
    if lo == hi:
        return a
    b = arb(fmpq(hi.numerator, hi.denominator))
    if exact_end is None:
        ball = a.union(b)
    else:
        w = hi - lo
        width = nonnegative(arb(0).union(arb(fmpq(w.numerator, w.denominator))))  # [0, >= w], lower end exactly 0
        ball = a + width if exact_end == "lo" else b - width
    # clipping rebuilds the far end with outward rounding, so never clip away an exact end
    if lo >= 0 and exact_end != "hi":
        return nonnegative(ball)
    if hi <= 0 and exact_end != "lo":
        return -nonnegative(-ball)
    return ball


def _value_ball(value: Any, name: str) -> arb:
    """A ball for one box entry: an exact value, or an interval (lo, hi) with exact ends."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ApproxTheoryError(f"the interval for {name} must be (lo, hi), got {value!r}")
        lo_e, hi_e = (to_exact(v, f"the bound of {name}") for v in value)
        if lo_e.is_Rational and hi_e.is_Rational:
            lo, hi = to_fraction(lo_e), to_fraction(hi_e)
            if lo > hi:
                raise ApproxTheoryError(f"the interval for {name} is empty: {lo} > {hi}")
            return interval_ball(lo, hi)
        if (hi_e - lo_e).is_negative:
            raise ApproxTheoryError(f"the interval for {name} is empty: {lo_e} > {hi_e}")
        return run(compile_expr(lo_e), {}).union(run(compile_expr(hi_e), {}))
    exact = to_exact(value, f"the value of {name}")
    if exact.is_Rational:
        return interval_ball(to_fraction(exact), to_fraction(exact))
    return run(compile_expr(exact), {})


def enclose(expr: Any, box: Mapping[Any, Any], prec: int = 128) -> arb:
    """A rigorous Arb ball containing every value of ``expr`` over ``box`` (name/Symbol -> value or (lo, hi)); not finite if undefined somewhere."""
    e = as_expr(expr)
    names = symbol_names(e)
    given = {str(k): v for k, v in box.items()}
    missing = sorted(set(names) - set(given))
    if missing:
        raise ApproxTheoryError(
            f"no value or interval given for {', '.join(missing)}", "add every free symbol of the expression to the box"
        )
    fn = compile_expr(e)
    with working_precision(prec):
        env = {n: _value_ball(given[n], n) for n in names}
        return run(fn, env)


def enclosure_interval(ball: arb, digits: int | None = None) -> tuple[str, str]:
    """Exact decimal strings (lo, hi) with lo <= ball <= hi, rounded outward, for storing enclosures in JSON baselines."""
    if not isinstance(ball, arb):
        raise ApproxTheoryError(f"expected a flint.arb ball, got {type(ball).__name__}")
    if not ball.is_finite():
        raise ApproxTheoryError(
            f"the enclosure {ball} is not finite", "the expression is undefined or unbounded somewhere on the box"
        )
    if digits is None:
        digits = math.ceil(max(ball.mid().bits(), flint.ctx.prec) * math.log10(2)) + 3
    lo, hi = ball_bounds(ball)
    return decimal_outward(lo, digits, up=False), decimal_outward(hi, digits, up=True)
