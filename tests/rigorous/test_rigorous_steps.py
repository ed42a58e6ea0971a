"""Steps: a decisive comparison's counterexample refutes the claim, replays, and a non-decisive one refutes nothing."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from approxtheory.core import ApproxTheoryError, CheckContext, Claim, Outcome, Scope, Source, Status, Witness
from approxtheory.rigorous.steps import SREPR_MAX_CHARS, SREPR_MAX_NODES, Comparison, Steps, _from_srepr, comparison_replay

x = sp.Symbol("x")
SQUARE = Comparison("x^2 <= x on [0, 2]", x**2, x, {"x": (0, 2)})


def _false_steps(decisive: bool) -> Steps:
    s = Steps()
    s.zero("true identity", (x + 1) ** 2 - x**2 - 2 * x - 1, "expands")
    # x^2 <= x fails on (1, 2]
    s.compare(SQUARE.step, SQUARE.lhs, SQUARE.rhs, dict(SQUARE.box), 200, decisive=decisive)
    return s


def _claim(decisive: bool) -> Claim:
    def verify(ctx: CheckContext) -> Outcome:
        return _false_steps(decisive).outcome("x^2 <= x on [0, 2]", {"cells": 200})

    return Claim(id="TEST.lemma.statement.square", statement="x^2 <= x on [0, 2]", source=Source("TEST", "v1", "here"),
                 provenance="primary", scope=Scope.STATEMENT, verify=verify, replay=comparison_replay(SQUARE))


def test_a_decisive_counterexample_refutes_and_replays() -> None:
    verdict = _claim(True).check()
    assert verdict.status is Status.REFUTED
    w = verdict.witness
    assert w is not None and w.claim_id == "TEST.lemma.statement.square"  # stamped by Claim.check
    assert Fraction(w.inputs["point"]["x"]) > 1 and w.inputs["step"] == "x^2 <= x on [0, 2]"
    again = Witness.from_dict(w.to_dict())
    result = _claim(True).replay_witness(again)
    assert result.reproduced and float(Fraction(result.observed["point"]["x"])) > 1


def test_a_moved_witness_does_not_reproduce() -> None:
    w = _claim(True).check().witness
    moved = Witness(w.claim_id, {**w.inputs, "point": {"x": "1/2"}}, w.observed)
    assert not _claim(True).replay_witness(moved).reproduced


def test_a_non_decisive_failure_is_inconclusive() -> None:
    verdict = _claim(False).check()
    assert verdict.status is Status.INCONCLUSIVE and verdict.witness is None
    assert verdict.evidence["steps"]["x^2 <= x on [0, 2]"]["status"] == "refuted"


def test_a_true_decisive_step_certifies() -> None:
    s = Steps()
    s.compare("x^2 <= x on [0, 1]", x**2, x, {"x": (0, 1)}, 2000, decisive=True)
    out = s.outcome("x^2 <= x on [0, 1]", {})
    assert out.status is Status.CERTIFIED and out.witness is None


@pytest.mark.parametrize("inputs", [{"kind": "ratio"}, {"kind": "arb_comparison", "lhs": "x**2"},
                                    {"kind": "arb_comparison", "lhs": "x**2", "rhs": "x", "point": {"x": 0.5}}])
def test_malformed_witness_is_one_clear_error(inputs: dict) -> None:
    with pytest.raises(ApproxTheoryError):
        _claim(True).replay_witness(Witness("TEST.lemma.statement.square", inputs, {}))


@pytest.mark.parametrize("payload", ["__import__('os').system('true')", "open('/tmp/x', 'w')", "lambdify(x, x)"])
def test_a_witness_cannot_smuggle_code_into_the_replay(payload: str) -> None:
    # SymPy parses with eval: only SymPy expression classes may appear in a witness's expressions
    w = Witness("TEST.lemma.statement.square",
                {"kind": "arb_comparison", "step": "s", "lhs": payload, "rhs": "Integer(0)", "point": {}}, {})
    with pytest.raises(ApproxTheoryError, match="SymPy"):
        _claim(True).replay_witness(w)


def test_each_step_returns_whether_it_held() -> None:
    s = Steps()
    assert s.symbolic("a", "held", True) is True and s.symbolic("b", "did not", False) is False
    assert s.cross_check("exact", "c", "held", True) is True and s.cross_check("float", "d", "did not", False) is False


def test_compare_is_non_strict_unless_asked() -> None:
    s = Steps()
    assert s.compare("x <= x", x, x, {"x": (0, 1)}, 50)
    assert not s.compare("x < x", x, x, {"x": (0, 1)}, 50, strict=True)


def test_compare_is_not_decisive_unless_asked() -> None:
    s = Steps()
    assert not s.compare(SQUARE.step, SQUARE.lhs, SQUARE.rhs, dict(SQUARE.box), 200)  # fails on (1, 2]
    assert s.witness is None and s.outcome("x^2 <= x", {}).status is Status.INCONCLUSIVE


def test_srepr_text_is_refused_beyond_the_node_limit_and_for_non_assumption_keywords() -> None:
    many = "Add(" + ", ".join(["Integer(1)"] * (SREPR_MAX_NODES // 3 + 1)) + ")"
    assert len(many) < SREPR_MAX_CHARS
    with pytest.raises(ApproxTheoryError, match="syntax nodes"):
        _from_srepr(many)
    with pytest.raises(ApproxTheoryError, match="keyword arguments may only be assumptions"):
        _from_srepr("Symbol('n', integer=Integer(1))")
    assert _from_srepr("Symbol('n', integer=True)") == sp.Symbol("n", integer=True)
    text = "Add(Integer(1), Integer(1))"  # rebuilt as written, never evaluated to 2
    assert _from_srepr(text) != 2 and sp.srepr(_from_srepr(text)) == text


def _refuted_claim(comparison: Comparison) -> Claim:
    def verify(ctx: CheckContext) -> Outcome:
        s = Steps()
        s.compare(comparison.step, comparison.lhs, comparison.rhs, dict(comparison.box), 200, decisive=True)
        return s.outcome(comparison.step, {"cells": 200})

    return Claim(id="TEST.lemma.statement.replay", statement=comparison.step, source=Source("TEST", "v1", "here"),
                 provenance="primary", scope=Scope.STATEMENT, verify=verify, replay=comparison_replay(comparison))


Y = sp.Symbol("y")


@pytest.mark.parametrize("comparison", [
    # -2/3*y: srepr writes Mul(Integer(-1), Rational(2, 3), y), which parsed back was another tree: not reproduced
    Comparison("x + y <= 1 - 2y/3", x + Y, 1 - 2 * Y / 3, {"x": (0, 1), "y": (0, 1)}),
    # a 400-digit rational and a 60-term polynomial: the witness's copies were refused by a parser's size limits
    Comparison("x^2 <= 10^-400", x**2, sp.Rational(1, 10**400), {"x": (0, sp.Rational(2, 10**200))}),
    Comparison("sum of x^k <= 1", sum(x**k for k in range(1, 61)), sp.Integer(1), {"x": (0, 1)}),
])
def test_a_correct_refutation_replays_whatever_the_shape_of_its_expressions(comparison: Comparison) -> None:
    claim = _refuted_claim(comparison)
    verdict = claim.check()
    assert verdict.status is Status.REFUTED
    assert claim.replay_witness(Witness.from_dict(verdict.witness.to_dict())).reproduced


def test_a_witness_recording_other_expressions_or_no_text_is_refused() -> None:
    claim = _claim(True)
    w = claim.check().witness.to_dict()
    other = Witness.from_dict({**w, "inputs": {**w["inputs"], "lhs": sp.srepr(x**3)}})
    replay = claim.replay_witness(other)
    assert not replay.reproduced and "is not the claim's" in replay.explanation
    with pytest.raises(ApproxTheoryError, match="must be an srepr string"):
        claim.replay_witness(Witness.from_dict({**w, "inputs": {**w["inputs"], "lhs": ["Integer(1)"]}}))


def test_an_integer_variable_replays_only_at_integers() -> None:
    n = sp.Symbol("n", integer=True)
    comparison = Comparison("n <= 1 on [0, 3]", n, sp.Integer(1), {"n": (0, 3)})
    claim = Claim(id="TEST.lemma.statement.int", statement="n <= 1", source=Source("TEST", "v1", "here"),
                  provenance="primary", scope=Scope.STATEMENT, verify=lambda ctx: Steps().outcome("", {}),
                  replay=comparison_replay(comparison))
    witness = lambda value: Witness(claim.id, {"kind": "arb_comparison", "step": comparison.step,  # noqa: E731
                                               "point": {"n": value}}, {})
    assert claim.replay_witness(witness("2")).reproduced
    off = claim.replay_witness(witness("3/2"))  # 3/2 > 1, but n ranges over the integers
    assert not off.reproduced and "not an integer" in off.explanation
