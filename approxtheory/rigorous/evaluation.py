"""High-precision point evaluation of SymPy expressions, for regression baselines and reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mpmath
import sympy as sp

from approxtheory.core import ApproxTheoryError

from .exact import to_exact
from .symbols import as_expr, symbols_by_name


def substitute(expr: Any, point: Mapping[Any, Any]) -> sp.Expr:
    """``expr`` with each symbol replaced, exactly and in SymPy, by its value in ``point`` (keyed by name or Symbol)."""
    e = as_expr(expr)
    by_name = symbols_by_name(e)
    given = {str(k): v for k, v in point.items()}
    missing = sorted(set(by_name) - set(given))
    if missing:
        raise ApproxTheoryError(f"no value given for {', '.join(missing)}", "give every free symbol a value")
    return e.subs({by_name[n]: to_exact(given[n], f"the value of {n}") for n in by_name})


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
