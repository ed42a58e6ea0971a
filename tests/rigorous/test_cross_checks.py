"""Cross-checks (rigorous.Steps.cross_check): redundant to a certificate, never counted, and blocking when they fail.

A cross-check compares the package's own (often floating-point) code with what the steps proved. It is
allowed next to a certificate only because it cannot make a verdict certified (cross-checks alone
certify nothing, and a certified verdict stays certified when they are removed) and because a failed
one fails the claim (inconclusive). These tests pin the rule on Steps and Verdict; test_steps_certified_claims
pins it on every registered claim that is certified with cross-checks (CROSS_CHECKED).
"""

from __future__ import annotations

import pytest
import sympy as sp

from approxtheory.core import Status, Verdict
from approxtheory.rigorous.steps import StepKind, Steps

x = sp.Symbol("x")
KINDS = [k.value for k in StepKind]


def _proved() -> Steps:
    s = Steps()
    s.zero("identity", (x + 1) ** 2 - x**2 - 2 * x - 1, "expands")
    return s


@pytest.mark.parametrize("kind", KINDS)
def test_cross_checks_alone_certify_nothing(kind: str) -> None:
    s = Steps()
    s.cross_check(kind, "code agrees", "the code reproduces a value", True)
    assert s.outcome("only a cross-check", {}).status is Status.INCONCLUSIVE


@pytest.mark.parametrize("kind", KINDS)
def test_a_passing_cross_check_neither_raises_nor_lowers(kind: str) -> None:
    s = _proved()
    s.cross_check(kind, "code agrees", "the code reproduces the value", True)
    assert s.outcome("proved", {}).status is Status.CERTIFIED
    s.float("float step", "held in float64", True)
    assert s.outcome("proved and float", {}).status is Status.SUPPORTED  # an arb cross-check does not lift it


@pytest.mark.parametrize("kind", KINDS)
def test_a_failed_cross_check_fails_the_claim(kind: str) -> None:
    s = _proved()
    s.cross_check(kind, "code disagrees", "the code does not reproduce the value", False)
    out = s.outcome("proved, code disagrees", {})
    assert out.status is Status.INCONCLUSIVE
    with pytest.raises(ValueError, match="cross-checks failed"):  # nor can a hand-built verdict keep it certified
        Verdict("TEST.lem.x.statement.y", Status.CERTIFIED, "statement", "primary", out.method, "c", {}, out.evidence)


def test_a_cross_check_is_recorded_once() -> None:
    s = _proved()
    s.cross_check("float", "code agrees", "once", True)
    with pytest.raises(ValueError, match="recorded twice"):
        s.cross_check("float", "code agrees", "twice", False)


@pytest.mark.parametrize("key", ["steps", "cross_checks"])
def test_evidence_cannot_replace_the_record(key: str) -> None:
    s = _proved()
    s.cross_check("float", "code agrees", "the code reproduces the value", True)
    with pytest.raises(ValueError, match="may not replace"):
        s.outcome("proved", {}, {key: {}})
