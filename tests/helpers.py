"""Claims built from the real GYZ26 objects for tests: a deliberately false one and a bound carrier; a certified outcome."""

from __future__ import annotations

import dataclasses

from approxtheory.author import ratio_search_claim
from approxtheory.core import Claim, Outcome, Source
from approxtheory.papers.gyz26 import softmax_max
from approxtheory.rigorous.steps import Steps

def certified(checked: str, evidence: dict | None = None) -> Outcome:
    """A certified outcome for a test claim: one exact step that holds (a verdict refuses certified without steps)."""
    steps = Steps()
    steps.exact("test fixture", checked, True)
    return steps.outcome(checked, {}, evidence)


HALF = dataclasses.replace(softmax_max.ELEMENTARY, id="TEST.bound.half", expr=softmax_max.ELEMENTARY.expr / 2)


def wrong_bound_claim() -> Claim:
    """A deliberately false claim (half the lemma's constant), so searches have something to find."""
    search = softmax_max.gap_search(HALF)
    return ratio_search_claim("TEST.lem.half_softmax", "gap_bound", "gap <= c(n)/(2 beta) (false)", search, checked="half bound",
                              bounds=(HALF,), version="v0", source="deliberately wrong", provenance="reconstructed")


def bound_claim(bound) -> Claim:
    """A cheap claim that only carries a bound, for regress tests."""
    return Claim(
        id="TEST.lem.carrier.statement.bound",
        statement="carries a bound",
        source=Source("TEST", "v0", "none"),
        provenance="reconstructed",
        scope="statement",
        verify=lambda ctx: certified("nothing"),
        bounds=(bound,),
    )
