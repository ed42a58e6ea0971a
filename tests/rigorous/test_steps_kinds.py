"""The weakest-step rule: every step has a kind, and only certificate-grade kinds can make a claim certified."""

from __future__ import annotations

import flint
import pytest
import sympy as sp

from approxtheory.core import ApproxTheoryError, CheckContext, Claim, Outcome, Scope, Source, Status, Verdict
from approxtheory.rigorous.steps import StepKind, Steps, printed_decimal

x = sp.Symbol("x")


def _proved() -> Steps:
    s = Steps()
    s.zero("identity", (x + 1) ** 2 - x**2 - 2 * x - 1, "expands")
    s.exact("arithmetic", "1/3 + 1/6 == 1/2", sp.Rational(1, 3) + sp.Rational(1, 6) == sp.Rational(1, 2))
    return s


def test_certificates_only_certify() -> None:
    out = _proved().outcome("two certificates", {})
    assert out.status is Status.CERTIFIED and "weakest" not in out.method
    assert {step["kind"] for step in out.evidence["steps"].values()} == {"symbolic", "exact"}


@pytest.mark.parametrize("kind", ["float", "sampled", "instances"])
def test_one_evidence_step_makes_it_supported_at_most(kind: str) -> None:
    s = _proved()
    getattr(s, kind)("evidence", "held numerically", True)
    out = s.outcome("certificates and one evidence step", {})
    assert out.status is Status.SUPPORTED and out.method.endswith(f"weakest step: {kind}")


def test_a_failed_evidence_step_is_inconclusive() -> None:
    s = _proved()
    s.float("float check", "did not hold", False)
    assert s.outcome("a failed float step", {}).status is Status.INCONCLUSIVE


def test_a_decisive_refutation_still_refutes_next_to_evidence() -> None:
    s = _proved()
    s.float("float check", "held", True)
    s.compare("x^2 <= x on [0, 2]", x**2, x, {"x": (0, 2)}, 200, decisive=True)  # false on (1, 2]
    out = s.outcome("refuted", {})
    assert out.status is Status.REFUTED and out.witness is not None
    assert out.evidence["steps"]["x^2 <= x on [0, 2]"]["kind"] == "arb"


def test_cross_checks_block_but_never_count() -> None:
    s = _proved()
    s.cross_check("float", "library agrees", "float code == closed form", True)
    out = s.outcome("proved, library agrees", {})
    assert out.status is Status.CERTIFIED and out.evidence["cross_checks"]["library agrees"]["kind"] == "float"
    s.cross_check("float", "library disagrees", "float code != closed form", False)
    assert s.outcome("proved, library disagrees", {}).status is Status.INCONCLUSIVE


def test_nothing_checked_certifies_nothing() -> None:
    assert Steps().outcome("no steps", {}).status is Status.INCONCLUSIVE


def test_a_step_name_is_recorded_once_and_kinds_are_known() -> None:
    s = _proved()
    with pytest.raises(ValueError):
        s.exact("arithmetic", "again", True)
    with pytest.raises(ValueError):
        s.record("guessed", "name", "check", True)
    assert {k.value for k in StepKind if k.certificate} == {"symbolic", "exact", "arb"}


def test_the_verdict_json_lists_each_step_with_its_kind() -> None:
    def verify(ctx: CheckContext) -> Outcome:
        s = _proved()
        s.sampled("sampled", "checked at 10 points", True)
        return s.outcome("mixed", {})

    claim = Claim(id="TEST.lemma.statement.mixed", statement="mixed", source=Source("TEST", "v1", "here"),
                  provenance="primary", scope=Scope.STATEMENT, verify=verify)
    data = claim.check().to_dict()
    assert data["status"] == "supported"
    assert {name: step["kind"] for name, step in data["evidence"]["steps"].items()} == {
        "identity": "symbolic", "arithmetic": "exact", "sampled": "sampled"}


# --- digits: mantissa and exponent -----------------------------------------------------------------

def test_digits_read_the_exponent() -> None:
    s = Steps()
    assert not s.digits("wrong mantissa", flint.arb("1.5e-10"), "1.9e-10", rounded=True)
    assert s.digits("right", flint.arb("1.52e-10"), "1.5e-10", rounded=True)
    assert not s.digits("wrong exponent", flint.arb("1.5e-10"), "1.5e-11", rounded=True)
    assert s.digits("truncated", flint.arb("1.59e-10"), "1.5e-10", rounded=False)
    assert not s.digits("truncated, too far", flint.arb("1.61e-10"), "1.5e-10", rounded=False)
    assert s.digits("negative, truncated toward 0", flint.arb("-1.54"), "-1.5", rounded=False)
    assert not s.digits("negative, wrong side", flint.arb("-1.46"), "-1.5", rounded=False)
    assert s.items["right"]["kind"] == "arb"


def test_printed_decimal_value_and_unit() -> None:
    value, unit = printed_decimal("2.50E+3")
    assert value.contains(2500) and unit.contains(10)


@pytest.mark.parametrize("text", ["1.2.3", "abc", "1e", "", "1,5", ".5", "1e-3x"])
def test_malformed_digits_are_one_clear_error(text: str) -> None:
    with pytest.raises(ApproxTheoryError, match="not a printed decimal"):
        Steps().digits("bad", flint.arb(1), text, rounded=True)


def test_a_hand_built_certified_verdict_with_an_evidence_step_is_rejected() -> None:
    # the rule holds for verifiers that build their Outcome without Steps too
    steps = {"float run": {"kind": "float", "holds": True, "check": "float64"}}
    with pytest.raises(ValueError, match="evidence or failed"):
        Verdict("TEST.lemma.statement.x", Status.CERTIFIED, "statement", "primary", "float", "c", {}, {"steps": steps})
    Verdict("TEST.lemma.statement.x", Status.SUPPORTED, "statement", "primary", "float", "c", {}, {"steps": steps})


def test_included_steps_keep_their_record_under_a_prefix_and_names_stay_unique() -> None:
    lemma = Steps()
    lemma.symbolic("identity", "a == a", True, detail=1)
    lemma.float("spot value", "close", True)
    s = Steps()
    s.exact("own", "1 == 1", True)
    s.include("lemma: ", lemma)
    assert list(s.items) == ["own", "lemma: identity", "lemma: spot value"]
    assert s.items["lemma: identity"] == lemma.items["identity"]
    assert s.outcome("c", {}).status is Status.SUPPORTED  # the included float step still counts
    with pytest.raises(ValueError, match="recorded twice"):
        s.include("lemma: ", lemma)
    lemma.cross_check("float", "code", "agrees", True)
    with pytest.raises(ValueError, match="only steps"):
        Steps().include("x: ", lemma)
