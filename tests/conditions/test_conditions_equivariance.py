"""The symmetry group Sym of a mechanism, and its relation to a requested group (CLSL25 §2, §5 case 6)."""

from __future__ import annotations

import math

import pytest

from approxtheory.attention import token_graph, validate, zoo
from approxtheory.conditions import permutations as perm
from approxtheory.conditions.equivariance import (
    equivariance_condition,
    find_symmetry_group,
    group_condition,
)


def _search(mechanism, n, d=3, requested=None):
    va = validate(mechanism, n, d)
    return find_symmetry_group(va, n=n, d=d, graph=token_graph(va), requested=requested)


@pytest.mark.parametrize(
    "mechanism, n, name, order",
    [
        (zoo.softmax, 4, "S_n", 24),
        (zoo.bias_cyclic, 5, "C_n", 5),
        (zoo.bias_dihedral, 5, "D_n", 10),
        (zoo.window(w=1), 5, "reflection", 2),
        (zoo.window(w=1, wrap=True), 6, "D_n", 12),
        (zoo.mean, 4, "S_n", 24),
    ],
)
def test_exhaustive_search_finds_the_card_groups(mechanism, n, name, order) -> None:
    s = _search(mechanism, n)
    assert s.exhaustive and s.closed
    assert (s.name, s.order) == (name, order)
    # the margin between symmetries and non-symmetries is wide
    assert s.max_error_passing < 1e-12
    assert s.min_error_failing is None or s.min_error_failing > 1e-3


@pytest.mark.parametrize(
    "mechanism, n, name, order",
    [
        (zoo.softmax, 8, "S_n", math.factorial(8)),  # cor.kernel: softmax is equivariant under every reordering
        (zoo.softmax, 16, "S_n", math.factorial(16)),
        (zoo.bias_cyclic, 8, "C_n", 8),  # a bias b[(j - i) mod n] is invariant exactly under shifts
        (zoo.bias_cyclic, 16, "C_n", 16),
        (zoo.bias_dihedral, 12, "D_n", 24),  # b[min(j - i, i - j) mod n]: shifts and reflections
        (zoo.window(w=1, wrap=True), 8, "D_n", 16),  # the cycle graph's automorphisms
        (zoo.window(w=1), 9, "reflection", 2),  # the path graph's automorphisms
        (zoo.linformer, 8, "trivial", 1),  # position-dependent projections E, F: no symmetry
    ],
)
def test_beyond_n6_the_refinement_search_is_exact(mechanism, n, name, order) -> None:
    s = _search(mechanism, n)
    assert s.exhaustive and s.closed and s.group.exact
    assert (s.name, s.order) == (name, order)
    assert s.describe()["exact"] is True
    assert s.max_error_passing < 1e-12


def test_requested_group_larger_than_sym_retargets() -> None:
    s = _search(zoo.bias_cyclic, 5, requested=perm.named_group("S_n", 5))
    result = equivariance_condition(s, "S_n")
    assert result.status.value == "fails" and "re-targeting to their own group C_n" in result.explanation
    assert result.evidence["non_symmetry"]["relative_error"] > 1e-3
    assert group_condition(s, "S_n").status.value == "holds"


def test_requested_group_missing_a_symmetry_is_an_obstruction() -> None:
    s = _search(zoo.softmax, 4, requested=perm.named_group("trivial", 4))
    result = group_condition(s, "trivial")
    assert result.status.value == "fails"
    sigma = result.evidence["sigma"]
    assert sorted(sigma) == list(range(4)) and sigma != list(range(4))
    assert s.error_of(sigma) < 1e-12  # sigma really is a symmetry


def test_dihedral_design_is_not_uap_for_c_n_by_the_reflection() -> None:
    s = _search(zoo.bias_dihedral, 5, requested=perm.named_group("C_n", 5))
    result = group_condition(s, "C_n")
    assert result.status.value == "fails"
    assert not perm.named_group("C_n", 5).contains(perm.group([result.evidence["sigma"]], 5).generators[0])
