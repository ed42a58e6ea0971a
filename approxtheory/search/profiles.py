"""Hypothesis profiles shared by the CLI, the pytest plugin and the test suite.

``dev`` is quick feedback, ``ci`` a fixed, derandomised budget that keeps CI under its time
limit, ``nightly`` a long search. None has a deadline: the first call of a JAX function compiles.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

PROFILES = {
    "dev": dict(max_examples=50),
    "ci": dict(max_examples=200, derandomize=True),
    "nightly": dict(max_examples=5000),
}


def register_profiles() -> None:
    """Register ``dev``, ``ci`` and ``nightly`` with Hypothesis (idempotent)."""
    for name, options in PROFILES.items():
        settings.register_profile(
            name,
            deadline=None,
            database=None if name == "ci" else settings.default.database,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            **options,
        )


def profile_budget(name: str) -> int:
    """The example budget a profile grants one search."""
    return int(PROFILES[name]["max_examples"])
