"""What CLSL25 predicts for each zoo entry (card §4 corollary table, §5 negative cases), as functions of n.

Verdicts are for ``--group auto`` (the mechanism's own group). Pattern groups and depths come
from closed forms derived here (each stated next to its formula) or, for patterns without one,
from brute force over S_n (n <= 8) that shares no code with ``graph``, so tests can check
``graph`` against it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

Verdict = Literal["uap", "not_uap", "undecided"]
BRUTE_FORCE_MAX_N = 8


@dataclass(frozen=True)
class Expectation:
    """The card's prediction at one n. ``group_order`` / ``min_attention_layers`` None: not predicted."""

    verdict: Verdict
    group: str  # S_n, C_n, D_n, reflection, trivial or Aut(N)
    group_order: int | None
    order_formula: str
    min_attention_layers: int | None
    layers_formula: str | None
    cards: tuple[str, ...]
    reason: str


Expected = Callable[[int], Expectation]


def kernel_uap(label: str) -> Expected:
    """CLSL25.cor.kernel: an analytic positive kernel with the kernel-limit property gives S_n-UAP, one layer."""
    return lambda n: Expectation(
        "uap", "S_n", math.factorial(n), "n!", 1, "1", ("CLSL25.cor.kernel", "CLSL25.def.kernel_limit"),
        f"{label}: corollary table, S_n-UAP with one attention layer",
    )


def polynomial_kernel(p: int) -> Expected:
    """Not covered by cor.kernel: the kernel-limit ratio has a finite non-zero limit.

    Depth 1 cannot separate every pair: with tokens on a line, the output at a shared token
    depends on the others only through their power sums up to order p + 1, and multisets with
    equal power sums exist (Prouhet-Tarry-Escott, e.g. {1, 5, 8, 12} and {2, 3, 10, 11} for
    p = 2; proofs/prove_clsl25_algebra.py). So the minimal depth is >= 2 once n - 1 >= 4.
    """
    return lambda n: Expectation(
        "uap", "S_n", math.factorial(n), "n!", None, None, ("CLSL25.thm2", "CLSL25.def.two_sample"),
        "analytic positive kernel, but the kernel-limit criterion fails (sufficient, not necessary), so the "
        "card predicts no depth; uap rests on the two-sample battery at depth >= 2"
        + (f" (depth 1 provably fails at n={n} for power-sum-matched pairs of order {p + 1})" if n >= 5 else ""),
    )


def non_analytic(what: str) -> Expected:
    return lambda n: Expectation(
        "undecided", "S_n", math.factorial(n), "n!", None, None, ("CLSL25.def.analytic_family", "CLSL25 §5 case 5"),
        f"not analytic in theta: {what}; Theorem 2 does not apply (THM2_NOT_APPLICABLE)",
    )


def no_mixing(what: str, case: int) -> Expected:
    return lambda n: Expectation(
        "not_uap", "S_n", math.factorial(n), "n!", None, None, (f"CLSL25 §5 case {case}",),
        f"{what}: output token i never depends on the other tokens, so sum_j x_j is not approximable",
    )


def content_blind() -> Expected:
    return lambda n: Expectation(
        "undecided", "S_n", math.factorial(n), "n!", None, None, ("CLSL25 §5 case 4", "CLSL25.def.token_distinguishability"),
        "content-blind mean: two samples with equal means and a shared token are never separated (INCONCLUSIVE)",
    )


def relative_bias(group: Literal["C_n", "D_n"]) -> Expected:
    """CLSL25.cor.symmetric: bias b[(j - i) mod n] gives C_n (order n), cyclic distance D_n (order 2n, n >= 3)."""

    def at(n: int) -> Expectation:
        order = n if group == "C_n" or n == 2 else 2 * n
        return Expectation(
            "uap", group, order, "n" if group == "C_n" else "2n (n >= 3)", None, None, ("CLSL25.cor.symmetric",),
            f"{group}-UAP for generic bias b; the corollary table gives no depth",
        )

    return at


def linformer() -> Expected:
    return lambda n: Expectation(
        "uap", "trivial", 1, "1", 1, "1", ("CLSL25.cor.linformer",), "UAP for the trivial group with one attention layer"
    )


def _sparse(n: int, order: int, group: str, formula: str, depth: int, depth_formula: str, note: str = "") -> Expectation:
    return Expectation(
        "uap", group, order, formula, depth, depth_formula, ("CLSL25.cor.sparse", "CLSL25.def.sparse_pattern"),
        "connected pattern: Aut(N)-UAP with depth equal to the hop diameter" + note,
    )


def window(w: int, wrap: bool) -> Expected:
    """Closed forms for the sliding window (checked against brute force in the tests).

    Cyclic (circulant C_n(1..w)): complete when 2w + 1 >= n; when n = 2w + 2 the complement is a
    perfect matching, Aut = Z_2 wr S_{n/2}; otherwise Aut = D_n. Hop diameter ceil(floor(n/2)/w).
    Open (path power): complete when w >= n - 1; otherwise the u = max(0, 2w - n + 2) tokens within
    w of both ends are interchangeable and the rest admits only the reflection: |Aut| = 2 u!.
    Hop diameter ceil((n - 1)/w).
    """

    def at(n: int) -> Expectation:
        if (wrap and 2 * w + 1 >= n) or (not wrap and w >= n - 1):
            return _sparse(n, math.factorial(n), "S_n", "n!", 1, "1")
        if wrap:
            depth = math.ceil((n // 2) / w)
            if n == 2 * w + 2:
                return _sparse(n, 2 ** (n // 2) * math.factorial(n // 2), "Aut(N)", "2^(n/2) (n/2)!", depth, "ceil(floor(n/2)/w)")
            return _sparse(n, 2 * n, "D_n", "2n", depth, "ceil(floor(n/2)/w)")
        u = max(0, 2 * w - n + 2)
        table = math.ceil(n / (2 * w))
        note = (
            f"; the corollary table's Longformer row ([secondary, unverified]) says ceil(n/(2w)) = {table} layers, "
            f"which disagrees with the hop diameter ceil((n-1)/w) = {math.ceil((n - 1) / w)}"
            if table != math.ceil((n - 1) / w) else ""
        )
        return _sparse(n, 2 * math.factorial(u), "reflection" if u <= 1 else "Aut(N)", "2 u!, u = max(0, 2w-n+2)",
                       math.ceil((n - 1) / w), "ceil((n-1)/w)", note)

    return at


def global_window(globals_: int, w: int) -> Expected:
    """Globals are adjacent to all; with m = n - globals_ windowed tokens, complete when m <= w + 1.

    Otherwise the globals and the u = max(0, 2w - m + 2) windowed tokens within w of both ends are
    all universal and interchangeable, the rest reflects: |Aut| = 2 (globals_ + u)!; diameter 2.
    """

    def at(n: int) -> Expectation:
        m = n - globals_
        if m <= w + 1:
            return _sparse(n, math.factorial(n), "S_n", "n!", 1, "1")
        u = max(0, 2 * w - m + 2)
        return _sparse(n, 2 * math.factorial(globals_ + u), "Aut(N)", "2 (g + u)!, u = max(0, 2w-(n-g)+2)", 2, "2")

    return at


def blocks(size: int) -> Expected:
    """Disconnected once n > size (CLSL25 §5 case 3); Aut permutes within and among equal blocks."""

    def at(n: int) -> Expectation:
        if size >= n:
            return _sparse(n, math.factorial(n), "S_n", "n!", 1, "1")
        q, r = divmod(n, size)
        order = math.factorial(size) ** q * math.factorial(q) * math.factorial(r)
        return Expectation(
            "not_uap", "Aut(N)", order, "(b!)^q q! r!, n = q b + r", None, None, ("CLSL25 §5 case 3", "CLSL25.def.sparse_pattern"),
            "disconnected pattern: tokens in different blocks never interact",
        )

    return at


@dataclass(frozen=True)
class PatternFacts:
    """Graph facts of a mask by brute force (no networkx): edges j -> i for mask[i, j], plus self-loops."""

    strongly_connected: bool
    hop_diameter: int | None
    aut_order: int | None  # None when n > BRUTE_FORCE_MAX_N


def pattern_facts(mask: np.ndarray) -> PatternFacts:
    n = mask.shape[0]
    adj = mask | np.eye(n, dtype=bool)
    dist = np.where(adj, 1, n + 1)
    np.fill_diagonal(dist, 0)
    for k in range(n):  # Floyd-Warshall on hop counts; dist[i, j] = hops from j to i
        dist = np.minimum(dist, dist[:, [k]] + dist[[k], :])
    connected = bool((dist <= n).all())
    order = None
    if n <= BRUTE_FORCE_MAX_N:
        order = sum(bool((adj[np.ix_(s, s)] == adj).all()) for s in map(list, itertools.permutations(range(n))))
    return PatternFacts(connected, int(dist.max()) if connected else None, order)


def from_pattern(pattern: Callable[[int], np.ndarray]) -> Expected:
    """For patterns without a closed form: uap iff strongly connected (cor.sparse), else not_uap (§5 case 3)."""

    def at(n: int) -> Expectation:
        facts = pattern_facts(pattern(n))
        if not facts.strongly_connected:
            return Expectation(
                "not_uap", "Aut(N)", facts.aut_order, "brute force", None, None, ("CLSL25 §5 case 3",),
                "pattern graph not strongly connected: some token never reaches another",
            )
        return _sparse(n, facts.aut_order, "Aut(N)", "brute force", facts.hop_diameter, "hop diameter (brute force)")

    return at
