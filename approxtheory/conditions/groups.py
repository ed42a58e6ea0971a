"""Permutation groups on token positions as NumPy arrays: a base and strong generating set, no SymPy.

Why not SymPy: at n = 32 a ``check_uap`` spent 55% of its time in ``PermutationGroup.contains`` and 20% in
SymPy's Schreier-Sims (issue 14). Here a permutation is an int array ``s`` with ``s[i] = sigma(i)`` (the
convention of ``permutations.py``, CLSL25 §2) and composition is one fancy index, ``(a o b) = a[b]``.

* ``NamedGroup``: S_n, C_n, D_n, the reversal and the trivial group decide membership and order by
  arithmetic (a shift is ``s[i] = i + k mod n``, a dihedral element ``s[i] = +-i + k mod n``), so asking
  whether a permutation lies in S_64 costs O(n), not a stabiliser chain.
* ``PermGroup``: any other group, held as a stabiliser chain G = G_0 > G_1 > ... (G_i fixes the first i
  base points) with full transversals as arrays. The chain comes either from a search that already
  produced a base and strong generating set (``from_bsgs``, no further work) or from the deterministic
  Schreier-Sims algorithm below (Holt, Handbook of CGT §4.4.2). Membership is a sift, the order is the
  product of the basic orbit sizes.

``exact`` is bookkeeping for the symmetry search: False when the group is only a lower bound for the
group it was searched as (a subgroup found by a search that stopped early).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PermLike = Any  # an int sequence s[i] = sigma(i), or an object with ``array_form`` (a SymPy Permutation)


def as_array(p: PermLike, n: int) -> np.ndarray | None:
    """The permutation as an int array of length n, or None if it is not a permutation of 0..n-1."""
    arr = np.asarray(getattr(p, "array_form", p), dtype=np.int64).ravel()
    if arr.size < n:  # SymPy trims trailing fixed points only when asked; pad them back
        arr = np.concatenate([arr, np.arange(arr.size, n)])
    if arr.size != n or not np.array_equal(np.sort(arr), np.arange(n)):
        return None
    return arr


def inverse(s: np.ndarray) -> np.ndarray:
    inv = np.empty_like(s)
    inv[s] = np.arange(s.size)
    return inv


def is_identity(s: np.ndarray) -> bool:
    return bool(np.array_equal(s, np.arange(s.size)))


@dataclass
class _Level:
    """One link of the stabiliser chain: base point, the strong generators fixing the earlier base points,
    and the transversal: ``member[u]`` iff u is in the basic orbit, then ``reps[u]`` maps the base point to u."""

    point: int
    gens: list[np.ndarray]
    reps: np.ndarray
    member: np.ndarray

    @classmethod
    def build(cls, point: int, gens: list[np.ndarray], n: int) -> _Level:
        level = cls(point, gens, np.zeros((n, n), dtype=np.int64), np.zeros(n, bool))
        level.recompute(n)
        return level

    @property
    def size(self) -> int:
        return int(self.member.sum())

    def rep(self, u: int) -> np.ndarray | None:
        return self.reps[u] if self.member[u] else None

    def transversal(self) -> list[np.ndarray]:
        return [self.reps[u] for u in np.flatnonzero(self.member)]

    def recompute(self, n: int) -> None:
        """Breadth-first orbit of the base point, every generator applied to the whole frontier at once."""
        self.member[:] = False
        self.member[self.point] = True
        self.reps[self.point] = np.arange(n)
        stack = np.array(self.gens, dtype=np.int64).reshape(-1, n)
        frontier = np.array([self.point])
        while frontier.size and len(stack):
            images = stack[:, frontier]  # images[g, f] = gens[g](frontier[f])
            g_idx = np.repeat(np.arange(len(stack)), frontier.size)
            f_idx = np.tile(np.arange(frontier.size), len(stack))
            u = images.ravel()
            new = ~self.member[u]
            u, g_idx, f_idx = u[new], g_idx[new], f_idx[new]
            u, first = np.unique(u, return_index=True)
            # gen o rep(frontier point) maps the base point to u
            self.reps[u] = np.take_along_axis(stack[g_idx[first]], self.reps[frontier[f_idx[first]]], axis=1)
            self.member[u] = True
            frontier = u


class PermGroup:
    """A permutation group on 0..n-1 given by generators, stored as a stabiliser chain of arrays."""

    def __init__(self, n: int, generators: Iterable[PermLike] = (), *, exact: bool = True,
                 _levels: list[_Level] | None = None) -> None:
        self.n = n
        gens = [as_array(g, n) for g in generators]
        if any(g is None for g in gens):
            raise ValueError(f"a generator is not a permutation of 0..{n - 1}")
        self._generators = [g for g in gens if g is not None and not is_identity(g)]
        self.exact = exact
        self._levels = _levels

    # ---- construction ----------------------------------------------------------------------------

    @classmethod
    def from_bsgs(cls, n: int, base: Sequence[int], strong: Sequence[PermLike], *, exact: bool = True) -> PermGroup:
        """Trust ``strong`` to be a strong generating set relative to ``base`` (e.g. from a search tree that
        found, for every base prefix, generators of the pointwise stabiliser): no Schreier-Sims needed."""
        gens = [a for a in (as_array(s, n) for s in strong) if a is not None and not is_identity(a)]
        points = np.asarray(list(base), dtype=np.int64)
        stack = np.array(gens, dtype=np.int64).reshape(-1, n)
        # first[g] = how many leading base points generator g fixes; it belongs to the levels up to there
        moved = (stack[:, points] != points[None, :]).reshape(len(stack), len(points))
        first = np.where(moved.any(axis=1), np.argmax(np.pad(moved, ((0, 0), (0, 1))), axis=1), len(points))
        levels = [_Level.build(int(b), [gens[g] for g in np.flatnonzero(first >= i)], n) for i, b in enumerate(points)]
        return cls(n, gens, exact=exact, _levels=levels)

    @property
    def levels(self) -> list[_Level]:
        if self._levels is None:
            self._levels = _schreier_sims(self._generators, self.n)
        return self._levels

    # ---- queries ---------------------------------------------------------------------------------

    @property
    def generators(self) -> list[np.ndarray]:
        return [g.copy() for g in self._generators]

    @property
    def base(self) -> list[int]:
        return [lv.point for lv in self.levels]

    def order(self) -> int:
        return math.prod(lv.size for lv in self.levels)

    def sift(self, s: np.ndarray) -> tuple[np.ndarray, int]:
        """Strip s through the chain: the residue and the level where it stopped (len(levels) if it passed)."""
        for k, lv in enumerate(self.levels):
            rep = lv.rep(int(s[lv.point]))
            if rep is None:
                return s, k
            s = inverse(rep)[s]
        return s, len(self.levels)

    def contains(self, p: PermLike) -> bool:
        s = as_array(p, self.n)
        if s is None:
            return False
        residue, _ = self.sift(s)
        return is_identity(residue)

    def elements(self) -> Iterator[np.ndarray]:
        """Every element, as products of one transversal element per level (only for small groups)."""
        levels = self.levels
        for reps in itertools.product(*(lv.transversal() for lv in levels)):
            g = np.arange(self.n)
            for r in reversed(reps):  # g = r_0 o r_1 o ... o r_k
                g = r[g]
            yield g

    def random_element(self, rng: np.random.Generator) -> np.ndarray:
        """A uniformly random element: one uniformly random transversal element per level, composed."""
        g = np.arange(self.n)
        for lv in reversed(self.levels):
            reps = lv.transversal()
            g = reps[int(rng.integers(len(reps)))][g]
        return g

    def orbits(self) -> list[list[int]]:
        """The orbits on 0..n-1 (union-find over the generators)."""
        parent = np.arange(self.n)

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = int(parent[x])
            return x

        for g in self._generators:
            for i in range(self.n):
                a, b = find(i), find(int(g[i]))
                if a != b:
                    parent[max(a, b)] = min(a, b)
        groups: dict[int, list[int]] = {}
        for i in range(self.n):
            groups.setdefault(find(i), []).append(i)
        return list(groups.values())


def _schreier_sims(generators: list[np.ndarray], n: int) -> list[_Level]:
    """Deterministic Schreier-Sims (Holt, Handbook of CGT, SCHREIERSIMS): for levels i from the bottom up,
    every Schreier generator t_{x(b)}^{-1} x t_b of level i must sift through levels i+1..; a residue is
    added as a new strong generator (and base point if it passed every level), and work resumes there."""
    gens = [g for g in generators if not is_identity(g)]
    if not gens:
        return []
    base: list[int] = []
    for g in gens:
        if all(g[b] == b for b in base):
            base.append(int(np.flatnonzero(g != np.arange(n))[0]))
    strong = list(gens)
    levels = [_Level.build(b, [g for g in strong if all(g[p] == p for p in base[:i])], n) for i, b in enumerate(base)]

    def sift_from(s: np.ndarray, start: int) -> tuple[np.ndarray, int]:
        for k in range(start, len(levels)):
            rep = levels[k].rep(int(s[levels[k].point]))
            if rep is None:
                return s, k
            s = inverse(rep)[s]
        return s, len(levels)

    i = len(levels) - 1
    while i >= 0:
        added = False
        lv = levels[i]
        for beta in np.flatnonzero(lv.member):
            t_beta = lv.reps[beta]
            for x in list(lv.gens):
                t_img = lv.reps[int(x[beta])]
                h = inverse(t_img)[x[t_beta]]  # t_{x(beta)}^{-1} o x o t_beta fixes the base point
                residue, j = sift_from(h, i + 1)
                if j == len(levels) and is_identity(residue):
                    continue
                if j == len(levels):
                    moved = int(np.flatnonzero(residue != np.arange(n))[0])
                    levels.append(_Level.build(moved, [], n))
                for level in levels[i + 1: j + 1]:
                    level.gens.append(residue)
                    level.recompute(n)
                i = j
                added = True
                break
            if added:
                break
        if not added:
            i -= 1
    return levels


# ---- groups named by --group, in closed form -------------------------------------------------------------


def _shift(n: int, k: int = 1) -> np.ndarray:
    return (np.arange(n) + k) % n


class NamedGroup(PermGroup):
    """S_n, C_n, D_n, the reversal group or the trivial group: membership and order by arithmetic."""

    NAMES = ("S_n", "C_n", "D_n", "reflection", "trivial")

    def __init__(self, name: str, n: int) -> None:
        if name not in self.NAMES:
            raise ValueError(f"unknown named group {name!r}")
        idx = np.arange(n)
        gens = {"S_n": [_shift(n), _transposition01(n)], "C_n": [_shift(n)], "D_n": [_shift(n), (-idx) % n],
                "reflection": [idx[::-1].copy()], "trivial": []}[name]
        super().__init__(n, gens)
        self.name = name

    def order(self) -> int:
        n = self.n
        return {"S_n": math.factorial(n), "C_n": n, "D_n": 2 * n if n >= 3 else n,
                "reflection": 2 if n >= 2 else 1, "trivial": 1}[self.name]

    def contains(self, p: PermLike) -> bool:
        s = as_array(p, self.n)
        if s is None:
            return False
        n, idx = self.n, np.arange(self.n)
        k = int(s[0]) if n else 0
        if self.name == "S_n":
            return True
        if self.name == "trivial":
            return is_identity(s)
        if self.name == "reflection":
            return is_identity(s) or bool(np.array_equal(s, idx[::-1]))
        shift = bool(np.array_equal(s, (idx + k) % n))
        if self.name == "C_n":
            return shift
        return shift or bool(np.array_equal(s, (k - idx) % n))

    def elements(self) -> Iterator[np.ndarray]:
        n, idx = self.n, np.arange(self.n)
        if self.name == "S_n":
            yield from (np.array(p) for p in itertools.permutations(range(n)))
        elif self.name in ("C_n", "D_n"):
            yield from ((idx + k) % n for k in range(n))
            if self.name == "D_n" and n >= 3:
                yield from ((k - idx) % n for k in range(n))
        else:
            yield idx
            if self.name == "reflection" and n >= 2:
                yield idx[::-1].copy()


def _transposition01(n: int) -> np.ndarray:
    s = np.arange(n)
    if n >= 2:
        s[[0, 1]] = [1, 0]
    return s
