"""The function f = lhs - rhs whose sign is proved on cells: its compiled enclosure and derivatives."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp
from flint import arb

from ..core import ApproxTheoryError
from .cells import Cell
from .compile import NONSMOOTH, BallFn, Undefined, compile_expr
from .enclosure import interval_ball
from .exact import rational
from .symbols import symbols_by_name


class PrincipalLambertW(sp.LambertW):
    """LambertW on its principal branch, differentiated as exp(-W)/(1 + W): no 0/0 at the origin."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.exp(-self) / (1 + self)

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return sp.LambertW(*self.args)._eval_evalf(prec)


def smooth_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` with principal-branch LambertW replaced by :class:`PrincipalLambertW` (same values, better derivative)."""

    def swap(*args: sp.Expr) -> sp.Expr:
        if len(args) == 1 or args[1] == 0:
            return PrincipalLambertW(args[0])
        return sp.LambertW(*args)

    return expr.replace(sp.LambertW, swap) if expr.has(sp.LambertW) else expr


EXACT_ENDS = ("lo", "hi")


# SymPy forms (p/q)**(a/b) exactly by searching b-th roots: instant for b = 64, a second for b = 1024, and no end for
# b = 2**41 (x**x at a 41-bit point), while no time limit can stop it. Above this denominator a variable
# exponent's point is left undecided (the cells around it are still proved in Arb).
MAX_EXACT_ROOT = 256


def _root_too_deep(exponent: sp.Expr, subs: dict[sp.Symbol, sp.Rational]) -> bool:
    if not exponent.free_symbols & subs.keys():
        return False
    value = exponent.xreplace(subs)
    return not (value.is_Rational and value.q <= MAX_EXACT_ROOT)


def substitute_point(expr: sp.Expr, subs: dict[sp.Symbol, sp.Rational], fn: BallFn | None = None) -> sp.Expr:
    """``expr`` at an exact point, or ``nan`` where it has no value there.

    SymPy's extended arithmetic gives values where the expression has none (1/(1 + 1/x) is 0 at x = 0 through
    1/zoo, 0**0 is 1): a certificate or a counterexample at such a point would be about another function.
    So the point must first have a finite Arb enclosure, with the semantics of every cell (Arb refuses 1/0,
    log 0 and a variable power of 0); only then is SymPy's exact value used. ``fn``: ``expr`` compiled already.
    """
    try:
        env = {str(symbol): interval_ball(value, value) for symbol, value in subs.items()}
        defined = (fn or compile_expr(expr))(env).is_finite()
    except (Undefined, ApproxTheoryError):
        defined = False
    if not defined or any(_root_too_deep(power.exp, subs) for power in expr.atoms(sp.Pow)):
        return sp.nan
    try:
        return expr.subs(subs)
    except (ValueError, TypeError, ArithmeticError):
        return sp.nan


class Target:
    """An expression over the box variables ``names``: Arb enclosures on cells, exact values at points, derivatives."""

    def __init__(self, expr: sp.Expr, names: Sequence[str]) -> None:
        self.smooth = not expr.has(*NONSMOOTH)
        if self.smooth:
            expr = smooth_form(expr)
        self.expr = expr
        self.names = tuple(names)
        self.symbols = symbols_by_name(expr)
        self.axes = tuple(i for i, n in enumerate(self.names) if n in self.symbols)
        self.fn = compile_expr(expr)
        self._derivatives: dict[int, Target] = {}
        self._negated: Target | None = None

    def ball(self, cell: Cell, exact_end: str | None = None) -> arb | None:
        """An enclosure of the expression over ``cell`` at the working precision, or None if undefined somewhere on it.

        ``exact_end`` ("lo" or "hi") builds every variable's ball with that end exact, which closes
        cells where the bound is tight at a cell corner (a kink of Abs/Min/Max, a box corner).
        """
        env = {self.names[i]: interval_ball(cell[i][0], cell[i][1], exact_end) for i in self.axes}
        try:
            value = self.fn(env)
        except Undefined:
            return None
        return value if value.is_finite() else None

    def at(self, cell: Cell) -> sp.Expr:
        """The exact SymPy value at a cell whose coordinates on this expression's axes are all fixed."""
        subs = {}
        for i in self.axes:
            lo, hi = cell[i]
            if lo != hi:
                raise ValueError("not a point on this expression's variables")
            subs[self.symbols[self.names[i]]] = rational(lo)
        return substitute_point(self.expr, subs, self.fn)

    def derivative(self, axis: int) -> Target:
        """The partial derivative along ``axis`` (cached), by SymPy differentiation."""
        d = self._derivatives.get(axis)
        if d is None:
            sym = self.symbols.get(self.names[axis])
            expr = sp.diff(self.expr, sym) if sym is not None else sp.Integer(0)
            d = self._derivatives[axis] = Target(expr, self.names)
        return d

    def negated(self) -> Target:
        """The expression times -1 (cached)."""
        if self._negated is None:
            self._negated = Target(-self.expr, self.names)
        return self._negated


def point_values(names: Sequence[str], cell: Cell) -> dict[str, Fraction]:
    """The exact coordinates of a point cell by name."""
    return {n: lo for n, (lo, _hi) in zip(names, cell)}
