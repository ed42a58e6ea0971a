"""Token distinguishability by the two-sample reduction (CLSL25.def.token_distinguishability, def.two_sample).

For every adversarial pair (pairs.py) and every shared slot (i, j), look for a parameter draw theta at
depth m with sep(Phi_theta(X)[i], Phi_theta(Y)[j]) above the tolerance. Under analyticity (CLSL25.thm2)
one witness per (pair, slot) suffices (def.two_sample fact 3), and a pair unseparated over many draws is
a near-certificate that Delta vanishes identically (fact 4). Depths 1..max_depth are swept; a witness at
depth k is one at every deeper depth (pad with theta_0 layers, card §6), so the depth reported is the
smallest by which every slot pair has been separated, and separated pairs take no deeper layers. The tolerance is derived from the mechanism's
measured noise floor (conditions/precision.py), so rounding noise never counts as separation, and a
separation far below 1e-8 but far above a float64 floor still counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sympy.combinatorics import PermutationGroup

from ..attention import TokenGraph, ValidatedAttention
from ..core import ConditionResult, ConditionStatus
from ..numerics import x64
from . import permutations as perm
from ._draws import (
    PARAM_NOISE,
    STREAMS,
    ParamDraws,
    draw_params,
    general_position_inputs,
    input_rng,
    validated,
)
from .battery import BatteryTimeout, battery_sweep, run_battery
from .connectivity import farthest_sources
from .pairs import GENERATORS, PairSet, build_pairs
from .precision import measure_precision

CARD_IDS = ("CLSL25.def.token_distinguishability", "CLSL25.def.two_sample", "CLSL25.thm2")
SCALES = (0.1, 1.0, 3.0)


@dataclass(frozen=True)
class DepthOutcome:
    """Per (pair, slot) up to one depth: separated at this or an earlier depth (a witness at depth k carries
    over to every deeper model by padding with theta_0 layers, card §6), the max sep at the depth that first
    separated it (else at this depth; NaN where every draw was non-finite), and that depth (0: not yet)."""

    depth: int
    max_sep: np.ndarray  # (P, n)
    finite: np.ndarray  # (P, n) count of finite draws at the depth max_sep comes from
    separated: np.ndarray  # (P, n) bool
    first_depth: np.ndarray  # (P, n) int
    common_draws: int  # draws separating every relevant slot still open at this depth (evidence for non-analytic families)

    def summary(self, pairs: PairSet, tolerance: float) -> dict[str, Any]:
        rel = pairs.relevant
        undetermined = rel & ~self.separated & (self.finite == 0)
        passed = rel & self.separated
        return {"depth": self.depth, "slot_pairs": int(rel.sum()), "separated": int(passed.sum()),
                "unseparated": int((rel & ~passed & ~undetermined).sum()), "undetermined": int(undetermined.sum()),
                "common_theta_draws": self.common_draws}


def _depth_outcome(seps: np.ndarray, pairs: PairSet, depth: int, tolerance: float,
                   before: DepthOutcome | None) -> DepthOutcome:
    finite = np.isfinite(seps)
    with np.errstate(invalid="ignore"):
        max_sep = np.where(finite.any(axis=0), np.nanmax(np.where(finite, seps, -np.inf), axis=0), np.nan)
    open_ = pairs.relevant if before is None else pairs.relevant & ~before.separated
    separated_each = np.where(finite, seps, 0.0) > tolerance  # (R, P, n)
    common = int(np.all(separated_each | ~open_[None], axis=(1, 2)).sum())
    count = finite.sum(axis=0)
    if before is None:
        separated = max_sep > tolerance
        return DepthOutcome(depth, max_sep, count, separated, np.where(separated, depth, 0), common)
    new = ~before.separated & (max_sep > tolerance)
    keep = before.separated
    return DepthOutcome(depth, np.where(keep, before.max_sep, max_sep), np.where(keep, before.finite, count),
                        keep | new, np.where(new, depth, before.first_depth), common)


def sweep(va: ValidatedAttention, params: ParamDraws, pairs: PairSet, max_depth: int, tolerance: float,
          stop_early: bool = True, deadline: float | None = None,
          outcomes: list[DepthOutcome] | None = None) -> list[DepthOutcome]:
    """Run the battery at depths 1..max_depth (stopping at the first depth by which every slot pair has been
    separated); each depth's outcome is appended to ``outcomes`` as it is reached (kept if the deadline stops
    the sweep). A pair all of whose slots are separated is retired: its witness carries over to deeper models
    by padding with theta_0 (card §6), so deeper layers are spent only on the pairs still open."""
    outcomes = [] if outcomes is None else outcomes

    def record(depth: int, seps: np.ndarray) -> bool:
        outcomes.append(_depth_outcome(seps, pairs, depth, tolerance, outcomes[-1] if outcomes else None))
        return stop_early and bool(np.all(outcomes[-1].separated | ~pairs.relevant))

    def retire(depth: int, seps: np.ndarray) -> np.ndarray:
        return np.all(outcomes[-1].separated | ~pairs.relevant, axis=1)

    battery_sweep(va, params, pairs, max_depth, record, deadline, retire=retire if stop_early else None)
    return outcomes


def _pair_record(pairs: PairSet, p: int, i: int, outcome: DepthOutcome, params: ParamDraws) -> dict[str, Any]:
    gen = pairs.generator[p]
    return {
        "generator": gen,
        "generator_meaning": GENERATORS[gen],
        "slots": [int(i), int(pairs.slot_map[p, i])],
        "detail": pairs.detail[p],
        "max_sep": None if np.isnan(outcome.max_sep[p, i]) else float(outcome.max_sep[p, i]),
        "finite_draws": int(outcome.finite[p, i]),
        "depth": int(outcome.first_depth[p, i]) or outcome.depth,
        "X": pairs.X[p].tolist(),
        "Y": pairs.Y[p].tolist(),
        "keys": params.keys(),
    }


def draw_parameters(va: ValidatedAttention, seed: int, draws: int, max_depth: int,
                    scales: Sequence[float] = SCALES, noise: float = PARAM_NOISE) -> ParamDraws:
    return draw_params(va, seed, "battery_params", draws, layers=max_depth, scales=scales, noise=noise)


@x64
def check_distinguishability(attention: Any, *, n: int, d: int, group: PermutationGroup,
                             graph: TokenGraph | None = None, max_depth: int = 3, seed: int = 0,
                             draws: int = 4, scales: Sequence[float] = SCALES, base_samples: int = 2,
                             tolerance: float | None = None, max_reorderings: int = 256,
                             noise: float = PARAM_NOISE, deadline: float | None = None) -> ConditionResult:
    """Two-sample battery with generators (a)-(d) for the group ``group``, depths 1..max_depth.

    ``tolerance`` (sep above it counts as separated) defaults to the one derived from the measured noise
    floor; ``noise`` widens the parameter draws; past ``deadline`` (time.monotonic()) the sweep stops and
    the result is unknown, with the depths it reached.
    """
    va = validated(attention, n, d, seed)
    if tolerance is None:
        tolerance = measure_precision(va, seed, noise).tolerances["separation"]
    rng = input_rng(seed, "battery_inputs")
    bases = general_position_inputs(rng, base_samples, n, d)
    farthest = farthest_sources(graph) if graph is not None else None
    pairs = build_pairs(bases, group, rng, farthest, max_reorderings)
    params = draw_parameters(va, seed, draws, max_depth, scales, noise)
    outcomes: list[DepthOutcome] = []
    try:
        sweep(va, params, pairs, max_depth, tolerance, deadline=deadline, outcomes=outcomes)
    except BatteryTimeout as stopped:
        return ConditionResult(
            "distinguishability", ConditionStatus.UNKNOWN,
            f"the battery of {len(pairs)} pairs x {params.count} draws stopped at its deadline: {stopped}",
            {"card_ids": list(CARD_IDS), "pairs": len(pairs), "draws": draws, "tolerance": tolerance,
             "timed_out": True, "depths": [o.summary(pairs, tolerance) for o in outcomes]})
    last = outcomes[-1]
    rel = pairs.relevant
    evidence: dict[str, Any] = {
        "card_ids": list(CARD_IDS),
        "group": perm.describe(group, n),
        "pairs": len(pairs),
        "pairs_by_generator": dict(Counter(pairs.generator)),
        "pairs_rejected_by_general_position": pairs.rejected,
        "draws": draws, "scales": list(scales), "tolerance": tolerance,
        "keys": {**params.keys(), "input_stream": STREAMS["battery_inputs"]},
        "depths": [o.summary(pairs, tolerance) for o in outcomes],
        "nonfinite_draws_skipped": int(sum((params.count - o.finite)[rel].sum() for o in outcomes)),
    }
    passed = last.separated & rel
    if np.all(passed | ~rel):
        weakest = np.where(rel, last.max_sep, np.inf)
        p, i = np.unravel_index(np.argmin(weakest), weakest.shape)
        evidence.update(min_depth=last.depth, weakest_separation=_pair_record(pairs, p, i, last, params))
        return ConditionResult(
            "distinguishability", ConditionStatus.HOLDS,
            f"all {int(rel.sum())} shared-token slot pairs of {len(pairs)} adversarial pairs are separated by depth "
            f"{last.depth} (each at the first depth that separated it, carried deeper by theta_0 layers; weakest "
            f"max sep {float(last.max_sep[p, i]):.3g} > {tolerance:g})",
            evidence,
        )
    undetermined = rel & ~passed & (last.finite == 0)
    failing = rel & ~passed & ~undetermined
    evidence["min_depth"] = None
    if failing.any():
        sep = np.where(failing, np.nan_to_num(last.max_sep, nan=np.inf), np.inf)
        p, i = np.unravel_index(np.argmin(sep), sep.shape)
        record = _pair_record(pairs, p, i, last, params)
        evidence["failing_pair"] = record
        evidence["failing_by_generator"] = dict(Counter(pairs.generator[q] for q in np.flatnonzero(failing.any(axis=1))))
        return ConditionResult(
            "distinguishability", ConditionStatus.FAILS,
            f"{int(failing.sum())} slot pair(s) are never separated up to depth {max_depth}, e.g. generator "
            f"({record['generator']}) {record['generator_meaning']}, slots {record['slots']}: max sep "
            f"{record['max_sep']:.3g} <= {tolerance:g} over {record['finite_draws']} draws",
            evidence,
        )
    p, i = np.argwhere(undetermined)[0]
    evidence["undetermined_pair"] = _pair_record(pairs, p, i, last, params)
    return ConditionResult(
        "distinguishability", ConditionStatus.UNKNOWN,
        f"{int(undetermined.sum())} slot pair(s) are numerically undetermined: every draw was non-finite",
        evidence,
    )


@x64
def replay_pair(attention: Any, *, X: Sequence[Sequence[float]], Y: Sequence[Sequence[float]], slots: Sequence[int],
                depth: int, seed: int, draws: int, scales: Sequence[float] = SCALES,
                noise: float = PARAM_NOISE) -> float | None:
    """Max sep over the logged draws for one recorded pair and slot pair (None if every draw is non-finite)."""
    Xa, Ya = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    n, d = Xa.shape
    va = validated(attention, n, d, seed)
    slot_map = np.arange(n)
    slot_map[slots[0]] = slots[1]
    relevant = np.zeros((1, n), bool)
    relevant[0, slots[0]] = True
    pair = PairSet(Xa[None], Ya[None], slot_map[None], relevant, ["replay"], [{}])
    seps = run_battery(va, draw_parameters(va, seed, draws, depth, scales, noise), pair, depth)[:, 0, slots[0]]
    finite = seps[np.isfinite(seps)]
    return float(finite.max()) if finite.size else None
