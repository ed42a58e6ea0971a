"""Run a list of claims under one seed and budget, reporting progress to whoever asks.

One failing claim fails alone: a claim whose verifier rejects its input (an ApproxTheoryError, for
example a budget it cannot use) or calls ``sys.exit`` gets an error verdict naming the claim, the
problem and its own default budget, and the other claims still run. Ctrl-C raises
:class:`Interrupted` carrying the verdicts already computed. Claims run in turn here, or on several
cores through :mod:`approxtheory.parallel`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

from . import interrupt, parallel
from .core import ApproxTheoryError, CheckContext, Claim, Status, Verdict
from .core.errors import Interrupted
from .core.memo import Work, run_memo

Progress = Callable[[Claim, float], None]

#: The largest --budget accepted (README, "Errors and limits"): larger budgets would run for days.
MAX_BUDGET = 10**7
#: The method of a verdict recording that a claim could not be checked at all.
ERROR_METHOD = "error"


def check_budget(budget: int | None, what: str = "--budget") -> None:
    """A budget is None (each claim's default) or an integer in [1, MAX_BUDGET]."""
    if budget is None:
        return
    if isinstance(budget, bool) or not isinstance(budget, int) or not 1 <= budget <= MAX_BUDGET:
        raise ApproxTheoryError(f"{what} must be an integer in [1, {MAX_BUDGET:_}], got {budget!r}",
                                "leave it out to use each claim's own default budget")


def _user_code(claim: Claim) -> str:
    verify = claim.verify
    try:
        return f"{verify.__module__}.{verify.__qualname__} ({inspect.getsourcefile(verify)})"
    except (AttributeError, TypeError):
        return repr(verify)


def error_verdict(claim: Claim, budget: int | None, problem: str) -> Verdict:
    """The verdict of a claim that could not be checked: inconclusive, method 'error', the problem as evidence."""
    if budget is not None and claim.spends_budget:
        problem = f"{claim.id} cannot run with --budget {budget}: {problem} (its default is {claim.budget_text})"
    else:
        problem = f"{claim.id}: {problem}"
    return Verdict(claim_id=claim.id, status=Status.INCONCLUSIVE, scope=claim.scope.value,
                   provenance=claim.provenance.value, method=ERROR_METHOD, checked=f"not checked: {problem}",
                   budget={"requested": budget}, evidence={"error": problem})


def errors(verdicts: Sequence[Verdict]) -> list[str]:
    """The problems of the claims that could not be checked."""
    return [v.evidence["error"] for v in verdicts if v.method == ERROR_METHOD]


def check_one(claim: Claim, ctx: CheckContext) -> Verdict:
    """``claim.check(ctx)``, with a rejected input or a ``sys.exit`` in the verifier turned into an error verdict."""
    try:
        return claim.check(ctx)
    except ApproxTheoryError as error:
        return error_verdict(claim, ctx.budget, str(error))
    except SystemExit as stop:
        return error_verdict(claim, None, f"its verifier {_user_code(claim)} called sys.exit({stop.code!r})")


def run_claims(
    claims: Sequence[Claim],
    *,
    seed: int = 0,
    budget: int | None = None,
    on_progress: Progress | None = None,
    workers: int = 1,
    extra: Sequence[Work] = (),
) -> list[Verdict]:
    """Check the claims, in ``workers`` processes when there are several tasks (approxtheory.parallel)
    and the claims are the default registry's, else in turn here; every random choice flows from
    ``seed`` and the verdicts come back in the order of ``claims``. The run has one memo (core.memo):
    work that claims repeat is done once. ``extra``: per-run work a later step of the run reads (the
    report's tables), computed by the workers of a parallel run, else left to that step."""
    check_budget(budget)
    verdicts: dict[str, Verdict] = {}

    def done(claim: Claim, verdict: Verdict) -> None:
        verdicts[claim.id] = verdict
        if on_progress is not None:
            on_progress(claim, 1.0)

    try:
        with run_memo():
            if workers > 1 and len(parallel.plan(claims)) > 1 and parallel.reachable(claims):
                parallel.run_parallel(claims, workers, seed=seed, budget=budget, done=done, extra=extra,
                                      failed=lambda claim, problem: error_verdict(claim, None, problem))
            else:
                for claim in claims:
                    interrupt.check()
                    report = None if on_progress is None else (lambda f, c=claim: on_progress(c, f))
                    verdict = check_one(claim, CheckContext(seed=seed, budget=budget, progress=report))
                    interrupt.check()  # a library (Hypothesis) may have caught the KeyboardInterrupt: drop that verdict
                    done(claim, verdict)
    except KeyboardInterrupt:
        partial = [verdicts[c.id] for c in claims if c.id in verdicts]
        raise Interrupted(partial=partial, kept=f"{len(partial)} of {len(claims)} verdicts computed and kept") from None
    return [verdicts[c.id] for c in claims]
