"""Working precision (conditions/precision.py): float32 mechanisms get the float64 verdicts, tolerances
come from the measured noise floor, draws keep each leaf's dtype, and failures stay inside one condition."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from approxtheory import uap
from approxtheory.attention import zoo
from approxtheory.attention.protocol import Mechanism
from approxtheory.conditions._draws import draw_params, validated
from approxtheory.conditions.distinguishability import check_distinguishability
from approxtheory.conditions.precision import computed_dtypes, measure_precision
from approxtheory.conditions import permutations as perm
from approxtheory.uap import check_uap


def _cast(tree: Any, dtype: Any) -> Any:
    return jax.tree_util.tree_map(lambda a: np.asarray(a, dtype), tree)


def in_float32(m: Mechanism) -> Mechanism:
    """The zoo mechanism with float32 parameters and inputs (what most library modules compute in)."""
    zero = (lambda p: _cast(m.zero_params(p), np.float32)) if m.zero_params else None
    return Mechanism(f"{m.name}_f32", lambda key, n, d: _cast(m.init(key, n, d), np.float32),
                     lambda p, X: m.apply(p, X.astype(jnp.float32)), family=m.family, zero_params=zero,
                     kernel=m.kernel, pattern=m.pattern)


def _summary(r: uap.UapReport) -> tuple[Any, ...]:
    return r.verdict, r.group["name"], r.group["order"], r.min_attention_layers


# (name, n): the card's predictions (attention/expected.py) are precision-free, so float32 must match them:
# softmax S_n-UAP with one layer (cor.kernel); causal not_uap (token 1 never reaches output 0, §5 case 3);
# mean map undecided (moment-matched pairs are never separated, §5 case 4: float32 noise must not separate
# them); the cyclic bias C_n-UAP; the open window w=1 at n=5 UAP for the reflection at hop diameter 4.
@pytest.mark.parametrize("name, n", [("softmax", 4), ("causal", 4), ("mean", 4), ("bias_cyclic", 5), ("window", 5)])
def test_float32_zoo_mechanisms_get_the_float64_verdict_group_and_depth(name: str, n: int) -> None:
    entry = zoo.ZOO[name]
    r32 = check_uap(in_float32(entry()), n=n, d=3)
    expected = entry.expected(n)
    assert r32.verdict == expected.verdict, r32.reason
    assert r32.settings["precision"]["working"] == "float32"
    if expected.verdict != "not_uap":  # None: not predicted
        assert expected.group_order in (None, r32.group["order"])
        assert expected.min_attention_layers in (None, r32.min_attention_layers)
    assert all(c.status.value != "unknown" or name == "mean" for c in r32.conditions.values()), r32.human_lines()


def test_tolerances_follow_the_measured_floor_of_each_precision() -> None:
    p64 = measure_precision(validated(zoo.softmax, 4, 3))
    p32 = measure_precision(validated(in_float32(zoo.softmax), 4, 3))
    assert (p64.working, p32.working) == ("float64", "float32")
    assert p64.eps <= p64.floor < 1e3 * p64.eps and p32.eps <= p32.floor < 1e3 * p32.eps
    for key, tol in p32.tolerances.items():  # every tolerance scales with the floor
        assert math.isclose(tol / p32.floor, p64.tolerances[key] / p64.floor) and tol > p32.floor


def test_bfloat16_values_that_are_only_moved_or_widened_do_not_set_the_working_precision() -> None:
    """Rounding happens where arithmetic produces a value: a bfloat16 parameter gathered, sliced or widened to
    float32 is an exact float32 value (flax param_dtype=bfloat16 with dtype=float32, a bias table), while
    arithmetic in bfloat16 rounds there."""
    def widened(p: Any, X: jax.Array) -> jax.Array:
        table = p["bias"].astype(jnp.bfloat16)  # stored in bfloat16 (rounds once, when stored)
        bias = table[jnp.arange(X.shape[0])[:, None] - jnp.arange(X.shape[0])[None, :]]  # a gather: exact
        w = jax.nn.softmax(X.astype(jnp.float32) @ X.astype(jnp.float32).T + bias.astype(jnp.float32), axis=-1)
        return w @ X.astype(jnp.float32)

    jaxpr = jax.make_jaxpr(widened)({"bias": jnp.zeros(7)}, jnp.zeros((4, 3), jnp.float32))
    assert computed_dtypes(jaxpr) == ("float32", "bfloat16")  # the store into bfloat16 rounds
    stored = jax.make_jaxpr(lambda p, X: widened({"bias": p["bias"]}, X))(
        {"bias": jnp.zeros(7, jnp.bfloat16)}, jnp.zeros((4, 3), jnp.float32))
    assert computed_dtypes(stored) == ("float32",)  # already bfloat16: gathered and widened, never rounded
    in_bf16 = jax.make_jaxpr(lambda X: (X.astype(jnp.bfloat16) * 3).astype(jnp.float32))(jnp.zeros(3, jnp.float32))
    assert computed_dtypes(in_bf16) == ("bfloat16",)  # the product rounds in bfloat16; widening it back is exact


def test_float32_inside_a_float64_function_is_found() -> None:
    # flax.nnx style: float64 in and out, the softmax in float32 (bfloat16 likewise, inside a scan body)
    def inner(p: Any, X: jax.Array) -> jax.Array:
        s = ((X @ p["wq"]) @ (X @ p["wk"]).T).astype(jnp.float32)
        return jax.nn.softmax(s, axis=-1).astype(X.dtype) @ (X @ p["wv"])

    def scanned(p: Any, X: jax.Array) -> jax.Array:
        body = lambda c, x: (c, (x.astype(jnp.bfloat16) * 2).astype(x.dtype))
        return jax.lax.scan(body, 0.0, X @ p["wv"])[1]

    for apply, working in ((inner, "float32"), (scanned, "bfloat16")):
        va = validated(Mechanism("inner", zoo.softmax.init, apply, zero_params=zoo.softmax.zero_params), 4, 3)
        assert computed_dtypes(va.jaxpr)[-1] == working and "float64" in computed_dtypes(va.jaxpr)
        r = check_uap(va.attention, n=4, d=3)
        assert r.settings["precision"]["working"] == working
        assert r.settings["tolerance"] > 100 * float(jnp.finfo(working).eps)


@dataclass(frozen=True)
class Biased:
    """Softmax attention with a zero-initialised value bias, in ``dtype`` (like a library Dense layer)."""

    dtype: Any = np.float32
    name: str = "biased"

    def init(self, key: jax.Array, n: int, d: int) -> Any:
        return {**_cast(zoo.softmax.init(key, n, d), self.dtype), "b": np.zeros(d, self.dtype)}

    def apply(self, p: Any, X: jax.Array) -> jax.Array:
        return zoo.softmax.apply(p, X.astype(self.dtype)) + p["b"]


def test_draws_keep_dtypes_and_perturb_zero_initialised_leaves() -> None:
    va = validated(Biased(), 4, 3)
    drawn = draw_params(va, 0, "battery_params", 3, layers=2, scales=(0.1, 3.0)).layer(1)
    assert {leaf.dtype for leaf in jax.tree_util.tree_leaves(drawn)} == {jnp.dtype(jnp.float32)}
    assert np.all(np.asarray(drawn["b"]) != 0) and len(np.unique(np.asarray(drawn["b"])[:, 0])) == 6
    # the caller widens the law; noise 0 leaves init's constant leaves alone
    wide = draw_params(va, 0, "battery_params", 3, layers=2, scales=(0.1, 3.0), noise=5.0).layer(1)
    assert np.allclose(np.asarray(wide["b"]), 10 * np.asarray(drawn["b"]), rtol=1e-5)
    assert not np.any(np.asarray(draw_params(va, 0, "battery_params", 3, noise=0.0).layer(0)["b"]))


def test_a_separation_far_below_1e_8_but_above_the_floor_still_counts() -> None:
    # g = 1e-3 softmax attention: every pair separates at about 1e-5 (1e-3 times the softmax's seps), far
    # above the float64 floor (~1e-15), so it is S_n-UAP at one layer; a tolerance of 1e-4 would miss it.
    small = Mechanism("small", zoo.softmax.init, lambda p, X: 1e-3 * zoo.softmax.apply(p, X),
                      zero_params=zoo.softmax.zero_params)
    r = check_uap(small, n=4, d=3)
    assert (r.verdict, r.group["order"], r.min_attention_layers) == ("uap", 24, 1), r.reason
    weakest = r.conditions["distinguishability"].evidence["weakest_separation"]["max_sep"]
    assert r.settings["tolerance"] < weakest < 1e-4


def test_a_causal_float32_mechanism_survives_a_failing_condition(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("lax.div requires arguments to have the same dtypes\nsecond line")

    monkeypatch.setattr(uap, "check_analyticity", broken)
    r = check_uap(in_float32(zoo.causal), n=4, d=3)
    assert r.verdict == "not_uap" and r.witness["kind"] == "disconnected"
    a = r.conditions["analyticity"]
    assert a.status.value == "unknown" and "TypeError: lax.div requires" in a.explanation
    assert "second line" not in a.explanation


def test_the_battery_stops_at_its_deadline_with_what_it_reached() -> None:
    va = validated(zoo.softmax, 4, 3)
    r = check_distinguishability(va, n=4, d=3, group=perm.named_group("trivial", 4), deadline=0.0)
    assert r.status.value == "unknown" and r.evidence["timed_out"] and r.evidence["depths"] == []
    assert "0 full depth(s)" in r.explanation


M_FEATURES = 16


def _favor_init(key: jax.Array, n: int, d: int) -> Any:
    k = jax.random.split(key, 4)
    return {**{w: jax.random.normal(kk, (d, d), jnp.float32) / math.sqrt(d) for w, kk in zip(("wq", "wk", "wv"), k)},
            "omega": jax.random.normal(k[3], (M_FEATURES, d), jnp.float32)}


def _favor_apply(p: Any, X: jax.Array) -> jax.Array:
    """FAVOR+ (Performer): positive random features phi(x) = exp(omega x - |x|^2 / 2) / sqrt(m), float32."""
    X = X.astype(jnp.float32)
    phi = lambda z: jnp.exp(z @ p["omega"].T - jnp.sum(z * z, -1, keepdims=True) / 2) / math.sqrt(M_FEATURES)
    q, k, v = phi(X @ p["wq"]), phi(X @ p["wk"]), X @ p["wv"]
    return (q @ (k.T @ v)) / (q @ jnp.sum(k, 0))[:, None]


def test_a_favor_performer_with_the_trivial_group_finishes() -> None:
    # n = 6 and the trivial group: hundreds of reordering pairs x 12 draws, the battery that hung. FAVOR+ is
    # S_n-equivariant (no positions), so any transposition is a symmetry outside the trivial group (§5 case 6).
    favor = Mechanism("favor", _favor_init, _favor_apply)
    r = check_uap(favor, n=6, d=3, group="trivial")
    assert r.verdict == "not_uap" and r.witness["kind"] == "symmetry_outside_group"
    dist = r.conditions["distinguishability"]
    assert dist.status.value == "fails" and dist.evidence["pairs"] > 500


def test_a_condition_past_its_time_budget_is_unknown_and_the_rest_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def stuck(*args: Any, **kwargs: Any) -> Any:
        release.wait()  # a wedged computation: never returns on its own
        raise RuntimeError("released")

    monkeypatch.setattr(uap, "check_kernel_limit", stuck)
    try:
        r = check_uap(in_float32(zoo.causal), n=4, d=3, time_budget=30.0)
    finally:
        release.set()
    k = r.conditions["kernel_limit"]
    assert k.status.value == "unknown" and "time budget of 30 s" in k.explanation
    assert r.verdict == "not_uap" and r.settings["condition_seconds"]["kernel_limit"] >= 30.0


def test_the_symmetry_search_called_directly_uses_the_measured_tolerance() -> None:
    """A user calling find_symmetry_group without ``tolerance`` gets float32's tolerance for a float32 module:
    a float64 constant would reject every permutation (identity included) and report order 1."""
    from approxtheory.conditions import find_symmetry_group

    va = validated(in_float32(zoo.softmax), 7, 3)
    search = find_symmetry_group(va, n=7, d=3)
    assert search.group.order() == math.factorial(7)
    assert search.tolerance == measure_precision(va).tolerances["equivariance"] > 1e-7
