"""Reading expressions and matching their symbols to box entries by name."""

from __future__ import annotations

from typing import Any

import sympy as sp

from approxtheory.core import ApproxTheoryError


def as_expr(value: Any) -> sp.Expr:
    """``value`` as a SymPy expression; strings are parsed with decimals read as exact rationals."""
    if isinstance(value, sp.Basic):
        expr = value
    elif isinstance(value, str):
        try:
            expr = sp.sympify(value, rational=True)
        except (sp.SympifyError, SyntaxError, TypeError) as err:
            raise ApproxTheoryError(f"cannot parse the expression {value!r}: {err}") from None
    elif isinstance(value, bool) or isinstance(value, float):
        raise ApproxTheoryError(
            f"{value!r} is not an exact expression", "pass a SymPy expression or an exact rational string"
        )
    else:
        try:
            expr = sp.sympify(value, strict=True)
        except sp.SympifyError:
            raise ApproxTheoryError(f"{value!r} is not a SymPy expression") from None
    if not isinstance(expr, sp.Expr):
        raise ApproxTheoryError(f"{expr} is not an expression (a relation or a set was given)")
    return expr


def symbol_names(expr: sp.Expr) -> list[str]:
    """The names of the free symbols of ``expr``, sorted; two distinct symbols sharing a name are an error."""
    seen: dict[str, sp.Symbol] = {}
    for s in expr.free_symbols:
        name = str(s)
        if name in seen and seen[name] != s:
            raise ApproxTheoryError(
                f"two different symbols are both named {name!r} (different assumptions?)",
                "build the expression from one Symbol per name",
            )
        seen[name] = s
    return sorted(seen)


def symbols_by_name(expr: sp.Expr) -> dict[str, sp.Symbol]:
    """The free symbols of ``expr`` keyed by name (names checked unique by :func:`symbol_names`)."""
    symbol_names(expr)
    return {str(s): s for s in expr.free_symbols}
