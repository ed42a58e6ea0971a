"""JL24's batched L-BFGS takes, model by model, the iterates of stock vmapped optax.lbfgs() bit for bit
while skipping the loss evaluations that vmap's select would throw away (trained._zoom_linesearch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from approxtheory.papers.jl24 import trained

STEPS = 30


def _problem() -> tuple[dict, tuple]:
    """Four linear RNNs (hidden 3) on different data: their line searches take different numbers of steps."""
    params = jax.vmap(lambda k: trained.rnn_init(k, 3))(jax.random.split(jax.random.PRNGKey(7), 4))
    rng = np.random.default_rng(7)
    x = rng.uniform(size=(4, 6, 5))
    y = np.cumsum(x, axis=-1) * rng.uniform(0.2, 2.0, size=(4, 1, 1))
    return params, (jnp.asarray(x), jnp.asarray(y))


def _stock_step(loss: trained.Loss, lbfgs: optax.GradientTransformation) -> Callable[[Any, tuple], Any]:
    """One iteration of optax.lbfgs() as optax documents it (the line search's conds vmapped as selects)."""

    def step(carry: tuple[Any, Any], d: tuple) -> tuple[Any, Any]:
        p, state = carry
        f = lambda q: loss(q, *d)  # noqa: E731
        value, grad = optax.value_and_grad_from_state(f)(p, state=state)
        updates, state = lbfgs.update(grad, state, p, value=value, grad=grad, value_fn=f)
        return optax.apply_updates(p, updates), state

    return step


def _linesearch_steps(params: dict, data: tuple) -> np.ndarray:
    """Line-search steps of every stock L-BFGS iteration, (model, iteration)."""
    lbfgs, step = optax.lbfgs(), _stock_step(trained._e4_rnn_mse, optax.lbfgs())

    def fit(p: dict, d: tuple) -> jax.Array:
        def body(carry: tuple, _: None) -> tuple[tuple, jax.Array]:
            carry = step(carry, d)
            return carry, optax.tree.get(carry[1], "num_linesearch_steps")

        return jax.lax.scan(body, trained._strong((p, lbfgs.init(p))), None, length=STEPS)[1]

    return np.asarray(jax.jit(jax.vmap(fit))(params, data))


def test_batched_lbfgs_equals_stock_vmapped_lbfgs_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    with jax.enable_x64(True):
        params, data = _problem()
        counts = _linesearch_steps(params, data)
        got = trained._fit_batch(trained._e4_rnn_mse, params, data, 0, STEPS, 1e-2)
        monkeypatch.setattr(trained, "_lbfgs_step", _stock_step)
        monkeypatch.setattr(trained, "_optimiser", lambda phase: optax.lbfgs())
        # a loss of its own, so that the memoised programs of the batched optimiser are not reused
        want = trained._fit_batch(lambda *a: trained._e4_rnn_mse(*a), params, data, 0, STEPS, 1e-2)
    # the batch exercises every rule: iterations where each model's search ends in one step (the interval
    # search alone), and iterations where models need different numbers of steps (zoom alone or both)
    assert (counts.max(axis=0) == 1).any() and (counts.max(axis=0) > counts.min(axis=0)).any()
    for a, b in zip(jax.tree_util.tree_leaves(want), jax.tree_util.tree_leaves(got)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
