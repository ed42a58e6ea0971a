"""WE24.propC.1: for z >= 1, |log[e^z] - z| <= 1/(2 min(e^z, [e^z])): log-precision rounding is finer than [z].

Searched for counterexamples: the float ratio |log[e^z] - z| * 2 min(e^z, [e^z]) is maximised by
Hypothesis (then Nelder-Mead), and anything above 1 is re-evaluated in Arb, where [e^z] is decided
only when the ball of e^z + 1/2 contains no integer.
"""

from __future__ import annotations

import math

import flint
from hypothesis import strategies as st

from ...author import ratio_search_claim
from ...core import ApproxTheoryError, Claim, WitnessInputs
from ...search import Confirmation, RatioSearch
from .common import source

CLAIM_ID = "WE24.propC.1.statement.rounding"
Z_MAX = 30.0  # e^30 < 2^53: the float nearest integer of e^z is still exact to the unit


def rounding_ratio(z: float) -> float:
    """|log[e^z] - z| / (1/(2 min(e^z, [e^z]))) in float64."""
    e = math.exp(z)
    nearest = float(round(e))
    return abs(math.log(nearest) - z) * 2.0 * min(e, nearest)


def confirm_rounding(z: float, prec: int = 256) -> Confirmation:
    """Arb re-evaluation at ``z`` (an exact binary float): a violation only if proven."""
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        zb = flint.arb(z)
        e = zb.exp()
        shifted = e + flint.arb(0.5)
        lo, hi = flint.arb(shifted.lower()).floor().unique_fmpz(), flint.arb(shifted.upper()).floor().unique_fmpz()
        if lo is None or lo != hi:
            return Confirmation(False, {"z": float(z).hex(), "undecided": "e^z + 1/2 straddles an integer at this precision"})
        nearest = flint.arb(lo)
        gap = (nearest.log() - zb).abs_lower()  # a lower bound on |log[e^z] - z|
        smallest = min(flint.arb(e.lower()), nearest, key=float)  # exact, and <= min(e^z, [e^z])
        bound = (flint.arb(1) / (2 * smallest)).upper()  # an upper bound on 1/(2 min(e^z, [e^z]))
        return Confirmation(bool(gap > bound), {"z": float(z).hex(), "nearest": str(int(lo)),
                                                "abs_log_gap_lower": flint.arb(gap).str(20),
                                                "bound_upper": flint.arb(bound).str(20)})
    finally:
        flint.ctx.prec = old


REPLAY_Z_MAX = 150.0  # e^150 < 2^217: [e^z] is still decidable at 256 bits; far beyond, Arb would build huge integers


def _decode(d: dict) -> float:
    """A witness's z: the proposition is about z >= 1; replays are bounded by REPLAY_Z_MAX."""
    inputs = WitnessInputs(d, CLAIM_ID)
    z = inputs.real("z")
    inputs.require(z >= 1, f"z = {z}: the proposition is about z >= 1")
    if z > REPLAY_Z_MAX:
        raise ApproxTheoryError(f"witness input 'z' = {z} exceeds the replay limit {REPLAY_Z_MAX:g}")
    return z


def rounding_search() -> RatioSearch[float]:
    return RatioSearch(
        strategy=st.floats(1.0, Z_MAX, allow_nan=False, allow_infinity=False),
        ratio=rounding_ratio,
        confirm=confirm_rounding,
        encode=lambda z: {"z": float(z).hex()},
        decode=_decode,
        label="|log[e^z] - z| * 2 min(e^z, [e^z])",
        tolerance=1e-6,  # log of a 1e13-sized integer minus z cancels to ~1e-15 absolute
        flatten=lambda z: [z],
        unflatten=lambda z, v: float(min(max(v[0], 1.0), Z_MAX)),
    )


def claims() -> list[Claim]:
    return [ratio_search_claim("WE24.propC.1", "rounding", "|log[e^z] - z| <= 1/(2 min(e^z, [e^z])) for z >= 1",
                               rounding_search(), default_budget=300, source=source("Prop C.1"), provenance="primary",
                               checked=f"searched z in [1, {Z_MAX:g}] for |log[e^z] - z| > 1/(2 min(e^z, [e^z])); float "
                                       "ratio, violations confirmed in Arb (256 bits)")]
