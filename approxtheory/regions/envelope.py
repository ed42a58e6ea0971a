"""Exact upper envelopes of affine pieces on a partition of [0,1], vectorised over all pieces at once.

This is the 1-D engine of GYZ26.def.linear_regions ('Exact counting', d = 1): on each piece [T_p, T_p+1] and
for each group (a maxout unit, a ReLU unit, an attention head at one query token) the max of K lines
S t + C is followed from left to right; the pieces are split exactly where the active line changes.
Breakpoints come only from the lines themselves (crossings t = (C_a - C_j)/(S_j - S_a)), never from a grid.
All quantities are integers (int64 when provably safe, else Python ints); breakpoints are num/den pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .rational import bitlen, cast, reduce_fractions, to_float


@dataclass(frozen=True)
class Refinement:
    """The split partition: new breakpoints, each new piece's parent, and each group's active line on it."""

    tn: np.ndarray  # (P'+1,) breakpoint numerators, lowest terms
    td: np.ndarray  # (P'+1,) breakpoint denominators (> 0)
    parent: np.ndarray  # (P',) index of the piece each new piece lies in
    lines: np.ndarray  # (P', G) active line of each group (the envelope; ties resolved to one member)


def _left_active(tn: np.ndarray, td: np.ndarray, LS: np.ndarray, LC: np.ndarray) -> np.ndarray:
    """Active line just right of each piece's left end: largest value there, then largest slope."""
    a, b = tn[:-1, None, None], td[:-1, None, None]
    V = LS * a + LC * b  # value at T_p, times td_p > 0
    top = V == V.max(axis=2, keepdims=True)
    below = int(LS.min()) - 1 if LS.size else 0  # sentinel under every slope
    return np.where(top, LS, below).argmax(axis=2)


def _walk(tn: np.ndarray, td: np.ndarray, LS: np.ndarray, LC: np.ndarray, act0: np.ndarray):
    """Follow each (piece, group) envelope rightwards; return its split events (piece, group, num, den, line)."""
    P, G, K = LS.shape
    LSf, LCf = LS.reshape(P * G, K), LC.reshape(P * G, K)
    idx = np.arange(P * G)
    cur = act0.reshape(-1).copy()
    right_n, right_d = tn[1:][idx // G], td[1:][idx // G]
    out: list[tuple[np.ndarray, ...]] = []
    zero = np.zeros(0, dtype=LS.dtype)
    for _ in range(K - 1):  # the active slope strictly increases, so at most K-1 switches per piece and group
        if idx.size == 0:
            break
        n = idx.size
        Ls, Lc = LSf[idx], LCf[idx]
        rows = np.arange(n)
        ds = Ls - Ls[rows, cur][:, None]
        dc = Lc[rows, cur][:, None] - Lc
        has = np.zeros(n, dtype=bool)
        bn = np.zeros(n, dtype=LS.dtype) if LS.dtype != object else np.full(n, 0, dtype=object)
        bd = np.ones(n, dtype=LS.dtype) if LS.dtype != object else np.full(n, 1, dtype=object)
        bs = bn.copy()
        bj = np.zeros(n, dtype=np.int64)
        for j in range(K):
            dj, nj = ds[:, j], dc[:, j]
            valid = dj > 0  # only steeper lines can overtake; they cross strictly right of the current point
            lhs, rhs = nj * bd, bn * dj
            better = valid & (~has | (lhs < rhs) | ((lhs == rhs) & (dj > bs)))  # earliest, then steepest
            bn = np.where(better, nj, bn)
            bd = np.where(better, dj, bd)
            bs = np.where(better, dj, bs)
            bj = np.where(better, j, bj)
            has |= valid
        split = has & (bn * right_d < right_n * bd)  # crossing strictly inside the piece
        idx, cur = idx[split], bj[split]
        out.append((idx // G, idx % G, bn[split], bd[split], cur))
        right_n, right_d = right_n[split], right_d[split]
    if not out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), zero, zero, np.zeros(0, np.int64)
    return tuple(np.concatenate(parts) for parts in zip(*out))


def _sort_events(p: np.ndarray, n: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Order of events by (piece, exact t): float keys, then an exact check and exact repair where needed."""
    order = np.lexsort((to_float(n, d), p))
    if order.size < 2:
        return order
    ps, ns, ds = p[order], n[order], d[order]
    same = ps[1:] == ps[:-1]
    bad = same & (ns[1:] * ds[:-1] < ns[:-1] * ds[1:])
    if bad.any():  # float keys tied or misordered distinct rationals: re-sort those pieces exactly
        for piece in np.unique(ps[1:][bad]):
            where = np.flatnonzero(ps == piece)
            seg = order[where]
            order[where] = sorted(seg, key=lambda e: Fraction(int(n[e]), int(d[e])))
    return order


def refine(tn: np.ndarray, td: np.ndarray, LS: np.ndarray, LC: np.ndarray) -> Refinement:
    """Split every piece where some group's upper envelope changes line (exact; cost linear in pieces)."""
    P, G, K = LS.shape
    bY, bT = bitlen(LS, LC), bitlen(tn, td)
    LS, LC, tn, td = cast(max(bY + bT + 2, 2 * bY + 4), LS, LC, tn, td)
    act0 = _left_active(tn, td, LS, LC)
    if K < 2 or G == 0:
        return Refinement(tn, td, np.arange(P), act0)
    ep, eg, en, ed, el = _walk(tn, td, LS, LC, act0)
    if ep.size == 0:
        return Refinement(tn, td, np.arange(P), act0)
    order = _sort_events(ep, en, ed)
    ep, eg, en, ed, el = ep[order], eg[order], en[order], ed[order], el[order]
    dup = np.zeros(ep.size, dtype=bool)
    dup[1:] = (ep[1:] == ep[:-1]) & (en[1:] * ed[:-1] == en[:-1] * ed[1:])  # two groups switching at one t
    uid = np.cumsum(~dup) - 1  # event -> distinct breakpoint
    first = ~dup
    up, un, ud = ep[first], en[first], ed[first]
    counts = np.bincount(up, minlength=P)
    start = np.arange(P) + np.concatenate([[0], np.cumsum(counts)[:-1]])  # new index of each parent's first piece
    offset = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(up.size) - offset[up]
    pos = start[up] + rank + 1  # new index of the piece starting at each distinct breakpoint
    total = P + up.size
    un, ud = reduce_fractions(un, ud)
    new_n = np.empty(total + 1, dtype=tn.dtype)
    new_d = np.empty(total + 1, dtype=tn.dtype)
    new_n[start], new_d[start] = tn[:-1], td[:-1]
    new_n[pos], new_d[pos] = un, ud
    new_n[-1], new_d[-1] = tn[-1], td[-1]
    parent = np.repeat(np.arange(P), counts + 1)
    vals = np.full((total, G), -1, dtype=np.int64)
    vals[start] = act0
    vals[pos[uid], eg] = el
    fill = np.where(vals >= 0, np.arange(total)[:, None], 0)
    fill = np.maximum.accumulate(fill, axis=0)  # forward fill within each parent (its first row is always set)
    lines = np.take_along_axis(vals, fill, axis=0)
    return Refinement(new_n, new_d, parent, lines)
