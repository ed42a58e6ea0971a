"""Benchmarks for exact linear-region counting (approxtheory.regions, card GYZ26.def.linear_regions).

- zigzag_exact_count: the exact 1-D count of the zigzag net (k = 2) against the cheapest sampling
  alternative, a grid with two function evaluations per piece (the least that can see every slope),
  timed in the same run with batched NumPy evaluation of the same network. Also the scaling of the
  exact count with the number of pieces (a log-log slope near 1 means linear cost).
- slice_exact_regions: exact regions of a width-16, depth-3 maxout net on a 2-D slice against
  rasterising the same slice by activation pattern on a 512 x 512 grid (which can miss thin regions).
"""

from __future__ import annotations

import time

import numpy as np

from approxtheory.networks import MaxoutNetwork
from approxtheory.networks.zigzag import zigzag_network
from approxtheory.regions import segment_regions, slice_regions

from .harness import Config, Result, measure, register


def _grid_evaluations(net: MaxoutNetwork, count: int, chunk: int = 1 << 18) -> None:
    """Evaluate N at ``count`` grid points of [0, 1] in chunks (the sampling alternative)."""
    for start in range(0, count, chunk):
        t = (np.arange(start, min(start + chunk, count), dtype=np.float64) + 0.5) / count
        net(t[:, None])


@register
def zigzag_exact_count(config: Config) -> Result:
    L = 12 if config.quick else 20
    net = zigzag_network(2, L)
    exact = measure(lambda: segment_regions(net, [0], [1]), warmup=1, repeat=3)
    pieces = segment_regions(net, [0], [1]).regions
    assert pieces == 2**L, pieces
    grid = measure(lambda: _grid_evaluations(net, 2 * pieces), warmup=0, repeat=3)
    depths = range(L - 6, L + 1, 2)
    times = {}
    for depth in depths:
        sub = zigzag_network(2, depth)
        t0 = time.perf_counter()
        segment_regions(sub, [0], [1])
        times[depth] = time.perf_counter() - t0
    xs, ys = np.log([2.0**d for d in depths]), np.log([times[d] for d in depths])
    slope = float(np.polyfit(xs, ys, 1)[0])
    return Result(
        value=pieces / exact.median, unit="pieces/s",
        reference=f"sampling grid with 2 evaluations per piece ({2 * pieces} batched NumPy evaluations)",
        reference_value=pieces / grid.median,
        details={"k": 2, "L": L, "pieces": pieces, "exact_seconds": exact.median, "grid_seconds": grid.median,
                 "grid_evaluations": 2 * pieces, "seconds_by_depth": {str(d): times[d] for d in depths},
                 "loglog_slope_time_vs_pieces": slope},
    )


def _raster_regions(net: MaxoutNetwork, side: int) -> int:
    """Distinct activation patterns seen on a side x side grid of [-1, 1]^2 (a lower estimate)."""
    s = np.linspace(-1, 1, side)
    x = np.stack(np.meshgrid(s, s), axis=-1).reshape(-1, 2)
    patterns, h = [], x
    for layer in net.layers:
        pre = np.einsum("ukn,bn->buk", layer.weight, h) + layer.bias
        patterns.append(pre.argmax(axis=2))
        h = pre.max(axis=2)
    codes = np.concatenate(patterns, axis=1)
    return len(np.unique(codes, axis=0))


@register
def slice_exact_regions(config: Config) -> Result:
    widths = [8, 8, 8] if config.quick else [16, 16, 16]
    net = MaxoutNetwork.random(config.seed, 2, widths, 2)
    exact = measure(lambda: slice_regions(net, [0, 0], [1, 0], [0, 1]), warmup=0, repeat=3)
    result = slice_regions(net, [0, 0], [1, 0], [0, 1])
    side = 128 if config.quick else 512
    raster = measure(lambda: _raster_regions(net, side), warmup=0, repeat=3)
    return Result(
        value=exact.median, unit="s",
        reference=f"rasterising activation patterns on a {side}x{side} grid (NumPy)", reference_value=raster.median,
        details={"widths": widths, "rank": 2, "box": "[-1,1]^2", "activation_regions_exact": len(result.cells),
                 "linear_regions_exact": len(set(result.region_ids())),
                 "activation_regions_seen_by_raster": _raster_regions(net, side),
                 "note": "ratio > 1 means the exact count is slower than the raster, which undercounts thin regions"},
    )
