"""WE24 claims check their registered bounds: a wrong bound expression fails its claim's proof."""

from __future__ import annotations

import dataclasses

import pytest

from approxtheory.core import CheckContext, Status
from approxtheory.papers.we24 import algebra

n, H, M = algebra.n, algebra.H, algebra.M


def _check(claim_id: str) -> Status:
    return {c.id: c for c in algebra.claims()}[claim_id].check(CheckContext(seed=0)).status


def test_equal_split_is_certified_with_the_papers_bound() -> None:
    assert str(algebra.EQUAL_SPLIT.expr) == "M**(n + 1)/H**n"
    assert _check("WE24.thm5.1.statement.equal_split") is Status.CERTIFIED


WRONG_EQUAL_SPLITS = {"M^n/H^n": M**n / H**n, "M^(n+1)/H^(n+1)": M ** (n + 1) / H ** (n + 1), "M^(n+2)/H^n": M ** (n + 2) / H**n}


@pytest.mark.parametrize("wrong", WRONG_EQUAL_SPLITS)
def test_a_wrong_equal_split_bound_fails_its_claim(monkeypatch: pytest.MonkeyPatch, wrong: str) -> None:
    # the one-line bug of issue 11: M^(n+1)/H^n changed to M^n/H^n stayed certified because the claim never read the bound
    expr = WRONG_EQUAL_SPLITS[wrong]
    monkeypatch.setattr(algebra, "EQUAL_SPLIT", dataclasses.replace(algebra.EQUAL_SPLIT, expr=expr))
    assert _check("WE24.thm5.1.statement.equal_split") is Status.INCONCLUSIVE


@pytest.mark.parametrize("name", ["HEADS_LIN", "HEADS_LOG"])
def test_a_wrong_heads_needed_bound_fails_its_claim(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    bound = getattr(algebra, name)
    monkeypatch.setattr(algebra, name, dataclasses.replace(bound, expr=bound.expr * 2))
    assert _check("WE24.thm3.1.statement.heads_needed") is Status.INCONCLUSIVE
