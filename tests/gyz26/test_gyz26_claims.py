"""GYZ26 claims beyond the softmax lemma: verdicts, and that each verifier can fail."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from approxtheory.cli import main
from approxtheory.core import CheckContext, Registry, Status
from approxtheory.networks import MaxoutLayer, MaxoutNetwork
from approxtheory.networks.zigzag import zigzag_network
from approxtheory.papers.gyz26 import regions, simulation

ABS = MaxoutNetwork((MaxoutLayer(np.array([[[1.0], [-1.0]]]), np.zeros((1, 2))),), np.array([[1.0]]), np.zeros(1))


def by_id(claim_id: str):
    return next(c for c in [*simulation.claims(), *regions.claims()] if c.id == claim_id)


def test_exact_check_catches_a_gate_below_m_star() -> None:
    # |x| on [-1, 1] needs M >= 1; with M = 1/2 the gate leaks and T_inf(1) = 1/2 != 1 (card: the output may go wrong).
    assert simulation.exact_mismatch(ABS, 1.0, "full", [Fraction(-1)], [Fraction(1)]) is None
    t = simulation.exact_mismatch(ABS, 0.5, "full", [Fraction(-1)], [Fraction(1)])
    assert t is not None


def test_exact_witness_replays(monkeypatch) -> None:
    claim = by_id(simulation.EXACT_ID)
    values = simulation._exact_values(ABS, 0.5, "full", [Fraction(1)])
    assert values["N"] == ["1"] and values["T_inf"] != ["1"]
    from approxtheory.core import Witness

    # M = 1/2 < M* = 1 leaks, but that is outside the claim's hypothesis M >= M*: not reproduced
    leaky = claim.replay_witness(Witness(claim.id, {"network": ABS.to_json(), "M": 0.5, "variant": "full", "x": ["1"]}, values))
    assert not leaky.reproduced and "below the IBP gate" in leaky.explanation
    fine = Witness(claim.id, {"network": ABS.to_json(), "M": 1.0, "variant": "full", "x": ["1"]}, values)
    assert not claim.replay_witness(fine).reproduced
    # a construction that lost its gate (M/4 stored) is caught at the same in-domain witness
    real = simulation.simulate
    monkeypatch.setattr(simulation, "simulate", lambda net, M, variant="full", **kw: real(net, M / 4, variant, **kw))
    assert claim.replay_witness(fine).reproduced


@pytest.mark.parametrize("claim_id, status", [
    ("GYZ26.prop.complexity.statement.nnz_bounds", "certified"),
    ("GYZ26.prop.complexity.construction.nnz_counts", "supported"),
    ("GYZ26.prop.regions_lower.statement.zigzag_regions", "certified"),
    ("GYZ26.thm.cpwl.construction.wang_sun_one_block", "supported"),
])
def test_verdicts(claim_id: str, status: str) -> None:
    verdict = by_id(claim_id).check(CheckContext(seed=1, budget=None))
    assert verdict.status.value == status, verdict.evidence


def test_card_size_fixtures_are_in_the_evidence() -> None:
    evidence = by_id("GYZ26.prop.complexity.construction.nnz_counts").check(CheckContext(budget=3)).evidence
    assert evidence["card_fixtures"]["full"]["built"]["nnz_total"] == 176
    assert evidence["card_fixtures"]["lean"]["built"]["nnz_total"] == 168


def test_softmax_error_search_refutes_a_halved_bound(monkeypatch) -> None:
    # Against half the card's bound the search must find a confirmed violation (so it can fail at all).
    real = simulation.softmax_error_bound
    monkeypatch.setattr(simulation, "softmax_error_bound", lambda net, beta: real(net, beta) / 4)
    verdict = by_id(simulation.SOFT_ID).check(CheckContext(seed=0, budget=150))
    assert verdict.status is Status.REFUTED
    assert by_id(simulation.SOFT_ID).replay_witness(verdict.witness).reproduced


def test_width1_cap_is_attained() -> None:
    evidence = by_id(regions.WIDTH1_ID).check(CheckContext(seed=0)).evidence
    assert evidence["max_ratio"] == 1.0  # the cap is tight (already at L = 1: k pieces)


# --- the regions command on files the tests write ---------------------------------------------------

@pytest.mark.parametrize("k, L, count", [(2, 3, 8), (3, 2, 9), (3, 3, 27), (4, 2, 16), (2, 5, 32)])
@pytest.mark.parametrize("model", ["maxout", "transformer"])
def test_regions_command_reproduces_the_card(tmp_path, capsys, k: int, L: int, count: int, model: str) -> None:
    path = zigzag_network(k, L).dump(tmp_path / "zigzag.json")
    assert main(["regions", str(path), "--from", "0", "--to", "1", "--as", model, "--json"], Registry()) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["regions"] == count
    assert data["breakpoints_exact"] == [str(Fraction(i, count)) for i in range(1, count)]
    assert len(data["breakpoints"]) == count - 1 and all(0 < t < 1 for t in data["breakpoints"])


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["layers"][0].update(bias=[[0.0]]), "layers[0].bias has shape"),
    (lambda d: d["layers"][0]["weight"][0][0].__setitem__(0, float("nan")), "non-finite entry"),
    (lambda d: d.update(kind="relu"), "not a maxout network"),
    (lambda d: d["readout"].update(weight=[[1.0, 2.0, 3.0]]), "readout weight"),
])
def test_regions_command_rejects_bad_files(tmp_path, capsys, edit, message: str) -> None:
    data = zigzag_network(2, 2).to_json()
    edit(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    assert main(["regions", str(path), "--from", "0", "--to", "1"], Registry()) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err and "Traceback" not in err


def test_regions_command_rejects_a_segment_of_the_wrong_dimension(tmp_path, capsys) -> None:
    path = zigzag_network(2, 2).dump(tmp_path / "z.json")
    assert main(["regions", str(path), "--from", "0,0", "--to", "1"], Registry()) == 2
    assert "--from has 2 coordinates but the network takes 1" in capsys.readouterr().err


def test_regions_command_rejects_an_empty_segment(tmp_path, capsys) -> None:
    path = zigzag_network(2, 2).dump(tmp_path / "z.json")
    assert main(["regions", str(path), "--from", "0.5", "--to", "1/2"], Registry()) == 2
    assert "same point" in capsys.readouterr().err


def test_a_wrong_zigzag_count_is_refuted_not_inconclusive(monkeypatch) -> None:
    real = regions.zigzag_facts
    monkeypatch.setattr(regions, "zigzag_facts", lambda k, L: {**real(k, L), "regions": k**L + ((k, L) == (3, 2))})
    verdict = by_id(regions.ZIGZAG_ID).check(CheckContext())
    assert verdict.status is Status.REFUTED and verdict.witness.inputs == {"k": 3, "L": 2}
    monkeypatch.setattr(regions, "zigzag_facts", real)
    assert not by_id(regions.ZIGZAG_ID).replay_witness(verdict.witness).reproduced  # the real count is 9
    from approxtheory.core import Witness

    good = Witness(regions.TRANSFORMER_ID, {"k": 2, "L": 3}, {})
    assert not by_id(regions.TRANSFORMER_ID).replay_witness(good).reproduced
