"""Exact convex polygons in the plane: homogeneous integer vertices (X, Y, W), W > 0, point (X/W, Y/W).

Used by the 2-D slice counter (GYZ26.def.linear_regions, d = 2): clip by half-planes a s + b u + c >= 0
(Sutherland-Hodgman, exact), test positive area, and find which polygons share an edge of positive length.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from fractions import Fraction

Vertex = tuple[int, int, int]
Line = tuple[int, int, int]  # (a, b, c): the affine function a s + b u + c


def vertex(s: Fraction, u: Fraction) -> Vertex:
    """Homogeneous integer coordinates of the point (s, u), in lowest terms."""
    w = math.lcm(s.denominator, u.denominator)
    return (s.numerator * (w // s.denominator), u.numerator * (w // u.denominator), w)


def point(v: Vertex) -> tuple[Fraction, Fraction]:
    """The point (s, u) of a homogeneous vertex."""
    return Fraction(v[0], v[2]), Fraction(v[1], v[2])


def rectangle(s0: Fraction, s1: Fraction, u0: Fraction, u1: Fraction) -> list[Vertex]:
    """The box [s0,s1] x [u0,u1], counter-clockwise."""
    return [vertex(s0, u0), vertex(s1, u0), vertex(s1, u1), vertex(s0, u1)]


def evaluate(line: Line, v: Vertex) -> int:
    """W * (a s + b u + c) at the vertex: same sign as the affine function there."""
    return line[0] * v[0] + line[1] * v[1] + line[2] * v[2]


def _meet(v: Vertex, f: int, w: Vertex, g: int) -> Vertex:
    """The point of segment v-w where the line vanishes (f, g its values at v, w, of strictly opposite signs)."""
    p = (f * w[0] - g * v[0], f * w[1] - g * v[1], f * w[2] - g * v[2])
    if p[2] < 0:
        p = (-p[0], -p[1], -p[2])
    d = math.gcd(*p)
    return (p[0] // d, p[1] // d, p[2] // d)


def clip(poly: Sequence[Vertex], line: Line, vals: Sequence[int] | None = None) -> list[Vertex] | None:
    """poly cut to {line >= 0}, or None if that part has zero area (convex poly of positive area assumed)."""
    vals = [evaluate(line, v) for v in poly] if vals is None else vals
    if min(vals) >= 0:
        return list(poly)
    if max(vals) <= 0:
        return None  # the half-plane meets the polygon in at most an edge
    out: list[Vertex] = []
    n = len(poly)
    for i in range(n):
        v, f = poly[i], vals[i]
        w, g = poly[(i + 1) % n], vals[(i + 1) % n]
        if f >= 0:
            out.append(v)
        if (f > 0 > g) or (f < 0 < g):
            out.append(_meet(v, f, w, g))
    return out


def twice_area(poly: Sequence[Vertex]) -> Fraction:
    """Twice the signed area (positive for counter-clockwise)."""
    total = Fraction(0)
    n = len(poly)
    for i in range(n):
        (x0, y0, w0), (x1, y1, w1) = poly[i], poly[(i + 1) % n]
        total += Fraction(x0 * y1 - x1 * y0, w0 * w1)
    return total


def _edge_line(v: Vertex, w: Vertex) -> Line:
    """The canonical (primitive, sign-normalised) integer line through two distinct vertices."""
    a = v[1] * w[2] - v[2] * w[1]
    b = v[2] * w[0] - v[0] * w[2]
    c = v[0] * w[1] - v[1] * w[0]
    g = math.gcd(a, b, c)
    a, b, c = a // g, b // g, c // g
    if a < 0 or (a == 0 and b < 0):
        a, b, c = -a, -b, -c
    return (a, b, c)


def shared_edges(polys: Sequence[Sequence[Vertex]]) -> set[tuple[int, int]]:
    """Pairs (i, j), i < j, of polygons sharing a boundary segment of positive length (T-junctions allowed)."""
    by_line: dict[Line, list[tuple[Fraction, Fraction, int]]] = defaultdict(list)
    for idx, poly in enumerate(polys):
        n = len(poly)
        for i in range(n):
            v, w = poly[i], poly[(i + 1) % n]
            if v[0] * w[2] == w[0] * v[2] and v[1] * w[2] == w[1] * v[2]:
                continue  # repeated vertex
            line = _edge_line(v, w)
            coord = 0 if line[1] != 0 else 1  # parametrise by s unless the line is vertical
            a, b = Fraction(v[coord], v[2]), Fraction(w[coord], w[2])
            by_line[line].append((min(a, b), max(a, b), idx))
    pairs: set[tuple[int, int]] = set()
    for segs in by_line.values():
        if len(segs) < 2:
            continue
        segs.sort()
        active: list[tuple[Fraction, int]] = []  # (end, polygon)
        for lo, hi, idx in segs:
            active = [(end, j) for end, j in active if end > lo]  # overlap must have positive length
            for _, j in active:
                if j != idx:
                    pairs.add((min(i := idx, j), max(i, j)))
            active.append((hi, idx))
    return pairs
