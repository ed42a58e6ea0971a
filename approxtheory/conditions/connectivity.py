"""Connectivity of the token dependency graph (CLSL25.def.sparse_pattern, card §5 cases 1-3).

The graph is ``approxtheory.attention.graph.token_graph``: edge j -> i iff output i depends on input j
(Jacobian sparsity of apply, so users need not declare a mask), with a self-loop at every i for the
residual. Token distinguishability needs every token to reach every other: strong connectivity. If j
cannot reach i, output i never depends on x_j at any depth, with any FFNs, so the equivariant target
sum_j x_j cannot be approximated (card §5 case 3): a proven obstruction, as far as the inferred graph is
exact. The hop diameter D is the depth CLSL25.cor.sparse predicts.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from ..attention import TokenGraph
from ..core import ConditionResult, ConditionStatus

CARD_IDS = ("CLSL25.def.sparse_pattern", "CLSL25.cor.sparse")


def distances(tg: TokenGraph) -> np.ndarray:
    """dist[j, i] = hops from j to i (0 on the diagonal, -1 if unreachable)."""
    n = tg.mask.shape[0]
    dist = -np.ones((n, n), dtype=int)
    for j, lengths in nx.all_pairs_shortest_path_length(tg.graph):
        for i, hops in lengths.items():
            dist[j, i] = hops
    return dist


def farthest_sources(tg: TokenGraph) -> np.ndarray:
    """For each slot i the token k farthest from it (an unreachable k counts as farthest): generator (d)."""
    dist = distances(tg).astype(float)
    dist[dist < 0] = np.inf
    return np.argmax(dist, axis=0)


def check_connectivity(tg: TokenGraph, declared: np.ndarray | None = None) -> ConditionResult:
    """Strong connectivity and hop diameter; if it fails, a token that cannot reach another (the witness)."""
    n = tg.mask.shape[0]
    off_diagonal = tg.mask & ~np.eye(n, dtype=bool)
    evidence: dict[str, Any] = {
        "source": f"Jacobian sparsity over {tg.draws} draws (relative tolerance {tg.tolerance:g})",
        "edges": int(off_diagonal.sum()),
        "mask": tg.mask.astype(int).tolist(),
        "strongly_connected": bool(tg.strongly_connected),
        "hop_diameter": tg.hop_diameter,
        "pattern_automorphisms": {"order": int(tg.automorphisms.order),
                                  "generators": [list(g) for g in tg.automorphisms.generators]},
        "card_ids": list(CARD_IDS),
    }
    if declared is not None:
        evidence["declared_pattern_agrees"] = bool(np.array_equal(declared | np.eye(n, dtype=bool), tg.mask))
    if not off_diagonal.any():
        evidence.update(no_mixing=True, unreachable={"from": 1, "to": 0})
        return ConditionResult(
            "connectivity", ConditionStatus.FAILS,
            "no token mixing: every output token depends only on its own input token (card §5 cases 1-2)",
            evidence,
        )
    evidence["no_mixing"] = False
    if not tg.strongly_connected:
        unreachable = np.argwhere(distances(tg) < 0)
        j, i = (int(v) for v in unreachable[0])
        evidence.update(unreachable={"from": j, "to": i}, unreachable_pairs=len(unreachable))
        return ConditionResult(
            "connectivity", ConditionStatus.FAILS,
            f"the dependency graph is not strongly connected: token {j} never reaches output {i} (card §5 case 3)",
            evidence,
        )
    return ConditionResult(
        "connectivity", ConditionStatus.HOLDS,
        f"the dependency graph is strongly connected with hop diameter {tg.hop_diameter}",
        evidence,
    )
