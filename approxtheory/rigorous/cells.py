"""Cells of a box: exact rational intervals per variable, bisection, JSON form and the cover check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from approxtheory.core import ApproxTheoryError

from .exact import fraction_str, to_fraction

Interval = tuple[Fraction, Fraction]
Cell = tuple[Interval, ...]
CellJSON = dict[str, tuple[str, str]]


def read_box(box: Mapping[Any, Any], names: Sequence[str]) -> Cell:
    """A box given as name/Symbol -> (lo, hi) (or one exact value) as a Cell over ``names``, exact rationals only."""
    given = {str(k): v for k, v in box.items()}
    missing = [n for n in names if n not in given]
    if missing:
        raise ApproxTheoryError(
            f"the box gives no interval for {', '.join(missing)}", "give every free symbol an interval (lo, hi)"
        )
    out = []
    for n in names:
        v = given[n]
        if isinstance(v, (tuple, list)):
            if len(v) != 2:
                raise ApproxTheoryError(f"the interval for {n} must be (lo, hi), got {v!r}")
            lo, hi = to_fraction(v[0], f"the lower bound of {n}"), to_fraction(v[1], f"the upper bound of {n}")
        else:
            lo = hi = to_fraction(v, f"the value of {n}")
        if lo > hi:
            raise ApproxTheoryError(f"the interval for {n} is empty: {lo} > {hi}")
        out.append((lo, hi))
    return tuple(out)


def split_point(lo: Fraction, hi: Fraction) -> Fraction:
    """The dyadic with the fewest bits in the middle half of [lo, hi] (the midpoint when lo, hi are dyadic and aligned)."""
    w = hi - lo
    a, b = lo + w / 4, hi - w / 4
    if a <= 0 <= b:
        return Fraction(0)
    # the largest power of two 2**j with a multiple in [a, b]; 2**j <= w/2 always has one
    j = (w / 2).numerator.bit_length() - (w / 2).denominator.bit_length()
    while Fraction(2) ** j > w / 2:
        j -= 1
    while True:
        step = Fraction(2) ** (j + 1)
        k = -((-a) // step)  # ceil(a / step)
        if k * step > b:
            break
        j += 1
    step = Fraction(2) ** j
    k = -((-a) // step)
    return k * step


def bisect(cell: Cell, axis: int) -> tuple[Cell, Cell]:
    """The two halves of ``cell`` cut at :func:`split_point` along ``axis``."""
    lo, hi = cell[axis]
    m = split_point(lo, hi)
    left = cell[:axis] + ((lo, m),) + cell[axis + 1 :]
    right = cell[:axis] + ((m, hi),) + cell[axis + 1 :]
    return left, right


def widest_axis(cell: Cell, box: Cell, axes: Sequence[int]) -> int | None:
    """Among ``axes``, the one whose width relative to the box is largest (first on ties), or None if all are points."""
    best, best_w = None, Fraction(0)
    for i in axes:
        full = box[i][1] - box[i][0]
        if full == 0:
            continue
        rel = (cell[i][1] - cell[i][0]) / full
        if rel > best_w:
            best, best_w = i, rel
    return best


def fix(cell: Cell, axis: int, value: Fraction) -> Cell:
    """``cell`` with coordinate ``axis`` fixed to ``value`` (a face or a point)."""
    return cell[:axis] + ((value, value),) + cell[axis + 1 :]


def center(cell: Cell) -> Cell:
    """A simple rational point inside ``cell``: the split point of every side."""
    return tuple((m, m) for m in (lo if lo == hi else split_point(lo, hi) for lo, hi in cell))


def corners(cell: Cell, axes: Sequence[int]) -> list[Cell]:
    """The corners of ``cell`` along ``axes`` (other coordinates at their centers), at most 16 of them."""
    base = list(center(cell))
    out: list[Cell] = []
    active = [i for i in axes if cell[i][0] != cell[i][1]][:4]
    for mask in range(1 << len(active)):
        pt = list(base)
        for bit, i in enumerate(active):
            v = cell[i][1] if mask >> bit & 1 else cell[i][0]
            pt[i] = (v, v)
        out.append(tuple(pt))
    return out


def is_point(cell: Cell, axes: Sequence[int]) -> bool:
    """True when every coordinate in ``axes`` is fixed."""
    return all(cell[i][0] == cell[i][1] for i in axes)


def to_json(names: Sequence[str], cell: Cell) -> CellJSON:
    """``cell`` as name -> (lo, hi) exact strings."""
    return {n: (fraction_str(lo), fraction_str(hi)) for n, (lo, hi) in zip(names, cell)}


def from_json(names: Sequence[str], data: Mapping[str, Any]) -> Cell:
    """The Cell over ``names`` written by :func:`to_json` (lists accepted for tuples)."""
    if set(data) != set(names):
        raise ApproxTheoryError(f"a certificate cell names {sorted(data)}, expected {sorted(names)}")
    out = []
    for n in names:
        lo, hi = data[n]
        lo_q, hi_q = to_fraction(lo), to_fraction(hi)
        if lo_q > hi_q:
            raise ApproxTheoryError(f"a certificate cell has an empty interval for {n}")
        out.append((lo_q, hi_q))
    return tuple(out)


def _overlaps(c: Cell, region: Cell) -> bool:
    """True when ``c`` meets ``region`` in a set of full dimension relative to ``region``."""
    for (clo, chi), (rlo, rhi) in zip(c, region):
        if rlo == rhi:
            if not clo <= rlo <= chi:
                return False
        elif max(clo, rlo) >= min(chi, rhi):
            return False
    return True


def _contains(c: Cell, region: Cell) -> bool:
    return all(clo <= rlo and rhi <= chi for (clo, chi), (rlo, rhi) in zip(c, region))


def _cut(region: Cell, cells: Sequence[Cell]) -> tuple[int, Fraction] | None:
    """A cut of ``region`` at a boundary of one of ``cells``, preferring the bisection's own split points."""
    for i, (rlo, rhi) in enumerate(region):
        if rlo == rhi:
            continue
        m = split_point(rlo, rhi)
        if any(c[i][0] == m or c[i][1] == m for c in cells):
            return i, m
    for c in cells:
        for i, ((clo, chi), (rlo, rhi)) in enumerate(zip(c, region)):
            if rlo < clo < rhi:
                return i, clo
            if rlo < chi < rhi:
                return i, chi
    return None


def covers(region: Cell, cells: Sequence[Cell]) -> bool:
    """True when the closed cells cover ``region`` exactly (checked by cutting at cell boundaries, no sampling)."""
    stack: list[tuple[Cell, list[Cell]]] = [(region, list(cells))]
    while stack:
        reg, pool = stack.pop()
        rel = [c for c in pool if _overlaps(c, reg)]
        if not rel:
            return False
        if any(_contains(c, reg) for c in rel):
            continue
        cut = _cut(reg, rel)
        if cut is None:
            return False
        i, at = cut
        stack.append((fix_range(reg, i, (reg[i][0], at)), rel))
        stack.append((fix_range(reg, i, (at, reg[i][1])), rel))
    return True


def fix_range(cell: Cell, axis: int, rng: Interval) -> Cell:
    """``cell`` with coordinate ``axis`` replaced by the interval ``rng``."""
    return cell[:axis] + (rng,) + cell[axis + 1 :]
