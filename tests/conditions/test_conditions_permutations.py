"""One action convention for permutations (CLSL25 §2) and the named groups of --group."""

from __future__ import annotations

import math

import numpy as np
import pytest

from approxtheory.conditions import permutations as perm
from approxtheory.core import ApproxTheoryError


def test_action_moves_token_i_to_slot_sigma_i() -> None:
    X = np.arange(12.0).reshape(4, 3)
    s = np.array([2, 0, 3, 1])
    Y = perm.act(s, X)
    for i in range(4):
        assert np.array_equal(Y[s[i]], X[i])  # (sigma.X)[sigma(i)] = X[i]


def test_action_composes_as_a_left_action() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 2))
    s, t = rng.permutation(5), rng.permutation(5)
    st = s[t]  # (s o t)(i) = s(t(i))
    assert np.array_equal(perm.act(s, perm.act(t, X)), perm.act(st, X))


@pytest.mark.parametrize("n", [3, 5, 6])
def test_named_group_orders(n: int) -> None:
    assert perm.named_group("S_n", n).order() == math.factorial(n)
    assert perm.named_group("C_n", n).order() == n
    assert perm.named_group("D_n", n).order() == 2 * n
    assert perm.named_group("reflection", n).order() == 2
    assert perm.named_group("trivial", n).order() == 1


@pytest.mark.parametrize("name", ["S_n", "C_n", "D_n", "reflection", "trivial"])
def test_names_are_recognised(name: str) -> None:
    n = 7
    assert perm.group_name(perm.named_group(name, n), n) == name


def test_unnamed_subgroup_and_pattern_group() -> None:
    n = 6
    g = perm.group([perm.transposition(n, 0, 1)], n)
    assert perm.group_name(g, n) == "order-2 subgroup"
    assert perm.group_name(g, n, pattern_group=g) == "Aut(N)"


def test_missing_element_finds_sigma_outside_the_requested_group() -> None:
    n = 5
    d_n, c_n = perm.named_group("D_n", n), perm.named_group("C_n", n)
    sigma = perm.missing_element(c_n, d_n)
    assert sigma is not None and d_n.contains(perm.group([sigma], n).generators[0])
    assert not c_n.contains(perm.group([sigma], n).generators[0])
    assert perm.missing_element(d_n, c_n) is None


def test_unknown_group_name_is_one_clear_error() -> None:
    with pytest.raises(ApproxTheoryError, match="unknown group 'Z_n'"):
        perm.named_group("Z_n", 4)
