"""Exact constructions: degenerate head families, the affine minimax of Prop 4.2(B)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from approxtheory.core import ApproxTheoryError
from approxtheory.memory.affine import _dual_bound, affine_error, affine_minimax, prop42_target, windows
from approxtheory.memory.degenerate import family_below, lin_delta_family, log_delta_family


@pytest.mark.parametrize("T", [0, 1, 2, 4, 6])
def test_lin_family_is_exact_on_the_window_and_its_tail_is_bounded(T: int) -> None:
    family = lin_delta_family(T, Fraction(1, 50 * (T + 1)))
    assert family.heads == T + 1 and family.matches_delta_on_window()
    s = np.arange(T + 1, 400)
    tail = np.abs(sum(float(c) * float(x) ** s for c, x in zip(family.coefficients, family.bases))).sum()
    assert tail <= float(family.error_bound) * (1 + 1e-6)
    smaller = lin_delta_family(T, Fraction(1, 100 * (T + 1)))
    assert smaller.error_bound < family.error_bound or T == 0 and smaller.error_bound < family.error_bound


@pytest.mark.parametrize("T", [1, 2, 3, 5])
def test_log_family_is_exact_on_the_window_and_its_tail_is_bounded(T: int) -> None:
    family = log_delta_family(T, 12)
    assert family.heads == T and family.matches_delta_on_window()
    s = np.arange(T + 1, 200000, dtype=np.float64)
    tail = np.abs(sum(float(c) * s ** -float(p) for c, p in zip(family.coefficients, family.bases))).sum()
    assert tail <= float(family.error_bound) * (1 + 1e-6)
    assert log_delta_family(T, 24).error_bound < family.error_bound


def test_family_ladder_and_bad_input() -> None:
    for encoding in ("lin", "log"):
        fam = family_below(encoding, 3, Fraction(1, 10**8))
        assert fam.error_bound <= Fraction(1, 10**8)
    with pytest.raises(ApproxTheoryError):
        lin_delta_family(3, Fraction(1, 2))  # eps * h must stay below 1
    with pytest.raises(ApproxTheoryError):
        log_delta_family(0, 4)
    with pytest.raises(ApproxTheoryError):
        log_delta_family(2, 1)
    with pytest.raises(ApproxTheoryError):
        family_below("lin", 2, Fraction(0))


def test_prop42_affine_value_is_certified_one() -> None:
    for W in (2, 3):
        result = affine_minimax(prop42_target, (-1, 0, 1), W)
        assert result.certified and result.upper == 1 and result.lower == 1
    assert affine_error(Fraction(0), [Fraction(0)] * 3, prop42_target, (-1, 0, 1), 2) == 1


def test_affine_minimax_reaches_zero_on_an_affine_target() -> None:
    result = affine_minimax(lambda w: int(w[1]) - int(w[2]), (-1, 0, 1), 2)
    assert result.certified and result.upper == 0


def test_dual_certificate_rejects_a_broken_certificate() -> None:
    good = affine_minimax(prop42_target, (-1, 0, 1), 2).dual_support
    assert _dual_bound(good, prop42_target) == 1
    broken = ((good[0][0], good[0][1], good[0][2] + Fraction(1, 10)),) + good[1:]
    assert _dual_bound(broken, prop42_target) is None  # weights no longer sum to 1
    shifted = tuple((p, -sign, w) for p, sign, w in good)
    assert _dual_bound(shifted, prop42_target) == -1  # still a valid dual point, but a useless bound


def test_windows() -> None:
    assert windows((-1, 1), 2).shape == (8, 3)
    with pytest.raises(ApproxTheoryError):
        windows((), 2)
