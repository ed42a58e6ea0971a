"""The jaxpr audit of (theta, X) -> g_theta(X) (CLSL25.def.analytic_family, card §6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from approxtheory.attention import Mechanism, zoo
from approxtheory.conditions.analyticity import check_analyticity


def _qkv(key, n, d):
    kq, kk, kv = jax.random.split(key, 3)
    return {"wq": jax.random.normal(kq, (d, d)) / 2, "wk": jax.random.normal(kk, (d, d)) / 2,
            "wv": jax.random.normal(kv, (d, d)) / 2}


@dataclass(frozen=True)
class Custom:
    """An attention whose logits-to-weights step is ``weights(s)``; values are X W_V."""

    weights: Any
    name: str = "custom"

    def init(self, key, n, d):
        return _qkv(key, n, d)

    def apply(self, p, X):
        s = (X @ p["wq"]) @ (X @ p["wk"]).T
        return self.weights(s) @ (X @ p["wv"])


def _check(weights, n=4, d=3):
    return check_analyticity(Custom(weights), n=n, d=d)


def test_softmax_is_analytic_with_the_shift_accepted() -> None:
    r = check_analyticity(zoo.softmax, n=4, d=3)
    assert r.status.value == "holds"
    assert r.evidence["softmax_shifts"] and r.evidence["softmax_shifts"][0]["stop_gradient"]
    assert r.evidence["shift_cancellation_error"] < 1e-12
    assert r.evidence["obligations"][0]["discharged"] == "structurally"  # a sum of exponentials
    assert max(r.evidence["probe_chebyshev_tails"]) < 1e-3


def test_masked_softmax_with_a_fixed_mask_is_analytic() -> None:
    r = check_analyticity(zoo.window(w=1), n=5, d=3)
    assert r.status.value == "holds"
    assert "select_n" in r.evidence["primitives"]


def test_hand_written_softmax_without_stop_gradient_is_accepted() -> None:
    def weights(s):
        e = jnp.exp(s - jnp.max(s, axis=-1, keepdims=True))
        return e / jnp.sum(e, axis=-1, keepdims=True)

    r = _check(weights)
    assert r.status.value == "holds"
    assert r.evidence["softmax_shifts"] == [{"where": r.evidence["softmax_shifts"][0]["where"], "stop_gradient": False}]


@pytest.mark.parametrize("weights", [
    lambda s: jnp.exp(s - jax.nn.logsumexp(s, axis=-1, keepdims=True)),  # log sum exp(s - m) + m: m cancels
    lambda s: jnp.exp(jax.nn.log_softmax(s, axis=-1)),  # s - m - log sum exp(s - m): m cancels
])
def test_logsumexp_shifts_are_accepted_once_they_cancel(weights) -> None:
    # Both equal softmax(s), analytic (CLSL25.def.analytic_family); issue 12's sinkhorn recipe was called
    # non-analytic because logsumexp adds its max-shift back (and takes |sum exp|, positive by structure).
    r = _check(weights)
    assert r.status.value == "holds", r.explanation
    assert len(r.evidence["softmax_shifts"]) == 1 and r.evidence["shift_cancellation_error"] < 1e-12


@pytest.mark.parametrize("mechanism, primitive", [(zoo.linear_relu, "max"), (zoo.linear_elu, "gt")])
def test_non_analytic_feature_maps_fail_naming_the_primitive(mechanism, primitive) -> None:
    # relu = max(0, a): analytic only where a keeps one sign, and a takes both on the draws (an obligation that
    # fails); elu branches on a comparison (rejected outright)
    r = check_analyticity(mechanism, n=4, d=3)
    assert r.status.value == "fails"
    assert r.explanation.startswith(f"`{primitive}` at ")
    assert "custom_jvp_call" in r.explanation or "jit" in r.explanation


@pytest.mark.parametrize(
    "weights, primitive",
    [
        (lambda s: jnp.abs(s) / jnp.sum(jnp.abs(s), axis=-1, keepdims=True), "abs"),
        (lambda s: jax.nn.one_hot(jnp.argmax(s, axis=-1), s.shape[-1]), "argmax"),
        (lambda s: jnp.exp(s - jnp.max(s)) , "reduce_max"),  # an unnormalised shift does not cancel
        # logsumexp's shift added back twice: the maximum itself is in the value
        (lambda s: jnp.exp(s - jax.nn.logsumexp(s, axis=-1, keepdims=True)) + jnp.max(s), "reduce_max"),
        (lambda s: jax.lax.cond(jnp.sum(s) > 0, lambda z: z, lambda z: -z, s), "cond"),
        (lambda s: jnp.sort(s, axis=-1), "sort"),
    ],
)
def test_rejected_constructs(weights, primitive) -> None:
    r = _check(weights)
    assert r.status.value == "fails", r.explanation
    named = [f["primitive"] for f in r.evidence.get("rejected", [])] or [r.explanation]
    assert any(primitive in f for f in named), (named, r.explanation)


def test_fixed_trip_count_loop_is_analytic() -> None:
    def weights(s):
        e = jax.lax.fori_loop(0, 3, lambda i, z: z + 0.1 * jnp.tanh(z), s)
        return jnp.exp(e) / jnp.sum(jnp.exp(e), axis=-1, keepdims=True)

    assert _check(weights).status.value == "holds"


def test_data_dependent_loop_is_rejected() -> None:
    def weights(s):
        return jax.lax.while_loop(lambda z: jnp.sum(z) < 10.0, lambda z: z * 2.0 + 1.0, s)

    r = _check(weights)
    assert r.status.value == "fails"
    assert any(f["primitive"] in ("while", "lt") for f in r.evidence["rejected"])


def test_vanishing_denominator_is_found_numerically() -> None:
    # sum_j s_ij changes sign over the draws: the division is not analytic everywhere (card §6 obligations)
    r = _check(lambda s: s / jnp.sum(s, axis=-1, keepdims=True))
    assert r.status.value == "fails"
    assert "div" in r.explanation and r.evidence["obligations"][-1]["discharged"] == "numerically"


def test_relu_probe_is_recorded_but_never_decides() -> None:
    r = check_analyticity(zoo.linear_relu, n=4, d=3)
    assert r.evidence["probe_note"].startswith("secondary evidence only")
    assert np.all(np.isfinite(r.evidence["probe_chebyshev_tails"]))


def test_a_comparison_proven_constant_by_sign_is_analytic() -> None:
    # sinkhorn-style: a mask computed from the data that is identically true (a sum of exponentials is > 0)
    def weights(s):
        e = jnp.exp(s)
        keep = jnp.cumsum(e, axis=-1) > 0
        return jnp.where(keep, e, 0.0) / jnp.sum(e, axis=-1, keepdims=True)

    r = _check(weights)
    assert r.status.value == "holds", r.explanation
    assert {"primitive": "gt", "discharged": "structurally"} in [
        {k: ob[k] for k in ("primitive", "discharged")} for ob in r.evidence["obligations"]]


def test_a_comparison_constant_on_every_draw_is_discharged_numerically() -> None:
    # |s| < 1e6 on every sampled draw: the mask is constant there (evidence, like a positivity obligation)
    r = _check(lambda s: jnp.where(s * s < 1e12, jax.nn.softmax(s, axis=-1), 0.0))
    assert r.status.value == "holds", r.explanation
    constant = [ob for ob in r.evidence["obligations"] if ob["requirement"] == "constant"]
    assert constant and constant[0]["discharged"] == "numerically" and "numerically only" in r.explanation


def test_a_comparison_that_changes_over_the_draws_is_still_rejected() -> None:
    r = _check(lambda s: jnp.where(s > 0, s, 0.0))
    assert r.status.value == "fails" and r.evidence["rejected"][0]["primitive"] == "gt"


def test_a_float32_graph_is_audited_in_its_own_dtypes() -> None:
    # float32 parameters, a float32 constant divisor and a pad: re-binding on promoted draws raised before
    def init(key, n, d):
        return {k: v.astype(jnp.float32) for k, v in _qkv(key, n, d).items()} | {"b": jnp.zeros(d, jnp.float32)}

    def apply(p, X):
        X = X.astype(jnp.float32)
        s = (X @ p["wq"]) @ (X @ p["wk"]).T / jnp.sqrt(jnp.float32(X.shape[-1]))
        s = jnp.pad(s, ((0, 0), (0, 1)), constant_values=-1e9)[:, :-1]
        return jax.nn.softmax(s, axis=-1) @ (X @ p["wv"] + p["b"])

    r = check_analyticity(Mechanism("f32", init, apply, zero_params=lambda p: {**p, "wv": p["wv"] * 0, "b": p["b"] * 0}),
                          n=4, d=3)
    assert r.status.value == "holds", r.explanation
    assert 1e-9 < r.evidence["shift_tolerance"] < 1e-2  # float32's floor times the margin, not float64's 1e-9
