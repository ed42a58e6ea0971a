"""A second training with the same loss and shapes compiles nothing (JL24's chunked Adam + L-BFGS loops)."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from approxtheory.numerics import COMPILE_CLOCK, TRACES
from approxtheory.papers.jl24 import trained


def _rnn_problem(seed: int) -> tuple[dict, tuple]:
    """Two linear RNNs (hidden 3) and their data: 4 sequences of length 5 each."""
    params = jax.vmap(lambda k: trained.rnn_init(k, 3))(jax.random.split(jax.random.PRNGKey(seed), 2))
    rng = np.random.default_rng(seed)
    return params, (jax.numpy.asarray(rng.uniform(size=(2, 4, 5))), jax.numpy.asarray(rng.uniform(size=(2, 4, 5))))


def _traces() -> dict[str, int]:
    return {k: TRACES[k].count for k in ("jl24.trained.adam", "jl24.trained.lbfgs") if k in TRACES}


def test_second_training_compiles_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trained, "CHUNK", 2)  # 5 steps = chunks of 2, 2, 1: the later chunks must reuse the first's program
    with jax.enable_x64(True):
        params, data = _rnn_problem(0)
        before = _traces()
        first = trained._fit_batch(trained._e4_rnn_mse, params, data, 5, 5, 1e-2)
        traced = {k: v - before.get(k, 0) for k, v in _traces().items()}
        # one trace per chunk length (2 and 1) per phase: the optimiser state's weak types no longer force a third
        assert traced == {"jl24.trained.adam": 2, "jl24.trained.lbfgs": 2}
        again_params, again_data = _rnn_problem(0)
        other_params, other_data = _rnn_problem(1)  # a new seed changes values, never shapes
        compiles = COMPILE_CLOCK.reading()[1]
        again = trained._fit_batch(trained._e4_rnn_mse, again_params, again_data, 5, 5, 1e-2)
        trained._fit_batch(trained._e4_rnn_mse, other_params, other_data, 5, 5, 1e-2)
        assert COMPILE_CLOCK.reading()[1] == compiles
        assert {k: v - before.get(k, 0) for k, v in _traces().items()} == traced
    for a, b in zip(jax.tree_util.tree_leaves(first), jax.tree_util.tree_leaves(again)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_a_new_learning_rate_is_a_new_program() -> None:
    # the schedule is baked into the Adam program, so a different lr must not reuse the cached one
    with jax.enable_x64(True):
        params, data = _rnn_problem(2)
        slow = trained._fit_batch(trained._e4_rnn_mse, params, data, 3, 0, 1e-3)
        fast = trained._fit_batch(trained._e4_rnn_mse, params, data, 3, 0, 1e-1)
    assert not np.array_equal(np.asarray(slow["W"]), np.asarray(fast["W"]))
