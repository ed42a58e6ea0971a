"""search: a false bound is refuted with a shrunk, replayable witness; JAX compiles once."""

from __future__ import annotations

import json

from approxtheory.cli import main
from approxtheory.constructions import softmax_max as kernel
from approxtheory.core import CheckContext, Status, Witness

from .helpers import wrong_bound_claim


def test_false_bound_is_refuted_and_replays(capsys, tmp_path, wrong_registry) -> None:
    verdict = wrong_bound_claim().check(CheckContext(seed=1))
    assert verdict.status is Status.REFUTED
    witness = verdict.witness
    assert len(witness.inputs["z"]) == 2  # shrunk to the smallest n
    path = witness.dump(tmp_path / "w.json")
    assert main(["replay", str(path), "--json"], wrong_registry) == 0
    replay = json.loads(capsys.readouterr().out)
    assert replay["reproduced"] is True

    # The same inputs with equal scores give gap 0: a replay must say "not reproduced" (exit 1).
    tampered = Witness(witness.claim_id, {**witness.inputs, "z": [witness.inputs["z"][0]] * 2}, witness.observed)
    assert main(["replay", str(tampered.dump(tmp_path / "t.json"))], wrong_registry) == 1


def test_refutation_is_reproducible_from_the_seed() -> None:
    a = wrong_bound_claim().check(CheckContext(seed=5))
    b = wrong_bound_claim().check(CheckContext(seed=5))
    assert a.witness.inputs == b.witness.inputs and a.evidence == b.evidence


def test_search_compiles_the_kernel_once() -> None:
    wrong_bound_claim().check(CheckContext(seed=2, budget=20))  # warm-up: at most one trace
    before = kernel.TRACES.count
    from approxtheory.papers.gyz26 import softmax_max

    softmax_max.claims()[3].check(CheckContext(seed=3, budget=100))
    assert kernel.TRACES.count == before
