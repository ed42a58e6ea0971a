"""The JL24 claims: ids, bounds, verdicts, and witnesses that replay (and perturbed ones that do not)."""

from __future__ import annotations

import json

import flint
import pytest
import sympy as sp

from approxtheory.core import CheckContext, Registry, Status, Witness
from approxtheory.papers import jl24
from approxtheory.papers.jl24 import alterations, bound, construction, fixtures
from approxtheory.rigorous.steps import Steps
from approxtheory.rigorous import enclose

EXPECTED = {
    "JL24.E1.experiment.trained_plateau": "inconclusive",
    "JL24.E1.experiment.trained_rank_order": "inconclusive",
    "JL24.E1.experiment.trained_slopes": "inconclusive",
    "JL24.E4.experiment.ordering_mixing_directions": "inconclusive",
    "JL24.E4.experiment.rnn_directions": "supported",
    "JL24.cor.opt_mh.statement.minimiser": "certified",
    "JL24.cor.vanish.statement.condition": "certified",
    "JL24.thm4.2.statement.monotone": "certified",
    "JL24.fix.hurwitz.statement.tails": "certified",
    "JL24.fix.sines.statement.pod_complexity": "certified",
    "JL24.exD.3.statement.singular_values": "certified",
    "JL24.E1.experiment.infinite_rank_in_class": "refuted",
    "JL24.cor.finite_rank.construction.exact_at_rank": "supported",
    "JL24.thm4.2.construction.attains_bound": "refuted",
    "JL24.cor.finite_rank.construction.rate_infinite_rank": "refuted",
    "JL24.def.C_RNN.statement.exp_kernel": "certified",
    "JL24.prop6.1.statement.permuted_not_in_C_RNN": "refuted",
    "JL24.prop6.1.statement.nonzero_kernels": "supported",
    "JL24.prop6.2.statement.pod_spectrum_invariant": "supported",
    "JL24.prop6.3.statement.complexity_le_gamma": "refuted",
    "JL24.prop6.3.statement.kernel_identity": "refuted",
    "JL24.prop6.3.statement.envelope": "supported",
    "JL24.lemA.1.statement.equivariance": "supported",
}


@pytest.fixture(scope="module")
def verdicts() -> dict:
    return {c.id: c.check(CheckContext(seed=0)) for c in jl24.claims()}


def test_registry_accepts_the_claims() -> None:
    reg = Registry(jl24.claims())
    assert {c.id for c in reg} == set(EXPECTED)
    assert all(c.paper == "JL24" for c in reg)


def test_verdicts(verdicts: dict) -> None:
    assert {k: v.status.value for k, v in verdicts.items()} == EXPECTED
    for v in verdicts.values():
        json.loads(v.to_json())  # evidence and budget are JSON
        assert v.checked and v.method


def test_refuted_witnesses_replay(verdicts: dict) -> None:
    claims = {c.id: c for c in jl24.claims()}
    for claim_id, v in verdicts.items():
        if v.status is Status.REFUTED:
            witness = Witness.from_dict(json.loads(json.dumps(v.witness.to_dict())))
            assert claims[claim_id].replay_witness(witness).reproduced, claim_id


def test_construction_numbers(verdicts: dict) -> None:
    ev = verdicts["JL24.thm4.2.construction.attains_bound"].evidence
    assert ev["error_over_bound"] > 10 and ev["at_m_h"] == 64
    assert ev["tau16_monte_carlo"]["violates_beyond_ci"]
    assert ev["encoded_domain_eq7"]["violates"]
    rate = verdicts["JL24.cor.finite_rank.construction.rate_infinite_rank"].evidence["tau2_quadrature"]
    for alpha, row in rate.items():  # the diagonal s = t predicts alpha - 1
        assert abs(row["exponent"] - (float(alpha) - 1)) < 0.1 and row["ci95"][1] < row["stated"]


@pytest.mark.parametrize(
    "claim_id, inputs",
    [
        ("JL24.thm4.2.construction.attains_bound", {"alpha": "2", "tau": 2, "m_h": 4, "panels": 16}),
        ("JL24.E1.experiment.infinite_rank_in_class", {"alpha": "3/2", "u": "1/4", "v": "1/4"}),
        ("JL24.prop6.3.statement.complexity_le_gamma", {"c": "1/10", "gamma": "20"}),
        ("JL24.prop6.3.statement.kernel_identity", {"kernel": "2^-s", "theta": ["1"], "horizon": 10}),
        ("JL24.prop6.1.statement.permuted_not_in_C_RNN", {"kernel": ["1"] + ["0"] * 9, "perm": [1, 0, *range(2, 10)]}),
    ],
)
def test_perturbed_witnesses_do_not_replay(claim_id: str, inputs: dict) -> None:
    claim = {c.id: c for c in jl24.claims()}[claim_id]
    assert not claim.replay_witness(Witness(claim_id=claim_id, inputs=inputs, observed={})).reproduced


def test_rate_check_negative_control() -> None:
    row = construction._rate_check(1.5, 2, 8)
    assert row["slower_than_stated"] and row["ci95"][0] <= row["exponent"] <= row["ci95"][1]
    # Against an exponent inside the interval the same check finds nothing.
    assert not construction._rate_check(1.5, 2, 8, stated=row["exponent"])["slower_than_stated"]


def test_bounds_canonical_points_enclose() -> None:
    for b in (bound.THM42, bound.OPTIMISED):
        for point in b.canonical:
            ball = enclose(b.substitute(point), {})
            assert ball.is_finite() and ball.rad() < 1e-20 * max(1, abs(float(ball.mid())))
    # tau = 2, C0 = C1 = C2 = 1, alpha = 1, beta = 1/2, m_h = 64, m_FF = 10^4: 4 (1/64 + 64^1.5 / 100).
    value = enclose(bound.THM42.substitute(bound.THM42.canonical[1]), {})
    assert (value - flint.arb(4) * (flint.arb(1) / 64 + flint.arb(512) / 100)).contains(0)


def test_steps_negative_controls() -> None:
    s = Steps()
    x = sp.Symbol("x", positive=True)
    s.zero("wrong identity", (x + 1) ** 2 - x**2 - 1, "not zero")
    assert not s.ok and s.outcome("control", {}).status is Status.INCONCLUSIVE
    t = Steps()
    assert not t.digits("wrong digits", flint.arb("0.2213229557371"), "0.2213229558", rounded=False)
    assert t.digits("rounded", flint.arb("1.262168899481"), "1.2621689", rounded=True)


def test_budget_is_respected() -> None:
    claim = {c.id: c for c in alterations.claims()}["JL24.prop6.3.statement.envelope"]
    assert claim.check(CheckContext(seed=1, budget=50)).budget["trials"] == 50
    hz = {c.id: c for c in fixtures.claims()}["JL24.fix.hurwitz.statement.tails"]
    assert hz.check().status is Status.CERTIFIED


def test_figure(tmp_path, verdicts: dict) -> None:
    paths = jl24.figures(tmp_path)
    assert len(paths) == 1 and paths[0].stat().st_size > 10_000
