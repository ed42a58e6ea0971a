"""The pytest plugin: profiles are registered and the fixture asserts a claim's verdict."""

from __future__ import annotations

from hypothesis import settings

pytest_plugins = ["pytester"]


def test_profiles_exist_without_deadline() -> None:
    for name in ("dev", "ci", "nightly"):
        profile = settings.get_profile(name)
        assert profile.deadline is None
    assert settings.get_profile("nightly").max_examples > settings.get_profile("ci").max_examples


def test_fixture_passes_and_fails_on_verdicts(pytester) -> None:
    pytester.makepyfile(
        """
        def test_certified(approxtheory_claims):
            v = approxtheory_claims.assert_verdict("GYZ26.lem.softmax_max.statement.c_closed_form", "certified")
            assert v.evidence["steps"]

        def test_wrong_expectation(approxtheory_claims):
            approxtheory_claims.assert_verdict("GYZ26.lem.softmax_max.statement.c_closed_form", "refuted")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--hypothesis-profile=ci")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*c_closed_form: verdict certified, expected*refuted*"])
