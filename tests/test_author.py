"""The public authoring API (approxtheory.author) and the example package built on it (examples/mypaper)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp

from approxtheory import cli
from approxtheory.author import (
    Argued,
    Steps,
    argument_claim,
    bound_claim,
    claim,
    exact_claim,
    real,
    search_claim,
    vector,
)
from approxtheory.author import Comparison
from approxtheory.core import ApproxTheoryError, CheckContext, Outcome, Registry, Replay, Source, Status, Witness

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "mypaper"
x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)


def check(c, budget=None):
    verdict = c.check(CheckContext(seed=0, budget=budget))
    if verdict.witness is not None:  # what a witness file holds: JSON, read back
        verdict = type(verdict).from_json(verdict.to_json())
    return verdict


def kinds(verdict) -> set[str]:
    return {step["kind"] for step in verdict.evidence["steps"].values()}


# --- identity arguments ---------------------------------------------------------------------------

def test_identity_arguments_make_the_id_source_and_tags() -> None:
    c = bound_claim("lem.one", "half", x * (1 - x) <= sp.Rational(1, 4), {"x": (0, 1)}, paper="MYP", version="v2",
                    source="eq. (3)", provenance="classical", scope="construction")
    assert c.id == "MYP.lem.one.construction.half"
    assert (c.source, c.provenance.value, c.scope.value) == (Source("MYP", "v2", "eq. (3)"), "classical", "construction")
    assert claim("MYP.lem.one", "x", "s", lambda ctx: None, paper="MYP").id == "MYP.lem.one.statement.x"  # not MYP.MYP


@pytest.mark.parametrize("kwargs, named", [
    ({"provenance": "primery"}, "'primary', 'secondary', 'reconstructed', 'classical'"),
    ({"scope": "lemma"}, "'statement', 'construction', 'experiment'"),
    ({"cost": "cheap"}, "'fast', 'slow'"),
    ({"source": Source("P", "v", "l"), "version": "v3"}, "version"),
    ({"default_budget": 0}, "positive integer"),
])
def test_a_bad_identity_argument_names_itself_and_what_is_allowed(kwargs, named) -> None:
    argument = next(iter(kwargs)) if "version" not in kwargs else "version"
    with pytest.raises(ApproxTheoryError, match=f"{argument}=") as err:
        claim("MYP.lem.one", "x", "a statement", lambda ctx: None, **kwargs)
    assert named in str(err.value)


@pytest.mark.parametrize("card", ["lem", "1MYP.lem", "MYP.lem one", ""])
def test_a_bad_card_is_refused(card) -> None:
    with pytest.raises(ApproxTheoryError, match="card="):
        claim(card, "x", "a statement", lambda ctx: None)


@pytest.mark.parametrize("name", ["a b", "", "x.y", 3])
def test_a_bad_name_is_refused(name) -> None:
    with pytest.raises(ApproxTheoryError, match="name="):
        claim("MYP.lem", name, "a statement", lambda ctx: None)


# --- bound claims ---------------------------------------------------------------------------------

def test_a_true_bound_is_certified_by_one_arb_step() -> None:
    verdict = check(bound_claim("MYP.lem.one", "quarter", x * (1 - x) <= sp.Rational(1, 4), {"x": (0, 1)}))
    assert verdict.status is Status.CERTIFIED and kinds(verdict) == {"arb"}


@pytest.mark.parametrize("inequality", [x * (1 - x) <= sp.Rational(1, 5), sp.Rational(1, 5) >= x * (1 - x),
                                        (x * (1 - x), sp.Rational(1, 5))])
def test_a_false_bound_is_refuted_and_its_witness_replays(inequality) -> None:
    c = bound_claim("MYP.lem.one", "fifth", inequality, {"x": (0, 1)})
    verdict = check(c)
    assert verdict.status is Status.REFUTED
    point = Fraction(verdict.witness.inputs["point"]["x"])
    assert point * (1 - point) > Fraction(1, 5)
    assert c.replay_witness(verdict.witness).reproduced
    outside = Witness(c.id, {**verdict.witness.inputs, "point": {"x": "2"}}, {})
    replay = c.replay_witness(outside)
    assert not replay.reproduced and "outside the claim's box" in replay.explanation


@pytest.mark.parametrize("pair", [("0.1*x", "x/10"), ("0.1*x + 0.2*x", "3*x/10"), ("3*x/10", "0.3*x")])
def test_a_pair_of_strings_is_read_exactly_as_the_rigorous_layer_reads_them(pair) -> None:
    # "0.1" is 1/10 in a string (the README's rule): each pair is an identity. Read by sympify, 0.1 was the binary
    # float and the identities were refuted; the rigorous layer's certify_leq certified the same strings.
    assert check(bound_claim("MYP.lem.one", "decimal", pair, {"x": (0, 1)})).status is Status.CERTIFIED


@pytest.mark.parametrize("pair, message", [
    (("__import__('os').getcwd() * 0 + x", "1"), "is not allowed"),  # never evaluated as Python
    (("x +", "1"), "cannot parse"),
    (("E*x", "3*x"), "no interval for E"),  # a name is a symbol, as in certify_leq: not Euler's number
])
def test_a_pair_of_strings_that_is_no_expression_is_one_clear_error(pair, message) -> None:
    with pytest.raises(ApproxTheoryError, match="bound_claim") as err:
        bound_claim("MYP.lem.one", "bad", pair, {"x": (0, 1)})
    assert message in str(err.value)


@pytest.mark.parametrize("inequality, box", [
    (2 / (1 / x + 1 / y) >= 1, {"x": 0, "y": 1}),  # SymPy: 1/(zoo + 1) = 0, so it was refuted at a point with no value
    (1 / (1 + 1 / x) >= sp.Rational(1, 2), {"x": 0}),
    (x**x <= sp.Rational(1, 2), {"x": 0}),  # SymPy: 0**0 = 1; Arb, on every cell: a variable power of 0 is undefined
    (y**x >= 1, {"x": 0, "y": 0}),  # was certified
])
def test_an_inequality_at_a_point_where_it_has_no_value_is_neither_certified_nor_refuted(inequality, box) -> None:
    assert check(bound_claim("MYP.lem.one", "undefined", inequality, box)).status is Status.INCONCLUSIVE


def test_a_true_bound_tight_at_an_irrational_point_of_x_to_the_x_ends_within_its_budget() -> None:
    # exp(-1/e) <= x**x on [0, 1], tight at x = 1/e: SymPy never finished (p/q)**(p/q) at a 41-bit point, and the
    # time limit is only checked between cells; such a point is now left to the cells around it
    verdict = check(bound_claim("MYP.lem.one", "xx", sp.exp(-1 / sp.E) <= x**x, {"x": (0, 1)}, cells=300))
    assert verdict.status is Status.INCONCLUSIVE


def test_a_box_interval_given_as_a_list_replays_like_a_tuple() -> None:
    c = bound_claim("MYP.lem.one", "listbox", x**2 <= 1, {"x": [0, 2]})
    verdict = check(c)
    assert verdict.status is Status.REFUTED and c.replay_witness(verdict.witness).reproduced


def test_a_strict_bound_that_is_attained_is_refuted() -> None:
    assert check(bound_claim("MYP.lem.one", "strict", x * (1 - x) < sp.Rational(1, 4), {"x": (0, 1)})).status is Status.REFUTED


@pytest.mark.parametrize("inequality, box, message", [
    (sp.Eq(x, 1), {"x": (0, 1)}, "inequality="),
    (x <= 1, {"y": (0, 1)}, "box"),
    (x <= 1, {"x": (0.0, 1.5)}, "float"),
    (sp.Symbol("p", positive=True) <= 1, {"p": (0, 1)}, "positive"),
    (sp.gamma(x) <= 1, {"x": (1, 2)}, "gamma"),
])
def test_a_bad_bound_claim_is_one_clear_error_at_construction(inequality, box, message) -> None:
    with pytest.raises(ApproxTheoryError, match="bound_claim") as err:
        bound_claim("MYP.lem.one", "bad", inequality, box)
    assert message in str(err.value)


# --- search claims --------------------------------------------------------------------------------

XS = {"t": real(0, 10)}
t = sp.Symbol("t", real=True)


def test_a_true_searched_bound_is_supported_never_certified() -> None:
    verdict = check(search_claim("MYP.lem.te", "max", "t e^-t <= 1/e", observed=t * sp.exp(-t), bound=1 / sp.E,
                                 inputs=XS, examples=60))
    assert verdict.status is Status.SUPPORTED and 0.9 < verdict.evidence["max_ratio"] <= 1


def test_a_false_searched_bound_is_refuted_and_replays_in_arb() -> None:
    c = search_claim("MYP.lem.te", "wrong", "t e^-t <= 1/(2e)", observed=t * sp.exp(-t), bound=1 / (2 * sp.E),
                     inputs=XS, examples=60)
    verdict = check(c)
    assert verdict.status is Status.REFUTED
    assert c.replay_witness(verdict.witness).reproduced
    far = Witness(c.id, {"t": float(11).hex()}, {})
    assert "outside the claim's range" in c.replay_witness(far).explanation
    with pytest.raises(ApproxTheoryError, match="'t'"):
        c.replay_witness(Witness(c.id, {"t": "abc"}, {}))


@pytest.mark.parametrize("observed, bound, inputs", [
    (t, sp.Integer(10) ** 25, {"t": real(0, 10**30)}),  # false above 1e25, but observed/bound overflows: inf/nan
    (sp.exp(t), sp.Integer(10) ** 40, {"t": real(0, 100)}),  # false above t = 92.1; exp(t) overflows past 709
    (sp.Integer(0), t - sp.Rational(1, 2), XS),  # a bound <= 0 near t = 0: the ratio is meaningless there, the claim false
])
def test_a_claim_false_where_its_float_ratio_is_not_finite_is_refuted(observed, bound, inputs) -> None:
    # such draws were skipped, and the false claim came out supported; now Arb decides each of them
    c = search_claim("MYP.lem.inf", "overflow", "observed <= bound", observed=observed, bound=bound, inputs=inputs,
                     examples=60)
    verdict = check(c)
    assert verdict.status is Status.REFUTED and c.replay_witness(verdict.witness).reproduced


def _raises(t):
    raise RuntimeError("boom in the user's observed")


@pytest.mark.parametrize("make, said", [
    (lambda: search_claim("MYP.lem.u", "raises", "s", observed=_raises, arb=lambda t: t, bound=sp.Integer(1),
                          inputs=XS, examples=10), "observed raised RuntimeError: boom in the user's observed"),
    (lambda: search_claim("MYP.lem.u", "vector", "s", observed=lambda t: jnp.ones(3) * t, arb=lambda t: t,
                          bound=sp.Integer(1), inputs=XS, examples=10), "not one real number"),
    (lambda: exact_claim("MYP.lem.u", "zero", "s", lambda n: 1 // (n - 2), 0, cases=[(1,), (2,)]),
     "value(2,) raised ZeroDivisionError"),
    (lambda: argument_claim("MYP.lem.u", "argue", "s", lambda steps, cells: 1 / 0), "argue raised ZeroDivisionError"),
])
def test_user_code_that_raises_is_one_clear_error_naming_its_line(make, said, capsys) -> None:
    claim = make()
    with pytest.raises(ApproxTheoryError, match=re.escape(said)) as err:
        check(claim)
    assert "raised" not in said or "test_author.py:" in str(err.value)  # what raised is named at the user's line
    assert cli.main(["check", claim.id], Registry([claim])) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and said in captured.err


def test_polishing_reaches_a_peak_beyond_700() -> None:
    # every real input was clipped to [-700, 700] while polishing (meant for log-scaled ones): the peak at 1300,
    # where exp(-(t - 1300)^2 / 50) = 1 > 1 - 1e-6, was never reached and the false claim was supported
    c = search_claim("MYP.lem.peak", "far", "a bump <= 1 - 1e-6", observed=sp.exp(-(t - 1300) ** 2 / 50),
                     bound=1 - sp.Rational(1, 10**6), inputs={"t": real(1000, 2000)}, examples=60)
    assert check(c).status is Status.REFUTED


def test_a_jax_observed_quantity_with_an_arb_twin_refutes_and_replays() -> None:
    c = search_claim("MYP.lem.gap", "wrong", "gap <= log(n)/(4 beta)",
                     observed=lambda z, beta: jnp.max(z) - jnp.dot(jnp.exp(beta * z) / jnp.sum(jnp.exp(beta * z)), z),
                     arb=lambda z, beta: max(z, key=float) - sum(zi * (beta * zi).exp() for zi in z) / sum((beta * zi).exp() for zi in z),
                     bound=lambda z, beta: sp.log(len(z)) / (4 * beta),
                     inputs={"z": vector(-1, 1, size=(2, 3)), "beta": real(0.5, 4, log=True)}, examples=60)
    verdict = check(c)
    assert verdict.status is Status.REFUTED and 2 <= len(verdict.witness.inputs["z"]) <= 3
    assert c.replay_witness(verdict.witness).reproduced
    assert not c.replay_witness(Witness(c.id, {"z": ["0x0p+0"] * 4, "beta": "0x1p+0"}, {})).reproduced  # n = 4 > 3


def test_a_jax_function_without_a_twin_is_one_clear_error() -> None:
    with pytest.raises(ApproxTheoryError, match="arb= or sympy= twin"):  # read as SymPy: jnp.exp of a Symbol fails
        search_claim("MYP.lem.te", "untwinned", "s", observed=lambda t: t * jnp.exp(-t), bound=1 / sp.E, inputs=XS)


@pytest.mark.parametrize("kwargs, message", [
    ({"inputs": {}}, "inputs="),
    ({"inputs": {"t": (0, 1)}}, "inputs="),
    ({"bound": sp.Symbol("q")}, "not inputs"),
    ({"arb": lambda t: t, "sympy": lambda t: t}, "sympy="),
    ({"examples": 0}, "examples="),
])
def test_a_bad_search_claim_is_one_clear_error(kwargs, message) -> None:
    args = {"observed": t * sp.exp(-t), "bound": 1 / sp.E, "inputs": XS, **kwargs}
    with pytest.raises(ApproxTheoryError, match="search_claim") as err:
        search_claim("MYP.lem.te", "bad", "s", **args)
    assert message in str(err.value)


@pytest.mark.parametrize("make, message", [
    (lambda: real(1, 0), "hi="), (lambda: real(0, 1, log=True), "lo="), (lambda: real(0, float("inf")), "hi="),
    (lambda: vector(0, 1, size=0), "size="), (lambda: vector(0, 1, size=(3, 2)), "size="),
])
def test_bad_input_ranges_name_the_argument(make, message) -> None:
    with pytest.raises(ApproxTheoryError, match=message):
        make()


# --- exact and argument claims --------------------------------------------------------------------

def test_exact_claims_are_certified_for_their_cases_and_supported_for_a_general_statement() -> None:
    cases = [(k,) for k in range(1, 6)]
    triangle = exact_claim("MYP.lem.sum", "triangle", "1 + ... + k = k(k+1)/2", lambda k: sum(range(k + 1)),
                           lambda k: sp.Rational(k * (k + 1), 2), cases=cases)
    assert check(triangle).status is Status.CERTIFIED and kinds(check(triangle)) == {"exact"}
    general = exact_claim("MYP.lem.sum", "all", "for all k", lambda k: sum(range(k + 1)), lambda k: Fraction(k * (k + 1), 2),
                          cases=cases, general=True)
    assert check(general).status is Status.SUPPORTED and kinds(check(general)) == {"instances"}
    assert check(exact_claim("MYP.lem.half", "le", "1/3 <= 1/2", lambda: Fraction(1, 3), Fraction(1, 2),
                             relation="<=")).status is Status.CERTIFIED


def test_a_failing_case_refutes_and_replays() -> None:
    c = exact_claim("MYP.lem.sq", "wrong", "k^2 <= 10", lambda k: k * k, 10, relation="<=", cases=[1, 2, 3, 4, 5])
    verdict = check(c)
    assert verdict.status is Status.REFUTED and verdict.witness.inputs == {"case": 3, "arguments": [4]}
    assert c.replay_witness(verdict.witness).reproduced
    assert not c.replay_witness(Witness(c.id, {"case": 0}, {})).reproduced
    assert not c.replay_witness(Witness(c.id, {"case": 4, "arguments": [7]}, {})).reproduced  # not the claim's case


def test_exact_claims_refuse_floats_and_unknown_relations() -> None:
    with pytest.raises(ApproxTheoryError, match="not an exact value"):
        check(exact_claim("MYP.lem.f", "float", "0.5 == 1/2", lambda: 0.5, Fraction(1, 2)))
    with pytest.raises(ApproxTheoryError, match="relation="):
        exact_claim("MYP.lem.f", "rel", "s", lambda: 1, 1, relation="=~")


def test_argument_claims_take_the_weakest_step_and_refute_through_their_comparisons() -> None:
    def argue(steps: Steps, cells: int) -> str:
        steps.zero("identity", sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1, "sin^2 + cos^2 == 1")
        return "an identity and a bound"

    ok = Comparison("x(1-x) <= 1/4", x * (1 - x), sp.Rational(1, 4), {"x": (0, 1)})
    assert check(argument_claim("MYP.lem.arg", "ok", "s", argue, comparisons=[ok])).status is Status.CERTIFIED

    def sampled(steps: Steps, cells: int) -> str:
        steps.sampled("at points", "checked at 3 points", True)
        return "samples"

    assert check(argument_claim("MYP.lem.arg", "weak", "s", sampled)).status is Status.SUPPORTED
    bad = Comparison("x(1-x) <= 1/5", x * (1 - x), sp.Rational(1, 5), {"x": (0, 1)})
    c = argument_claim("MYP.lem.arg", "bad", "s", argue, comparisons=[bad])
    verdict = check(c)
    assert verdict.status is Status.REFUTED and c.replay_witness(verdict.witness).reproduced


@pytest.mark.parametrize("holds", ["False", [0], 2 * x, sp.Eq(x, 1), 1])
def test_a_step_that_holds_only_by_truthiness_is_refused(holds) -> None:
    # bool("False"), bool([0]) and bool(2*x) are True: a certified verdict rested on them
    def argue(steps: Steps, cells: int | None) -> str:
        steps.symbolic("identity", "(x + 1)^2 - x^2 - 1 == 2x?", holds)
        return "a step"

    with pytest.raises(ApproxTheoryError, match="not True or False"):
        check(argument_claim("MYP.lem.arg", "truthy", "s", argue))


def test_an_argument_witness_needs_a_failing_step_and_a_replay() -> None:
    def witness_beside_true_steps(steps: Steps, cells: int | None) -> str:
        steps.exact("instance", "1 < 2", True)
        steps.witness = Witness("", {"n": 1}, {})
        return "instances"

    def witness_without_replay(steps: Steps, cells: int | None) -> str:
        steps.exact("instance", "2 < 1", False)
        steps.witness = Witness("", {"n": 1}, {})
        return "instances"

    with pytest.raises(ApproxTheoryError, match="every step it recorded holds"):
        check(argument_claim("MYP.lem.arg", "w1", "s", witness_beside_true_steps, replay=lambda w: Replay(True, {}, "")))
    with pytest.raises(ApproxTheoryError, match="no replay can re-check it"):
        check(argument_claim("MYP.lem.arg", "w2", "s", witness_without_replay))


def test_an_argument_keeps_its_evidence_method_and_budget_record() -> None:
    def argue(steps: Steps, cells: int | None) -> Argued:
        steps.zero("identity", sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1, "sin^2 + cos^2 == 1")
        return Argued("an identity", {"value_at_0": "1"})

    c = argument_claim("MYP.lem.arg", "ev", "s", argue, method="SymPy", budget={"symbolic": "sympy"})
    verdict = check(c)
    assert (verdict.status, verdict.method, verdict.checked) == (Status.CERTIFIED, "SymPy", "an identity")
    assert verdict.budget == {"budget": "none", "symbolic": "sympy"} and verdict.evidence["value_at_0"] == "1"
    plain = argument_claim("MYP.lem.arg", "plain", "s", argue, cells=50)
    assert check(plain).method == "symbolic" and check(plain, budget=7).budget == {"cells_per_inequality": 7, "arb_prec_bits": 128}
    assert (plain.default_budget, plain.budget_unit, plain.budget_text) == (50, "cells", "50 cells")
    spent = argument_claim("MYP.lem.arg", "spent", "s", argue, cells=20, budget=lambda cells: {"cells": cells})
    assert check(spent, budget=9).budget == {"cells": 9}


def test_an_argument_spends_cells_only_with_comparisons_or_cells_given() -> None:
    received = []

    def argue(steps: Steps, cells: int | None) -> str:
        received.append(cells)
        steps.symbolic("fact", "true", True)
        return "a fact"

    ok = Comparison("x(1-x) <= 1/4", x * (1 - x), sp.Rational(1, 4), {"x": (0, 1)})
    compared = argument_claim("MYP.lem.arg", "compared", "s", argue, comparisons=[ok])
    assert (compared.default_budget, compared.budget_unit) == (4000, "cells")
    assert check(compared, budget=30).budget == {"cells_per_inequality": 30, "arb_prec_bits": 128} and received[-1] == 30
    symbolic = argument_claim("MYP.lem.arg", "symbolic", "s", argue)
    assert (symbolic.default_budget, symbolic.budget_unit, symbolic.budget_text) == (None, None, "none")
    assert symbolic.describe()["default_budget"] is None and symbolic.describe()["budget_unit"] is None
    assert check(symbolic).budget == {"budget": "none"} and received[-1] is None
    asked = check(symbolic, budget=30)  # ignored, and the verdict says so
    assert asked.status is Status.CERTIFIED and asked.budget == {"budget": "none", "requested": 30} and received[-1] is None


@pytest.mark.parametrize(("make", "argument"), [
    (lambda: argument_claim("MYP.lem.arg", "a", "s", lambda steps, cells: "s", default_budget=1), "default_budget"),
    (lambda: argument_claim("MYP.lem.arg", "a", "s", lambda steps, cells: "s", budget_unit="derivation"), "budget_unit"),
    (lambda: argument_claim("MYP.lem.arg", "a", "s", lambda steps, cells: "s", budget=lambda cells: {}), "budget"),
    (lambda: exact_claim("MYP.lem.e", "a", "s", lambda: 1, 1, default_budget=3), "default_budget"),
    (lambda: bound_claim("MYP.lem.b", "a", x <= 1, {"x": (0, 1)}, default_budget=3), "default_budget"),
    (lambda: search_claim("MYP.lem.s", "a", "s", observed=x, bound=sp.Integer(2), inputs={"x": real(0, 1)},
                          budget_unit="draws"), "budget_unit"),
    (lambda: claim("MYP.lem.c", "a", "s", lambda ctx: None, budget_unit="runs"), "budget_unit"),
])
def test_a_budget_a_constructor_derives_or_a_claim_does_not_spend_is_refused_by_name(make, argument) -> None:
    with pytest.raises(ApproxTheoryError, match=f"{argument}=") as err:
        make()
    assert "left out" in err.value.hint or "a dict" in err.value.hint


def test_a_custom_claim_spends_a_budget_only_when_it_declares_one() -> None:
    def verify(ctx: CheckContext) -> Outcome:
        return Outcome(Status.SUPPORTED, "float", f"{ctx.budget_or(5)} draws", {"draws": ctx.budget_or(5)})

    declared = claim("MYP.lem.c", "declared", "s", verify, default_budget=5)
    assert (declared.budget_text, check(declared, budget=8).budget) == ("5 examples", {"draws": 8})
    silent = claim("MYP.lem.c", "silent", "s", verify)
    assert silent.budget_text == "none" and check(silent, budget=8).budget == {"budget": "none", "requested": 8, "draws": 5}
    exact = exact_claim("MYP.lem.e", "fixed", "s", lambda k: k, lambda k: k, cases=[1, 2, 3])
    assert exact.default_budget is None and check(exact, budget=2).budget == {"budget": "none", "requested": 2, "cases": 3}


def test_a_seeded_argument_draws_from_the_run_seed_and_records_it() -> None:
    def argue(steps: Steps, cells: int, seed: int) -> str:
        steps.sampled("draw", "a draw from the seed", True, draw=int(np.random.default_rng(seed).integers(10**9)))
        return "one draw"

    c = argument_claim("MYP.lem.arg", "seeded", "s", argue, seeded=True, budget={"draws": 1})
    one, again, other = (c.check(CheckContext(seed=seed)) for seed in (3, 3, 4))
    assert one.status is Status.SUPPORTED and one.budget == {"budget": "none", "draws": 1, "seed": 3}
    assert one.evidence["steps"]["draw"]["draw"] == again.evidence["steps"]["draw"]["draw"] != other.evidence["steps"]["draw"]["draw"]


def test_an_argument_that_decides_instances_refutes_with_its_own_witness_and_replay() -> None:
    def argue(steps: Steps, cells: int) -> str:
        for k in (1, 2, 3):
            if not steps.exact(f"k={k}", "k^2 <= 4", k * k <= 4) and steps.witness is None:
                steps.witness = Witness("", {"k": k}, {"k^2": k * k})
        return "k^2 <= 4 for k = 1, 2, 3"

    def replay(w: Witness) -> Replay:
        k = w.inputs["k"]
        return Replay(k * k > 4, {"k^2": k * k}, f"k^2 = {k * k}")

    c = argument_claim("MYP.lem.arg", "instances", "k^2 <= 4", argue, replay=replay)
    verdict = check(c)
    assert verdict.status is Status.REFUTED and verdict.witness.inputs == {"k": 3} and c.replay_witness(verdict.witness).reproduced
    ok = Comparison("x(1-x) <= 1/4", x * (1 - x), sp.Rational(1, 4), {"x": (0, 1)})
    with pytest.raises(ApproxTheoryError, match="replay="):
        argument_claim("MYP.lem.arg", "both", "s", argue, comparisons=[ok], replay=replay)


@pytest.mark.parametrize(("said", "match"), [(42, "not a sentence"), (Argued("s", {"steps": {}}), "steps or cross_checks")])
def test_an_argument_returning_the_wrong_thing_is_one_clear_error(said, match) -> None:
    def argue(steps: Steps, cells: int):
        steps.symbolic("fact", "true", True)
        return said

    with pytest.raises(ApproxTheoryError, match=match):
        check(argument_claim("MYP.lem.arg", "wrong", "s", argue))


@pytest.mark.parametrize(("argument", "value"), [("budget", 3), ("method", ""), ("argue", "not a function")])
def test_argument_claim_names_a_bad_argument(argument, value) -> None:
    given = {"argue": lambda steps, cells: "s", **{argument: value}}
    argue = given.pop("argue")
    with pytest.raises(ApproxTheoryError, match=f"{argument}="):
        argument_claim("MYP.lem.arg", "bad", "s", argue, **given)


def test_shares_is_part_of_the_description_when_set() -> None:
    verify = lambda ctx: Outcome(Status.SUPPORTED, "float", "by hand")  # noqa: E731
    assert claim("MYP.lem.any", "shared", "s", verify, shares="fits").describe()["shares"] == "fits"
    assert "shares" not in claim("MYP.lem.any", "alone", "s", verify).describe()


def test_claim_passes_a_custom_verifier_through() -> None:
    c = claim("MYP.lem.any", "custom", "anything", lambda ctx: Outcome(Status.SUPPORTED, "float", "by hand"), cost="slow")
    assert check(c).status is Status.SUPPORTED and c.cost == "slow"


# --- the example package, end to end, without installing it ---------------------------------------

@pytest.fixture
def mypaper_installed(tmp_path, monkeypatch):
    """examples/mypaper on sys.path with a .dist-info naming its entry point: what `pip install -e` would give."""
    dist = tmp_path / "site" / "mypaper-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mypaper\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[approxtheory.claims]\nmypaper = mypaper.claims:claims\n")
    monkeypatch.syspath_prepend(str(EXAMPLE))
    monkeypatch.syspath_prepend(str(dist.parent))
    yield dist.parent
    for name in [m for m in sys.modules if m == "mypaper" or m.startswith("mypaper.")]:
        del sys.modules[name]


def test_the_example_package_checks_replays_and_regresses(mypaper_installed, tmp_path, capsys) -> None:
    claims_py = (EXAMPLE / "mypaper" / "claims.py").read_text()
    assert len(claims_py.splitlines()) < 100
    assert {line.split()[1] for line in claims_py.splitlines() if line.startswith(("import", "from"))} <= {
        "jax", "jax.numpy", "sympy", "approxtheory.author"}
    reg = Registry.discover(packages=())
    assert cli.main(["check", "MYP", "--json", "--witness-dir", str(tmp_path / "w")], reg) == 0
    out = json.loads(capsys.readouterr().out)
    assert {v["claim_id"]: v["status"] for v in out["verdicts"]} == {
        "MYP.lem.gap.statement.two_tokens": "certified", "MYP.lem.gap.statement.general": "supported",
        "MYP.lem.gap.statement.quarter_constant": "refuted"}
    witness = out["witness_files"]["MYP.lem.gap.statement.quarter_constant"]
    assert cli.main(["replay", witness], reg) == 0 and "reproduced" in capsys.readouterr().out
    assert cli.main(["regress", "--package", "mypaper", "--baseline", str(EXAMPLE / "baseline.json")], reg) == 0
    assert "no regressions" in capsys.readouterr().out
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(EXAMPLE), str(mypaper_installed)])}
    tests = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "--hypothesis-profile=ci",
                            str(EXAMPLE / "tests")], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert tests.returncode == 0, tests.stdout[-2000:] + tests.stderr[-2000:]
    assert "3 passed" in tests.stdout


def test_the_tutorial_shows_the_example_package_as_it_is() -> None:
    """docs/encode-a-theorem.md writes its files with heredocs; they are the example's files verbatim."""
    doc = (ROOT / "docs" / "encode-a-theorem.md").read_text()
    blocks = dict(re.findall(r"cat > mypaper/(\S+) <<'EOF'\n(.*?\n)EOF\n", doc, re.S))
    for name in ("mypaper/claims.py", "tests/test_mypaper.py"):
        assert blocks[name] == (EXAMPLE / name).read_text(), name


@pytest.mark.parametrize("lo, hi", [("1/3", 1), (Fraction(1, 3), "1"), (sp.Rational(1, 3), 1.0), ("0.1", "1/3")])
def test_search_ranges_take_exact_values_rounded_inwards(lo, hi) -> None:
    for spec in (real(lo, hi), vector(lo, hi, size=2)):
        assert Fraction(spec.lo) >= Fraction(str(lo)) and Fraction(spec.hi) <= Fraction(str(hi))
        assert spec.lo == pytest.approx(float(Fraction(str(lo)))) and spec.hi == pytest.approx(float(Fraction(str(hi))))


@pytest.mark.parametrize("lo, hi, says", [("x", 1, "exact rational"), (float("inf"), 1, "finite"),
                                          (True, 1, "exact rational"), ("1/3", "0.3333333333333333", "at least lo")])
def test_search_ranges_refuse_what_is_no_number(lo, hi, says) -> None:
    with pytest.raises(ApproxTheoryError, match=says):
        real(lo, hi)


def test_bounds_must_be_a_sequence_of_bounds() -> None:
    from approxtheory.core import Bound, SymbolSpec

    bound = Bound("SG.b", sp.Symbol("n"), (SymbolSpec("n", "tokens", 1, 10),), "n", canonical=({"n": 2},))
    for bad in (bound, 5, [bound, 3]):
        with pytest.raises(ApproxTheoryError, match="bounds must be a sequence"):
            claim("SG.lem.x", "x", "y", lambda ctx: None, bounds=bad)
    assert claim("SG.lem.x", "x", "y", lambda ctx: None, bounds=[bound]).bounds == (bound,)
