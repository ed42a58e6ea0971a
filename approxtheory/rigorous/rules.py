"""Cell rules that prove f <= 0 (or f < 0) on one cell: naive enclosure, exact point, monotonicity.

Each rule has a prover (``prove_cell``) that returns a JSON-ready proof or None, and a checker
(``check_cell``) that recomputes everything the proof claims. Decisions are made only by
certain Arb comparisons or exact SymPy arithmetic, never by floats.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from flint import arb

from approxtheory.core import ApproxTheoryError

from .cells import Cell, center, fix, is_point
from .compile import compile_expr, run
from .precision import working_precision
from .target import EXACT_ENDS, Target

Proof = dict[str, Any]

DERIVATIVE_DEPTH = 4  # how many derivative levels the monotonicity rule may nest
POINT_PRECISIONS = (1, 2, 4)  # multiples of the working precision tried at an exact point
MAX_PROOF_DEPTH = 64  # the checker refuses deeper (malformed) proofs
SIMPLIFY_MAX_OPS = 150  # larger expressions are not given to sympy.simplify (it can take minutes)


def below(ball: arb, strict: bool) -> bool:
    """True when the ball is certainly < 0 (strict) or <= 0 (non-strict)."""
    up = ball.upper()
    return bool(up < 0) if strict else bool(up <= 0)


def exact_zero(value: sp.Expr, allow_simplify: bool) -> bool:
    """True when SymPy shows ``value`` is exactly 0: structurally, or (if allowed) after ``simplify``."""
    if value == 0:
        return True
    if not allow_simplify or sp.count_ops(value) > SIMPLIFY_MAX_OPS:
        return False
    try:
        return bool(sp.simplify(value) == 0)
    except Exception:  # noqa: BLE001 - a SymPy failure only means "not shown to be zero"
        return False


def point_ball(value: sp.Expr, prec: int) -> arb | None:
    """An enclosure of a constant SymPy value at ``prec`` bits, or None if undefined, infinite or unsupported."""
    try:
        fn = compile_expr(value)
    except ApproxTheoryError:
        return None
    with working_precision(prec):
        b = run(fn, {})
    return b if b.is_finite() else None


def prove_point(target: Target, cell: Cell, strict: bool, prec: int, sink: list[Cell] | None) -> Proof | None:
    """Rule (c): substitute the exact point in SymPy, then decide by exact zero or by Arb at rising precision."""
    value = target.at(cell)
    if exact_zero(value, allow_simplify=False):
        if strict:
            _note(sink, cell)
            return None
        return {"rule": "point", "exact": "zero"}
    if value.free_symbols:
        return None
    for k in POINT_PRECISIONS:
        b = point_ball(value, prec * k)
        if b is None:
            return None
        if below(b, strict):
            return {"rule": "point", "prec": prec * k}
        if b.lower() > 0:
            _note(sink, cell)
            return None
    if exact_zero(value, allow_simplify=True):
        if strict:
            _note(sink, cell)
            return None
        return {"rule": "point", "exact": "simplify"}
    return None


def _note(sink: list[Cell] | None, cell: Cell) -> None:
    if sink is not None:
        sink.append(cell)


def _barely_above(ball: arb) -> bool:
    """Heuristic (decides nothing): the upper end exceeds 0 by a sliver only, as outward rounding of the cell would cause."""
    return bool(ball.upper() * 4096 < ball.rad())


def prove_cell(
    target: Target,
    cell: Cell,
    strict: bool,
    prec: int,
    depth: int = DERIVATIVE_DEPTH,
    sink: list[Cell] | None = None,
    ball: arb | None = None,
) -> Proof | None:
    """A proof that ``target`` <= 0 (< 0 if strict) on ``cell`` by rules (a)-(c), or None; ``sink`` collects points where it fails."""
    if ball is None:
        ball = target.ball(cell)
    if ball is None:
        if is_point(cell, target.axes):
            return prove_point(target, cell, strict, prec, sink)
        return None
    if below(ball, strict):
        return {"rule": "naive"}
    if is_point(cell, target.axes):
        return prove_point(target, cell, strict, prec, sink)
    if _barely_above(ball):
        for end in EXACT_ENDS:
            b = target.ball(cell, end)
            if b is not None and below(b, strict):
                return {"rule": "naive", "exact_end": end}
    if depth <= 0 or not target.smooth or ball.lower() > 0:
        return None
    for i in target.axes:
        lo, hi = cell[i]
        if lo == hi:
            continue
        signed = _monotone(target, cell, i, prec, depth)
        if signed is None:
            continue
        direction, dproof = signed
        face = fix(cell, i, lo if direction == "decreasing" else hi)
        fproof = prove_cell(target, face, strict, prec, depth, sink)
        if fproof is None:
            return None
        return {
            "rule": "monotone",
            "var": target.names[i],
            "direction": direction,
            "derivative": dproof,
            "face": fproof,
        }
    return None


def _monotone(target: Target, cell: Cell, axis: int, prec: int, depth: int) -> tuple[str, Proof] | None:
    """A proof that the partial derivative along ``axis`` keeps one sign on ``cell``, with that direction."""
    d = target.derivative(axis)
    dball = d.ball(cell)
    if dball is None:
        return None
    if below(dball, strict=False):
        return "decreasing", {"rule": "naive"}
    n = d.negated()
    nball = n.ball(cell)
    if nball is None:
        return None
    if below(nball, strict=False):
        return "increasing", {"rule": "naive"}
    if depth <= 1:
        return None
    # guess the sign from the derivative at the cell's center (a heuristic: it only orders the attempts)
    guess = d.ball(center(cell))
    dec, inc = ("decreasing", d, dball), ("increasing", n, nball)
    if guess is not None and guess.upper() < 0:
        attempts: tuple[tuple[str, Target, arb], ...] = (dec,)
    elif guess is not None and guess.lower() > 0:
        attempts = (inc,)
    else:
        attempts = (dec,) if dball.mid() <= 0 else (inc,)
    for direction, g, gball in attempts:
        proof = prove_cell(g, cell, False, prec, depth - 1, None, gball)
        if proof is not None:
            return direction, proof
    return None


def check_cell(target: Target, cell: Cell, proof: Any, strict: bool, prec: int, level: int = 0) -> bool:
    """Recompute a rule-(a)-(c) proof that ``target`` <= 0 (< 0 if strict) on ``cell``; False on any mismatch."""
    if level > MAX_PROOF_DEPTH or not isinstance(proof, dict):
        return False
    rule = proof.get("rule")
    if rule == "naive":
        end = proof.get("exact_end")
        if end is not None and end not in EXACT_ENDS:
            return False
        ball = target.ball(cell, end)
        return ball is not None and below(ball, strict)
    if rule == "point":
        if not is_point(cell, target.axes):
            return False
        value = target.at(cell)
        how = proof.get("exact")
        if how == "zero":
            return not strict and exact_zero(value, allow_simplify=False)
        if how == "simplify":
            return not strict and exact_zero(value, allow_simplify=True)
        p = proof.get("prec")
        if how is not None or not isinstance(p, int) or isinstance(p, bool) or not 8 <= p <= 1 << 16:
            return False
        if value.free_symbols:
            return False
        b = point_ball(value, p)
        return b is not None and below(b, strict)
    if rule == "monotone":
        name, direction = proof.get("var"), proof.get("direction")
        if not target.smooth or name not in target.names or direction not in ("decreasing", "increasing"):
            return False
        i = target.names.index(name)
        lo, hi = cell[i]
        if i not in target.axes or lo == hi or target.ball(cell) is None:
            return False
        d = target.derivative(i)
        g = d if direction == "decreasing" else d.negated()
        face = fix(cell, i, lo if direction == "decreasing" else hi)
        return check_cell(g, cell, proof.get("derivative"), False, prec, level + 1) and check_cell(
            target, face, proof.get("face"), strict, prec, level + 1
        )
    return False
