"""Linear regions of a maxout network on a full input box [lo, hi] in R^d, for small d (float-based LPs).

GYZ26.def.linear_regions, 'Exact counting' for d >= 2: activation patterns are enumerated unit by unit; a
candidate pattern is kept if its polyhedron has an interior (Chebyshev-ball LP, scipy linprog/HiGHS, radius
> tol). Patterns with equal affine maps that share a facet (an LP on the common hyperplane) are merged, and a
region is a connected component (networkx). Floats throughout: the answer is trustworthy when no region
is thinner than `tol` and no two different maps agree to `map_tol`; use slice_regions for exact 2-D counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from scipy.optimize import linprog

from ..core import ApproxTheoryError
from ..networks.maxout import MaxoutNetwork

#: Default interior tolerance, relative to the box diameter: a cell counts if it holds a ball this large.
DEFAULT_TOL = 1e-9
#: Default relative tolerance for "these two affine maps (or pieces of a unit) are equal".
DEFAULT_MAP_TOL = 1e-10


@dataclass(frozen=True)
class BoxCell:
    """One activation region: constraints A x <= b (box included), pattern, affine output map G x + f."""

    A: np.ndarray = field(repr=False)
    b: np.ndarray = field(repr=False)
    pattern: tuple[tuple[int, ...], ...]
    G: np.ndarray = field(repr=False)  # (q, d)
    f: np.ndarray = field(repr=False)  # (q,)
    center: np.ndarray  # Chebyshev centre (an interior point)
    radius: float
    region: int


@dataclass(frozen=True, eq=False)
class BoxRegions:
    """Activation regions and linear regions of a maxout net on a box (float LPs; see module docstring)."""

    regions: int
    activation_regions: int
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    tol: float
    cells: tuple[BoxCell, ...] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """Counts, tolerance and each cell's pattern, interior point and region index."""
        return {
            "kind": "box_regions", "lo": list(self.lo), "hi": list(self.hi), "tol": self.tol,
            "regions": self.regions, "activation_regions": self.activation_regions,
            "cells": [{"region": c.region, "pattern": [list(p) for p in c.pattern], "center": c.center.tolist(),
                       "radius": c.radius} for c in self.cells],
        }


def _chebyshev(A: np.ndarray, b: np.ndarray, Aeq: np.ndarray | None = None, beq: np.ndarray | None = None,
               cap: float = 1.0) -> tuple[float, np.ndarray | None]:
    """Largest r <= cap with a ball of radius r (in the equality set, if any) inside A x <= b; (-1, None) if none."""
    d = A.shape[1]
    norms = np.linalg.norm(A, axis=1)
    A_ub = np.hstack([A, norms[:, None]])
    A_eq = None if Aeq is None else np.hstack([Aeq, np.zeros((Aeq.shape[0], 1))])
    bounds = [(None, None)] * d + [(None, cap)]
    res = linprog(np.r_[np.zeros(d), -1.0], A_ub=A_ub, b_ub=b, A_eq=A_eq, b_eq=beq, bounds=bounds, method="highs")
    if res.status != 0:
        return -1.0, None
    return float(res.x[-1]), res.x[:d]


def _groups(Y: np.ndarray, c: np.ndarray, map_tol: float) -> list[list[int]]:
    """Pieces of one unit grouped by (numerically) identical affine maps."""
    groups: list[list[int]] = []
    scale = max(1.0, float(np.abs(Y).max(initial=0.0)), float(np.abs(c).max(initial=0.0)))
    for j in range(Y.shape[0]):
        for g in groups:
            i = g[0]
            if np.abs(Y[j] - Y[i]).max(initial=0.0) <= map_tol * scale and abs(c[j] - c[i]) <= map_tol * scale:
                g.append(j)
                break
        else:
            groups.append([j])
    return groups


def _shares_facet(c1: BoxCell, c2: BoxCell, n_box: int, tol: float) -> bool:
    """Whether two cells meet in a (d-1)-dimensional piece: an LP on each hyperplane of c1's constraints."""
    A = np.vstack([c1.A, c2.A])
    b = np.concatenate([c1.b, c2.b])
    norms = np.linalg.norm(A, axis=1)
    nz = norms > 0
    An, bn = A[nz] / norms[nz, None], b[nz] / norms[nz]
    for i in range(n_box, c1.A.shape[0]):
        if norms[i] == 0:
            continue
        a, beta = c1.A[i] / norms[i], c1.b[i] / norms[i]
        cos = An @ a  # drop every constraint whose hyperplane is this one (either orientation)
        near = 1e-9 * (1 + abs(beta))
        same = ((cos > 1 - 1e-12) & (np.abs(bn - beta) <= near)) | ((cos < -1 + 1e-12) & (np.abs(bn + beta) <= near))
        r, _ = _chebyshev(An[~same], bn[~same], a[None, :], np.array([beta]))
        if r > tol:
            return True
    return False


def box_regions(net: MaxoutNetwork, lo: Any, hi: Any, tol: float = DEFAULT_TOL, map_tol: float = DEFAULT_MAP_TOL,
                max_dim: int = 4) -> BoxRegions:
    """Activation regions and linear regions of N on the box [lo, hi] (GYZ26.def.linear_regions; float LPs)."""
    d = net.input_dim
    try:
        lo_a, hi_a = np.asarray(lo, dtype=np.float64).ravel(), np.asarray(hi, dtype=np.float64).ravel()
    except (TypeError, ValueError, OverflowError):
        raise ApproxTheoryError(f"box corners must be sequences of {d} numbers, got lo={lo!r}, hi={hi!r}") from None
    for name, value in (("tol", tol), ("map_tol", map_tol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise ApproxTheoryError(f"{name}={value!r} must be a number in [0, 1) (it is relative to the box)")
    if lo_a.shape != (d,) or hi_a.shape != (d,):
        raise ApproxTheoryError(f"box corners must have {d} coordinates, got {lo_a.size} and {hi_a.size}")
    if not (np.all(np.isfinite(lo_a)) and np.all(np.isfinite(hi_a))):
        raise ApproxTheoryError(f"box corners must be finite, got lo={lo_a.tolist()}, hi={hi_a.tolist()}",
                                "give finite lo and hi")
    if not np.all(lo_a < hi_a):
        raise ApproxTheoryError("empty box: need lo < hi in every coordinate")
    if d > max_dim:
        raise ApproxTheoryError(f"input dimension {d} exceeds max_dim={max_dim}: pattern enumeration grows fast",
                                "count along a segment or a 2-D slice instead, or raise max_dim deliberately")
    abs_tol = tol * float(np.linalg.norm(hi_a - lo_a))
    eye = np.eye(d)
    A0, b0 = np.vstack([eye, -eye]), np.r_[hi_a, -lo_a]
    n_box = A0.shape[0]
    # each cell so far: constraints A x <= b, hidden map h = G_h x + f_h on it, and its pattern
    cells = [(A0, b0, eye.copy(), np.zeros(d), ())]
    for layer in net.layers:
        W, B = layer.weight, layer.bias
        m, k, _ = W.shape
        new = []
        for A, b, Gh, fh, pattern in cells:
            Y = np.einsum("ukn,nd->ukd", W, Gh)  # pre-activation slopes on this cell
            c = W @ fh + B
            parts = [(A, b, ())]
            unit_groups = [_groups(Y[u], c[u], map_tol) for u in range(m)]
            for u in range(m):
                groups = unit_groups[u]
                nxt = []
                for Au, bu, choice in parts:
                    if len(groups) == 1:
                        nxt.append((Au, bu, choice + (0,)))
                        continue
                    for gi, g in enumerate(groups):
                        j = g[0]
                        rows = [Y[u, h[0]] - Y[u, j] for hi_, h in enumerate(groups) if hi_ != gi]
                        rhs = [c[u, j] - c[u, h[0]] for hi_, h in enumerate(groups) if hi_ != gi]
                        A2, b2 = np.vstack([Au, rows]), np.r_[bu, rhs]
                        r, _ = _chebyshev(A2, b2, cap=np.inf)
                        if r > abs_tol:
                            nxt.append((A2, b2, choice + (gi,)))
                parts = nxt
            for Au, bu, choice in parts:
                gs = [unit_groups[u][gi] for u, gi in enumerate(choice)]
                G2 = np.array([Y[u, g[0]] for u, g in enumerate(gs)])
                f2 = np.array([c[u, g[0]] for u, g in enumerate(gs)])
                new.append((Au, bu, G2, f2, pattern + tuple(tuple(g) for g in gs)))
        cells = new
    out = []
    for A, b, Gh, fh, pattern in cells:
        r, x = _chebyshev(A, b, cap=np.inf)
        G, f = net.readout_weight @ Gh, net.readout_weight @ fh + net.readout_bias
        out.append(BoxCell(A, b, pattern, G, f, x, r, -1))
    graph = nx.Graph()
    graph.add_nodes_from(range(len(out)))
    if out:
        maps = np.array([np.concatenate([c.G.ravel(), c.f]) for c in out])
        scale = max(1.0, float(np.abs(maps).max(initial=0.0)))
        equal = np.abs(maps[:, None, :] - maps[None, :, :]).max(axis=2) <= map_tol * scale
        for i, j in zip(*np.nonzero(np.triu(equal, 1))):  # only equal maps can merge; then test for a shared facet
            if _shares_facet(out[i], out[j], n_box, abs_tol):
                graph.add_edge(int(i), int(j))
    region = {}
    for r_id, comp in enumerate(sorted(nx.connected_components(graph), key=min)):
        for i in comp:
            region[i] = r_id
    final = tuple(BoxCell(c.A, c.b, c.pattern, c.G, c.f, c.center, c.radius, region[i]) for i, c in enumerate(out))
    return BoxRegions(len(set(region.values())), len(final), tuple(lo_a.tolist()), tuple(hi_a.tolist()), tol, final)
