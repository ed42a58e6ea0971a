"""Result of an exact 1-D count: region counts, exact breakpoints and each region's affine map.

Counts follow GYZ26.def.linear_regions: `regions` = R(f; segment) (maximal open intervals on which the whole
output map is one affine map), `activation_regions` = intervals of constant activation pattern (>= regions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from .rational import fractions_of, to_float


@dataclass(frozen=True, eq=False)
class SegmentRegions:
    """Exact regions of f(x0 + t (x1 - x0)), t in [0, 1]; breakpoints are exact, maps are num/scale integers."""

    regions: int
    activation_regions: int
    x0: tuple[Fraction, ...]
    x1: tuple[Fraction, ...]
    bp_num: np.ndarray = field(repr=False)  # (regions-1,) function breakpoints, lowest terms
    bp_den: np.ndarray = field(repr=False)
    slope_num: np.ndarray = field(repr=False)  # (regions, q): d f/d t on each region, times `scale`
    intercept_num: np.ndarray = field(repr=False)  # (regions, q): f at t = 0 of each region's map, times `scale`
    scale: int = field(repr=False, default=1)
    activation_bp_num: np.ndarray | None = field(repr=False, default=None)  # (activation_regions-1,)
    activation_bp_den: np.ndarray | None = field(repr=False, default=None)

    @cached_property
    def breakpoints(self) -> tuple[Fraction, ...]:
        """The t in (0,1) where f's affine map (slope or value) changes, exactly."""
        return fractions_of(self.bp_num, self.bp_den)

    @cached_property
    def breakpoints_float(self) -> np.ndarray:
        """Float copies of `breakpoints`."""
        return to_float(self.bp_num, self.bp_den)

    @cached_property
    def activation_breakpoints(self) -> tuple[Fraction, ...]:
        """The t in (0,1) where the activation pattern changes, exactly."""
        if self.activation_bp_num is None:
            return ()
        return fractions_of(self.activation_bp_num, self.activation_bp_den)

    def slopes(self, regions: slice = slice(None)) -> list[tuple[Fraction, ...]]:
        """d f / d t on each region (one tuple of output coordinates per region), optionally a slice of them."""
        return [tuple(Fraction(int(v), self.scale) for v in row) for row in self.slope_num[regions]]

    def intercepts(self, regions: slice = slice(None)) -> list[tuple[Fraction, ...]]:
        """The value at t = 0 of each region's affine map, optionally for a slice of the regions."""
        return [tuple(Fraction(int(v), self.scale) for v in row) for row in self.intercept_num[regions]]

    def region_of(self, t: Fraction) -> int:
        """Index of the region containing t (a breakpoint belongs to the region on its right)."""
        lo, hi = 0, len(self.bp_num)
        while lo < hi:  # first breakpoint > t
            mid = (lo + hi) // 2
            if Fraction(int(self.bp_num[mid]), int(self.bp_den[mid])) <= t:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def value(self, t: Fraction | int) -> tuple[Fraction, ...]:
        """f(x(t)) from the region maps (exact; at a breakpoint, the right region's map)."""
        t = Fraction(t)
        i = self.region_of(t)
        return tuple(Fraction(int(s), self.scale) * t + Fraction(int(c), self.scale)
                     for s, c in zip(self.slope_num[i], self.intercept_num[i]))

    def to_json(self, max_breakpoints: int | None = None) -> dict[str, Any]:
        """Counts, exact breakpoints (as 'p/q' strings) and float copies; truncated if max_breakpoints is set."""
        n = len(self.bp_num) if max_breakpoints is None else min(max_breakpoints, len(self.bp_num))
        return {
            "kind": "segment_regions",
            "x0": [str(v) for v in self.x0],
            "x1": [str(v) for v in self.x1],
            "regions": self.regions,
            "activation_regions": self.activation_regions,
            "breakpoints": [float(v) for v in self.breakpoints_float[:n]],
            "breakpoints_exact": [f"{int(a)}/{int(b)}" for a, b in zip(self.bp_num[:n], self.bp_den[:n])],
            "breakpoints_truncated": n < len(self.bp_num),
        }
