"""The token dependency graph of an attention, read off the Jacobian of apply, and its symmetry.

Edge j -> i when output token i depends on input token j (CLSL25.def.sparse_pattern's pattern
graph, with a self-loop at every i for the residual path), so users need not declare a mask.
Dependence is judged per draw by max_{a,b} |d apply(X)[i, a] / d X[j, b]| > tol * max |J|, a
threshold relative to that draw's largest block only, so multiplying apply by 1e-12 or 1e12 (or by
a parameter-dependent factor such as exp(1000 w)) keeps the graph; an edge is kept if any finite
draw shows it. Masked entries of a softmax give exact zeros, so the tolerance only has to sit above
rounding noise: by default it is the dependency tolerance derived from the mechanism's measured noise
floor at its working precision (conditions/precision.py), the one ``check_uap`` passes, so a float32
mechanism's rounding noise is never read as an edge. Several draws guard against a dependence that one
draw happens to saturate away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import networkx as nx
import numpy as np

from ..core import ApproxTheoryError
from ..numerics import TraceCounter, compiled, x64
from .validate import ValidatedAttention, sample_params

GRAPH_DRAWS = 4
ELEMENT_LIMIT = 5040  # list every group element up to this order (7!)

Perm = tuple[int, ...]  # s[i] = sigma(i), card §2


@dataclass(frozen=True)
class AutomorphismGroup:
    """Aut of a pattern graph: its order, strong generators relative to ``base``, and every element when the
    order is at most ELEMENT_LIMIT."""

    n: int
    order: int
    generators: tuple[Perm, ...]
    elements: tuple[Perm, ...] | None
    base: tuple[int, ...]


@dataclass(frozen=True)
class TokenGraph:
    """The inferred graph with ``mask[i, j]`` iff output i depends on token j (diagonal included)."""

    graph: nx.DiGraph
    mask: np.ndarray
    strongly_connected: bool
    hop_diameter: int | None
    automorphisms: AutomorphismGroup
    draws: int
    tolerance: float


def graph_from_mask(mask: np.ndarray) -> nx.DiGraph:
    """Edges j -> i for mask[i, j], plus a self-loop at every token."""
    n = mask.shape[0]
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((int(j), int(i)) for i, j in zip(*np.nonzero(mask)))
    g.add_edges_from((i, i) for i in range(n))
    return g


@x64
def dependency_mask(
    va: ValidatedAttention, draws: int = GRAPH_DRAWS, seed: int = 0, tol: float | None = None, params: Any = None
) -> tuple[np.ndarray, int]:
    """Union over finite draws of the Jacobian sparsity of apply at random (theta, X); also the finite-draw count.

    ``params`` is a stack of ``draws`` parameter sets (leading axis); by default init's own draws. ``tol``
    (relative to each draw's largest block) defaults to the measured one (``measured_tolerance``).
    """
    if tol is None:
        tol = measured_tolerance(va, seed)
    key_params, key_x = jax.random.split(jax.random.key(seed))
    if params is None:
        params = sample_params(va.attention, va.n, va.d, key_params, draws)
    X = jax.random.normal(key_x, (draws, va.n, va.d), dtype=jnp.float64)
    jac = np.asarray(compiled("graph", va.attention.apply, _jacobians)(params, X))  # (draws, n, d, n, d)
    finite = np.isfinite(jac).reshape(draws, -1).all(axis=1)
    if not finite.any():
        raise ApproxTheoryError(
            f"every one of {draws} draws gave a non-finite Jacobian of apply, so the token graph cannot be inferred",
            "make apply differentiable with finite derivatives at generic inputs, or declare pattern(n)",
        )
    block = np.abs(jac[finite]).astype(np.float64).max(axis=(2, 4))  # (finite draws, n, n): [i, j] = max_{a,b} |dY[i,a]/dX[j,b]|
    scale = block.max(axis=(1, 2), keepdims=True)  # a draw with J = 0 everywhere shows no edge
    return (block > tol * scale).any(axis=0) | np.eye(va.n, dtype=bool), int(finite.sum())


def measured_tolerance(va: ValidatedAttention, seed: int = 0) -> float:
    """The dependency tolerance of ``va``: a margin over its noise floor measured at its working precision."""
    from ..conditions.precision import measure_precision  # late: the conditions package imports this one

    return measure_precision(va, seed).tolerances["dependency"]


def _jacobians(apply: Callable[..., Any], counter: TraceCounter) -> Callable[..., Any]:
    """d apply(params, X) / dX for a batch of (params, X) draws."""

    def one(params: Any, X: jax.Array) -> jax.Array:
        counter.tick()
        return jax.jacfwd(apply, argnums=1)(params, X)

    return jax.vmap(one)


def token_graph(va: ValidatedAttention, draws: int = GRAPH_DRAWS, seed: int = 0, tol: float | None = None,
                params: Any = None) -> TokenGraph:
    """The inferred dependency graph of ``va`` with connectivity, hop diameter and automorphism group; ``tol``
    defaults to the measured one (``measured_tolerance``)."""
    if tol is None:
        tol = measured_tolerance(va, seed)
    mask, used = dependency_mask(va, draws, seed, tol, params)
    g = graph_from_mask(mask)
    return TokenGraph(g, mask, nx.is_strongly_connected(g), hop_diameter(g), automorphism_group(g), used, tol)


def hop_diameter(g: nx.DiGraph) -> int | None:
    """max over (j, i) of the shortest directed path length j -> i; None when not strongly connected."""
    if not nx.is_strongly_connected(g):
        return None
    return max(max(lengths.values()) for _, lengths in nx.all_pairs_shortest_path_length(g))


def automorphism_group(g: nx.DiGraph, element_limit: int = ELEMENT_LIMIT) -> AutomorphismGroup:
    """Aut(g) by individualise-refine (conditions/refinement.py, the symmetry search's own engine) on the
    adjacency matrix: strong generators relative to the base it chose, order the product of the basic orbit sizes.

    Every leaf the search accepts is checked to preserve the adjacency exactly, so no tolerance is involved;
    with every automorphism accepted, each tested leaf is a new generator and the search is always complete.
    (It replaced a per-candidate VF2 search of networkx, which took about 45% of a check at n = 64.)
    """
    from ..conditions.refinement import search  # late: the conditions package imports this one

    n = g.number_of_nodes()
    if sorted(g.nodes) != list(range(n)):
        raise ValueError("automorphism_group expects nodes 0..n-1")
    adj = nx.to_numpy_array(g, nodelist=range(n), dtype=bool).T  # adj[i, j]: edge j -> i
    found = search(adj.astype(np.int64), np.zeros(n, dtype=np.int64), lambda pi: True, leaf_budget=n * n + n)
    if not found.complete:  # cannot happen: every automorphism leaf is accepted, at most sum(orbits) <= n^2 of them
        raise RuntimeError("the automorphism search ran out of its leaf budget")
    generators = [tuple(int(v) for v in s) for s in found.generators]
    elements = _elements(n, generators) if found.order <= element_limit else None
    return AutomorphismGroup(n, found.order, tuple(generators), elements, tuple(found.base))


def _elements(n: int, generators: list[Perm]) -> tuple[Perm, ...]:
    identity = tuple(range(n))
    seen, frontier = {identity}, [identity]
    while frontier:
        a = frontier.pop()
        for s in generators:
            b = tuple(s[a[i]] for i in range(n))  # s o a
            if b not in seen:
                seen.add(b)
                frontier.append(b)
    return tuple(sorted(seen))
