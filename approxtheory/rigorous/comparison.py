"""Certified comparison lhs <= rhs (or lhs < rhs) of two SymPy expressions over a box of exact intervals."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from approxtheory.core import ApproxTheoryError, Status

from .cells import Cell, read_box, to_json
from .enclosure import enclosure_interval
from .exact import decimal_outward, fraction_str, rational
from .precision import working_precision
from .rules import POINT_PRECISIONS, exact_zero, point_ball
from .search import Budget, Refuted, solve
from .symbols import as_expr, symbols_by_name


@dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`certify_leq`: status, the certificate (closed cells with their rules), a witness if refuted."""

    status: Status
    cells: list[dict[str, Any]]
    witness: dict[str, Any] | None
    cells_used: int
    budget: int
    prec: int
    max_upper: str | None
    box: dict[str, tuple[str, str]] = field(default_factory=dict)
    strict: bool = False
    open_cells: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists); :func:`recheck` accepts a Comparison rebuilt from it."""
        return _jsonable(
            {
                "status": self.status.value,
                "cells": self.cells,
                "witness": self.witness,
                "cells_used": self.cells_used,
                "budget": self.budget,
                "prec": self.prec,
                "max_upper": self.max_upper,
                "box": self.box,
                "strict": self.strict,
                "open_cells": self.open_cells,
            }
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Comparison:
        """Rebuild a Comparison from :meth:`to_dict` output."""
        d = dict(data)
        d["status"] = Status(d["status"])
        d["box"] = {k: tuple(v) for k, v in d.get("box", {}).items()}
        return cls(**d)


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x


def check_assumptions(exprs: list[sp.Expr], names: tuple[str, ...], box: Cell) -> set[str]:
    """Refuse a box that leaves a symbol's SymPy assumptions (positive, nonzero, ...); return the integer symbols."""
    bounds = dict(zip(names, box))
    integers: set[str] = set()
    for e in exprs:
        for name, s in symbols_by_name(e).items():
            lo, hi = bounds[name]
            for flag in ("irrational", "transcendental", "prime", "even", "odd", "composite"):
                if s.assumptions0.get(flag):
                    raise ApproxTheoryError(
                        f"symbol {name} is declared {flag}; only real, rational and integer symbols are supported"
                    )
            bad = (
                (s.is_positive and lo <= 0)
                or (s.is_nonnegative and lo < 0)
                or (s.is_negative and hi >= 0)
                or (s.is_nonpositive and hi > 0)
                or (s.is_zero and (lo, hi) != (0, 0))
                or (s.is_nonzero and lo <= 0 <= hi)
            )
            if bad:
                raise ApproxTheoryError(
                    f"the box [{lo}, {hi}] for {name} leaves what the symbol assumes ({s.assumptions0})",
                    "shrink the box or declare the symbol with weaker assumptions",
                )
            if s.is_integer:
                integers.add(name)
    return integers


def confirm_counterexample(lhs: sp.Expr, rhs: sp.Expr, values: Mapping[str, Fraction], strict: bool,
                           prec: int) -> dict[str, Any] | None:
    """Exact substitution of the rational point, then Arb shows lhs - rhs > 0 (or exactly 0 if strict); None if not shown."""
    lsyms, rsyms = symbols_by_name(lhs), symbols_by_name(rhs)
    lv = lhs.subs({s: rational(values[n]) for n, s in lsyms.items()})
    rv = rhs.subs({s: rational(values[n]) for n, s in rsyms.items()})
    diff = lv - rv
    how = None
    if exact_zero(diff, allow_simplify=False):
        if not strict:
            return None
        how = "lhs - rhs is exactly 0"
    else:
        for k in POINT_PRECISIONS:
            b = point_ball(diff, prec * k)
            if b is None:
                return None
            if b.lower() > 0:
                how = f"Arb lower bound of lhs - rhs > 0 at {prec * k} bits"
                break
        if how is None:
            return None
    lb, rb, db = point_ball(lv, prec), point_ball(rv, prec), point_ball(diff, prec)
    if lb is None or rb is None or db is None:
        return None
    return {
        "point": {n: fraction_str(v) for n, v in values.items()},
        "lhs": list(enclosure_interval(lb)),
        "rhs": list(enclosure_interval(rb)),
        "lhs_minus_rhs": list(enclosure_interval(db)),
        "confirmed": how,
    }


def _witness(
    lhs: sp.Expr, rhs: sp.Expr, names: tuple[str, ...], box: Cell, integers: set[str], strict: bool, prec: int
) -> Callable[[Cell], dict[str, Any] | None]:
    """A function confirming a candidate point (integer variables rounded into the box first)."""
    bounds = dict(zip(names, box))

    def confirm(point: Cell) -> dict[str, Any] | None:
        values: dict[str, Fraction] = {}
        for n, (v, _v) in zip(names, point):
            if n in integers and v.denominator != 1:
                lo, hi = bounds[n]
                v = Fraction(min(max(round(v), math.ceil(lo)), math.floor(hi)))
                if not lo <= v <= hi:
                    return None
            values[n] = v
        return confirm_counterexample(lhs, rhs, values, strict, prec)

    return confirm


def certify_leq(
    lhs: Any, rhs: Any, box: Mapping[Any, Any], *, budget: int = 20000, prec: int = 128, strict: bool = False
) -> Comparison:
    """Decide lhs <= rhs (lhs < rhs if strict) on a box of exact intervals by certified branch and bound: CERTIFIED, REFUTED or INCONCLUSIVE."""
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        raise ApproxTheoryError(f"budget must be a positive integer number of cells, got {budget!r}")
    left, right = as_expr(lhs), as_expr(rhs)
    names = tuple(str(k) for k in box)
    if len(set(names)) != len(names):
        raise ApproxTheoryError("the box names a variable twice")
    free = set(symbols_by_name(left)) | set(symbols_by_name(right))
    if free - set(names):
        raise ApproxTheoryError(
            f"the box gives no interval for {', '.join(sorted(free - set(names)))}", "give every free symbol an interval"
        )
    cell = read_box(box, names)
    integers = check_assumptions([left, right], names, cell)
    f = left - right
    symbols_by_name(f)
    used = Budget(budget)
    json_box = to_json(names, cell)
    with working_precision(prec):
        confirm = _witness(left, right, names, cell, integers, strict, prec)
        try:
            res = solve(f, names, cell, strict, prec, used, confirm)
        except Refuted as r:
            return Comparison(Status.REFUTED, [], r.witness, min(used.used, budget), budget, prec, None, json_box, strict)
    if res.certified:
        return Comparison(Status.CERTIFIED, res.cells, None, used.used, budget, prec, None, json_box, strict)
    top = res.max_upper()
    if top is None:
        text = None
    elif top == math.inf:
        text = "inf"
    else:
        text = decimal_outward(top, 20, up=True)
    return Comparison(
        Status.INCONCLUSIVE, res.cells, None, used.used, budget, prec, text, json_box, strict, len(res.open_uppers)
    )
