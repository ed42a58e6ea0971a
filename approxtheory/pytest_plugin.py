"""pytest plugin (entry point ``pytest11``): Hypothesis profiles and a fixture for claim verdicts.

Select a profile with ``pytest --hypothesis-profile=ci``. In a test::

    def test_lemma_holds(approxtheory_claims):
        approxtheory_claims.assert_verdict("GYZ26.lem.softmax_max.statement.te_max", "certified")
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from .search.profiles import register_profiles

register_profiles()


class ClaimChecker:
    """Checks registered claims from inside a user's test, with a fixed seed."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def verdict(self, claim_id: str, *, budget: int | None = None):  # -> Verdict
        from . import registry
        from .core import CheckContext
        from .runner import check_budget

        check_budget(budget, "budget")
        return registry().get(claim_id).check(CheckContext(seed=self.seed, budget=budget))

    def assert_verdict(self, claim_id: str, expected: str | Iterable[str], *, budget: int | None = None):
        """Fail the test unless the claim's verdict is one of ``expected``; returns the verdict."""
        allowed = _statuses(expected)
        verdict = self.verdict(claim_id, budget=budget)
        if verdict.status.value not in allowed:
            detail = f"witness {verdict.witness.to_dict()}" if verdict.witness else f"evidence {verdict.evidence}"
            pytest.fail(f"{claim_id}: verdict {verdict.status.value}, expected {sorted(allowed)}; {detail}", pytrace=False)
        return verdict


def _statuses(expected: object) -> set[str]:
    """``expected`` as a set of verdict names, checked before any claim runs (b"refuted" is not a verdict)."""
    from .core import ApproxTheoryError, Status

    names = [status.value for status in Status]
    items = [expected] if isinstance(expected, str) else list(expected) if isinstance(expected, (list, tuple, set, frozenset)) else None
    if not items or not all(isinstance(item, str) and item in names for item in items):
        raise ApproxTheoryError(f"expected={expected!r} is not a verdict name or a non-empty collection of them",
                                f"use one or more of {', '.join(names)}")
    return set(items)


@pytest.fixture
def approxtheory_claims() -> ClaimChecker:
    """Assert a registered claim's verdict from your own test suite."""
    return ClaimChecker()
