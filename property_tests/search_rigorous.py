"""Fuzz the rigorous layer: random 1-2 variable inequalities, every verdict re-checked by mpmath at 70 digits.

Expressions are sums, products and Max of exp, log, sin, sqrt, Abs and polynomials with rational
coefficients (occasionally a SymPy Float), over symbols with random assumptions and random boxes.
A ``certified`` verdict is checked at the box corners, a grid and random points; a ``refuted`` one at
its witness, which must lie in the box (at an integer for an integer symbol) and violate the
inequality. Floats are read as their exact binary value, the layer's documented policy. A refused
input (ApproxTheoryError) is counted, never a failure; any other exception is one.

One example is a whole certified search, so a profile grants this search a quarter of its usual
example count (ci: 50, nightly: 1250). Run with ``-s`` to see the verdict counts.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from approxtheory.core import ApproxTheoryError, Status
from approxtheory.rigorous import certify_leq
from approxtheory.rigorous.symbols import exact_floats

DIGITS = 70
EXAMPLES = max(10, settings().max_examples // 4)  # the loaded profile's budget (ci 200, nightly 5000), scaled
CELLS, SECONDS = 400, 5.0  # per search; an inconclusive verdict is fine, a wrong one is not
ASSUMPTIONS = ({}, {"real": True}, {"positive": True}, {"nonnegative": True}, {"negative": True},
               {"integer": True}, {"extended_nonnegative": True}, {"nonzero": True})
COUNTS: Counter[str] = Counter()

rationals = st.builds(Fraction, st.integers(-6, 6), st.integers(1, 4))


@st.composite
def symbols_and_boxes(draw: st.DrawFn) -> tuple[list[sp.Symbol], dict[sp.Symbol, tuple[Fraction, Fraction]]]:
    """One or two symbols with random assumptions, and a box that usually (not always) respects them."""
    syms, box = [], {}
    for name in ("x", "y")[: draw(st.integers(1, 2))]:
        assume = draw(st.sampled_from(ASSUMPTIONS))
        s = sp.Symbol(name, **assume)
        lo, hi = sorted((draw(rationals), draw(rationals)))
        if draw(st.integers(0, 4)):  # mostly a box the assumptions allow; sometimes one they do not
            if s.is_positive or s.is_nonzero:
                lo, hi = abs(lo) + Fraction(1, 8), abs(lo) + abs(hi) + Fraction(1, 4)
            elif s.is_nonnegative or s.is_extended_nonnegative:
                lo, hi = abs(lo), abs(lo) + abs(hi)
            elif s.is_negative:
                lo, hi = -abs(lo) - abs(hi) - Fraction(1, 4), -abs(lo) - Fraction(1, 8)
        if draw(st.integers(0, 9)) == 0:
            hi = lo  # a degenerate interval: one exact value
        syms.append(s)
        box[s] = (lo, hi)
    return syms, box


def _max(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """Max(a, b), or a + b where SymPy refuses Max (an argument it knows is not real, e.g. log(-3))."""
    try:
        return sp.Max(a, b)
    except (ValueError, TypeError):
        return a + b


def expressions(syms: list[sp.Symbol]) -> st.SearchStrategy[sp.Expr]:
    """Random expressions over ``syms``, depth at most about 3."""
    number = rationals.map(lambda q: sp.Rational(q.numerator, q.denominator))
    floats = st.sampled_from([0.1, 0.5, 1.25, 3.3, 1e-3]).map(sp.Float)
    leaf = st.one_of(st.sampled_from(syms), number, floats)
    poly = st.builds(lambda v, c0, c1, c2: c0 + c1 * v + c2 * v**2, st.sampled_from(syms), number, number, number)

    def extend(inner: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
        unary = st.sampled_from([sp.exp, sp.log, sp.sin, sp.sqrt, sp.Abs])
        return st.one_of(
            st.builds(lambda f, e: f(e), unary, inner),
            st.builds(sp.Add, inner, inner),
            st.builds(sp.Mul, inner, inner),
            st.builds(_max, inner, inner),
        )

    return st.recursive(st.one_of(leaf, poly), extend, max_leaves=5)


def _difference(lhs: sp.Expr, rhs: sp.Expr, point: dict[sp.Symbol, Fraction]) -> mpmath.mpf | None:
    """lhs - rhs at ``point`` in mpmath at DIGITS digits (Floats exact, as the layer reads them), None if undefined."""
    subs = {s: sp.Rational(q.numerator, q.denominator) for s, q in point.items()}
    f = sp.lambdify(list(subs), exact_floats(lhs - rhs), modules="mpmath")
    with mpmath.workdps(DIGITS):
        try:
            value = f(*(mpmath.mpf(q.numerator) / q.denominator for q in point.values()))
        except (ValueError, ZeroDivisionError, TypeError, OverflowError):
            return None
        if isinstance(value, mpmath.mpc):
            if abs(value.imag) > mpmath.mpf(10) ** (10 - DIGITS):
                return None
            value = value.real
        value = mpmath.mpf(value)
        return None if mpmath.isnan(value) or mpmath.isinf(value) else value


def _points(box: dict[sp.Symbol, tuple[Fraction, Fraction]], extra: list[Fraction]) -> Iterator[dict]:
    """Corners, a grid of 9 per axis and the ``extra`` fractions of each side (integers only for integer symbols)."""
    axes = []
    for s, (lo, hi) in box.items():
        vals = {lo, hi} | {lo + (hi - lo) * Fraction(k, 8) for k in range(9)} | {lo + (hi - lo) * f for f in extra}
        if s.is_integer:
            vals = {Fraction(round(v)) for v in vals if lo <= round(v) <= hi}
        axes.append(sorted(vals))
    for values in itertools.product(*axes):
        yield dict(zip(box, values))


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    print(f"\nsearch_rigorous verdicts: {dict(COUNTS)}")


@settings(max_examples=EXAMPLES)
@given(data=st.data(), strict=st.booleans(), extra=st.lists(st.fractions(0, 1, max_denominator=97), max_size=6))
def test_every_verdict_agrees_with_mpmath(data: st.DataObject, strict: bool, extra: list[Fraction]) -> None:
    syms, box = data.draw(symbols_and_boxes())
    lhs, rhs = data.draw(expressions(syms)), data.draw(expressions(syms))
    box = {s: v for s, v in box.items() if s in lhs.free_symbols | rhs.free_symbols}  # SymPy may cancel a symbol
    try:
        c = certify_leq(lhs, rhs, box, strict=strict, budget=CELLS, seconds=SECONDS)
    except ApproxTheoryError:
        COUNTS["refused"] += 1
        return
    COUNTS[c.status.value] += 1
    tol = mpmath.mpf(10) ** (20 - DIGITS)  # far above mpmath's rounding at DIGITS digits, far below any real gap
    if c.status is Status.CERTIFIED:
        for point in _points(box, extra):
            d = _difference(lhs, rhs, point)
            assert d is not None, f"certified {lhs} <= {rhs} but undefined at {point}"
            assert d <= tol, f"certified {lhs} {'<' if strict else '<='} {rhs} on {box}, but lhs - rhs = {d} at {point}"
    elif c.status is Status.REFUTED:
        point = {s: Fraction(c.witness["point"][str(s)]) for s in box}
        for s, v in point.items():
            lo, hi = box[s]
            assert lo <= v <= hi and (v.denominator == 1 or not s.is_integer), (s, v, box[s])
        d = _difference(lhs, rhs, point)
        assert d is not None, f"refuted {lhs} <= {rhs} at {point}, where it is undefined"
        assert d >= -tol if strict else d > 0, f"refuted {lhs} <= {rhs}, but lhs - rhs = {d} at {point}"
