"""What every GYZ26 claim shares: the source record, claim construction, and exact PL comparison."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ... import author
from ...constructions.gate import gate_ibp
from ...core import ApproxTheoryError, Claim, Provenance, Scope, Source, WitnessInputs
from ...core.witness import read_rational
from ...networks import MaxoutNetwork
from ...regions import SegmentRegions

SOURCE_VERSION = "arXiv:2603.03084v1, abstract only; statement reconstructed on the card"


def identity(card_id: str, provenance: Provenance = Provenance.RECONSTRUCTED) -> dict[str, Any]:
    """The source and provenance of a GYZ26 claim, as approxtheory.author's constructors take them."""
    return {"source": Source("GYZ26", SOURCE_VERSION, f"card {card_id}"), "provenance": provenance}


def claim(card_id: str, scope: Scope, name: str, statement: str, verify: Any,
          provenance: Provenance = Provenance.RECONSTRUCTED, **kw: Any) -> Claim:
    return author.claim(card_id, name, statement, verify, scope=scope, **identity(card_id, provenance), **kw)


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


REPLAY_MAX_DIM = 16  # input dimension, widths and rank of a witness network
REPLAY_MAX_DEPTH = 8


def replay_network(inputs: WitnessInputs, key: str = "network") -> MaxoutNetwork:
    """A witness's maxout network, validated (MaxoutNetwork.from_json) and within the replay's size limits."""
    net = MaxoutNetwork.from_json(inputs.get(key), f"witness input {key!r}")
    sizes = {"depth": (net.depth, REPLAY_MAX_DEPTH), "rank": (net.rank, REPLAY_MAX_DIM),
             "input dimension": (net.input_dim, REPLAY_MAX_DIM), "largest width": (max(net.widths), REPLAY_MAX_DIM),
             "output dimension": (net.output_dim, REPLAY_MAX_DIM)}
    for what, (size, limit) in sizes.items():
        if size > limit:
            raise ApproxTheoryError(f"witness input {key!r}: the network's {what} {size} exceeds the replay limit {limit}")
    if net.output_dim < 1:
        raise ApproxTheoryError(f"witness input {key!r}: the readout has no outputs")
    return net


def replay_point_in_unit_box(inputs: WitnessInputs, key: str, net: MaxoutNetwork, read: Any = read_rational) -> list[Any]:
    """A witness's input point: d coordinates (exact rationals by default) inside K = [-1, 1]^d, the claims' box."""
    x = inputs.items(key, read, limit=REPLAY_MAX_DIM)
    inputs.require(len(x) == net.input_dim, f"{key} has {len(x)} coordinates, the network takes {net.input_dim}")
    inputs.require(all(-1 <= v <= 1 for v in x), f"{key} = {[str(v) for v in x]} lies outside the claim's box K = [-1, 1]^d")
    return x
