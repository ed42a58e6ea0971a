"""Independent re-verification of a CERTIFIED comparison's certificate, trusting nothing it records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from approxtheory.core import ApproxTheoryError, Status

from .cells import Cell, covers, fix, from_json
from .comparison import Comparison
from .critical import critical_solutions, reduced, reduced_is_zero
from .inputs import boundary, prepare
from .precision import working_precision
from .rules import MAX_PROOF_DEPTH, check_cell
from .target import Target


def recheck(lhs: Any, rhs: Any, comparison: Comparison, box: Mapping[Any, Any], *, strict: bool) -> bool:
    """True only if the certificate proves lhs <= rhs (lhs < rhs if ``strict``) on ``box``, which the caller states
    (the certificate's own box and strictness are never trusted): cells cover ``box``, every rule re-checks.

    Inputs pass the same door as :func:`certify_leq` (strings, Floats, exact box keys, assumptions); bad input
    is an ApproxTheoryError, a certificate that does not prove the statement gives False.
    """
    if not isinstance(strict, bool):
        raise ApproxTheoryError(f"strict must be True or False, got {strict!r}")
    with boundary(f"{lhs} {'<' if strict else '<='} {rhs}"):
        (left, right), names, cell, _ints = prepare([lhs, rhs], box)
    if comparison.status is not Status.CERTIFIED:
        return False
    try:
        if not isinstance(comparison.box, Mapping) or set(comparison.box) != set(names):
            return False
        if from_json(names, comparison.box) != cell:
            return False
        with working_precision(comparison.prec):
            return check_cells(left - right, names, cell, comparison.cells, strict, comparison.prec, 0)
    except (ApproxTheoryError, KeyError, TypeError, ValueError, IndexError, AttributeError, ArithmeticError):
        return False


def _inside(cell: Cell, box: Cell) -> bool:
    return all(blo <= lo and hi <= bhi for (lo, hi), (blo, bhi) in zip(cell, box))


def check_cells(
    expr: sp.Expr, names: tuple[str, ...], box: Cell, entries: Any, strict: bool, prec: int, level: int
) -> bool:
    """True when ``entries`` (cells with rules) lie in ``box``, cover it, and each rule proves expr <= 0 (< 0) on its cell."""
    if level > MAX_PROOF_DEPTH or not isinstance(entries, (list, tuple)) or not entries:
        return False
    target = Target(expr, names)
    cells = []
    for entry in entries:
        cell = from_json(names, entry["box"])
        if not _inside(cell, box):
            return False
        rule = entry["rule"]
        if isinstance(rule, dict) and rule.get("rule") == "critical":
            ok = _check_critical(target, cell, rule, strict, prec, level)
        else:
            ok = check_cell(target, cell, rule, strict, prec)
        if not ok:
            return False
        cells.append(cell)
    return covers(box, cells)


def _check_critical(target: Target, cell: Cell, rule: dict[str, Any], strict: bool, prec: int, level: int) -> bool:
    """Re-derive rule (d) on ``cell``: same explicit solutions, f C^1 in the variable, faces and reduced problems certified."""
    names = target.names
    var = rule.get("var")
    if not target.smooth or var not in names:
        return False
    axis = names.index(var)
    if axis not in target.axes or cell[axis][0] == cell[axis][1]:
        return False
    sols = critical_solutions(target.expr, names, cell, var)
    if sols is None or [str(s) for s in sols] != rule.get("solutions"):
        return False
    cover = [from_json(names, c) for c in rule.get("defined_cover", [])]
    deriv = target.derivative(axis)
    if not cover or not covers(cell, cover) or not all(_inside(c, cell) for c in cover):
        return False
    for c in cover:
        if target.ball(c) is None or deriv.ball(c) is None:
            return False
    faces = rule.get("faces")
    if not isinstance(faces, list) or len(faces) != 2:
        return False
    for end, face in zip(cell[axis], faces):
        if not check_cells(target.expr, names, fix(cell, axis, end), face.get("cells"), strict, prec, level + 1):
            return False
    interior = rule.get("interior")
    if not isinstance(interior, list) or len(interior) != len(sols):
        return False
    for s, piece in zip(sols, interior):
        if piece.get("solution") != str(s):
            return False
        r = reduced(target.expr, names, cell, var, s)
        if piece.get("exact_zero") is True:
            if strict or not reduced_is_zero(r):
                return False
        elif not check_cells(r, names, cell, piece.get("cells"), strict, prec, level + 1):
            return False
    return True
