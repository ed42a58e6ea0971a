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


def test_search_does_not_depend_on_what_else_is_imported() -> None:
    # Hypothesis mixes constants of imported local modules into generation; our searches switch
    # that off so that `check` and `report` (which import different modules) agree.
    import subprocess
    import sys

    program = (
        "import sys\n"
        "if sys.argv[1] == 'report': import approxtheory.report\n"
        "from approxtheory.papers.gyz26 import softmax_max as s\n"
        "from approxtheory.search import run_ratio_search\n"
        "r = run_ratio_search(s.gap_search(), budget=200, seed=0)\n"
        "print(r.generated_best_ratio, r.best_inputs)\n"
    )
    outputs = {subprocess.run([sys.executable, "-c", program, arg], capture_output=True, text=True, check=True).stdout
               for arg in ("plain", "report")}
    assert len(outputs) == 1, outputs


def test_softmax_error_search_does_not_retrace_after_warm_up() -> None:
    from approxtheory.networks import transformer
    from approxtheory.papers.gyz26 import simulation

    simulation.claims()[1].check(CheckContext(seed=0, budget=5))  # warm-up: compiles the fixed shape
    before = transformer.TRACES.count
    simulation.claims()[1].check(CheckContext(seed=1, budget=40))
    assert transformer.TRACES.count == before
