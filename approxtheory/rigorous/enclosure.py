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
from .assumptions import plain_real
from .exact import ball_bounds, decimal_outward, to_exact, to_fraction
from .inputs import boundary
from .precision import working_precision
from .symbols import as_expr, match_keys, symbols_by_name


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


def entry_ball(value: Any, name: str) -> tuple[arb, tuple[Fraction, Fraction]]:
    """A ball for one box entry (an exact value, or an interval (lo, hi) with exact ends), with rational bounds
    of the entry for the assumption check: exact for rational entries, the ball's ends for closed forms."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ApproxTheoryError(f"the interval for {name} must be (lo, hi), got {value!r}")
        lo_e, hi_e = (to_exact(v, f"the bound of {name}") for v in value)
        if lo_e.is_Rational and hi_e.is_Rational:
            lo, hi = to_fraction(lo_e), to_fraction(hi_e)
            if lo > hi:
                raise ApproxTheoryError(f"the interval for {name} is empty: {lo} > {hi}")
            return interval_ball(lo, hi), (lo, hi)
        if (hi_e - lo_e).is_negative:
            raise ApproxTheoryError(f"the interval for {name} is empty: {lo_e} > {hi_e}")
        ball = run(compile_expr(lo_e), {}).union(run(compile_expr(hi_e), {}))
        return ball, ball_bounds(ball)
    exact = to_exact(value, f"the value of {name}")
    if exact.is_Rational:
        q = to_fraction(exact)
        return interval_ball(q, q), (q, q)
    ball = run(compile_expr(exact), {})
    return ball, ball_bounds(ball)


def enclose(expr: Any, box: Mapping[Any, Any], prec: int = 128) -> arb:
    """A rigorous Arb ball containing every value of ``expr`` over ``box`` (name/Symbol -> value or (lo, hi)); not finite if undefined somewhere.

    Inputs as for :func:`~approxtheory.rigorous.certify_leq` (safe strings, Floats exact, keys exactly the free
    symbols, assumptions checked on the box); box values may also be closed forms such as pi.
    """
    with boundary(expr):
        e = as_expr(expr)
        names = match_keys(box, symbols_by_name(e))
        given = {str(k): v for k, v in box.items()}
        with working_precision(prec):
            entries = {n: entry_ball(given[n], n) for n in names}
            (real,), _ints = plain_real([e], {n: bounds for n, (_b, bounds) in entries.items()})
            return run(compile_expr(real), {n: ball for n, (ball, _b) in entries.items()})


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
