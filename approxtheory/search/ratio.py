"""Counterexample searches for bounds: maximise observed / bound with Hypothesis's ``target()``.

A claim declares a :class:`RatioSearch`: a strategy for inputs, a fast float64 ratio (JAX, static
shapes, so a search compiles once), and a rigorous ``confirm`` that re-evaluates a flagged input
without trusting floating point. Only a confirmed violation refutes; the shrunk input becomes a
witness that ``approxtheory replay`` re-checks with the same ``confirm``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis.strategies import SearchStrategy

from ..core import CheckContext, Outcome, Replay, Status, Witness

E = TypeVar("E")


@dataclass(frozen=True)
class Confirmation:
    """A rigorous re-evaluation of one input: does it violate the bound, and the enclosures seen."""

    violates: bool
    observed: dict[str, str]


@dataclass(frozen=True)
class RatioSearch(Generic[E]):
    """How to hunt for inputs where ``observed > bound`` for one claim."""

    strategy: SearchStrategy[E]
    ratio: Callable[[E], float]
    confirm: Callable[[E], Confirmation]
    encode: Callable[[E], dict[str, Any]]
    decode: Callable[[dict[str, Any]], E]
    label: str = "observed/bound"
    # A float ratio above 1 + tolerance sends the input to ``confirm``; below it, rounding noise.
    tolerance: float = 1e-9


@dataclass(frozen=True)
class SearchResult:
    """What one search did and saw; numbers, so that a verdict can state its budget and evidence."""

    budget: int
    seed: int
    examples: int
    best_ratio: float
    best_inputs: dict[str, Any] | None
    nonfinite: int
    float_only_flags: int
    counterexample: dict[str, Any] | None = None
    confirmation: Confirmation | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class _Violation(Exception):
    def __init__(self, example: Any, confirmation: Confirmation) -> None:
        super().__init__("confirmed violation")
        self.example = example
        self.confirmation = confirmation


def run_ratio_search(
    search: RatioSearch[E], *, budget: int, seed: int, ctx: CheckContext | None = None
) -> SearchResult:
    """Generate, target and shrink up to ``budget`` inputs; stop at the first confirmed violation."""
    state: dict[str, Any] = {"n": 0, "best": -math.inf, "best_inputs": None, "nonfinite": 0, "float_only": 0}

    @settings(
        max_examples=budget,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.target, Phase.shrink),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(search.strategy)
    def probe(example: E) -> None:
        state["n"] += 1
        if ctx is not None and state["n"] % 16 == 0:
            ctx.report(state["n"] / budget)
        r = float(search.ratio(example))
        if not math.isfinite(r):
            state["nonfinite"] += 1
            return
        target(r, label=search.label)
        if r > state["best"]:
            state["best"], state["best_inputs"] = r, search.encode(example)
        if r > 1.0 + search.tolerance:
            confirmation = search.confirm(example)
            if confirmation.violates:
                raise _Violation(example, confirmation)
            state["float_only"] += 1

    base = dict(budget=budget, seed=seed)
    try:
        probe()
    except _Violation as found:  # Hypothesis re-raises the shrunk example's exception
        return SearchResult(
            **base,
            examples=state["n"],
            best_ratio=state["best"],
            best_inputs=state["best_inputs"],
            nonfinite=state["nonfinite"],
            float_only_flags=state["float_only"],
            counterexample=search.encode(found.example),
            confirmation=found.confirmation,
        )
    return SearchResult(
        **base,
        examples=state["n"],
        best_ratio=state["best"],
        best_inputs=state["best_inputs"],
        nonfinite=state["nonfinite"],
        float_only_flags=state["float_only"],
    )


def search_outcome(claim_id: str, result: SearchResult, checked: str) -> Outcome:
    """Turn a search into a verdict: refuted with a witness, supported, or inconclusive."""
    budget = {"examples": result.budget, "seed": result.seed, "engine": "hypothesis (generate, target, shrink)"}
    evidence: dict[str, Any] = {
        "examples_run": result.examples,
        "max_ratio": result.best_ratio,
        "max_ratio_inputs": result.best_inputs,
        "nonfinite_skipped": result.nonfinite,
        "float_flags_not_confirmed": result.float_only_flags,
        **result.extra,
    }
    if result.counterexample is not None and result.confirmation is not None:
        witness = Witness(
            claim_id=claim_id,
            inputs=result.counterexample,
            observed=result.confirmation.observed,
            seed=result.seed,
            note="shrunk by Hypothesis; violation confirmed in Arb",
        )
        return Outcome(Status.REFUTED, "search", checked, budget, evidence, witness)
    finite = result.examples - result.nonfinite
    if finite == 0:
        evidence["reason"] = "no example gave a finite ratio"
        return Outcome(Status.INCONCLUSIVE, "search", checked, budget, evidence)
    return Outcome(Status.SUPPORTED, "search", checked, budget, evidence)


def replay_ratio(search: RatioSearch[Any], witness: Witness) -> Replay:
    """Re-check a witness with the search's rigorous ``confirm``."""
    confirmation = search.confirm(search.decode(witness.inputs))
    return Replay(
        reproduced=confirmation.violates,
        observed=confirmation.observed,
        explanation="violation confirmed in Arb" if confirmation.violates else "no violation at these inputs",
    )
