"""High-precision point evaluation of SymPy expressions, for regression baselines and reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mpmath
import sympy as sp

from approxtheory.core import ApproxTheoryError

from .assumptions import plain_real
from .enclosure import entry_ball
from .exact import to_exact
from .inputs import boundary
from .precision import working_precision
from .symbols import as_expr, match_keys, symbols_by_name


def substitute(expr: Any, point: Mapping[Any, Any]) -> sp.Expr:
    """``expr`` with each symbol replaced, exactly and in SymPy, by its value in ``point`` (keyed by name or Symbol).

    Inputs pass the same door as :func:`~approxtheory.rigorous.certify_leq`: safe strings, Floats exact,
    keys exactly the free symbols, each value checked against its symbol's assumptions.
    """
    with boundary(expr):
        e = as_expr(expr)
        names = match_keys(point, symbols_by_name(e), "the point")
        given = {str(k): v for k, v in point.items()}
        if any(isinstance(given[n], (tuple, list)) for n in names):
            raise ApproxTheoryError("a point gives one value per symbol, not an interval")
        with working_precision(128):
            bounds = {n: entry_ball(given[n], n)[1] for n in names}
        (real,), _ints = plain_real([e], bounds)
        return real.subs({sp.Symbol(n, real=True): to_exact(given[n], f"the value of {n}") for n in names})


def evaluate(expr: Any, point: Mapping[Any, Any], dps: int = 50) -> mpmath.mpf:
    """``expr`` at ``point`` to ``dps`` decimal digits: exact substitution in SymPy first, then evalf, so no float rounding enters early."""
    if not isinstance(dps, int) or dps < 1:
        raise ApproxTheoryError(f"dps must be a positive integer, got {dps!r}")
    exact = substitute(expr, point)
    if exact.free_symbols:
        raise ApproxTheoryError(f"{exact} still has free symbols after substitution")
    if exact.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise ApproxTheoryError(f"{expr} is infinite or undefined at {dict(point)}")
    value = sp.N(exact, dps + 5)
    if not (value.is_Float or value.is_Rational):
        raise ApproxTheoryError(f"{expr} at {dict(point)} is not a finite real number: {value}")
    with mpmath.workdps(dps):
        return mpmath.mpf(sp.Float(value, dps + 5)._mpf_) * 1
