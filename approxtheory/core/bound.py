"""Bounds: SymPy expressions with declared symbols, evaluated by :mod:`approxtheory.rigorous`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp


@dataclass(frozen=True)
class SymbolSpec:
    """A bound's variable: its name, what it means, its domain [lo, hi] and its unit."""

    name: str
    meaning: str
    lo: Any = -sp.oo
    hi: Any = sp.oo
    unit: str = "1"
    integer: bool = False

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
        v = sp.sympify(value)
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
        names = {s.name for s in self.symbols}
        free = {str(s) for s in self.expr.free_symbols}
        if not free <= names:
            raise ValueError(f"bound {self.id}: undeclared symbols {sorted(free - names)}")
        for point in self.canonical:
            self.check_point(point)

    @property
    def spec(self) -> dict[str, SymbolSpec]:
        return {s.name: s for s in self.symbols}

    def check_point(self, point: Mapping[str, Any]) -> None:
        """Raise ValueError unless ``point`` gives every symbol a value in its domain."""
        spec = self.spec
        if set(point) != set(spec):
            raise ValueError(
                f"bound {self.id}: a point needs exactly the symbols {sorted(spec)}, got {sorted(point)}"
            )
        for name, value in point.items():
            if not spec[name].contains(value):
                raise ValueError(
                    f"bound {self.id}: {name}={value} lies outside [{spec[name].lo}, {spec[name].hi}]"
                )

    def substitute(self, point: Mapping[str, Any]) -> sp.Expr:
        """The bound at ``point`` as an exact SymPy expression (values read exactly, as rationals)."""
        self.check_point(point)
        by_name = {str(s): s for s in self.expr.free_symbols}
        subs = {by_name[k]: sp.Rational(str(v)) if not isinstance(v, sp.Basic) else v
                for k, v in point.items() if k in by_name}
        return self.expr.subs(subs)
