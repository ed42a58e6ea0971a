"""Branch and bound: prove f <= 0 on a box cell by cell, bisecting what no rule closes.

Cells are examined largest-upper-bound first, so a counterexample is met early (cells where f
is undefined come last). Rule (d),
critical-point elimination, is tried on the whole box once plain subdivision has spent a
share of the budget without finishing.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp
from flint import arb

from approxtheory.core import ApproxTheoryError

from .cells import Cell, bisect, center, corners, fix, split_point, to_json, widest_axis
from .critical import critical_solutions, reduced, reduced_is_zero
from .exact import ball_bounds
from .rules import DERIVATIVE_DEPTH, Proof, prove_cell
from .target import Target

Confirm = Callable[[Cell], "dict[str, Any] | None"]

CRITICAL_DEPTH = 2  # rule (d) may nest this many times (faces and reduced problems of a reduced problem)
FIRST_SHARE = 4  # plain subdivision first gets 1/FIRST_SHARE of the remaining budget ...
FIRST_CAP = 500  # ... but at most this many cells, before rule (d) is tried
COVER_SHARE = 4  # rule (d)'s proof that f is C^1 in its variable may use 1/COVER_SHARE of what is left
DEFAULT_CELLS = 20000  # cells examined, over all nested searches
DEFAULT_SECONDS = 120.0  # wall time, checked between cells; generous, as wall time depends on machine load
DEFAULT_MAX_BITS = 128  # a cell is not cut where the cut point needs more bits (exact work grows with them)


def bits(q: Fraction) -> int:
    """The bit size of a rational: the longer of numerator and denominator."""
    return max(q.numerator.bit_length(), q.denominator.bit_length())


class Budget:
    """What one decision may spend, shared by every nested search: cells, wall time, bits of cut points.

    Running out of any of them ends the search inconclusive; :meth:`stopped` says which one did.
    """

    def __init__(self, total: int, seconds: float = DEFAULT_SECONDS, max_bits: int = DEFAULT_MAX_BITS) -> None:
        self.total = total
        self.used = 0
        self.start = time.monotonic()
        self.seconds = seconds
        self.max_bits = max_bits
        self.bits = 0  # the most bits of a cut point made so far
        self.bits_hit = False  # a cell was left uncut because its cut point needed more than max_bits

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def exhausted(self, limit: int) -> bool:
        """True when ``limit`` (or the total) cells are used or the time is up."""
        return self.used >= min(limit, self.total) or self.elapsed() >= self.seconds

    def cut_allowed(self, cell: Cell, axis: int) -> bool:
        """True when cutting ``cell`` along ``axis`` stays within max_bits (recording the bits spent)."""
        cut = bits(split_point(*cell[axis]))
        if cut > self.max_bits:
            self.bits_hit = True
            return False
        self.bits = max(self.bits, cut)
        return True

    def stopped(self) -> str | None:
        """Which limit ended an unfinished search: "seconds", "cells" or "bits" (None if none was reached)."""
        if self.elapsed() >= self.seconds:
            return "seconds"
        if self.used >= self.total:
            return "cells"
        return "bits" if self.bits_hit else None

    @property
    def left(self) -> int:
        return 0 if self.elapsed() >= self.seconds else self.total - self.used


class Refuted(Exception):
    """A confirmed counterexample was found; carries the witness."""

    def __init__(self, witness: dict[str, Any]) -> None:
        super().__init__("refuted")
        self.witness = witness


class _Failed(Exception):
    """A sub-problem cannot be certified (f > 0 at a point of a reduced problem)."""


@dataclass
class Result:
    """The end of one search: certified or not, closed cells with their proofs, and what stayed open."""

    certified: bool
    cells: list[dict[str, Any]]
    open_uppers: list[arb | None] = field(default_factory=list)

    def max_upper(self) -> Fraction | None | float:
        """The largest upper bound of f over the open cells (exact), math.inf if one is unbounded, None if none."""
        best: Fraction | None = None
        for up in self.open_uppers:
            if up is None or not up.is_finite():
                return math.inf
            hi = ball_bounds(up)[1]
            best = hi if best is None or hi > best else best
        return best


class Search:
    """Resumable branch and bound for ``target`` <= 0 (< 0 if strict) over ``box``."""

    def __init__(
        self, target: Target, box: Cell, strict: bool, prec: int, budget: Budget, confirm: Confirm | None
    ) -> None:
        self.target, self.box, self.strict, self.prec = target, box, strict, prec
        self.budget, self.confirm = budget, confirm
        self.names = target.names
        self.axes = [i for i in target.axes if box[i][0] != box[i][1]]
        self._tie = itertools.count()
        self.heap: list[tuple[float, int, Cell, arb | None]] = [(-math.inf, next(self._tie), box, None)]
        self.closed: list[dict[str, Any]] = []
        self.stuck: list[arb | None] = []

    def run(self, limit: int) -> bool:
        """Examine cells until none is open (True) or ``budget.used`` reaches ``limit`` (False); raises Refuted."""
        while self.heap:
            if self.budget.exhausted(limit):
                return False
            _prio, _t, cell, parent_up = heapq.heappop(self.heap)
            self.budget.used += 1
            self._examine(cell, parent_up)
        return not self.stuck

    def result(self) -> Result:
        open_uppers = self.stuck + [up for _p, _t, _c, up in self.heap]
        return Result(not open_uppers, self.closed, open_uppers)

    def _examine(self, cell: Cell, parent_up: arb | None) -> None:
        t = self.target
        ball = t.ball(cell)
        if ball is not None and ball.lower() > 0:
            self._probe(corners(cell, self.axes))
        sink: list[Cell] = []
        proof = prove_cell(t, cell, self.strict, self.prec, DERIVATIVE_DEPTH, sink, ball)
        if proof is not None:
            self.closed.append({"box": to_json(self.names, cell), "rule": proof})
            return
        if sink:
            if self.confirm is None:
                raise _Failed
            for p in sink:
                self._try(p)
        self._probe([center(cell)])
        axis = widest_axis(cell, self.box, self.axes)
        up = ball.upper() if ball is not None else None
        if axis is not None and not self.budget.cut_allowed(cell, axis):
            axis = None
        if axis is None:
            self.stuck.append(up)
            return
        prio = -float(up) if up is not None else math.inf  # cells where f is undefined wait until last
        for half in bisect(cell, axis):
            heapq.heappush(self.heap, (prio, next(self._tie), half, up))

    def _probe(self, points: Sequence[Cell]) -> None:
        """Look for a point where f > 0 among ``points``; a sure one is confirmed exactly (or ends a sub-problem)."""
        for p in points:
            b = self.target.ball(p)
            if b is not None and b.lower() > 0:
                if self.confirm is None:
                    raise _Failed
                self._try(p)

    def _try(self, point: Cell) -> None:
        assert self.confirm is not None
        witness = self.confirm(point)
        if witness is not None:
            raise Refuted(witness)


def solve(
    expr: sp.Expr,
    names: tuple[str, ...],
    box: Cell,
    strict: bool,
    prec: int,
    budget: Budget,
    confirm: Confirm | None,
    critical_depth: int = CRITICAL_DEPTH,
) -> Result:
    """Prove ``expr`` <= 0 over ``box`` by subdivision, with rule (d) on the whole box when subdivision stalls; raises Refuted."""
    target = Target(expr, names)
    search = Search(target, box, strict, prec, budget, confirm)
    try:
        if critical_depth > 0 and target.smooth and search.axes:
            first = budget.used + max(1, min(budget.left // FIRST_SHARE, FIRST_CAP))
            if search.run(first):
                return search.result()
            if not search.heap and not budget.bits_hit:  # only unsplittable failing points are left
                return search.result()
            for axis in search.axes:
                if budget.left <= 0:
                    break
                rule = _critical(target, box, axis, strict, prec, budget, confirm, critical_depth - 1)
                if rule is not None:
                    return Result(True, [{"box": to_json(names, box), "rule": rule}])
        search.run(budget.total)
    except _Failed:  # only raised when there is no confirm, i.e. in a reduced problem
        return Result(False, search.closed, [None])
    return search.result()


def _critical(
    target: Target,
    box: Cell,
    axis: int,
    strict: bool,
    prec: int,
    budget: Budget,
    confirm: Confirm | None,
    depth: int,
) -> Proof | None:
    """Rule (d) along ``axis`` over the whole box, or None when it does not apply or a piece is not certified."""
    names = target.names
    var = names[axis]
    sols = critical_solutions(target.expr, names, box, var)
    if sols is None:
        return None
    cover = defined_cover(target, axis, box, budget)
    if cover is None:
        return None
    try:
        faces, interior = _pieces(target, box, axis, sols, strict, prec, budget, confirm, depth)
    except ApproxTheoryError:  # a reduced problem SymPy cannot put in real form (e.g. log of a negative): skip the rule
        return None
    if faces is None:
        return None
    return {
        "rule": "critical",
        "var": var,
        "solutions": [str(s) for s in sols],
        "defined_cover": [to_json(names, c) for c in cover],
        "faces": faces,
        "interior": interior,
    }


def _pieces(target: Target, box: Cell, axis: int, sols: list[sp.Expr], strict: bool, prec: int, budget: Budget,
            confirm: Confirm | None, depth: int) -> tuple[list[Any] | None, list[Any]]:
    """Rule (d)'s faces and reduced problems, certified; (None, []) when one of them is not."""
    names = target.names
    var = names[axis]
    faces = []
    for end in box[axis]:
        res = solve(target.expr, names, fix(box, axis, end), strict, prec, budget, confirm, depth)
        if not res.certified:
            return None, []
        faces.append({"at": str(end), "cells": res.cells})
    interior = []
    for s in sols:
        r = reduced(target.expr, names, box, var, s)
        if reduced_is_zero(r):
            if strict:  # f = 0 at the critical points: f < 0 cannot hold there
                return None, []
            interior.append({"solution": str(s), "exact_zero": True})
            continue
        res = solve(r, names, box, strict, prec, budget, None, depth)
        if not res.certified:
            return None, []
        interior.append({"solution": str(s), "exact_zero": False, "cells": res.cells})
    return faces, interior


def defined_cover(target: Target, axis: int, box: Cell, budget: Budget) -> list[Cell] | None:
    """Cells covering ``box`` on each of which f and df/d(axis) are defined (so f is C^1 in that variable), or None."""
    deriv = target.derivative(axis)
    axes = [i for i in target.axes if box[i][0] != box[i][1]]
    limit = budget.used + max(1, budget.left // COVER_SHARE)
    todo, done = [box], []
    while todo:
        if budget.exhausted(limit):
            return None
        cell = todo.pop()
        budget.used += 1
        if target.ball(cell) is not None and deriv.ball(cell) is not None:
            done.append(cell)
            continue
        split = widest_axis(cell, box, axes)
        if split is None or not budget.cut_allowed(cell, split):
            return None
        for p in corners(cell, axes):  # undefined at a point: no cover exists, stop at once
            if target.ball(p) is None or deriv.ball(p) is None:
                return None
        todo.extend(bisect(cell, split))
    return done
