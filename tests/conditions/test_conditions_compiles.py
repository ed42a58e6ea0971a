"""A warm check compiles nothing: every jitted function is memoised per (purpose, apply, configuration)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from approxtheory.attention import Mechanism
from approxtheory.attention.zoo import ZOO
from approxtheory.conditions._compiled import TRACES, compiled
from approxtheory.conditions.analyticity import check_analyticity
from approxtheory.core import ConditionStatus
from approxtheory.numerics import COMPILED_LIMIT
from approxtheory.uap import check_uap


@contextmanager
def xla_compiles() -> Iterator[list[str]]:
    """Collect the names of XLA backend-compile events (jax.monitoring) raised inside the block."""
    events: list[str] = []

    def listener(name: str, _duration: float, **_: Any) -> None:
        if "backend_compile" in name:
            events.append(name)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield events
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


def test_the_listener_sees_a_compilation() -> None:
    x = np.ones(7)
    with xla_compiles() as events:
        jax.jit(lambda x: x * 3.0 + 1.0)(x)  # a fresh function: one compile
    assert len(events) == 1


def test_warm_check_uap_compiles_nothing() -> None:
    softmax = ZOO["softmax"]()
    first = check_uap(softmax, n=8, d=4)
    with xla_compiles() as same_seed:
        again = check_uap(softmax, n=8, d=4)
    with xla_compiles() as other_seed:
        check_uap(softmax, n=8, d=4, seed=1)  # seeds change data, never shapes
    assert same_seed == [] and other_seed == []
    assert _untimed(again.to_json()) == _untimed(first.to_json())


def _untimed(report: dict[str, Any]) -> dict[str, Any]:
    timed = ("seconds", "condition_seconds", "compile_seconds", "compilations", "compile_cache_hits")
    return {**report, "settings": {k: v for k, v in report["settings"].items() if k not in timed}}


def _softmax_mechanism(name: str) -> Mechanism:
    """A fresh softmax attention (its own apply, so nothing is compiled for it yet)."""

    def init(key: jax.Array, n: int, d: int) -> dict[str, jax.Array]:
        kw, kv = jax.random.split(key)
        return {"w": jax.random.normal(kw, (d, d), dtype=jnp.float64), "v": jax.random.normal(kv, (d, d), dtype=jnp.float64)}

    def apply(params: dict[str, jax.Array], X: jax.Array) -> jax.Array:
        S = X @ params["w"] @ X.T
        A = jnp.exp(S - jax.lax.stop_gradient(S.max(axis=1, keepdims=True)))
        return (A / A.sum(axis=1, keepdims=True)) @ X @ params["v"]

    return Mechanism(name=name, init=init, apply=apply, zero_params=lambda p: {**p, "v": p["v"] * 0.0})


def test_analyticity_evaluator_is_one_per_configuration() -> None:
    """The evaluator runs a trace of apply, so a new (n, d) must give a new function, a repeat none."""
    mech = _softmax_mechanism("softmax_local")
    before = TRACES["analyticity"].count if "analyticity" in TRACES else 0
    results = [check_analyticity(mech, n=n, d=2).status for n in (3, 4, 3, 4)]
    assert results == [ConditionStatus.HOLDS] * 4
    assert TRACES["analyticity"].count - before == 2


def test_memo_is_keyed_on_apply_and_config() -> None:
    apply = lambda p, X: X * p
    build = lambda fn, counter: fn
    f = compiled("compiles_test", apply, build)
    assert compiled("compiles_test", apply, build) is f
    assert compiled("compiles_test", apply, build, config=2) is not f
    assert compiled("compiles_test", lambda p, X: X * p, build) is not f
    assert float(f(2.0, 3.0)) == 6.0


class _Unhashable:
    __hash__ = None  # type: ignore[assignment]

    def __call__(self, p: Any, X: Any) -> Any:
        return X + p


def test_unhashable_apply_is_keyed_on_identity() -> None:
    apply = _Unhashable()
    build = lambda fn, counter: lambda p, X: fn(p, X)
    f = compiled("compiles_test", apply, build)
    assert compiled("compiles_test", apply, build) is f
    assert compiled("compiles_test", _Unhashable(), build) is not f
    assert np.asarray(f(1.0, jnp.zeros(2))).tolist() == [1.0, 1.0]


def test_memo_is_bounded_and_releases_user_functions() -> None:
    mech = _softmax_mechanism("short_lived")
    ref = weakref.ref(mech.apply)
    compiled("compiles_test", mech.apply, lambda fn, counter: fn)
    del mech
    gc.collect()
    assert ref() is not None  # held by the memo while recent
    for k in range(COMPILED_LIMIT):
        compiled("compiles_test", lambda p, X: X, lambda fn, counter: fn, config=k)
    gc.collect()
    assert ref() is None
