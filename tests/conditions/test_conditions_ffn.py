"""Nonlinear affine invariance of the token-wise family (CLSL25.def.affine_invariance, P_ffn)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

from approxtheory.conditions.ffn import check_ffn
from approxtheory.core import ApproxTheoryError


@pytest.mark.parametrize("activation", [None, "relu", "gelu", "tanh", "sigmoid", jnp.sin])
def test_standard_activations_hold(activation) -> None:
    r = check_ffn(activation, d=3)
    assert r.status.value == "holds", r.explanation
    assert r.evidence["closure_error"] < 1e-12
    assert abs(r.evidence["second_difference"]["value"]) > 1e-3


def test_affine_activation_fails_non_affinity() -> None:
    r = check_ffn(lambda z: 2.0 * z - 1.0, d=3)
    assert r.status.value == "fails" and "affine" in r.explanation


def test_square_is_not_lipschitz() -> None:
    r = check_ffn(lambda z: z**2, d=2)
    assert r.status.value == "fails" and "not Lipschitz" in r.explanation
    q = r.evidence["difference_quotients"]
    assert q["1000.0"] > 100 * q["1.0"]


def test_a_non_entrywise_activation_fails_the_structure() -> None:
    r = check_ffn(lambda z: jax.nn.softmax(z, axis=-1), d=2)
    assert r.status.value == "fails" and "entrywise" in r.explanation


def test_bad_activations_are_one_clear_error() -> None:
    with pytest.raises(ApproxTheoryError, match="unknown activation 'swishy'"):
        check_ffn("swishy", d=2)
    with pytest.raises(ApproxTheoryError, match="maps shape"):
        check_ffn(lambda z: jnp.sum(z), d=2)
