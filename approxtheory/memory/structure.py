"""Nesting depth of adaptive memories and the depth it costs (WE24.task.nested, WE24.thm4.4).

Memory l's position t_l = g_l(x_t, tokens of earlier memories) declares which memories it reads.
The K-adaptive template: the first K memories form a chain (each may read any earlier chain
memory), and every other memory reads only x_t and chain memories. A memory read by another must
therefore sit in the chain, so the least K is the number of memories that some memory reads; the
chain is those memories in dependency order. Thm 4.4 then needs L = K + 1 + 1{M >= K + 1} layers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core import ApproxTheoryError


@dataclass(frozen=True)
class Nesting:
    """The least K, a memory order that fits the K-template, and the layers Thm 4.4 needs."""

    depth: int
    order: tuple[int, ...]
    memories: int

    @property
    def layers(self) -> int:
        return layers_needed(self.depth, self.memories)


def layers_needed(K: int, M: int) -> int:
    """L = K + 1 + 1{M >= K + 1} (WE24.thm4.4); K = 0 is Thm 4.1's two layers, K = M is Prop 4.5's M + 1."""
    if not (isinstance(K, int) and isinstance(M, int) and 0 <= K <= M and M >= 1):
        raise ApproxTheoryError(f"need integers 0 <= K <= M with M >= 1, got K={K!r}, M={M!r}")
    return K + 1 + (1 if M >= K + 1 else 0)


def _check_reads(reads: Sequence[Sequence[int]]) -> list[frozenset[int]]:
    M = len(reads)
    if M == 0:
        raise ApproxTheoryError("need at least one memory")
    out = []
    for l, r in enumerate(reads):
        r = frozenset(r)
        bad = [j for j in r if not (isinstance(j, int) and 0 <= j < M) or j == l]
        if bad:
            raise ApproxTheoryError(f"memory {l} reads {sorted(r)}: entries must be indices of other memories in 0..{M - 1}")
        out.append(r)
    return out


def nesting_depth(reads: Sequence[Sequence[int]]) -> Nesting:
    """The least K for which the memories fit the K-adaptive template, or an error for a cyclic dependency."""
    deps = _check_reads(reads)
    chain_set = set().union(*deps)
    order: list[int] = []
    placed: set[int] = set()
    while len(order) < len(chain_set):
        ready = sorted(j for j in chain_set - placed if deps[j] <= placed)
        if not ready:
            raise ApproxTheoryError(f"memories {sorted(chain_set - placed)} depend on each other in a cycle",
                                    "a position can only depend on memories computed before it")
        order.append(ready[0])
        placed.add(ready[0])
    rest = [j for j in range(len(deps)) if j not in chain_set]
    return Nesting(len(order), tuple(order + rest), len(deps))


def fits_template(reads: Sequence[Sequence[int]], K: int, order: Sequence[int]) -> bool:
    """Does listing the memories in ``order`` fit the K-template (chain first, the rest reading only the chain)?"""
    deps = _check_reads(reads)
    if sorted(order) != list(range(len(deps))) or not 0 <= K <= len(deps):
        raise ApproxTheoryError("order must be a permutation of the memory indices and 0 <= K <= M")
    chain = list(order[:K])
    for position, l in enumerate(order):
        allowed = set(chain[:position]) if position < K else set(chain)
        if not deps[l] <= allowed:
            return False
    return True
