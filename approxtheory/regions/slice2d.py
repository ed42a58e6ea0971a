"""Exact linear regions of a maxout network on a 2-D slice x(s,u) = c + s e1 + u e2, (s,u) in a rectangle.

GYZ26.def.linear_regions for d = 2: convex polygons with exact rational vertices are split layer by layer,
unit by unit, where the argmax of the unit changes (clipping by y_g - y_h >= 0). Each final polygon is one
activation region; polygons sharing an edge with equal affine output maps are merged, and a region is a
connected component of that adjacency graph (networkx), so disconnected pieces of one map count separately.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import networkx as nx
import numpy as np

from ..core import ApproxTheoryError
from ..networks.maxout import MaxoutNetwork
from .polygon import Vertex, clip, evaluate, point, rectangle, shared_edges
from .rational import as_fraction, integer_grid
from .segment import affine_ints, rational_vector


@dataclass(frozen=True)
class SliceCell:
    """One activation region: a convex polygon (counter-clockwise, in (s,u)), its pattern and affine map."""

    vertices: tuple[tuple[Fraction, Fraction], ...]
    pattern: tuple[tuple[int, ...], ...]  # argmax set of every unit, layer by layer
    slope_s: tuple[Fraction, ...]  # d f / d s, one entry per output
    slope_u: tuple[Fraction, ...]  # d f / d u
    offset: tuple[Fraction, ...]  # the map's value at (s, u) = (0, 0)
    region: int  # index of the linear region (connected component) this cell belongs to


@dataclass(frozen=True, eq=False)
class SliceRegions:
    """Exact regions of a maxout net on a 2-D slice; `cells` are the polygons, `cells[i].region` their colour."""

    regions: int
    activation_regions: int
    center: tuple[Fraction, ...]
    e1: tuple[Fraction, ...]
    e2: tuple[Fraction, ...]
    s_range: tuple[Fraction, Fraction]
    u_range: tuple[Fraction, Fraction]
    cells: tuple[SliceCell, ...] = field(repr=False)

    def polygons_float(self) -> list[np.ndarray]:
        """Each cell's vertices as a (n, 2) float array in (s, u), for plotting."""
        return [np.array([[float(s), float(u)] for s, u in c.vertices]) for c in self.cells]

    def region_ids(self) -> list[int]:
        """The region index of each cell (same order as `cells`), e.g. one colour per region."""
        return [c.region for c in self.cells]

    def to_json(self, exact: bool = False) -> dict[str, Any]:
        """Counts and polygons (float vertices; exact 'p/q' strings too if exact=True)."""
        cells = []
        for c in self.cells:
            entry: dict[str, Any] = {"region": c.region, "vertices": [[float(s), float(u)] for s, u in c.vertices],
                                     "pattern": [list(p) for p in c.pattern]}
            if exact:
                entry["vertices_exact"] = [[str(s), str(u)] for s, u in c.vertices]
            cells.append(entry)
        return {
            "kind": "slice_regions",
            "center": [str(v) for v in self.center], "e1": [str(v) for v in self.e1], "e2": [str(v) for v in self.e2],
            "s_range": [str(v) for v in self.s_range], "u_range": [str(v) for v in self.u_range],
            "regions": self.regions, "activation_regions": self.activation_regions, "cells": cells,
        }


def _split_unit(poly: list[Vertex], glines: list[tuple[int, int, int]]) -> list[tuple[list[Vertex], int]]:
    """The positive-area parts of poly on which each group of identical pieces is the (strict) max."""
    if len(glines) == 1:
        return [(poly, 0)]
    vals = [[evaluate(line, v) for v in poly] for line in glines]
    n = len(poly)
    for g, vg in enumerate(vals):  # fast path: one group is >= all others at every vertex (convexity)
        if all(vg[i] >= vh[i] for vh in vals for i in range(n)):
            return [(poly, g)]
    out = []
    for g, lg in enumerate(glines):
        sub: list[Vertex] | None = poly
        for h, lh in enumerate(glines):
            if h != g and sub is not None:
                sub = clip(sub, (lg[0] - lh[0], lg[1] - lh[1], lg[2] - lh[2]))
        if sub is not None:
            out.append((sub, g))
    return out


def slice_regions(net: MaxoutNetwork, center: Any, e1: Any, e2: Any, s_range: Any = (-1, 1),
                  u_range: Any = (-1, 1)) -> SliceRegions:
    """Exact activation and linear regions of N(c + s e1 + u e2) over s_range x u_range (GYZ26.def.linear_regions)."""
    d = net.input_dim
    c, a, b = (rational_vector(v, d, name) for v, name in ((center, "center"), (e1, "e1"), (e2, "e2")))
    s0, s1 = (as_fraction(v, "s_range") for v in s_range)
    u0, u1 = (as_fraction(v, "u_range") for v in u_range)
    if not (s0 < s1 and u0 < u1):
        raise ApproxTheoryError(f"empty rectangle s in [{s0}, {s1}], u in [{u0}, {u1}]", "pass ranges with lo < hi")
    nums, Q = integer_grid(list(a) + list(b) + list(c), "slice")
    H0 = np.array([[nums[i], nums[d + i], nums[2 * d + i]] for i in range(d)], dtype=object)  # rows (ds, du, const)
    cells: list[tuple[list[Vertex], np.ndarray, tuple]] = [(rectangle(s0, s1, u0, u1), H0, ())]
    for layer in net.layers:
        W, B, den = affine_ints(layer.weight, layer.bias)
        m, k, n = W.shape
        Wf = W.reshape(m * k, n)
        shift = np.zeros((m * k, 3), dtype=object)
        shift[:, 2] = B.reshape(-1) * Q
        new_cells = []
        for poly, H, pattern in cells:
            Y = Wf @ H + shift
            groups = []
            for u in range(m):
                g: dict[tuple[int, int, int], list[int]] = {}
                for j in range(k):
                    g.setdefault(tuple(int(v) for v in Y[u * k + j]), []).append(j)
                groups.append(g)
            pieces: list[tuple[list[Vertex], tuple[int, ...]]] = [(poly, ())]
            for u in range(m):
                glines = list(groups[u])
                pieces = [(sub, choice + (gi,)) for p, choice in pieces for sub, gi in _split_unit(p, glines)]
            for sub, choice in pieces:
                keys = [list(groups[u])[gi] for u, gi in enumerate(choice)]
                newH = np.array(keys, dtype=object).reshape(m, 3)
                new_cells.append((sub, newH, pattern + tuple(tuple(groups[u][key]) for u, key in enumerate(keys))))
        cells, Q = new_cells, Q * den
        g = math.gcd(Q, *(int(v) for _, H, _ in cells for v in H.flat))
        if g > 1:
            cells, Q = [(p, H // g, pat) for p, H, pat in cells], Q // g
    A, cc, den = affine_ints(net.readout_weight, net.readout_bias)
    scale = Q * den
    maps = []
    for _, H, _ in cells:
        O = A @ H
        O[:, 2] = O[:, 2] + cc * Q
        maps.append(tuple(tuple(int(v) for v in row) for row in O))
    graph = nx.Graph()
    graph.add_nodes_from(range(len(cells)))
    graph.add_edges_from((i, j) for i, j in shared_edges([p for p, _, _ in cells]) if maps[i] == maps[j])
    region = {}
    for r, comp in enumerate(sorted(nx.connected_components(graph), key=min)):
        for i in comp:
            region[i] = r
    out = tuple(
        SliceCell(vertices=tuple(point(v) for v in poly), pattern=pattern,
                  slope_s=tuple(Fraction(row[0], scale) for row in mp),
                  slope_u=tuple(Fraction(row[1], scale) for row in mp),
                  offset=tuple(Fraction(row[2], scale) for row in mp), region=region[i])
        for i, ((poly, _, pattern), mp) in enumerate(zip(cells, maps)))
    return SliceRegions(regions=len(set(region.values())), activation_regions=len(cells), center=c, e1=a, e2=b,
                        s_range=(s0, s1), u_range=(u0, u1), cells=out)
