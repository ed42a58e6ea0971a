"""Individualise-refine search for a permutation group inside Aut(W), W an edge-coloured digraph (CLSL25 §2).

The symmetry search (equivariance.py) colours every ordered pair (a, i) of positions by an output of the
mechanism that any symmetry must preserve, ``W[sigma(a), sigma(i)] = W[a, i]``, so Sym(F) lies in Aut(W).
Sym(F) itself is found here without enumerating S_n, as nauty does for Aut (McKay & Piperno 2014):

* colour refinement (1-WL on W) splits positions by the multiset of (edge colour, neighbour colour), with
  canonical labels (ranks of hashed signatures), so refined partitions of two nodes related by an
  automorphism carry equal labels and equal traces;
* the first path individualises the first vertex of the first non-singleton cell until the partition is
  discrete, giving base points b_1, b_2, ...;
* bottom-up, for each level k and each v in the cell of b_{k+1} not already in the orbit of b_{k+1} under the
  generators found so far (all of which fix b_1..b_k), a backtracking descent looks for a leaf (a bijection
  respecting every refined partition) that is an automorphism of W and passes ``accept`` (the numerical
  equivariance test). Found leaves are strong generators relative to the base, so the group's order is the
  product of the basic orbit sizes and no Schreier-Sims is needed.

A descent that runs out of its leaf budget leaves v's membership of the orbit unknown: the group found is
then a subgroup of the true one and ``complete`` is False (a lower bound).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Trace = tuple[int, ...]


def label(values: np.ndarray, gap: float) -> np.ndarray:
    """Integer labels for real values, equal when a chain of neighbours closer than ``gap`` joins them.

    Values that differ by less than the noise always share a label (chaining only merges more), so a true
    symmetry is never lost; two distinct values merged only weaken the pruning."""
    flat = values.ravel()
    finite = np.where(np.isfinite(flat), flat, np.inf)  # non-finite entries share one colour
    order = np.argsort(finite, kind="stable")
    with np.errstate(invalid="ignore"):
        steps = np.diff(finite[order])  # inf - inf is nan, which is no cut: one colour
    cuts = np.concatenate([[0], np.cumsum(steps > gap)])
    out = np.empty(flat.size, dtype=np.int64)
    out[order] = cuts
    return out.reshape(values.shape)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64: a fixed bijective scramble of uint64, so sums of mixed keys hash multisets."""
    x = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def refine(W: np.ndarray, colours: np.ndarray) -> tuple[np.ndarray, Trace]:
    """Equitable refinement with canonical labels 0..k-1, and the trace of the signatures seen on the way.

    A position's signature hashes its colour with the multisets {(W[a, i], colour i)} and {(W[i, a], colour
    i)} (sums of scrambled keys: O(n^2) per round, no sort). Labels are ranks of signatures, so they depend
    only on content; a hash collision can only merge cells, which costs pruning, never a symmetry (every
    leaf is checked against W itself)."""
    trace: list[int] = []
    while True:
        k = int(colours.max()) + 1
        out_hash = _mix(W * k + colours[None, :]).sum(axis=1)
        in_hash = _mix(W.T * k + colours[None, :] + (np.int64(1) << np.int64(40))).sum(axis=1)  # tagged apart
        sig = _mix(_mix(colours) ^ out_hash) + _mix(in_hash)
        uniq, new, counts = np.unique(sig, return_inverse=True, return_counts=True)
        trace.append(hash((uniq.tobytes(), counts.tobytes())))
        new = new.ravel()
        if len(uniq) == k:
            return new, tuple(trace)
        colours = new


def individualise(colours: np.ndarray, v: int) -> np.ndarray:
    """v gets a colour of its own, placed right after its old cell (canonical: depends only on v's cell)."""
    out = colours * 2
    out[v] += 1
    return out


def target_cell(colours: np.ndarray) -> int | None:
    """The colour of the first non-singleton cell, or None if the partition is discrete."""
    counts = np.bincount(colours)
    big = np.flatnonzero(counts > 1)
    return int(big[0]) if big.size else None


@dataclass
class _Node:
    colours: np.ndarray
    trace: Trace
    cell: int | None  # colour individualised next (None at the leaf)


@dataclass(frozen=True)
class RefinementResult:
    """Strong generators relative to ``base``, the basic orbit sizes, and whether every branch was decided."""

    base: list[int]
    generators: list[np.ndarray]
    orbit_sizes: list[int]
    complete: bool
    leaves_tested: int

    @property
    def order(self) -> int:
        return math.prod(self.orbit_sizes)


def _orbit(point: int, generators: list[np.ndarray], n: int) -> np.ndarray:
    seen = np.zeros(n, bool)
    seen[point] = True
    frontier = np.array([point])
    stack = np.array(generators, dtype=np.int64).reshape(-1, n)
    while frontier.size and len(stack):
        images = np.unique(stack[:, frontier])
        frontier = images[~seen[images]]
        seen[frontier] = True
    return seen


def search(W: np.ndarray, initial: np.ndarray, accept: Callable[[np.ndarray], bool],
           leaf_budget: int) -> RefinementResult:
    """Generators of {sigma in Aut(W) respecting ``initial`` colours : accept(sigma)} (see module doc)."""
    n = W.shape[0]
    colours, trace = refine(W, np.unique(initial, return_inverse=True)[1].ravel())
    path = [_Node(colours, trace, target_cell(colours))]
    base: list[int] = []
    while path[-1].cell is not None:
        b = int(np.flatnonzero(path[-1].colours == path[-1].cell)[0])
        base.append(b)
        c, t = refine(W, individualise(path[-1].colours, b))
        path.append(_Node(c, t, target_cell(c)))
    first_leaf = np.argsort(path[-1].colours)
    budget = {"left": leaf_budget, "tested": 0}

    def try_leaf(pi: np.ndarray) -> np.ndarray | None:
        if not np.array_equal(W[np.ix_(pi, pi)], W) or budget["left"] <= 0:
            return None
        budget["left"] -= 1
        budget["tested"] += 1
        return pi if accept(pi) else None

    def descend(depth: int, colours: np.ndarray) -> np.ndarray | None:
        """A leaf below this node (at first-path depth ``depth``) that is an accepted automorphism, or None."""
        node = path[depth]
        if node.cell is None:
            pi = np.empty(n, dtype=np.int64)
            pi[first_leaf] = np.argsort(colours)
            return try_leaf(pi)
        for w in np.flatnonzero(colours == node.cell):
            c, t = refine(W, individualise(colours, int(w)))
            if t != path[depth + 1].trace or not np.array_equal(np.bincount(c), np.bincount(path[depth + 1].colours)):
                continue
            found = descend(depth + 1, c)
            if found is not None or budget["left"] <= 0:
                return found
        return None

    generators: list[np.ndarray] = []
    orbit_sizes = [0] * len(base)
    complete = True
    for k in reversed(range(len(base))):
        b = base[k]
        orbit = _orbit(b, generators, n)
        for v in np.flatnonzero(path[k].colours == path[k].cell):
            if orbit[v]:
                continue
            # The transposition (b v) fixes b_1..b_k (singletons, v is not one): try it before descending,
            # which finds each generator of S_n-like groups in O(n^2) instead of a descent of depth n - k.
            swap = np.arange(n)
            swap[[b, v]] = [v, b]
            found = try_leaf(swap)
            if found is None:
                c, t = refine(W, individualise(path[k].colours, int(v)))
                if t == path[k + 1].trace:
                    found = descend(k + 1, c)
            if found is not None:
                generators.append(found)
                orbit = _orbit(b, generators, n)
            elif budget["left"] <= 0:
                complete = False  # v's branch was not searched to the end
        orbit_sizes[k] = int(orbit.sum())
    return RefinementResult(base, generators, orbit_sizes, complete, budget["tested"])
