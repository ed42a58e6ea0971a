"""core: claims, verdicts, witnesses, bounds, conditions and the registry."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
import sympy as sp

from approxtheory.core import (
    ApproxTheoryError,
    Bound,
    CheckContext,
    Claim,
    Condition,
    ConditionResult,
    ConditionStatus,
    Outcome,
    Registry,
    Source,
    Status,
    SymbolSpec,
    Verdict,
    Witness,
)

SOURCE = Source("TEST", "v0", "nowhere")


def make_claim(claim_id: str = "TEST.lem.x.statement.always", status: Status = Status.SUPPORTED) -> Claim:
    return Claim(
        id=claim_id,
        statement="a test claim",
        source=SOURCE,
        provenance="reconstructed",
        scope="statement",
        verify=lambda ctx: Outcome(status, "test", "nothing", {"seed": ctx.seed}, {"k": 1}),
    )


def test_witness_and_verdict_round_trip_through_json(tmp_path) -> None:
    witness = Witness("TEST.a.statement.b", {"z": ["0x1.0p+0"]}, {"gap": "[1 +/- 0]"}, seed=7, params={"n": 2})
    verdict = Verdict("TEST.a.statement.b", "refuted", "statement", "primary", "search", "checked", {"examples": 3}, {"m": 1.5}, witness, 0.25)
    again = Verdict.from_json(verdict.to_json())
    assert again == verdict and again.status is Status.REFUTED
    path = witness.dump(tmp_path / "w.json")
    assert Witness.load(path) == witness
    assert json.loads(path.read_text())["format"] == "approxtheory.witness/1"


def test_refuted_verdict_requires_a_witness() -> None:
    with pytest.raises(ValueError, match="needs a witness"):
        Verdict("TEST.a.statement.b", "refuted", "statement", "primary", "search", "checked")


CERTIFIED_STEP = {"kind": "exact", "holds": True, "check": "1 == 1"}


@pytest.mark.parametrize("evidence", [{}, {"steps": {}}, {"steps": None}, {"steps": "proved"}, {"other": 1}])
def test_certified_verdict_requires_recorded_steps(evidence: dict) -> None:
    """Issue #11: certified means every step is a certificate, so a certified verdict with no steps at all is refused."""
    with pytest.raises(ValueError, match="certified with no recorded steps"):
        Verdict("TEST.a.statement.b", "certified", "statement", "primary", "exact", "checked", {}, evidence)
    Verdict("TEST.a.statement.b", "supported", "statement", "primary", "exact", "checked", {}, evidence)


@pytest.mark.parametrize("evidence, message", [
    ({"steps": {"a": {"kind": "exact", "check": "no holds"}}}, "not a record with a kind and holds"),
    ({"steps": {"a": CERTIFIED_STEP}, "cross_checks": ["x"]}, "not a record with a kind and holds"),
    ({"steps": {"a": {**CERTIFIED_STEP, "holds": False}}}, r"evidence or failed: \['a'\]"),
    ({"steps": {"a": CERTIFIED_STEP}, "cross_checks": {"code": {"kind": "float", "holds": False, "check": "c"}}},
     r"cross-checks failed: \['code'\]"),
])
def test_certified_verdict_refuses_malformed_or_failed_records(evidence: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Verdict("TEST.a.statement.b", "certified", "statement", "primary", "exact", "checked", {}, evidence)


def test_a_verifier_certifying_without_steps_is_one_clear_error() -> None:
    """A claim (built in or a plugin's) whose verifier certifies with no steps: ApproxTheoryError naming the claim."""
    with pytest.raises(ApproxTheoryError, match="TEST.lem.x.statement.always.*certified with no recorded steps"):
        make_claim(status=Status.CERTIFIED).check()
    good = {"steps": {"a": CERTIFIED_STEP}}
    assert Verdict("TEST.a.statement.b", "certified", "statement", "primary", "exact", "c", {}, good).status is Status.CERTIFIED


def test_certified_verdict_is_the_weakest_step_and_cannot_be_changed_afterwards() -> None:
    def certified(steps: dict) -> Verdict:
        return Verdict("TEST.a.statement.b", "certified", "statement", "primary", "proof", "checked",
                       evidence={"steps": steps})

    v = certified({"a": {"kind": "exact", "holds": True}, "b": {"kind": "arb", "holds": True}})
    assert v.status is Status.CERTIFIED and v.seconds == 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.status = Status.SUPPORTED  # type: ignore[misc]
    for weak in ({"kind": "float", "holds": True}, {"kind": "exact", "holds": False}):
        with pytest.raises(ValueError, match="evidence or failed"):
            certified({"a": {"kind": "exact", "holds": True}, "weak": weak})


def test_verdict_records_are_canonical_json_and_bad_records_a_clear_error() -> None:
    v = Verdict("TEST.a.statement.b", "supported", "statement", "primary", "search", "checked", evidence={"b": 1, "a": 2})
    text = v.to_json()
    assert list(json.loads(text)["evidence"]) == ["a", "b"] and Verdict.from_json(text) == v
    with pytest.raises(ApproxTheoryError, match="not a verdict record"):
        Verdict.from_dict({"claim_id": "TEST.a.statement.b"})


@pytest.mark.parametrize(
    "content, message",
    [("{not json", "not valid JSON"), ("[1, 2]", "must be a JSON object"), ('{"claim_id": "x"}', "lacks the field"),
     ('{"format": "other/9", "claim_id": "x", "inputs": {}, "observed": {}}', "unknown witness format")],
)
def test_corrupt_witness_files_name_the_problem(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ApproxTheoryError, match=message) as info:
        Witness.load(path)
    assert str(path) in str(info.value)


def test_missing_witness_file() -> None:
    with pytest.raises(ApproxTheoryError, match="cannot read witness file"):
        Witness.load("/nonexistent/witness.json")


def test_claim_id_must_carry_its_scope() -> None:
    with pytest.raises(ValueError, match="must name its scope"):
        make_claim("TEST.lem.x.construction.always")
    with pytest.raises(ValueError, match="not of the form"):
        make_claim("no dots here")


def test_a_claim_declares_a_budget_it_spends_or_none() -> None:
    budgeted = dataclasses.replace(make_claim(), default_budget=3)
    assert (budgeted.budget_unit, budgeted.budget_text, budgeted.describe()["default_budget"]) == ("examples", "3 examples", 3)
    assert make_claim().describe()["default_budget"] is None and make_claim().budget_text == "none"
    for bad, match in (({"default_budget": 0}, "positive integer"), ({"default_budget": True}, "positive integer"),
                       ({"budget_unit": "runs"}, "without a default_budget")):
        with pytest.raises(ValueError, match=match):
            dataclasses.replace(make_claim(), **bad)
    seen = []
    spy = dataclasses.replace(make_claim(), verify=lambda ctx: seen.append(ctx.budget) or Outcome(Status.SUPPORTED, "t", "n"))
    assert spy.check(CheckContext(budget=9)).budget == {"budget": "none", "requested": 9} and seen == [None]
    clash = dataclasses.replace(make_claim(), verify=lambda ctx: Outcome(Status.SUPPORTED, "t", "n", {"requested": 1}))
    with pytest.raises(ApproxTheoryError, match="spends no budget"):
        clash.check()


def test_check_stamps_identity_seed_and_budget() -> None:
    verdict = make_claim().check(CheckContext(seed=11))
    assert verdict.claim_id == "TEST.lem.x.statement.always"
    assert verdict.scope == "statement" and verdict.provenance == "reconstructed"
    assert verdict.budget == {"budget": "none", "seed": 11}  # it declares no default budget: it spends none
    with pytest.raises(ApproxTheoryError, match="budget must be a positive integer"):
        make_claim().check(CheckContext(budget=0))


def test_registry_selects_by_id_and_prefix() -> None:
    reg = Registry([make_claim("TEST.lem.a.statement.x"), make_claim("TEST.lem.b.statement.y"), make_claim("OTHER.lem.c.statement.z")])
    assert [c.id for c in reg.select(["TEST"])] == ["TEST.lem.a.statement.x", "TEST.lem.b.statement.y"]
    assert [c.id for c in reg.select(["TEST.lem.b"])] == ["TEST.lem.b.statement.y"]
    assert len(reg.select([])) == 3
    with pytest.raises(ApproxTheoryError, match="no registered claim matches 'TES'"):
        reg.select(["TES"])  # a prefix must end at a dot: TES does not select TEST
    with pytest.raises(ApproxTheoryError, match="did you mean TEST.lem.a.statement.x"):
        reg.get("TEST.lem.a.statement.xx")
    with pytest.raises(ApproxTheoryError, match="registered twice"):
        reg.add(make_claim("TEST.lem.a.statement.x"))


def test_bound_declares_its_symbols_and_domains() -> None:
    n = SymbolSpec("n", "tokens", lo=2, integer=True)
    beta = SymbolSpec("beta", "inverse temperature", lo=sp.Rational(1, 100))
    expr = sp.log(n.symbol) / beta.symbol
    bound = Bound("TEST.bound.b", expr, (n, beta), "ln n / beta", canonical=({"n": 2, "beta": 1},))
    assert bound.substitute({"n": 3, "beta": "1/2"}) == 2 * sp.log(3)
    assert bound.substitute({"n": 2, "beta": 0.1}) == 10 * sp.log(2)  # a float is read by its decimal: 0.1 is 1/10
    with pytest.raises(ApproxTheoryError, match="undeclared symbols"):
        Bound("TEST.bound.c", expr * sp.Symbol("q"), (n, beta), "bad")
    with pytest.raises(ApproxTheoryError, match=r"n=1 is not an integer in \[2, oo\]"):
        bound.check_point({"n": 1, "beta": 1})
    with pytest.raises(ApproxTheoryError, match="n=5/2 is not an integer in"):
        bound.check_point({"n": sp.Rational(5, 2), "beta": 1})  # n is an integer symbol
    with pytest.raises(ApproxTheoryError, match="exactly the symbols"):
        bound.check_point({"n": 2})


@pytest.mark.parametrize("value", ["abc", float("nan"), float("inf"), None, [2], True, sp.oo, sp.I, sp.Symbol("x"), sp.zoo])
def test_a_bound_point_that_is_not_a_finite_real_number_is_refused_by_name(value: object) -> None:
    n = SymbolSpec("n", "tokens", lo=2, integer=True)
    with pytest.raises(ApproxTheoryError, match="bound 'TEST.bound.b': n is .*, not a finite real number"):
        Bound("TEST.bound.b", 1 / n.symbol, (n,), "1/n", canonical=({"n": value},))


@pytest.mark.parametrize(("build", "message"), [
    (lambda n: Bound("B", 1.5, (n,), "a float"), "expr is 1.5 .*not a SymPy expression"),
    (lambda n: Bound("B", "1/n", (n,), "a string"), "not a SymPy expression"),
    (lambda n: Bound("B", 1 / n.symbol, n, "one spec, not a sequence"), "symbols must be a sequence of SymbolSpec"),
    (lambda n: Bound("B", 1 / n.symbol, (n, n), "twice"), "declared twice"),
    (lambda n: Bound("B", 1 / n.symbol, (n,), "d", direction="up"), "direction='up'"),
    (lambda n: Bound("B", 1 / n.symbol, (n,), "d", canonical={"n": 2}), "canonical must be a sequence of points"),
    (lambda n: SymbolSpec("n", "tokens", lo=3, hi=2), r"the domain \[3, 2\] is empty"),
    (lambda n: SymbolSpec("n", "tokens", lo="x"), "lo is 'x', not a finite real number"),
    (lambda n: SymbolSpec("n", "tokens", hi=float("nan")), "hi is nan"),
    (lambda n: SymbolSpec("n", "tokens", lo=sp.oo), "lo is oo"),
    (lambda n: SymbolSpec("n m", "tokens"), "not an identifier"),
])
def test_a_malformed_bound_or_symbol_is_one_clear_error(build: Any, message: str) -> None:
    with pytest.raises(ApproxTheoryError, match=message):
        build(SymbolSpec("n", "tokens", lo=1))


def test_condition_reports_status_and_evidence() -> None:
    positive = Condition("TEST.def.pos", "positive", "x > 0",
                         lambda x: ConditionResult("whatever", "holds" if x > 0 else "fails", f"x = {x}", {"x": x}))
    assert positive(3).status is ConditionStatus.HOLDS and positive(3).name == "positive"
    assert positive(-1).to_dict() == {"status": "fails", "explanation": "x = -1", "evidence": {"x": -1}}
