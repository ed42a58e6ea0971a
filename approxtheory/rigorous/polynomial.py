"""Certified non-negativity of polynomials on shifted orthants (shift, expand, read coefficients)."""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from ..core import ApproxTheoryError


def nonnegative_on_orthant(expr: sp.Expr, lower: Mapping[sp.Symbol, int | sp.Rational]) -> bool:
    """True only if ``expr >= 0`` whenever every ``v >= lower[v]``: substitute v = lower[v] + s with
    s >= 0, expand, and require every coefficient to be a non-negative rational. A polynomial with
    non-negative coefficients is non-negative on the orthant, so True is a proof; False proves nothing.
    """
    shifted_vars = {v: sp.Symbol(f"{v.name}__shift", nonnegative=True) for v in lower}
    shifted = sp.expand(sp.sympify(expr).subs({v: lower[v] + s for v, s in shifted_vars.items()}, simultaneous=True))
    stray = shifted.free_symbols - set(shifted_vars.values())
    if stray:
        raise ApproxTheoryError(f"variables without a lower bound: {sorted(map(str, stray))}",
                                "give every symbol of the polynomial a lower bound")
    poly = sp.Poly(shifted, *shifted_vars.values())
    return all(c.is_Rational and c >= 0 for c in poly.coeffs())
