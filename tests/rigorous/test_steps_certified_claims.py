"""Certified claims list their steps, and every step is a certificate (the weakest-step rule, on real claims);
their cross-checks are redundant and block when they fail (rigorous.steps, issue #11)."""

from __future__ import annotations

import pytest

from approxtheory.core import CheckContext, Status
from approxtheory.papers.gyz26 import regions, simulation, softmax_max
from approxtheory.papers.jl24 import alterations, bound, fixtures
from approxtheory.papers.we24 import algebra, constructions, prop42, rates
from approxtheory.rigorous.steps import StepKind, Steps

CLAIMS = {c.id: c for module in (algebra, rates, prop42, constructions, fixtures, alterations, bound, softmax_max, regions,
                                 simulation) for c in module.claims()}
CERTIFIED = [  # every certified claim that checks in a few seconds (GYZ26 transformer_regions is exact but slower)
    "GYZ26.lem.softmax_max.statement.c_closed_form", "GYZ26.lem.softmax_max.statement.sharp_equal_gaps",
    "GYZ26.lem.softmax_max.statement.te_max", "GYZ26.prop.complexity.statement.nnz_bounds",
    "GYZ26.prop.regions_lower.statement.zigzag_regions",
    "JL24.cor.opt_mh.statement.minimiser", "JL24.cor.vanish.statement.condition", "JL24.def.C_RNN.statement.exp_kernel",
    "JL24.exD.3.statement.singular_values", "JL24.fix.hurwitz.statement.tails", "JL24.fix.sines.statement.pod_complexity",
    "JL24.thm4.2.statement.monotone",
    "WE24.def.normaliser.statement.closed_forms", "WE24.prop4.2.statement.dpf_lower_bound",
    "WE24.prop4.5.statement.heads_and_width_comparison", "WE24.thm3.1.statement.attention_rate_lin",
    "WE24.thm3.1.statement.attention_rate_log", "WE24.thm3.1.statement.heads_needed",
    "WE24.thm3.1.statement.optimal_head_split", "WE24.thm4.1.statement.attention_rate_lin",
    "WE24.thm4.1.statement.score_identities", "WE24.thm4.1.statement.width_rounding_thresholds",
    "WE24.thm4.4.statement.depth_and_special_cases", "WE24.thm5.1.statement.admissible_ranges",
    "WE24.thm5.1.statement.equal_split",
]
CROSS_CHECKED = [  # every claim certified with cross-checks in `approxtheory check --json` (issue #11)
    "JL24.cor.opt_mh.statement.minimiser",  # Arb: E(m_h*) - E_star contains 0 (the symbolic steps prove E(m_h*) = E_star)
    "JL24.def.C_RNN.statement.exp_kernel",  # pod.rnn.c_rnn (float) against the exact C1, C2, C_RNN
    "JL24.exD.3.statement.singular_values",  # POD quadrature (float) against the exact singular values
    "JL24.fix.sines.statement.pod_complexity",  # complexity.c1_upper/c0_upper (float) against the closed forms
    "WE24.def.normaliser.statement.closed_forms",  # memory.bases.normaliser (float) against the closed forms
    "WE24.thm4.1.statement.attention_rate_lin",  # an LP fit's block errors grow with B (the inclusion is symbolic)
]


@pytest.mark.parametrize("claim_id", CERTIFIED)
def test_certified_means_every_step_is_a_certificate(claim_id: str) -> None:
    verdict = CLAIMS[claim_id].check(CheckContext(seed=0))
    assert verdict.status is Status.CERTIFIED, (claim_id, verdict.method, verdict.evidence.get("steps"))
    steps = verdict.evidence["steps"]
    assert steps and all(step["holds"] for step in steps.values())
    weak = {name: step["kind"] for name, step in steps.items() if not StepKind(step["kind"]).certificate}
    assert not weak, f"{claim_id}: certified with evidence-grade steps {weak}"
    assert bool(verdict.evidence.get("cross_checks")) == (claim_id in CROSS_CHECKED), "keep CROSS_CHECKED complete"


@pytest.mark.parametrize(("claim_id", "weakest"), [
    ("WE24.thm5.1.construction.exact_single_heads", "float"),  # the package's layer runs in float64
    ("WE24.prop4.2.statement.dp_rate", "float"),  # the reduction to the l1 problem: float brute force on one instance
    ("WE24.thm3.1.statement.attention_rate_lin_every_T", "instances"),  # exact families for T <= 6 only
    ("WE24.thm3.1.statement.attention_rate_log_every_T", "instances"),
])
def test_claims_with_evidence_steps_are_supported_and_say_why(claim_id: str, weakest: str) -> None:
    verdict = CLAIMS[claim_id].check(CheckContext(seed=0))
    assert verdict.status is Status.SUPPORTED and verdict.method.endswith(f"weakest step: {weakest}")


def _failing(self: Steps, kind, name: str, check: str, holds: bool, **extra) -> bool:
    """Steps.cross_check with every cross-check failing."""
    self.cross_checks[name] = {"kind": StepKind(kind).value, "holds": False, "check": check, **extra}
    return False


def _dropped(self: Steps, kind, name: str, check: str, holds: bool, **extra) -> bool:
    """Steps.cross_check recording nothing."""
    return True


@pytest.mark.parametrize("claim_id", CROSS_CHECKED)
def test_a_cross_checked_claim_rests_on_its_certificate(monkeypatch: pytest.MonkeyPatch, claim_id: str) -> None:
    """With its cross-checks dropped the claim is still certified (they are redundant); with them failing it is not."""
    claim = CLAIMS[claim_id]
    monkeypatch.setattr(Steps, "cross_check", _dropped)
    dropped = claim.check(CheckContext(seed=0))
    assert dropped.status is Status.CERTIFIED and "cross_checks" not in dropped.evidence
    monkeypatch.setattr(Steps, "cross_check", _failing)
    failed = claim.check(CheckContext(seed=0))
    assert failed.status is Status.INCONCLUSIVE and failed.evidence["cross_checks"]
