"""What every GYZ26 claim shares: the source record, claim construction, and exact PL comparison."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ...constructions.gate import gate_ibp
from ...core import Claim, Provenance, Scope, Source
from ...networks import MaxoutNetwork
from ...regions import SegmentRegions

SOURCE_VERSION = "arXiv:2603.03084v1, abstract only; statement reconstructed on the card"


def claim(card_id: str, scope: Scope, name: str, statement: str, verify: Any,
          provenance: Provenance = Provenance.RECONSTRUCTED, **kw: Any) -> Claim:
    return Claim(
        id=f"{card_id}.{scope.value}.{name}",
        statement=statement,
        source=Source("GYZ26", SOURCE_VERSION, f"card {card_id}"),
        provenance=provenance,
        scope=scope,
        verify=verify,
        **kw,
    )


def power_of_two_gate(net: MaxoutNetwork, lo: float, hi: float, *, for_softmax: bool = False) -> float:
    """The IBP gate over the box, rounded up to a power of two so that s*b - M stays exact for dyadic b."""
    M = gate_ibp(net, lo, hi, for_softmax=for_softmax).M
    return float(2.0 ** math.ceil(math.log2(max(M, 1.0))))


def first_difference(a: SegmentRegions, b: SegmentRegions) -> Fraction | None:
    """None if the two piecewise-affine maps on [0, 1] are identical, else a t where they differ."""
    if a.breakpoints == b.breakpoints and a.slopes() == b.slopes() and a.intercepts() == b.intercepts():
        return None
    ends = sorted(set(a.breakpoints) ^ set(b.breakpoints))
    candidates = ends or [Fraction(1, 2)] + list(a.breakpoints)
    for t in [*candidates, Fraction(0), Fraction(1)]:
        if a.value(t) != b.value(t):
            return t
    # The maps differ only in how they are cut: equal values at every cut, so compare between cuts.
    cuts = sorted({Fraction(0), Fraction(1), *a.breakpoints, *b.breakpoints})
    for lo, hi in zip(cuts, cuts[1:]):
        mid = (lo + hi) / 2
        if a.value(mid) != b.value(mid):
            return mid
    return None


def random_box_point(rng: np.random.Generator, d: int, grid: int = 64) -> list[Fraction]:
    """A dyadic point of [-1, 1]^d."""
    return [Fraction(int(v), grid) for v in rng.integers(-grid, grid + 1, size=d)]
