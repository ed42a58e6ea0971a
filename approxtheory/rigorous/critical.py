"""Rule (d), the algebra part: explicit critical points v*(others) of f in one variable, and f at them.

sup over a box of f = max(f on the faces v = lo, v = hi, f(v*(o), o) over the other variables),
valid when f and df/dv are defined on the whole box (so f is C^1 in v there) and SymPy's
``solveset`` returns the complete, explicit list of real solutions of df/dv = 0.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp
from flint import arb, fmpq

from approxtheory.core import ApproxTheoryError

from .cells import Cell
from .compile import compile_expr, run
from .rules import exact_zero
from .symbols import symbols_by_name

SOLVE_MAX_OPS = 80  # larger derivatives are not given to sympy.solveset (it can take minutes)


def real_renaming(expr: sp.Expr, names: tuple[str, ...], cell: Cell) -> dict[sp.Symbol, sp.Symbol]:
    """Fresh real symbols with the same names, positive/nonnegative/... as the cell's bounds allow."""
    bounds = dict(zip(names, cell))
    out: dict[sp.Symbol, sp.Symbol] = {}
    for name, sym in symbols_by_name(expr).items():
        lo, hi = bounds[name]
        assume: dict[str, bool] = {"real": True}
        if lo > 0:
            assume["positive"] = True
        elif lo >= 0:
            assume["nonnegative"] = True
        elif hi < 0:
            assume["negative"] = True
        elif hi <= 0:
            assume["nonpositive"] = True
        out[sym] = sp.Symbol(name, **assume)
    return out


def critical_solutions(expr: sp.Expr, names: tuple[str, ...], cell: Cell, var: str) -> list[sp.Expr] | None:
    """The explicit real solutions of d expr / d var = 0 as expressions in the other variables, or None if not fully explicit."""
    renaming = real_renaming(expr, names, cell)
    by_name = {str(k): v for k, v in renaming.items()}
    if var not in by_name:
        return None
    v = by_name[var]
    e = expr.xreplace(renaming)
    derivative = sp.diff(e, v)
    if sp.count_ops(derivative) > SOLVE_MAX_OPS:
        return None
    try:
        sols = sp.solveset(derivative, v, sp.S.Reals)
    except Exception:  # noqa: BLE001 - SymPy failing to solve only means the rule does not apply
        return None
    if sols is sp.S.EmptySet:
        return []
    if not isinstance(sols, sp.FiniteSet):
        return None
    allowed = set(renaming.values()) - {v}
    lo, hi = dict(zip(names, cell))[var]
    out = []
    for s in sols:
        if not isinstance(s, sp.Expr) or s.has(v) or s.has(sp.I) or not s.free_symbols <= allowed:
            return None
        try:
            fn = compile_expr(s)
        except ApproxTheoryError:
            return None
        if not s.free_symbols and _outside(run(fn, {}), lo, hi):
            continue  # a constant critical point certainly outside (lo, hi) plays no part in the sup
        out.append(s)
    return sorted(out, key=sp.srepr)


def _outside(ball: arb, lo: Fraction, hi: Fraction) -> bool:
    """True when the finite ball lies certainly in (-oo, lo] or [hi, oo)."""
    if not ball.is_finite():
        return False
    return bool(ball.upper() <= arb(fmpq(lo.numerator, lo.denominator))
                or ball.lower() >= arb(fmpq(hi.numerator, hi.denominator)))


def reduced(expr: sp.Expr, names: tuple[str, ...], cell: Cell, var: str, solution: sp.Expr) -> sp.Expr:
    """``expr`` with ``var`` replaced by a critical point ``solution`` (in the renamed real symbols)."""
    renaming = real_renaming(expr, names, cell)
    v = {str(k): s for k, s in renaming.items()}[var]
    return expr.xreplace(renaming).subs(v, solution)


def reduced_is_zero(value: sp.Expr) -> bool:
    """True when the reduced expression is identically 0 (structurally or after ``simplify``)."""
    return exact_zero(value, allow_simplify=True)
