"""Certified comparison lhs <= rhs (or lhs < rhs) of two SymPy expressions over a box of exact intervals."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from approxtheory.core import ApproxTheoryError, Status

from .cells import Cell, to_json
from .enclosure import enclosure_interval
from .exact import decimal_outward, fraction_str, rational
from .inputs import boundary, prepare
from .precision import working_precision
from .rules import POINT_PRECISIONS, exact_zero, point_ball
from .search import DEFAULT_CELLS, DEFAULT_MAX_BITS, DEFAULT_SECONDS, Budget, Refuted, solve
from .symbols import symbols_by_name
from .target import substitute_point


@dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`certify_leq`: status, the certificate (closed cells with their rules), a witness if refuted,
    and what was spent: ``cells_used``, ``seconds`` of wall time, ``max_bits`` of the largest cut point, and for an
    unfinished search which limit ``stopped`` it ("cells", "seconds" or "bits")."""

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
    seconds: float = 0.0
    max_bits: int = 0
    stopped: str | None = None

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
                "seconds": self.seconds,
                "max_bits": self.max_bits,
                "stopped": self.stopped,
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


def confirm_counterexample(lhs: Any, rhs: Any, values: Mapping[str, Fraction], strict: bool,
                           prec: int) -> dict[str, Any] | None:
    """Exact substitution of the rational point, then Arb shows lhs - rhs > 0 (or exactly 0 if strict); None if not shown.

    The inputs pass the same door as :func:`certify_leq` (strings, Floats, assumptions at the point).
    """
    with boundary(f"{lhs} vs {rhs}"):
        (left, right), _names, _cell, _ints = prepare([lhs, rhs], {n: (v, v) for n, v in values.items()})
        return _confirm(left, right, values, strict, prec)


def _confirm(lhs: sp.Expr, rhs: sp.Expr, values: Mapping[str, Fraction], strict: bool,
             prec: int) -> dict[str, Any] | None:
    """:func:`confirm_counterexample` for prepared expressions (plain real symbols, no Floats)."""
    subs = {s: rational(values[n]) for n, s in symbols_by_name(lhs, rhs).items()}
    lv, rv = substitute_point(lhs, subs), substitute_point(rhs, subs)
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
        return _confirm(lhs, rhs, values, strict, prec)

    return confirm


def certify_leq(
    lhs: Any,
    rhs: Any,
    box: Mapping[Any, Any],
    *,
    budget: int = DEFAULT_CELLS,
    prec: int = 128,
    strict: bool = False,
    seconds: float = DEFAULT_SECONDS,
    max_bits: int = DEFAULT_MAX_BITS,
) -> Comparison:
    """Decide lhs <= rhs (lhs < rhs if strict) on a box of exact intervals by certified branch and bound: CERTIFIED, REFUTED or INCONCLUSIVE.

    Inputs: SymPy expressions or strings (parsed without constants: every name is a symbol), SymPy
    Floats read as the exact binary rationals they hold; ``box`` maps each free symbol (name or the
    Symbol itself) to (lo, hi) or one exact value, and must name exactly the free symbols; every
    symbol's assumptions must hold on its whole interval (an integer symbol ranges over its integers).
    Limits: ``budget`` cells (default DEFAULT_CELLS = 20000), ``seconds`` of wall time (DEFAULT_SECONDS
    = 120, checked between cells) and ``max_bits`` bits per cut point (DEFAULT_MAX_BITS = 128); running
    out of any ends INCONCLUSIVE, and the result records cells, seconds, the most bits used and which
    limit stopped it.
    """
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        raise ApproxTheoryError(f"budget must be a positive integer number of cells, got {budget!r}")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not seconds > 0:
        raise ApproxTheoryError(f"seconds must be a positive number, got {seconds!r}")
    if not isinstance(max_bits, int) or isinstance(max_bits, bool) or max_bits < 8:
        raise ApproxTheoryError(f"max_bits must be an integer >= 8, got {max_bits!r}")
    with boundary(f"{lhs} {'<' if strict else '<='} {rhs}"):
        (left, right), names, cell, integers = prepare([lhs, rhs], box)
        return _decide(left, right, names, cell, integers, strict, prec, Budget(budget, seconds, max_bits))


def _decide(left: sp.Expr, right: sp.Expr, names: tuple[str, ...], cell: Cell, integers: set[str], strict: bool,
            prec: int, used: Budget) -> Comparison:
    """The branch and bound of :func:`certify_leq` on prepared inputs."""
    json_box = to_json(names, cell)
    with working_precision(prec):
        confirm = _witness(left, right, names, cell, integers, strict, prec)
        try:
            res = solve(left - right, names, cell, strict, prec, used, confirm)
        except Refuted as r:
            return Comparison(Status.REFUTED, [], r.witness, min(used.used, used.total), used.total, prec, None,
                              json_box, strict, 0, *_spent(used))
    if res.certified:
        return Comparison(Status.CERTIFIED, res.cells, None, used.used, used.total, prec, None, json_box, strict, 0,
                          *_spent(used))
    top = res.max_upper()
    if top is None:
        text = None
    elif top == math.inf:
        text = "inf"
    else:
        text = decimal_outward(top, 20, up=True)
    return Comparison(Status.INCONCLUSIVE, res.cells, None, used.used, used.total, prec, text, json_box, strict,
                      len(res.open_uppers), *_spent(used), used.stopped())


def _spent(used: Budget) -> tuple[float, int]:
    return round(used.elapsed(), 3), used.bits
