"""Bounds: SymPy expressions with declared symbols, evaluated by :mod:`approxtheory.rigorous`.

Users write these (``bounds=`` of every claim constructor), so a malformed one is refused here with one
:class:`ApproxTheoryError` naming the bound, the symbol and what is allowed, not a SymPy TypeError later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp

from .errors import ApproxTheoryError

EXACT_VALUES = "an int, a fraction string such as '1/2', a finite float or an exact real SymPy number"


def exact_value(value: Any, what: str) -> sp.Expr:
    """``value`` as an exact real SymPy number (a float is read by its shortest decimal, 0.1 as 1/10)."""
    refused = ApproxTheoryError(f"{what} is {value!r:.80}, not a finite real number", f"give {EXACT_VALUES}")
    if isinstance(value, bool):
        raise refused
    try:
        v = value if isinstance(value, sp.Basic) else sp.Rational(str(value))
    except (TypeError, ValueError, sp.SympifyError):
        raise refused from None
    if v.free_symbols or v.is_extended_real is not True or v.is_finite is not True:
        raise refused
    return v


def _limit(value: Any, what: str, infinite: sp.Expr) -> sp.Expr:
    """A domain end: an exact real number, or ``infinite`` (-oo for ``lo``, oo for ``hi``)."""
    if isinstance(value, sp.Basic) and value == infinite:
        return value
    return exact_value(value, what)


@dataclass(frozen=True)
class SymbolSpec:
    """A bound's variable: its name, what it means, its domain [lo, hi] and its unit."""

    name: str
    meaning: str
    lo: Any = -sp.oo
    hi: Any = sp.oo
    unit: str = "1"
    integer: bool = False

    def __post_init__(self) -> None:
        where = f"symbol {self.name!r}"
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ApproxTheoryError(f"{where}: the name is not an identifier", "name a symbol as Python names a variable: n, beta, m_h")
        lo = _limit(self.lo, f"{where}: lo", -sp.oo)
        hi = _limit(self.hi, f"{where}: hi", sp.oo)
        if bool(hi < lo):
            raise ApproxTheoryError(f"{where}: the domain [{lo}, {hi}] is empty", "give lo <= hi")

    @property
    def symbol(self) -> sp.Symbol:
        lo = sp.sympify(self.lo)
        assumptions: dict[str, bool] = {"real": True}
        if lo.is_positive:
            assumptions["positive"] = True
        elif lo.is_nonnegative:
            assumptions["nonnegative"] = True
        if self.integer:
            assumptions["integer"] = True
        return sp.Symbol(self.name, **assumptions)

    def contains(self, value: Any) -> bool:
        """Whether ``value`` (see :func:`exact_value`; anything else is refused) lies in the domain."""
        v = exact_value(value, f"symbol {self.name!r}: the value")
        ok = bool(sp.sympify(self.lo) <= v) and bool(v <= sp.sympify(self.hi))
        return ok and (not self.integer or v.is_integer is True)


@dataclass(frozen=True)
class Bound:
    """A symbolic bound with declared symbols and canonical evaluation points.

    ``direction`` says which way is better: for an ``upper`` bound a smaller value is tighter.
    ``canonical`` lists the points at which ``approxtheory regress`` pins the bound down.
    """

    id: str
    expr: sp.Expr
    symbols: tuple[SymbolSpec, ...]
    description: str
    direction: Literal["upper", "lower"] = "upper"
    canonical: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        where = f"bound {self.id!r}"
        if not isinstance(self.expr, sp.Expr):
            raise ApproxTheoryError(f"{where}: expr is {self.expr!r:.80} ({type(self.expr).__name__}), not a SymPy expression",
                                    "build it from SymbolSpec(...).symbol with SymPy operations")
        if isinstance(self.symbols, SymbolSpec) or not all(isinstance(s, SymbolSpec) for s in self.symbols):
            raise ApproxTheoryError(f"{where}: symbols must be a sequence of SymbolSpec", "symbols=(SymbolSpec('n', 'tokens', lo=1),)")
        names = [s.name for s in self.symbols]
        if len(set(names)) != len(names):
            raise ApproxTheoryError(f"{where}: a symbol is declared twice in {names}", "declare each symbol once")
        free = {str(s) for s in self.expr.free_symbols}
        if not free <= set(names):
            raise ApproxTheoryError(f"{where}: undeclared symbols {sorted(free - set(names))}", "declare each with a SymbolSpec")
        if self.direction not in ("upper", "lower"):
            raise ApproxTheoryError(f"{where}: direction={self.direction!r:.40}", "direction must be 'upper' or 'lower'")
        if isinstance(self.canonical, Mapping) or not all(isinstance(p, Mapping) for p in self.canonical):
            raise ApproxTheoryError(f"{where}: canonical must be a sequence of points (dicts of symbol values)",
                                    "canonical=({'n': 8},)")
        for point in self.canonical:
            self.check_point(point)

    @property
    def spec(self) -> dict[str, SymbolSpec]:
        return {s.name: s for s in self.symbols}

    def check_point(self, point: Mapping[str, Any]) -> None:
        """Raise ApproxTheoryError unless ``point`` gives every symbol an exact value in its domain."""
        spec = self.spec
        if set(point) != set(spec):
            raise ApproxTheoryError(f"bound {self.id!r}: a point needs exactly the symbols {sorted(spec)}, got {sorted(map(str, point))}")
        for name, value in point.items():
            symbol = spec[name]
            if not symbol.contains(exact_value(value, f"bound {self.id!r}: {name}")):
                kind = "an integer in" if symbol.integer else "in"
                raise ApproxTheoryError(f"bound {self.id!r}: {name}={value} is not {kind} [{symbol.lo}, {symbol.hi}]",
                                        f"give {name} a value its SymbolSpec allows")

    def substitute(self, point: Mapping[str, Any]) -> sp.Expr:
        """The bound at ``point`` as an exact SymPy expression (values read exactly, as rationals)."""
        self.check_point(point)
        by_name = {str(s): s for s in self.expr.free_symbols}
        subs = {by_name[k]: exact_value(v, k) for k, v in point.items() if k in by_name}
        return self.expr.subs(subs)
