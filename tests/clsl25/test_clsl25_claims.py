"""CLSL25 claims: the two refuted readings carry witnesses that replay."""

from __future__ import annotations

from approxtheory.core import CheckContext, Status, Witness
from approxtheory.papers import clsl25


def by_id(claim_id: str):
    return next(c for c in clsl25.claims() if c.id == claim_id)


def test_longformer_table_depth_is_refuted_and_replays() -> None:
    claim = by_id(clsl25.LONGFORMER_ID)
    verdict = claim.check(CheckContext())
    assert verdict.status is Status.REFUTED
    assert verdict.witness.observed == {"table_layers": 3, "hop_diameter": 5}
    assert claim.replay_witness(verdict.witness).reproduced
    # n = 3, w = 1: the table says 2 layers, the diameter is 2: no contradiction there.
    assert not claim.replay_witness(Witness(claim.id, {"n": 3, "w": 1}, {})).reproduced


def test_hop_diameter_reading_is_refuted_with_an_unseparated_pair() -> None:
    claim = by_id(clsl25.HOP_ID)
    verdict = claim.check(CheckContext())
    assert verdict.status is Status.REFUTED
    assert verdict.witness.inputs["max_sep"] == 0.0
    assert claim.replay_witness(verdict.witness).reproduced
    deeper = Witness(claim.id, {**verdict.witness.inputs, "depth": verdict.witness.inputs["depth"] + 1}, {}, seed=verdict.witness.seed)
    assert not claim.replay_witness(deeper).reproduced  # one more layer separates the pair
