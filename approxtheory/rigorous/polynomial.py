"""Certified non-negativity of polynomials on shifted orthants (shift, expand, read coefficients)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from ..core import ApproxTheoryError
from .assumptions import plain_real
from .exact import to_fraction
from .inputs import boundary
from .symbols import as_expr, match_keys, symbols_by_name


def nonnegative_on_orthant(expr: Any, lower: Mapping[Any, Any]) -> bool:
    """True only if ``expr >= 0`` whenever every ``v >= lower[v]``: substitute v = lower[v] + s with
    s >= 0, expand, and require every coefficient to be a non-negative rational. A polynomial with
    non-negative coefficients is non-negative on the orthant, so True is a proof; False proves nothing.

    Inputs pass the same door as :func:`~approxtheory.rigorous.certify_leq`: Floats are exact binary
    rationals, ``lower`` names exactly the free symbols (exact rational bounds), and each symbol's
    assumptions must hold on all of [lower, oo) (an integer symbol ranges over its integers). A
    non-polynomial expression is an ApproxTheoryError naming it.
    """
    with boundary(expr):
        e = as_expr(expr)
        names = match_keys(lower, symbols_by_name(e), "the lower bounds")
        given = {str(k): v for k, v in lower.items()}
        bounds = {n: (to_fraction(given[n], f"the lower bound of {n}"), None) for n in names}
        (real,), _ints = plain_real([e], bounds)
        shift = {sp.Symbol(n, real=True): sp.Dummy(f"{n}_shift", nonnegative=True) for n in names}
        shifted = sp.expand(real.xreplace({v: sp.Rational(bounds[str(v)][0]) + s for v, s in shift.items()}))
        try:
            poly = sp.Poly(shifted, *shift.values()) if shift else None
        except sp.PolynomialError:
            poly = None
        if shift and (poly is None or not poly.free_symbols <= set(shift.values())):
            raise ApproxTheoryError(f"{expr} is not a polynomial in {', '.join(names)}",
                                    "nonnegative_on_orthant reads polynomial coefficients only")
        coeffs = poly.coeffs() if poly is not None else [shifted]
        return all(c.is_Rational and c >= 0 for c in coeffs)
