"""Run a list of claims under one seed and budget, reporting progress to whoever asks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .core import CheckContext, Claim, Verdict

Progress = Callable[[Claim, float], None]


def run_claims(
    claims: Sequence[Claim],
    *,
    seed: int = 0,
    budget: int | None = None,
    on_progress: Progress | None = None,
) -> list[Verdict]:
    """Check each claim in turn; every random choice inside flows from ``seed``."""
    verdicts = []
    for claim in claims:
        report = None if on_progress is None else (lambda f, c=claim: on_progress(c, f))
        verdicts.append(claim.check(CheckContext(seed=seed, budget=budget, progress=report)))
        if on_progress is not None:
            on_progress(claim, 1.0)
    return verdicts
