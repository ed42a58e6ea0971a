"""Check a symbol's SymPy assumptions against the interval its box gives it, then drop them.

SymPy rewrites expressions using assumptions (``sqrt(p**2)`` is ``p`` for a positive ``p``,
``Abs(x)`` is ``x`` for an extended-nonnegative ``x``), so a box that leaves what a symbol assumes
makes the expression another function there. Every entry point therefore checks *every* deduced
assumption (``assumptions0``: extended_*, real=False, imaginary, integer, prime, ...) against every
admissible point of the box, refusing with an ApproxTheoryError, and then replaces the symbol by a
plain real one of the same name so that nothing later rewrites with the user's assumptions.

An integer symbol ranges over the integers of its interval (the search runs on the real relaxation,
which is sound for certification, and rounds witnesses to integers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

import sympy as sp

from approxtheory.core import ApproxTheoryError

Bounds = tuple[Fraction, "Fraction | None"]  # hi None: unbounded above
_PARITY = ("integer", "noninteger", "even", "odd", "prime", "composite")
_ALWAYS = {"real": True, "extended_real": True, "complex": True, "finite": True, "commutative": True,
           "rational": True, "algebraic": True, "hermitian": True, "infinite": False, "irrational": False,
           "transcendental": False, "imaginary": False}  # facts of every real rational point


def point_fact(key: str, q: Fraction) -> bool | None:
    """The truth of the SymPy assumption ``key`` at the real rational point ``q`` (None for polar and unknown keys)."""
    if key in _ALWAYS:
        return _ALWAYS[key]
    base = key.removeprefix("extended_")
    integral = q.denominator == 1
    facts = {
        "positive": q > 0, "negative": q < 0, "zero": q == 0, "nonzero": q != 0, "nonnegative": q >= 0,
        "nonpositive": q <= 0, "antihermitian": q == 0, "integer": integral, "noninteger": not integral,
        "even": integral and q.numerator % 2 == 0, "odd": integral and q.numerator % 2 == 1,
        "prime": integral and bool(sp.isprime(q.numerator)),
        "composite": integral and q.numerator > 3 and not sp.isprime(q.numerator),
    }
    return facts.get(base)


def _exists_integer(key: str, value: bool, a: int, b: int | None) -> bool:
    """True when some integer of [a, b] (b None: unbounded) has ``key`` equal to ``value``."""
    if b is not None and b < a:
        return False
    if b is not None and b - a <= 64:
        return any(point_fact(key, Fraction(q)) == value for q in range(a, b + 1))
    if key in ("integer", "noninteger"):
        return point_fact(key, Fraction(a)) == value
    if key in ("even", "odd"):
        return True
    if key == "prime":
        return True if not value else b is None or sp.nextprime(a - 1) <= b
    # composite: an even number >= 4 is composite; one <= 3 or a prime is not
    if value:
        c = max(a, 4)
        return b is None or c + 1 <= b or (c == b and point_fact(key, Fraction(c)) is True)
    return a <= 3 or b is None or sp.nextprime(a - 1) <= b


def _exists(key: str, value: bool, lo: Fraction, hi: Fraction | None, integral: bool) -> bool:
    """True when some admissible point of [lo, hi] (integers only if ``integral``) has ``key`` equal to ``value``."""
    if integral:
        a, b = math.ceil(lo), None if hi is None else math.floor(hi)
        if key in _PARITY:
            return _exists_integer(key, value, a, b)
        lo, hi = Fraction(a), None if b is None else Fraction(b)
    if hi is not None and lo == hi:
        return point_fact(key, lo) == value
    if key in _PARITY:  # a proper interval holds non-integers (all facts False but noninteger) and its integers
        if point_fact(key, Fraction(1, 2) + math.floor(lo)) == value:
            return True
        return _exists_integer(key, value, math.ceil(lo), None if hi is None else math.floor(hi))
    # every other fact is constant on (-oo, 0), {0} and (0, oo): test one point of each piece the interval meets
    top = hi if hi is not None else max(lo, Fraction(0)) + 1
    samples = [lo, top] + ([Fraction(0)] if lo <= 0 <= top else [])
    return any(point_fact(key, q) == value for q in samples)


def check_symbol(sym: sp.Symbol, lo: Fraction, hi: Fraction | None) -> bool:
    """Refuse an interval with a point that leaves what ``sym`` assumes; return True if ``sym`` is an integer."""
    facts = sym.assumptions0
    integral = facts.get("integer") is True
    top = "oo" if hi is None else str(hi)
    if integral and not _exists("integer", True, lo, hi, True):
        raise ApproxTheoryError(f"the interval [{lo}, {top}] of the integer symbol {sym} holds no integer")
    declared = getattr(sym, "_assumptions_orig", {})  # what the user wrote first, so the message names it
    for key, want in sorted(facts.items(), key=lambda kv: (kv[0] not in declared, kv[0])):
        if want is None:
            continue
        if point_fact(key, Fraction(0)) is None:  # polar, or an assumption this check does not know
            if want:
                raise ApproxTheoryError(f"symbol {sym} is declared {key}; only real symbols can range over a box")
            continue
        if _exists(key, not want, lo, hi, integral):
            raise ApproxTheoryError(
                f"the interval [{lo}, {top}] of {sym} holds a point where {key} is {not want}, but {sym} assumes "
                f"{key}={want}",
                "shrink the box or declare the symbol with weaker assumptions (a plain Symbol is real on its box)",
            )
    return integral


def plain_real(exprs: list[sp.Expr], bounds: Mapping[str, Bounds]) -> tuple[list[sp.Expr], set[str]]:
    """``exprs`` with each symbol checked against ``bounds`` and replaced by a plain real symbol of the same
    name; returns them with the names of the integer symbols."""
    syms: dict[str, sp.Symbol] = {}
    for e in exprs:
        syms.update({str(s): s for s in e.free_symbols})
    integers = {n for n, s in syms.items() if check_symbol(s, *bounds[n])}
    swap = {s: sp.Symbol(n, real=True) for n, s in syms.items()}
    return [e.xreplace(swap) for e in exprs], integers
