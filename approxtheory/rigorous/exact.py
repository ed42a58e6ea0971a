"""Exact numbers: reading user values as rationals and writing exact or outward-rounded strings."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from approxtheory.core import ApproxTheoryError

from .symbols import CONSTANTS, parse_string


def to_fraction(value: Any, what: str = "value") -> Fraction:
    """Read ``value`` (int, Fraction, "p/q", "0.1", SymPy rational) as an exact rational; floats are refused as ambiguous."""
    if isinstance(value, bool):
        raise ApproxTheoryError(f"{what} {value!r} is a bool, not a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        raise ApproxTheoryError(
            f"{what} {value!r} is a binary float, which is ambiguous as an exact value",
            f'pass it as a string such as "{value!r}" or as a fractions.Fraction',
        )
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise ApproxTheoryError(
                f"{what} {value!r} is not an exact rational", 'write it like "1/3", "0.1" or "2e-5"'
            ) from None
    if isinstance(value, sp.Basic):
        if isinstance(value, sp.Rational):
            return Fraction(int(value.p), int(value.q))
        if isinstance(value, sp.Float):
            raise ApproxTheoryError(
                f"{what} {value} is a SymPy Float", "pass an exact rational such as sympy.Rational(1, 10)"
            )
        raise ApproxTheoryError(f"{what} {value} is not a rational number")
    raise ApproxTheoryError(f"{what} {value!r} of type {type(value).__name__} is not an exact rational")


def to_exact(value: Any, what: str = "value") -> sp.Expr:
    """Read ``value`` as an exact SymPy number: a rational as in :func:`to_fraction`, or a closed-form constant
    (a string may name pi, E and EulerGamma; it is parsed without ``eval``)."""
    if isinstance(value, sp.Basic) and not isinstance(value, sp.Float):
        if not isinstance(value, sp.Expr) or value.free_symbols:
            raise ApproxTheoryError(f"{what} {value} is not a constant number")
        if value.has(sp.Float):
            raise ApproxTheoryError(f"{what} {value} contains a Float", "use exact rationals")
        return value
    if isinstance(value, str):
        try:
            return rational(to_fraction(value, what))
        except ApproxTheoryError:
            return to_exact(parse_string(value, CONSTANTS), what)
    return rational(to_fraction(value, what))


def rational(q: Fraction) -> sp.Rational:
    """The SymPy rational equal to ``q``."""
    return sp.Rational(q.numerator, q.denominator)


def fraction_str(q: Fraction) -> str:
    """``q`` as an exact "p/q" (or "p") string that :func:`to_fraction` reads back."""
    return str(q)


def arb_point_fraction(x: flint.arb) -> Fraction:
    """The exact rational value of an exact arb point (a midpoint or radius)."""
    man, exp = x.man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2 ** (-exp))


def ball_bounds(x: flint.arb) -> tuple[Fraction, Fraction]:
    """Exact rational lower and upper ends of a finite arb ball (midpoint minus and plus radius)."""
    if not x.is_finite():
        raise ApproxTheoryError(f"the ball {x} is not finite, so it has no certified ends")
    mid = arb_point_fraction(x.mid())
    rad = arb_point_fraction(x.rad())
    return mid - rad, mid + rad


def decimal_outward(q: Fraction, digits: int, up: bool) -> str:
    """``q`` as a decimal string, exact when short, else rounded outward (up or down) to ``digits`` significant digits."""
    if q == 0:
        return "0"
    sign = "-" if q < 0 else ""
    a = abs(q)
    # a * 10**s has exactly `digits` digits before the point
    k = _floor_log10(a)
    s = digits - 1 - k
    scaled = a * (Fraction(10) ** s)
    toward_zero = (q > 0) != up  # rounding the magnitude down moves q toward zero
    n = scaled.numerator // scaled.denominator
    if scaled.denominator != 1 and not toward_zero:
        n += 1
    if scaled.denominator == 1:
        # exact: strip trailing zeros to keep the string short
        while n % 10 == 0 and n:
            n //= 10
            s -= 1
    return sign + _shift(n, s)


def _floor_log10(a: Fraction) -> int:
    """floor(log10(a)) for a > 0, exactly."""
    e = len(str(a.numerator)) - len(str(a.denominator))
    return e - 1 if a < Fraction(10) ** e else e


def _shift(n: int, s: int) -> str:
    """The decimal string of n * 10**(-s)."""
    text = str(n)
    if s <= 0:
        return text + "0" * (-s) if -s <= 20 else f"{text}e{-s}"
    if s > len(text) + 20:
        return f"{text[0]}.{text[1:]}e{len(text) - 1 - s}" if len(text) > 1 else f"{text}e{-s}"
    if s >= len(text):
        return "0." + "0" * (s - len(text)) + text
    return text[:-s] + "." + text[-s:]
