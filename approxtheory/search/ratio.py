"""Counterexample searches for bounds: maximise observed / bound with Hypothesis's ``target()``.

A claim declares a :class:`RatioSearch`: a strategy for inputs, a fast float64 ratio (JAX, static
shapes, so a search compiles once), and a rigorous ``confirm`` that re-evaluates a flagged input
without trusting floating point. Only a confirmed violation refutes; the shrunk input becomes a
witness that ``approxtheory replay`` re-checks with the same ``confirm``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
import scipy.optimize
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
    """How to hunt for inputs where ``observed > bound`` for one claim.

    ``flatten``/``unflatten`` (optional) expose an input's continuous coordinates, so that the
    best input Hypothesis found can be polished by a local optimiser (Nelder-Mead) before the
    verdict: random search finds the basin, the optimiser climbs to its top.
    """

    strategy: SearchStrategy[E]
    ratio: Callable[[E], float]
    confirm: Callable[[E], Confirmation]
    encode: Callable[[E], dict[str, Any]]
    decode: Callable[[dict[str, Any]], E]
    label: str = "observed/bound"
    # A float ratio above 1 + tolerance sends the input to ``confirm``; below it, rounding noise.
    tolerance: float = 1e-9
    flatten: Callable[[E], np.ndarray] | None = None
    unflatten: Callable[[E, np.ndarray], E] | None = None
    polish_evaluations: int = 400


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
    generated_best_ratio: float | None = None
    polish_evaluations: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class _Violation(Exception):
    def __init__(self, example: Any, confirmation: Confirmation) -> None:
        super().__init__("confirmed violation")
        self.example = example
        self.confirmation = confirmation


@contextlib.contextmanager
def _no_local_constants() -> Iterator[None]:
    """Keep Hypothesis from mixing literals of locally imported modules into generation.

    Hypothesis draws some values from constants found in the source of every "local" module in
    ``sys.modules``; which modules are loaded differs between entry points (``check`` vs.
    ``report``), so a seeded search would depend on import order. This switches that pool off for
    our searches (an internal hook: without it we fall back to Hypothesis's default, and
    ``tests/test_search.py`` notices the loss of determinism).
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - layout of a future Hypothesis
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if original is None or cache is None or not hasattr(providers, "Constants"):  # pragma: no cover
        yield
        return
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()


class _Tracker(Generic[E]):
    """Counts, the best ratio so far, and the rigorous check of anything above 1."""

    def __init__(self, search: RatioSearch[E]) -> None:
        self.search = search
        self.n = self.nonfinite = self.float_only = 0
        self.best = -math.inf
        self.best_example: E | None = None

    def score(self, example: E) -> float:
        r = float(self.search.ratio(example))
        if not math.isfinite(r):
            # the float ratio says nothing here (an overflow, 0/0, a bound <= 0): Arb decides, as for a flag,
            # or a claim false where its floats overflow would pass as supported
            self.nonfinite += 1
            self._confirm(example)
            return r
        if r > self.best:
            self.best, self.best_example = r, example
        if r > 1.0 + self.search.tolerance:
            self._confirm(example)
            self.float_only += 1
        return r

    def _confirm(self, example: E) -> None:
        confirmation = self.search.confirm(example)
        if confirmation.violates:
            raise _Violation(example, confirmation)


def _polish(search: RatioSearch[E], tracker: _Tracker[E]) -> int:
    """Nelder-Mead from the best generated input; returns the evaluations spent."""
    if search.flatten is None or search.unflatten is None or tracker.best_example is None:
        return 0
    start = tracker.best_example
    evaluations = 0

    def loss(v: np.ndarray) -> float:
        nonlocal evaluations
        evaluations += 1
        r = tracker.score(search.unflatten(start, v))
        return -r if math.isfinite(r) else math.inf

    scipy.optimize.minimize(loss, search.flatten(start), method="Nelder-Mead",
                            options={"maxfev": search.polish_evaluations, "xatol": 1e-12, "fatol": 1e-15})
    return evaluations


def run_ratio_search(
    search: RatioSearch[E], *, budget: int, seed: int, ctx: CheckContext | None = None
) -> SearchResult:
    """Generate, target and shrink up to ``budget`` inputs, then polish the best one locally.

    Stops at the first violation confirmed by ``search.confirm``; Hypothesis shrinks a violation
    found while generating, a violation found while polishing is reported as found.
    """
    tracker: _Tracker[E] = _Tracker(search)

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
        tracker.n += 1
        if ctx is not None and tracker.n % 16 == 0:
            ctx.report(tracker.n / budget)
        r = tracker.score(example)
        if math.isfinite(r):
            target(r, label=search.label)

    found: _Violation | None = None
    generated_best: float | None = None
    spent = 0
    try:
        with _no_local_constants():
            probe()
        generated_best = tracker.best
        spent = _polish(search, tracker)
    except _Violation as violation:  # Hypothesis re-raises the shrunk example's exception
        found = violation
    best = tracker.best_example
    return SearchResult(
        budget=budget,
        seed=seed,
        examples=tracker.n,
        best_ratio=tracker.best,
        best_inputs=None if best is None else search.encode(best),
        nonfinite=tracker.nonfinite,
        float_only_flags=tracker.float_only,
        counterexample=None if found is None else search.encode(found.example),
        confirmation=None if found is None else found.confirmation,
        generated_best_ratio=generated_best,
        polish_evaluations=spent,
    )


def search_outcome(claim_id: str, result: SearchResult, checked: str) -> Outcome:
    """Turn a search into a verdict: refuted with a witness, supported, or inconclusive."""
    budget = {"examples": result.budget, "seed": result.seed, "engine": "hypothesis (generate, target, shrink)"}
    evidence: dict[str, Any] = {
        "examples_run": result.examples,
        "max_ratio": result.best_ratio,
        "max_ratio_inputs": result.best_inputs,
        "max_ratio_before_polish": result.generated_best_ratio,
        "polish_evaluations": result.polish_evaluations,
        "nonfinite_checked_in_arb": result.nonfinite,
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
