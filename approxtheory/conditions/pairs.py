"""Adversarial sample pairs for the two-sample reduction (CLSL25.def.two_sample, card §6).

Random pairs almost never share tokens, so they almost always "pass". Each generator builds pairs (X, Y)
that share tokens on purpose; the slots that matter are those (i, j) with X[i] = Y[j] exactly (fact 1 of
def.two_sample: unshared tokens are separated by padding). Every pair is checked in general position
before use: (GP1) pairwise distinct rows in X and in Y, (GP2) Y not in G.X.

Generators: (a) change one other token; (b) shift two other tokens by +delta and -delta (mean preserved),
and (b2) the same with the sum of squared norms also preserved; (c) Y = sigma.X for sigma outside G;
(d) change the token farthest (in the dependency graph) from the slot; (e) replace k + 1 other tokens by
points a + s u of a line whose positions s match all power sums up to degree k (Prouhet-Tarry-Escott),
which no attention that is polynomial of degree <= k along lines can tell apart at depth 1.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import permutations as perm
from ._draws import min_row_distance
from .groups import PermGroup

GENERATORS = {
    "a": "change one other token",
    "b": "mean-preserving change of two other tokens",
    "b2": "change of two other tokens preserving the mean and the sum of squared norms",
    "c": "reordering outside the group",
    "d": "change of the farthest token in the dependency graph",
    "e": "collinear tokens with power sums matched up to a degree (Prouhet-Tarry-Escott)",
}
# Prouhet-Tarry-Escott pairs: equal sums of s^p for p = 1..degree (and different multisets).
PTE = {2: ((1, 5, 6), (2, 3, 7)), 3: ((1, 5, 8, 12), (2, 3, 10, 11)), 5: ((0, 4, 9, 17, 22, 26), (1, 2, 12, 14, 24, 25))}
GP_MIN_DISTANCE = 1e-3
DOUBLES_LISTED_UP_TO = 32  # beyond this n, double transpositions are sampled, not listed (O(n^4) of them)


@dataclass
class PairSet:
    """Pairs stacked for the battery: slot_map[p, i] = j with X[p, i] = Y[p, j]; relevant[p, i] iff such j exists."""

    X: np.ndarray
    Y: np.ndarray
    slot_map: np.ndarray
    relevant: np.ndarray
    generator: list[str]
    detail: list[dict[str, Any]]
    rejected: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.generator)

    def padded(self, multiple: int) -> PairSet:
        """Pad to a multiple of ``multiple`` with irrelevant copies of pair 0, so batch shapes repeat."""
        extra = (-len(self)) % multiple
        if not extra or not len(self):
            return self
        rep = np.zeros(extra, dtype=int)
        return PairSet(
            np.concatenate([self.X, self.X[rep]]), np.concatenate([self.Y, self.Y[rep]]),
            np.concatenate([self.slot_map, self.slot_map[rep]]),
            np.concatenate([self.relevant, np.zeros((extra, self.relevant.shape[1]), bool)]),
            self.generator + ["pad"] * extra, self.detail + [{}] * extra, dict(self.rejected),
        )


def shared_slots(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each i the j with Y[j] = X[i] exactly (rows are distinct, so at most one), and whether it exists."""
    equal = np.all(X[:, None, :] == Y[None, :, :], axis=-1)
    return equal.argmax(axis=1), equal.any(axis=1)


def in_orbit(X: np.ndarray, Y: np.ndarray, group: PermGroup) -> bool:
    """Is Y = sigma.X for some sigma in the group? Rows are distinct, so the only candidate sigma is forced."""
    slot, found = shared_slots(X, Y)
    if not found.all() or len(set(slot.tolist())) != len(slot):
        return False
    return bool(group.contains(slot))  # (sigma.X)[sigma(i)] = X[i]


def general_position(X: np.ndarray, Y: np.ndarray, group: PermGroup) -> str | None:
    """None if (GP1) and (GP2) hold, else the reason the pair is unusable."""
    if min(min_row_distance(X), min_row_distance(Y)) < GP_MIN_DISTANCE:
        return "GP1"
    if in_orbit(X, Y, group):
        return "GP2"
    return None


def _fresh_row(rng: np.random.Generator, X: np.ndarray) -> np.ndarray:
    return rng.standard_normal(X.shape[1])


def change_one(X: np.ndarray, rng: np.random.Generator) -> list[tuple[np.ndarray, dict[str, Any]]]:
    out = []
    for k in range(X.shape[0]):
        Y = X.copy()
        Y[k] = _fresh_row(rng, X)
        out.append((Y, {"changed": [k]}))
    return out


def mean_preserving(X: np.ndarray, rng: np.random.Generator, second_moment: bool) -> list[tuple[np.ndarray, dict[str, Any]]]:
    n = X.shape[0]
    if n < 3:
        return []
    out = []
    for k in range(n):
        l = (k + 1) % n
        delta = rng.standard_normal(X.shape[1])
        if second_moment:
            # |x_k + t u|^2 + |x_l - t u|^2 = |x_k|^2 + |x_l|^2  iff  t = -u.(x_k - x_l) / |u|^2
            delta = -(delta @ (X[k] - X[l])) / (delta @ delta) * delta
        Y = X.copy()
        Y[k] = X[k] + delta
        Y[l] = X[l] - delta
        out.append((Y, {"changed": [k, l], "delta": delta.tolist()}))
    return out


def power_sum_matched(X: np.ndarray, rng: np.random.Generator) -> list[tuple[np.ndarray, dict[str, Any]]]:
    """Rows 1..k+1 of X and Y on one random line a + s u, at PTE positions of degree k (rescaled to O(1))."""
    n, d = X.shape
    out = []
    for degree, (A, B) in PTE.items():
        size = len(A)
        if size + 1 > n:
            continue
        rows = np.sort(rng.choice(n, size, replace=False))
        a, u = rng.standard_normal(d), rng.standard_normal(d)
        lo, hi = min(A + B), max(A + B)
        # positions rescaled to [-1.5, 1.5] along the line a + s u (an affine map keeps the power-sum match)
        s_a, s_b = ((np.asarray(S, float) - (lo + hi) / 2) / (hi - lo) * 3 for S in (A, B))
        Y = X.copy()
        X2 = X.copy()
        X2[rows], Y[rows] = a + np.outer(s_a, u), a + np.outer(s_b, u)
        out.append((X2, Y, {"changed": rows.tolist(), "degree": degree}))
    return out


def reorderings(X: np.ndarray, sigmas: list[np.ndarray]) -> list[tuple[np.ndarray, dict[str, Any]]]:
    return [(perm.act(s, X), {"sigma": [int(v) for v in s]}) for s in sigmas]


def distant_changes(X: np.ndarray, farthest: np.ndarray, rng: np.random.Generator) -> list[tuple[np.ndarray, dict[str, Any]]]:
    out = []
    for k in sorted({int(v) for v in farthest}):
        Y = X.copy()
        Y[k] = _fresh_row(rng, X)
        out.append((Y, {"changed": [k], "slots": [int(i) for i in np.flatnonzero(farthest == k)]}))
    return out


def _double_transpositions(n: int, rng: np.random.Generator, count: int) -> list[np.ndarray]:
    """(a b)(c d) with disjoint pairs: all of them in random order up to DOUBLES_LISTED_UP_TO tokens, else
    ``count`` random ones (listing the O(n^4) of them at n = 128 would dominate the check)."""
    if n <= DOUBLES_LISTED_UP_TO:
        swaps = list(itertools.combinations(range(n), 2))
        doubles = [(a, b) for a, b in itertools.combinations(swaps, 2) if not set(a) & set(b)]
        return [perm.act(perm.transposition(n, *a), perm.transposition(n, *b))
                for a, b in (doubles[k] for k in rng.permutation(len(doubles)))]
    quads = [rng.choice(n, 4, replace=False) for _ in range(count)]
    return [perm.act(perm.transposition(n, a, b), perm.transposition(n, c, e)) for a, b, c, e in quads]


def outside_group(group: PermGroup, n: int, rng: np.random.Generator, limit: int) -> list[np.ndarray]:
    """Permutations not in the group, at most ``limit``: all of them when S_n is small; else the cyclic shift,
    the reflections, every transposition, double transpositions (in random order) and random permutations.
    Transpositions and double transpositions leave most tokens in place, so they find the reorderings that a
    slot's view cannot see at depth 1 (e.g. swapping i-1 and i+1 under a cyclic-distance bias).
    Membership is the group's own test (arithmetic for named groups, a sift otherwise); a group of order n!
    has nothing outside it and is answered without testing any candidate."""
    if math.factorial(n) <= limit + 1:
        pool = list(perm.all_permutations(n))
    else:
        pool = [perm.cyclic_shift(n), perm.cyclic_reflection(n), perm.reflection(n)]
        pool += [perm.transposition(n, i, j) for i, j in itertools.combinations(range(n), 2)]
        pool += _double_transpositions(n, rng, limit)
        pool += [rng.permutation(n) for _ in range(limit)]
    if group.order() == math.factorial(n):
        return []
    out, seen = [], set()
    for s in pool:
        key = tuple(int(v) for v in s)
        if key in seen or group.contains(s):
            continue
        seen.add(key)
        out.append(np.asarray(key))
        if len(out) >= limit:
            break
    return out


def build_pairs(bases: np.ndarray, group: PermGroup, rng: np.random.Generator,
                farthest: np.ndarray | None = None, max_reorderings: int = 256) -> PairSet:
    """Every generator on every base input; pairs failing general position are dropped and counted."""
    n = bases.shape[1]
    sigmas = outside_group(group, n, rng, max_reorderings)
    Xs, Ys, maps, rel, gens, details = [], [], [], [], [], []
    rejected: dict[str, int] = {}
    for b, X in enumerate(bases):
        made = [("a", X, *p) for p in change_one(X, rng)]
        made += [("b", X, *p) for p in mean_preserving(X, rng, second_moment=False)]
        made += [("b2", X, *p) for p in mean_preserving(X, rng, second_moment=True)]
        made += [("c", X, *p) for p in reorderings(X, sigmas)]
        if farthest is not None:
            made += [("d", X, *p) for p in distant_changes(X, farthest, rng)]
        made += [("e", *p) for p in power_sum_matched(X, rng)]
        for gen, X, Y, detail in made:
            reason = general_position(X, Y, group)
            if reason is not None:
                rejected[f"{gen}:{reason}"] = rejected.get(f"{gen}:{reason}", 0) + 1
                continue
            slot, found = shared_slots(X, Y)
            if "slots" in detail:  # (d) targets specific slots
                keep = np.zeros(n, bool)
                keep[detail["slots"]] = True
                found = found & keep
            if not found.any():
                continue
            Xs.append(X)
            Ys.append(Y)
            maps.append(slot)
            rel.append(found)
            gens.append(gen)
            details.append({"base": b, **detail})
    return PairSet(np.array(Xs).reshape(-1, n, bases.shape[2]), np.array(Ys).reshape(-1, n, bases.shape[2]),
                   np.array(maps, dtype=int).reshape(-1, n), np.array(rel, dtype=bool).reshape(-1, n),
                   gens, details, rejected)
