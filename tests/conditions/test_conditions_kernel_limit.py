"""The kernel-limit criterion (CLSL25.def.kernel_limit): exact dominant terms, sympy.limit otherwise."""

from __future__ import annotations

import pytest
import sympy as sp

from approxtheory.attention import zoo
from approxtheory.conditions.kernel_limit import check_kernel_limit, ratio_limit, t


@pytest.mark.parametrize("name", ["softmax", "kernel_exponential", "kernel_gaussian", "performer"])
def test_kernels_of_cor_kernel_hold(name: str) -> None:
    r = check_kernel_limit(zoo.ZOO[name](), n=4, d=3)
    assert r.status.value == "holds"
    assert {p["limit"] for p in r.evidence["points"]} <= {"0", "oo"}
    assert "not necessary" in r.explanation


def test_polynomial_kernel_has_a_finite_limit_and_says_so() -> None:
    r = check_kernel_limit(zoo.kernel_polynomial, n=4, d=3)
    assert r.status.value == "fails"
    limit = sp.Rational(r.evidence["points"][-1]["limit"])
    assert 0 < limit < sp.oo
    assert "not necessary" in r.explanation


def test_not_applicable_without_a_kernel() -> None:
    assert check_kernel_limit(zoo.mean, n=4, d=3).status.value == "not_applicable"


@pytest.mark.parametrize(
    "num, den, expected",
    [
        (sp.exp(2 * t), sp.exp(t), sp.oo),
        (sp.exp(-t**2 + 5 * t), sp.exp(-t**2 + 6 * t), 0),
        (sp.exp(-t**2) * t**3, sp.exp(-t**2) * t**2, sp.oo),
        (3 * t**2 + 1, 2 * t**2 + t, sp.Rational(3, 2)),
        (sp.exp(t) + sp.exp(3 * t / 2), sp.exp(3 * t / 2) * 4, sp.Rational(1, 4)),
        (1 / (1 + t), 1 / (2 + t**2), sp.oo),  # not an exp-polynomial sum: sympy.limit
    ],
)
def test_ratio_limit(num, den, expected) -> None:
    assert ratio_limit(num, den) == expected
