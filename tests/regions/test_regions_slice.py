"""Exact 2-D slices vs. LP enumeration on the box and vs. exact 1-D counts along the rectangle's edges."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from approxtheory.core import ApproxTheoryError
from approxtheory.networks.maxout import MaxoutNetwork, relu_network
from approxtheory.regions import box_regions, maxout_value, segment_regions, slice_regions
from approxtheory.regions.polygon import twice_area, vertex


def _relu_net(seed: int) -> MaxoutNetwork:
    rng = np.random.default_rng(seed)
    return relu_network([rng.normal(size=(6, 2)), rng.normal(size=(4, 6))], [rng.normal(size=6), rng.normal(size=4) - 1.0],
                        rng.normal(size=(1, 4)), np.zeros(1))


NETS = [MaxoutNetwork.random(0, 2, (5, 4), 2), MaxoutNetwork.random(1, 2, (4, 3), 3), _relu_net(0), _relu_net(3)]


@pytest.mark.parametrize("net", NETS)
def test_slice_agrees_with_box_lp_when_d_is_2(net: MaxoutNetwork) -> None:
    sl = slice_regions(net, [0, 0], [1, 0], [0, 1], (-2, 2), (-2, 2))
    bx = box_regions(net, [-2, -2], [2, 2])
    assert (sl.regions, sl.activation_regions) == (bx.regions, bx.activation_regions)
    assert sorted(c.pattern for c in sl.cells) == sorted(c.pattern for c in bx.cells)
    assert sl.activation_regions >= sl.regions >= 2


def test_relu_slice_merges_equal_maps() -> None:
    sl = slice_regions(_relu_net(0), [0, 0], [1, 0], [0, 1], (-2, 2), (-2, 2))
    assert sl.regions < sl.activation_regions
    sizes = np.bincount(sl.region_ids())
    merged = [c for c in sl.cells if sizes[c.region] > 1]
    assert merged and all(c.slope_s == (0,) and c.slope_u == (0,) for c in merged)  # dead second layer


def _edge_breakpoints(sl, corner0, corner1) -> tuple[Fraction, ...]:
    """Region breakpoints along one rectangle edge, read off the exact polygons."""
    (s0, u0), (s1, u1) = corner0, corner1
    pieces = []
    for c in sl.cells:
        on = [(s - s0) / (s1 - s0) if s1 != s0 else (u - u0) / (u1 - u0)
              for s, u in c.vertices if (u == u0 if u0 == u1 else s == s0)]
        if len(set(on)) >= 2:
            slope = tuple(a * (s1 - s0) + b * (u1 - u0) for a, b in zip(c.slope_s, c.slope_u))
            icpt = tuple(a * s0 + b * u0 + o for a, b, o in zip(c.slope_s, c.slope_u, c.offset))
            pieces.append((min(on), max(on), slope, icpt))
    pieces.sort()
    assert pieces[0][0] == 0 and pieces[-1][1] == 1
    assert all(a[1] == b[0] for a, b in zip(pieces[:-1], pieces[1:]))  # the cells tile the edge
    return tuple(b[0] for a, b in zip(pieces[:-1], pieces[1:]) if a[2:] != b[2:])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_slice_agrees_with_segments_along_edges(seed: int) -> None:
    rng = np.random.default_rng(seed)
    net = MaxoutNetwork.random(seed, 4, (6, 6, 4), 3, output_dim=2)
    c, e1, e2 = rng.normal(size=4), rng.normal(size=4), rng.normal(size=4)
    (s0, s1), (u0, u1) = (-1.5, 2.0), (-1.0, 1.25)
    sl = slice_regions(net, c, e1, e2, (s0, s1), (u0, u1))
    C, E1, E2 = ([Fraction(float(v)) for v in a] for a in (c, e1, e2))
    S0, S1, U0, U1 = (Fraction(v) for v in (s0, s1, u0, u1))
    at = lambda s, u: [ci + s * a + u * b for ci, a, b in zip(C, E1, E2)]  # noqa: E731
    for p0, p1 in [((S0, U0), (S1, U0)), ((S1, U0), (S1, U1)), ((S0, U1), (S1, U1)), ((S0, U0), (S0, U1))]:
        seg = segment_regions(net, at(*p0), at(*p1))
        assert seg.breakpoints == _edge_breakpoints(sl, p0, p1)
    # the polygons tile the rectangle exactly and each one's map is the network's
    total = sum(twice_area([vertex(s, u) for s, u in cell.vertices]) for cell in sl.cells)
    assert total == 2 * (S1 - S0) * (U1 - U0)
    for cell in sl.cells[:40]:
        s = sum(v[0] for v in cell.vertices) / len(cell.vertices)
        u = sum(v[1] for v in cell.vertices) / len(cell.vertices)
        expect = tuple(a * s + b * u + o for a, b, o in zip(cell.slope_s, cell.slope_u, cell.offset))
        assert maxout_value(net, at(s, u)) == expect


def test_slice_output_for_plotting_and_json() -> None:
    sl = slice_regions(NETS[0], [0, 0], [1, 0], [0, 1], (-2, 2), (-2, 2))
    polys = sl.polygons_float()
    assert len(polys) == sl.activation_regions and all(p.shape[1] == 2 and p.shape[0] >= 3 for p in polys)
    assert set(sl.region_ids()) == set(range(sl.regions))
    data = json.loads(json.dumps(sl.to_json(exact=True)))
    assert data["regions"] == sl.regions and len(data["cells"]) == sl.activation_regions
    assert "vertices_exact" in data["cells"][0]
    with pytest.raises(ApproxTheoryError):
        slice_regions(NETS[0], [0, 0], [1, 0], [0, 1], (1, 1), (0, 1))


def test_width16_depth3_slice_is_quick() -> None:
    import time
    net = MaxoutNetwork.random(0, 2, (16, 16, 16), 2)
    start = time.perf_counter()
    sl = slice_regions(net, [0, 0], [1, 0], [0, 1], (-4, 4), (-4, 4))
    assert time.perf_counter() - start < 20  # about 0.2 s
    assert sl.activation_regions > 100


def test_box_regions_in_one_and_three_dimensions() -> None:
    net = MaxoutNetwork.random(5, 1, (6, 4), 3)
    bx, seg = box_regions(net, [-2], [2]), segment_regions(net, [-2], [2])
    assert (bx.regions, bx.activation_regions) == (seg.regions, seg.activation_regions)
    net3 = MaxoutNetwork.random(2, 3, (4, 3), 2)
    b3 = box_regions(net3, [-1] * 3, [1] * 3)
    assert b3.activation_regions >= b3.regions >= 2
    assert json.loads(json.dumps(b3.to_json()))["regions"] == b3.regions
    with pytest.raises(ApproxTheoryError, match="max_dim"):
        box_regions(MaxoutNetwork.random(0, 5, (2,), 2), [0] * 5, [1] * 5)
