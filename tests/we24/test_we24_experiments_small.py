"""WE24 E1b/E2a/E2b/E3a at small scale: claim metadata, the trainer, the targets, bad input."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from approxtheory.core import ApproxTheoryError, CheckContext, Provenance, Scope, Status
from approxtheory.papers.we24 import claims as all_claims
from approxtheory.papers.we24 import experiments_small as es


def test_claims_are_registered_experiments_with_primary_provenance():
    ours = es.claims()
    assert {c.id for c in ours} <= {c.id for c in all_claims()}
    assert {c.id for c in ours} == {"WE24.expE1b.experiment.one_layer_adequate", "WE24.expE2a.experiment.width_serves_readout",
                                    "WE24.expE2b.experiment.heads_serve_memories", "WE24.expE3a.experiment.dot_product_marginal"}
    assert all(c.scope is Scope.EXPERIMENT and c.provenance is Provenance.PRIMARY for c in ours)


def test_training_learns_a_target_the_residual_stream_carries():
    # x_t reaches the readout directly, so a working trainer must drive this loss near zero
    current = es.Task("current", (0,), None)
    assert es.train_loss(current, 2, 8, 300, seed=0) < 1e-2


def test_training_is_seeded():
    t = es.linear_sum()
    assert es.train_loss(t, 2, 4, 20, seed=3) == es.train_loss(t, 2, 4, 20, seed=3)


def test_dot_product_model_starts_as_the_dpf_model():
    # with g = d = 0 the DP scores equal the DPF scores, so the two predictions coincide
    X = jnp.asarray(np.random.default_rng(0).choice([-1.0, 1.0], size=(16, es.WINDOW + 1)), dtype=jnp.float32)
    p = es._init(es._draw_init(jax.random.PRNGKey(0), 3, 5), 3, 5, dot_product=True)
    q = {k: v for k, v in p.items() if k not in ("g", "d")}
    np.testing.assert_allclose(es._predict(p, X), es._predict(q, X), rtol=1e-5, atol=1e-5)


def test_initial_weights_do_not_depend_on_how_many_widths_were_drawn():
    # _draw_init draws once for every width up to DRAWN_WIDTH; a width's weights must be those it would draw alone
    key = jax.random.PRNGKey(4)
    alone = es._init(es._draw_init(key, 3, 5), 3, 5, dot_product=False)
    shared = es._init(es._draw_init(key, 3, es.DRAWN_WIDTH), 3, 5, dot_product=False)
    for name in alone:
        np.testing.assert_array_equal(np.asarray(alone[name]), np.asarray(shared[name]), err_msg=name)


def test_batches_drawn_before_training_or_in_each_step_train_alike():
    # runs past PREDRAWN_STEPS draw each batch in its step (bounded memory): the same batches, the same loss
    key, task, X_val = jax.random.PRNGKey(2), es.task_i(0), es.validation_set(0)
    args = (es._draw_init(key, 2, es.DRAWN_WIDTH), task.arrays(), 2, 4, False, 30, jnp.float32(0.0), jnp.float32(1.0), X_val)
    predrawn, keyed = (es._training_data(key, 30, predrawn) for predrawn in (True, False))
    assert predrawn.shape == (30, es.BATCH, es.WINDOW + 1) and keyed.shape[0] == 30
    assert float(es._train(predrawn, *args)) == float(es._train(keyed, *args))


def test_single_memory_readout_is_affine_on_boolean_tokens():
    task = es.single_memory(0)
    X = jnp.asarray(np.random.default_rng(1).choice([-1.0, 1.0], size=(64, es.WINDOW + 1)), dtype=jnp.float32)
    y, x = np.asarray(task(X)), np.asarray(X[:, es.MEMORIES[-1]])
    assert len(set(np.round(y, 4))) == 2 and np.all((y == y[x > 0][0]) == (x > 0))


@pytest.mark.parametrize("claim_id", ["E1b", "E2a", "E2b", "E3a"])
def test_each_claim_runs_on_a_tiny_budget_and_reports_the_paper(claim_id):
    (c,) = [c for c in es.claims() if f"expE{claim_id[1:]}." in c.id]
    out = c.verify(CheckContext(seed=0, budget=3))
    assert out.status in (Status.SUPPORTED, Status.INCONCLUSIVE)
    assert out.budget["steps"] == 3 and "scaling" in out.budget and out.evidence["paper"] == es.PAPER[claim_id]


@pytest.mark.parametrize("kw", [{"heads": 0}, {"width": -1}, {"steps": 0}, {"heads": True}])
def test_bad_input_is_one_error(kw):
    args = {"heads": 2, "width": 4, "steps": 5, **kw}
    with pytest.raises(ApproxTheoryError):
        es.train_loss(es.linear_sum(), args["heads"], args["width"], args["steps"], seed=0)


def test_bad_budget_is_one_error():
    with pytest.raises(ApproxTheoryError):
        es.claims()[0].verify(CheckContext(seed=0, budget=0))
