"""Trained verifiers for JL24's experiments at CPU scale: Fig. 5 (card §6 E1) and Table 2 (card §6 E4).

E1: the single layer of eq. (5) (MLP token map f^, W_Q, W_K of rank m_h, W_V, MLP readout F^) fitted
in float64 by Adam then L-BFGS (optax) on the sine targets; the final training MSE estimates the
approximation error, as in the paper (float32 Adam stalled at 5e-4..2e-3 for every rank and m_h, which
hid every effect). E4: a linear RNN and the same layer with a trainable positional encoding, trained on the
linear target rho(s) = e^-s and on its ordering and mixing alterations (JL24.def.alter).
What was scaled down from the paper is listed in E1_SCALE and E4_SCALE; only directions are checked.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from optax._src.linesearch import zoom_linesearch  # the zoom line search's steps; optax exports only the transform

from ...core import ApproxTheoryError, CheckContext, Outcome, Provenance, Scope, Status
from ...core.memo import per_run
from ...numerics import TraceCounter, compiled, x64
from ...pod import targets
from .common import claim

# --- what was scaled (paper values from card §6) ---------------------------------------------------

E1_SCALE = {
    "tau": (16, 8),
    "train_sequences": ("unstated", 256),
    "optimiser": ("Adam, 'enough epochs' (PyTorch)",
                  "float64; 200 Adam steps and `budget` L-BFGS iterations at m_h = 8, then for every m_h the query "
                  "rows beyond m_h switched off and `budget` more L-BFGS iterations from that optimum"),
    "ffn_width_depth": ((128, 3), (16, 3)),
    "n_and_m_v": (32, 8),
    "m_h_grid": ("1..16", [1, 2, 3, 5, 6, 8]),
    "ranks": ("2, 6, oo", "2, 6, oo truncated at 8 terms"),
    "token_map": ("dense FFN (width 128, depth 3) on the scalar token", "linear map of (u, sin 2 pi k u, cos 2 pi k u), k <= 8"),
    "inits_per_model": ("1 per m_h", "1 per (alpha, rank), shared by all m_h through the m_h = 8 fit"),
    "reported_error": ("training error", "training MSE (held-out MSE on 2000 sequences in the evidence)"),
}
E4_SCALE = {
    "tau": (32, 16),
    "ordering_swap": ("first 10 <-> last 10", "first 4 <-> last 4"),
    "mixing_filter": ("random, length 5, distribution unstated", "length 5, U[-1, 1] normalised to ||theta||_1 = 1"),
    "rnn_hidden": (128, 16),
    "transformer_n_m_h_m_v": ((32, 32, 32), (8, 8, 8)),
    "ffn_width_depth": ((128, 3), (16, 3)),
    "train_sequences": ("unstated", 128),
    "optimiser": ("unstated", "float64: 300 Adam steps, then `budget` L-BFGS iterations"),
}
R_TRUNC = 8  # "r = oo": the POD truncated at 8 terms (the paper does not say how many it used; card §8)
E1_RANKS = (2, 6, R_TRUNC)
E1_TAU, E1_N, E1_WIDTH, E1_SAMPLES, E1_TEST, E1_LR = 8, 8, 16, 256, 2000, 1e-2
E1_MH = (1, 2, 3, 5, 6, 8)
E1_ALPHAS = (0.55, 1.0)
E1_ADAM = 200  # Adam warm start before the first m_h's L-BFGS
E1_STEPS = 300  # default budget: L-BFGS iterations per m_h (1000 and 3000 in the README: slower, clearer)
E4_TAU, E4_SWAP, E4_FILTER, E4_SAMPLES, E4_ADAM, E4_STEPS = 16, 4, 5, 128, 300, 1000


# --- the single layer of eq. (5), with a rank mask so that every m_h shares one compiled program ----

PE_DIM = 4
FOURIER = 8  # E1 tokens enter f^ as (u, sin 2 pi k u, cos 2 pi k u)_{k <= 8}: a fixed first layer (see E1_SCALE)


def fourier_features(u: np.ndarray) -> np.ndarray:
    """(..., ) -> (..., 1 + 2 FOURIER): the token and its first harmonics, so a small f^ can reach the sine bases."""
    k = 2 * np.pi * np.arange(1, FOURIER + 1)
    return np.concatenate([u[..., None], np.sin(u[..., None] * k), np.cos(u[..., None] * k)], axis=-1)


#: Entries of the normal draw every initial weight is cut from (see :func:`_normal`); E1's and E4's largest has 256.
NORMAL_DRAW = 256


def _normal(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """``jax.random.normal(key, shape)``, bit for bit, cut from a draw of at least NORMAL_DRAW entries. With JAX's
    partitionable Threefry, entry k of a draw depends on the key and k only, so every shape shares one compiled
    draw; eagerly under vmap each shape compiled its own (about half a second each, a sixth of E4's compilation)."""
    size = math.prod(shape)
    if not jax.config.jax_threefry_partitionable:
        return jax.random.normal(key, shape)
    return jax.random.normal(key, (max(size, NORMAL_DRAW),))[:size].reshape(shape)


def _mlp_init(key: jax.Array, sizes: tuple[int, ...]) -> list[tuple[jax.Array, jax.Array]]:
    keys = jax.random.split(key, len(sizes) - 1)
    return [(_normal(k, (a, b)) / math.sqrt(a), jnp.zeros(b)) for k, a, b in zip(keys, sizes[:-1], sizes[1:])]


def _mlp(layers: list[tuple[jax.Array, jax.Array]], h: jax.Array) -> jax.Array:
    for w, b in layers[:-1]:
        h = jnp.tanh(h @ w + b)
    w, b = layers[-1]
    return h @ w + b


def attention_init(key: jax.Array, d_in: int, n: int, m_max: int, m_v: int, width: int,
                   tau: int | None = None, linear_f: bool = False) -> dict[str, Any]:
    """Parameters of eq. (5): f^ (d_in -> n, depth 3, or linear with ``linear_f``), W_Q, W_K (m_max x n), W_V, F^ (m_v -> 1, depth 3);
    with ``tau`` a trainable positional encoding x(t) -> A x(t) + e(t), A = [I; 0], e(t) in R^PE_DIM."""
    k = jax.random.split(key, 6)
    d = d_in + (PE_DIM if tau is not None else 0)
    params = {"f": _mlp_init(k[0], (d, n) if linear_f else (d, width, width, n)), "F": _mlp_init(k[1], (m_v, width, width, 1)),
              "wq": _normal(k[2], (m_max, n)) / math.sqrt(n), "wk": _normal(k[3], (m_max, n)) / math.sqrt(n),
              "wv": _normal(k[4], (m_v, n)) / math.sqrt(n)}
    if tau is not None:
        params["e"] = _normal(k[5], (tau, PE_DIM))
    return params


def attention_apply(params: dict[str, Any], mask: jax.Array, tokens: jax.Array) -> jax.Array:
    """H^(x) of eq. (5) for one sequence of tokens (tau, d_in); ``mask`` (m_max,) keeps m_h query/key rows."""
    if "e" in params:
        tokens = jnp.concatenate([tokens, params["e"]], axis=-1)
    h = _mlp(params["f"], tokens)
    q, k = (h @ params["wq"].T) * mask, h @ params["wk"].T
    mixed = jax.nn.softmax(q @ k.T, axis=-1) @ (h @ params["wv"].T)
    return _mlp(params["F"], mixed)[:, 0]


def rnn_init(key: jax.Array, hidden: int) -> dict[str, jax.Array]:
    k = jax.random.split(key, 3)
    return {"W": 0.5 * _normal(k[0], (hidden, hidden)) / math.sqrt(hidden),
            "U": _normal(k[1], (hidden,)), "c": _normal(k[2], (hidden,)) / math.sqrt(hidden)}


def rnn_apply(params: dict[str, jax.Array], x: jax.Array) -> jax.Array:
    """Linear RNN (card §5.3): h(t) = W h(t-1) + U x(t), y(t) = c^T h(t), h(-1) = 0."""
    def step(h: jax.Array, xt: jax.Array) -> tuple[jax.Array, jax.Array]:
        h = params["W"] @ h + params["U"] * xt
        return h, params["c"] @ h

    return jax.lax.scan(step, jnp.zeros_like(params["U"]), x)[1]


#: Optimiser steps per compiled call. Between calls control returns to Python, so Ctrl-C is honoured within
#: one chunk instead of after a minute-long lax.scan. The iterates do not depend on CHUNK (bit for bit, checked
#: with 7 against one chunk); against the former single compiled program they differ in the last bits (XLA fusion).
CHUNK = 100

Loss = Callable[..., jax.Array]


def _optimiser(phase: tuple) -> optax.GradientTransformation:
    """("adam", lr, adam_steps): Adam on a cosine schedule from lr over adam_steps; ("lbfgs",): L-BFGS, zoom line search
    (optax.lbfgs() with its own line search, batched by :func:`_zoom_linesearch`)."""
    if phase[0] == "adam":
        return optax.adam(optax.cosine_decay_schedule(phase[1], phase[2], alpha=0.01))
    return optax.lbfgs(linesearch=_zoom_linesearch())


def _adam_step(loss: Loss, adam: optax.GradientTransformation) -> Callable[[Any, tuple], Any]:
    """One Adam update of ``loss(p, *d)``."""

    def step(carry: tuple[Any, Any], d: tuple) -> tuple[Any, Any]:
        p, state = carry
        updates, state = adam.update(jax.grad(loss)(p, *d), state, p)
        return optax.apply_updates(p, updates), state

    return step


# --- L-BFGS on a batch of models -------------------------------------------------------------------
# Under jax.vmap a lax.cond whose predicate differs between models becomes a select that runs both
# branches. optax's L-BFGS has two such conds around loss evaluations: value_and_grad_from_state
# (re-evaluate unless the state holds a finite value) and each zoom line-search step (interval search
# or zoom, each evaluating the loss and gradient). Vmapped as is, an iteration evaluated the loss about
# four times where one model needs one or two. The batching rules below run one branch for the whole
# batch when every model that uses the result takes it, and the stock select otherwise; each model's
# arithmetic is that of the stock optimiser (test_jl24_lbfgs checks bit equality; see FEW_SEARCHING).

#: A line-search step with at most this many models still searching runs on those models only (the while loop
#: otherwise steps the whole batch until its slowest model is done). E1's batch of 36: bit-identical results
#: with 6 or 12 (XLA rounds the layer's batch of 6 as its batch of 36), not with 3.
FEW_SEARCHING = 6
LINESEARCH_STEPS = 20  # optax.lbfgs()'s default zoom line search: 20 steps, initial step 1, other arguments default


def _batched(tree: Any, batched: Any, size: int) -> Any:
    """Every leaf of ``tree`` with a leading batch axis of ``size`` (a custom_vmap rule's unbatched leaves broadcast)."""
    return jax.tree_util.tree_map(lambda a, b: a if b else jnp.broadcast_to(a, (size, *jnp.shape(a))), tree, batched)


def _all_true(tree: Any) -> Any:
    return jax.tree_util.tree_map(lambda _: True, tree)


def _value_and_grad_from_state(loss: Loss) -> Callable[..., tuple[jax.Array, Any]]:
    """``(p, state, d) -> (value, grad)`` of ``loss(p, *d)``: optax.value_and_grad_from_state; batched, the stored
    values are used without evaluating the loss when every model's stored value is finite."""

    @jax.custom_batching.custom_vmap
    def value_and_grad(p: Any, state: Any, d: tuple) -> tuple[jax.Array, Any]:
        return optax.value_and_grad_from_state(lambda q: loss(q, *d))(p, state=state)

    @value_and_grad.def_vmap
    def rule(size: int, in_batched: list, p: Any, state: Any, d: tuple) -> tuple[Any, Any]:
        p, state, d = _batched((p, state, d), tuple(in_batched), size)
        stored = (optax.tree.get(state, "value"), optax.tree.get(state, "grad"))
        out = jax.lax.cond(jnp.all(jnp.isfinite(stored[0])), lambda *_: stored, jax.vmap(value_and_grad.fun), p, state, d)
        return out, _all_true(out)

    return value_and_grad


def _zoom_linesearch() -> optax.GradientTransformationExtraArgs:
    """optax.scale_by_zoom_linesearch as optax.lbfgs() builds it, reading the loss from the extra arguments
    ``value_fn`` (``loss``) and ``data`` (its arguments after the parameters). Each step of its while loop is
    :func:`_linesearch_step`."""
    stock = optax.scale_by_zoom_linesearch(max_linesearch_steps=LINESEARCH_STEPS, initial_guess_strategy="one")
    init_ls, step_ls, running = zoom_linesearch(max_linesearch_steps=LINESEARCH_STEPS)

    def update(updates: Any, state: Any, params: Any, *, value: jax.Array, grad: Any, value_fn: Loss, data: tuple,
               **_: Any) -> tuple[Any, Any]:
        start = init_ls(updates, params, value=value, grad=grad, prev_stepsize=state.learning_rate,
                        initial_guess_strategy="one")
        step = _linesearch_step(step_ls, running, value_fn)
        final = jax.lax.while_loop(running, lambda s: step(s, data), start)
        info = optax.ZoomLinesearchInfo(num_linesearch_steps=final.count, decrease_error=final.decrease_error,
                                        curvature_error=final.curvature_error)
        new = optax.ScaleByZoomLinesearchState(learning_rate=final.stepsize, value=final.value, grad=final.grad, info=info)
        return optax.tree.scale(final.stepsize, updates), optax.tree.cast_like(new, other_tree=state)

    return optax.GradientTransformationExtraArgs(stock.init, update)


def _linesearch_step(step_ls: Callable[..., Any], running: Callable[[Any], jax.Array], loss: Loss) -> Callable[..., Any]:
    """``(state, d) -> state``: one zoom line-search step of ``loss(., *d)``. Batched, the step runs the interval
    search alone (or the zoom alone) when every model still searching is in that phase, and on those models
    alone when at most FEW_SEARCHING are. Only the while loop calls it, and that loop keeps the state of a
    finished model, so finished models need not agree and their step may be skipped."""

    @jax.custom_batching.custom_vmap
    def step(state: Any, d: tuple) -> Any:
        return step_ls(state, value_and_grad_fn=jax.value_and_grad(lambda q: loss(q, *d)), fn_kwargs={})

    def phase(found: bool | None) -> Callable[..., Any]:
        """The vmapped step with the phase fixed for every model (unbatched, so its lax.cond stays a cond)."""
        fix = (lambda s: s) if found is None else (lambda s: s._replace(interval_found=jnp.asarray(found)))
        return jax.vmap(lambda s, d: step.fun(fix(s), d))

    def one_branch(state: Any, d: tuple) -> Any:
        active, found = running(state), state.interval_found
        which = jnp.where(jnp.all(found | ~active), 1, jnp.where(jnp.all(~found | ~active), 0, 2))
        return jax.lax.switch(which, [phase(False), phase(True), phase(None)], state, d)

    def few(state: Any, d: tuple) -> Any:
        """The step for at most FEW_SEARCHING models still searching, gathered into a batch of FEW."""
        size = state.done.shape[0]
        idx = jnp.nonzero(running(state), size=FEW_SEARCHING, fill_value=size)[0]
        take = jnp.where(idx == size, idx[0], idx)  # padding repeats a searching model; its result is dropped
        sub = one_branch(*jax.tree_util.tree_map(lambda a: a[take], (state, d)))
        return jax.tree_util.tree_map(lambda a, b: a.at[idx].set(b, mode="drop"), state, sub)

    @step.def_vmap
    def rule(size: int, in_batched: list, state: Any, d: tuple) -> tuple[Any, Any]:
        state, d = _batched((state, d), tuple(in_batched), size)
        if size <= FEW_SEARCHING:
            out = one_branch(state, d)
        else:
            out = jax.lax.cond(jnp.sum(running(state)) <= FEW_SEARCHING, few, one_branch, state, d)
        return out, _all_true(out)

    return step


def _lbfgs_step(loss: Loss, lbfgs: optax.GradientTransformation) -> Callable[[Any, tuple], Any]:
    """One L-BFGS iteration of ``loss(p, *d)`` (the line search reads the value and gradient from the state)."""
    value_and_grad = _value_and_grad_from_state(loss)

    def step(carry: tuple[Any, Any], d: tuple) -> tuple[Any, Any]:
        p, state = carry
        value, grad = value_and_grad(p, state, d)
        updates, state = lbfgs.update(grad, state, p, value=value, grad=grad, value_fn=loss, data=d)
        return optax.apply_updates(p, updates), state

    return step


def _chunk(loss: Loss, phase: tuple) -> Callable[..., Any]:
    """The jitted ``chunk(carry, data, n)``: n iterations of one optimiser ``phase`` (see :func:`_optimiser`) on
    ``loss`` for each model of a batch (leading axis), as one lax.scan. Memoised on (loss, phase) by
    numerics.compiled, so a second training with the same loss, phase and shapes compiles nothing."""

    def build(loss: Loss, counter: TraceCounter) -> Callable[..., Any]:
        step = (_adam_step if phase[0] == "adam" else _lbfgs_step)(loss, _optimiser(phase))

        def scan(c: Any, d: tuple, n: int) -> Any:
            counter.tick()
            return jax.lax.scan(lambda c_, _: (step(c_, d), None), c, None, length=n)[0]

        return jax.vmap(scan, in_axes=(0, 0, None))

    return compiled("jl24.trained." + phase[0], loss, build, config=phase, static_argnums=2)


def _strong(tree: Any) -> Any:
    """``tree`` with weak types made strong: optimiser states start weakly typed (L-BFGS's line-search info)
    and leave a chunk strongly typed, which made the second chunk compile the whole program again."""
    return jax.tree_util.tree_map(lambda a: jax.lax.convert_element_type(a, jnp.result_type(a)), tree)


def _initial_state(phase: tuple, params: Any) -> Any:
    """The optimiser's initial state for each model of a batch, as one compiled program (eagerly, every
    state leaf compiles its own)."""
    return compiled("jl24.trained.state", _optimiser, lambda make, _: jax.vmap(make(phase).init), config=phase)(params)


def _run_chunked(loss: Loss, phase: tuple, carry: Any, data: tuple, steps: int) -> Any:
    """``steps`` iterations of the optimiser ``phase`` (see :func:`_chunk`) from ``carry`` = (params, state),
    as calls of at most CHUNK iterations each."""
    chunk = _chunk(loss, phase)
    carry = _strong(carry)
    done = 0
    while done < steps:
        n = min(CHUNK, steps - done)
        carry = chunk(carry, data, n)
        done += n
    return carry


def _fit_batch(loss: Loss, params: Any, data: tuple, adam_steps: int, lbfgs_steps: int, lr: float) -> Any:
    """Minimise ``loss(p, *d)`` for each model of a batch: Adam with a cosine schedule, then L-BFGS (zoom line search).
    ``loss`` should be one module-level function per model kind: it keys the compiled programs (see :func:`_chunk`)."""
    for phase, steps in ((("adam", lr, adam_steps), adam_steps), (("lbfgs",), lbfgs_steps)):
        if steps:
            params, _ = _run_chunked(loss, phase, (params, _initial_state(phase, params)), data, steps)
    return params


def _fit(loss: Loss, params: Any, adam_steps: int, lbfgs_steps: int, lr: float) -> Any:
    """Minimise ``loss`` for one model (see :func:`_fit_batch`)."""
    batched = jax.tree_util.tree_map(lambda a: jnp.asarray(a)[None], params)
    fitted = _fit_batch(loss, batched, (), adam_steps, lbfgs_steps, lr)
    return jax.tree_util.tree_map(lambda a: a[0], fitted)


def _mse(apply: Callable[[Any, jax.Array], jax.Array], params: Any, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((jax.vmap(lambda xi: apply(params, xi))(x) - y) ** 2)


def _check_steps(steps: int) -> int:
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ApproxTheoryError(f"the budget is a number of optimiser steps (L-BFGS iterations), a positive integer; got {steps!r}")
    return steps


# --- E1 (Fig. 5) -------------------------------------------------------------------------------

def e1_data(alpha: float, r: int, seed: int, samples: int = E1_SAMPLES, tau: int = E1_TAU) -> tuple[np.ndarray, np.ndarray]:
    """i.i.d. uniform sequences and the sine target's outputs (card JL24.fix.sines, F = f = id)."""
    x = np.random.default_rng([seed, r, int(alpha * 1000)]).uniform(size=(samples, tau))
    return x, targets.sines(alpha, r, tau).outputs(x)


def _e1_mse(params: Any, mask: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    """The MSE of eq. (5) at one m_h (``mask``)."""
    return _mse(lambda q, xi: attention_apply(q, mask, xi), params, x, y)


_E1_MSE = jax.jit(jax.vmap(_e1_mse))


@per_run  # the three E1 claims read one training (they share "JL24.E1.trained")
@x64
def _e1_all(seed: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and held-out MSE of eq. (5), each of shape (alpha, rank, m_h).

    Each (alpha, rank) model is first fitted at the largest m_h (Adam warm start, then ``steps``
    L-BFGS iterations); every m_h is then fitted from that optimum with its query rows beyond m_h
    switched off, by ``steps`` more iterations. Every m_h gets the same effort and starts in the same
    basin, so a difference between m_h values is the rank constraint, not the luck of an initialisation."""
    m_max, n_mh = max(E1_MH), len(E1_MH)
    pairs = [(a, r) for a in E1_ALPHAS for r in E1_RANKS]
    train = [e1_data(a, r, seed) for a, r in pairs]
    test = [e1_data(a, r, seed + 10_000, E1_TEST) for a, r in pairs]
    x, xt = (jnp.asarray(np.stack([fourier_features(d[0]) for d in ds])) for ds in (train, test))
    y, yt = (jnp.asarray(np.stack([d[1] for d in ds])) for ds in (train, test))
    keys = jax.random.split(jax.random.PRNGKey(seed), len(pairs))
    params = jax.vmap(lambda k: attention_init(k, 1 + 2 * FOURIER, E1_N, m_max, E1_N, E1_WIDTH, linear_f=True))(keys)
    full = jnp.asarray(np.ones((len(pairs), m_max)))
    params = _fit_batch(_e1_mse, params, (full, x, y), E1_ADAM, steps, E1_LR)
    # every (model, m_h) pair: repeat the models along a new m_h axis and flatten. In NumPy (exact copies):
    # eager jnp.repeat and jnp.tile compiled a program per shape. The pairs are fitted in batches of
    # len(pairs), so the L-BFGS program compiled above serves them too (one batch of 36 compiled a second one
    # and ran slower: 58 -> 44 CPU-s for the E1 claims, cold). The batching moves XLA's arithmetic in the last
    # bits, which the fits amplify to a few percent of the tables; every model's fit is independent of the others.
    rep = lambda a: np.repeat(np.asarray(a), n_mh, axis=0)  # noqa: E731
    rows = np.arange(m_max)[None, :] < np.asarray(E1_MH)[:, None]
    masks = np.tile(rows, (len(pairs), 1)).astype(np.float64)
    starts, data = jax.tree_util.tree_map(rep, params), (masks, rep(x), rep(y))
    batch = lambda tree, i: jax.tree_util.tree_map(lambda a: jnp.asarray(a[i:i + len(pairs)]), tree)  # noqa: E731
    parts = [_fit_batch(_e1_mse, batch(starts, i), batch(data, i), 0, steps, E1_LR) for i in range(0, len(masks), len(pairs))]
    fitted = jax.tree_util.tree_map(lambda *a: np.concatenate(a), *parts)  # eager jnp would compile per leaf shape
    mse, mse_t = _E1_MSE(fitted, *data), _E1_MSE(fitted, masks, rep(xt), rep(yt))
    shape = (len(E1_ALPHAS), len(E1_RANKS), n_mh)
    return np.asarray(mse).reshape(shape), np.asarray(mse_t).reshape(shape)


def e1_errors(alpha: float, seed: int, steps: int = E1_STEPS) -> np.ndarray:
    """Final training MSE of eq. (5) on the alpha family, shape (len(E1_RANKS), len(E1_MH))."""
    return _e1_all(seed, _check_steps(steps))[0][E1_ALPHAS.index(alpha)]


def _slope(errors: np.ndarray) -> tuple[float, float]:
    """Least-squares decay exponent p of error ~ m_h^-p over the m_h grid, and its standard error."""
    coef, cov = np.polyfit(np.log(np.asarray(E1_MH, float)), np.log(errors), 1, cov=True)
    return float(-coef[0]), float(np.sqrt(cov[0, 0]))


def _e1_table(seed: int, steps: int, which: int = 0) -> dict[str, dict[str, list[float]]]:
    """Training (``which`` = 0) or held-out (1) MSE by alpha, rank and m_h, to 4 digits."""
    errors = _e1_all(seed, steps)[which]
    return {str(a): {("oo" if r == R_TRUNC else str(r)): [float(f"{v:.3e}") for v in row]
                     for r, row in zip(E1_RANKS, errors[i])} for i, a in enumerate(E1_ALPHAS)}


def _e1_budget(ctx: CheckContext, steps: int) -> dict[str, Any]:
    return {"lbfgs_iterations_per_m_h": steps, "adam_warm_start": E1_ADAM, "seed": ctx.seed,
            "scaled": {k: {"paper": v[0], "here": v[1]} for k, v in E1_SCALE.items()}}


def _e1_evidence(ctx: CheckContext, steps: int) -> dict[str, Any]:
    return {"mse_by_m_h": _e1_table(ctx.seed, steps), "held_out_mse_by_m_h": _e1_table(ctx.seed, steps, 1),
            "m_h_grid": list(E1_MH)}


TRAINED = "trained (optax Adam + L-BFGS, float64)"
PLATEAU_DROP = 3.0  # error(m_h = r-1) / error at m_h >= r must exceed this for the drop to count
PLATEAU_SPREAD = 3.0  # max / min of the errors over m_h >= r must stay below this for a plateau


def _verify_plateau(ctx: CheckContext) -> Outcome:
    steps = _check_steps(ctx.budget_or(E1_STEPS))
    rows: dict[str, Any] = {}
    ok = True
    for alpha in (0.55, 1.0):
        err = e1_errors(alpha, ctx.seed, steps)
        for i, r in enumerate(E1_RANKS[:2]):
            at = E1_MH.index(r)
            below, above = err[i, at - 1], err[i, at:]
            drop, spread = float(below / above.max()), float(above.max() / above.min())
            rows[f"alpha={alpha}, r={r}"] = {"error_at_m_h=r-1": float(below), "max_error_m_h>=r": float(above.max()),
                                             "drop": drop, "spread_m_h>=r": spread}
            ok &= drop > PLATEAU_DROP and spread < PLATEAU_SPREAD
    checked = (f"trained eq. (5) on the E1 sine targets (r = 2, 6; alpha = 0.55, 1): the training MSE drops by more than "
               f"{PLATEAU_DROP}x from m_h = r-1 to every m_h >= r and varies by less than {PLATEAU_SPREAD}x over m_h >= r")
    return Outcome(Status.SUPPORTED if ok else Status.INCONCLUSIVE, TRAINED, checked,
                   _e1_budget(ctx, steps), {"per_target": rows, **_e1_evidence(ctx, steps),
                                            "paper_readings_m_h=2,4,6,8,10": {
                                                "a_r=6": [1.5, 0.8, 0, 0, 0], "a_r=2": [1.0, 0, 0, 0, 0],
                                                "b_r=6": [1.3, 0.5, 0, 0, 0], "b_r=2": [1.0, 0, 0, 0, 0]}})


def _verify_rank_order(ctx: CheckContext) -> Outcome:
    steps = _check_steps(ctx.budget_or(E1_STEPS))
    rows: dict[str, Any] = {}
    violations = 0
    for alpha in (0.55, 1.0):
        err = e1_errors(alpha, ctx.seed, steps)
        ordered = (err[0] <= err[1]) & (err[1] <= err[2])
        # where m_h >= 6 both finite ranks sit at the optimisation floor; the paper's ordering is for m_h < r
        informative = np.asarray(E1_MH) < E1_RANKS[1]
        violations += int(np.sum(~ordered & informative))
        rows[str(alpha)] = {"ordered_r2<=r6<=roo_by_m_h": ordered.tolist(), "m_h_checked": [int(m) for m in np.asarray(E1_MH)[informative]]}
    checked = ("trained eq. (5) on the E1 targets: for fixed m_h < 6 the training MSE increases with the rank "
               "(r = 2 <= r = 6 <= r = oo), for alpha = 0.55 and 1")
    return Outcome(Status.SUPPORTED if violations == 0 else Status.INCONCLUSIVE, TRAINED, checked,
                   _e1_budget(ctx, steps), {"violations": violations, "per_alpha": rows, **_e1_evidence(ctx, steps)})


def _verify_slopes(ctx: CheckContext) -> Outcome:
    steps = _check_steps(ctx.budget_or(E1_STEPS))
    fits = {str(a): _slope(e1_errors(a, ctx.seed, steps)[2]) for a in E1_ALPHAS}
    slopes, errors = {a: f[0] for a, f in fits.items()}, {a: f[1] for a, f in fits.items()}
    # 'faster' must exceed twice the combined standard error of the two fits, so a tie is not read as an order
    margin = 2 * math.hypot(errors["1.0"], errors["0.55"])
    faster = slopes["1.0"] - slopes["0.55"] > margin
    decays = all(s > 0 for s in slopes.values())
    checked = ("trained eq. (5) on the E1 targets with r = oo (8 terms): the fitted decay exponent of the training MSE "
               f"over m_h in {list(E1_MH)} is positive for both alpha and larger for sigma_k = k^-1 than for k^-0.55 "
               "by more than twice the combined standard error of the two fits")
    evidence = {"fitted_exponent": slopes, "standard_error": errors, "required_difference": margin,
                "reference_line_2alpha-1": {"0.55": 0.1, "1.0": 1.0},
                "paper_readings_slope_m_h=2..10": {"0.55": round(math.log(1.8 / 0.7) / math.log(5), 3),
                                                   "1.0": round(math.log(1.5 / 0.2) / math.log(5), 3)},
                **_e1_evidence(ctx, steps)}
    return Outcome(Status.SUPPORTED if faster and decays else Status.INCONCLUSIVE, TRAINED,
                   checked, _e1_budget(ctx, steps), evidence)


# --- E4 (Table 2) ------------------------------------------------------------------------------

def e4_data(seed: int, samples: int = E4_SAMPLES, tau: int = E4_TAU) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Inputs and outputs of the linear target H_t = sum_{s<=t} e^-s x(t-s) and of its alterations
    (JL24.def.alter): ordering swaps the first and last E4_SWAP inputs, keeping the output; mixing
    feeds theta * x with (theta * x)[t] = sum_s theta(s) x(t+s), zero beyond the last input, as printed
    (card §8: it reads future inputs); ``mixing_causal`` is the causal reading sum_s theta(s) x(t-s)."""
    rng = np.random.default_rng([seed, 4])
    x = rng.uniform(size=(samples, tau))
    kernel = np.exp(-np.arange(tau))
    conv = np.array([[kernel[t - j] if j <= t else 0.0 for j in range(tau)] for t in range(tau)])
    y = x @ conv.T
    perm = np.arange(tau)
    perm[:E4_SWAP], perm[-E4_SWAP:] = np.arange(tau - E4_SWAP, tau), np.arange(E4_SWAP)
    theta = rng.uniform(-1, 1, E4_FILTER)
    theta /= np.abs(theta).sum()
    padded = np.concatenate([x, np.zeros((samples, E4_FILTER - 1))], axis=1)
    mixed = sum(theta[s] * padded[:, s : s + tau] for s in range(E4_FILTER))
    behind = np.concatenate([np.zeros((samples, E4_FILTER - 1)), x], axis=1)
    causal = sum(theta[s] * behind[:, E4_FILTER - 1 - s : E4_FILTER - 1 - s + tau] for s in range(E4_FILTER))
    return {"original": (x, y), "ordering": (x[:, perm], y), "mixing": (x, mixed @ conv.T),
            "mixing_causal": (x, causal @ conv.T)}


def _e4_rnn_mse(params: Any, x: jax.Array, y: jax.Array) -> jax.Array:
    return _mse(rnn_apply, params, x, y)


def _e4_attention_mse(params: Any, x: jax.Array, y: jax.Array) -> jax.Array:
    """The MSE of eq. (5) with positional encoding and every query row on, scalar tokens."""
    ones = jnp.ones(params["wq"].shape[0])
    return _mse(lambda q, xi: attention_apply(q, ones, xi[:, None]), params, x, y)


@per_run  # the two E4 claims read one training (they share "JL24.E4.trained")
@x64
def e4_errors(seed: int, steps: int = E4_STEPS) -> dict[str, dict[str, float]]:
    """Final training MSE of the linear RNN and of eq. (5) with positional encoding on each task."""
    _check_steps(steps)
    data = e4_data(seed)
    names = list(data)
    xs = jnp.asarray(np.stack([data[k][0] for k in names]))
    ys = jnp.asarray(np.stack([data[k][1] for k in names]))
    keys = jax.random.split(jax.random.PRNGKey(seed + 4), 2 * len(names))
    rnn_p = jax.vmap(lambda k: rnn_init(k, 16))(keys[: len(names)])
    att_p = jax.vmap(lambda k: attention_init(k, 1, 8, 8, 8, 16, tau=E4_TAU))(keys[len(names):])

    def fitted_mse(loss: Loss, params: Any) -> jax.Array:
        mse = compiled("jl24.trained.e4_mse", loss, lambda f, _: jax.vmap(f))
        return mse(_fit_batch(loss, params, (xs, ys), E4_ADAM, steps, 1e-2), xs, ys)

    rnn_mse = fitted_mse(_e4_rnn_mse, rnn_p)
    att_mse = fitted_mse(_e4_attention_mse, att_p)
    return {"rnn": dict(zip(names, map(float, rnn_mse))), "transformer": dict(zip(names, map(float, att_mse)))}


E4_FACTOR = 3.0  # "affected" means the altered MSE exceeds the original by this factor; "unaffected" that it does not
E4_FIT = 1e-6  # an MSE below this counts as an exact fit (the paper's RNN sits at 1e-7): a ratio of two floors is noise


PAPER_E4_RATIOS = {"rnn": {"ordering": 3.57e-2 / 1.02e-7, "mixing": 1.58e-7 / 1.02e-7},
                   "transformer": {"ordering": 2.51e-5 / 2.18e-5, "mixing": 2.39e-4 / 2.18e-5}}
E4_EXPECTED = {"rnn": {"ordering": True, "mixing": False}, "transformer": {"ordering": False, "mixing": True}}


def _e4_directions(ctx: CheckContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """Budget, 'affected' per model and alteration, and the evidence shared by the two Table 2 claims."""
    steps = _check_steps(ctx.budget_or(E4_STEPS))
    mse = e4_errors(ctx.seed, steps)
    ratio = {m: {a: mse[m][a] / mse[m]["original"] for a in ("ordering", "mixing", "mixing_causal")} for m in mse}
    affected = {m: {a: ratio[m][a] > E4_FACTOR and mse[m][a] > E4_FIT for a in ratio[m]} for m in ratio}
    evidence = {"mse": mse, "altered_over_original": ratio, "affected": affected,
                "paper_altered_over_original": PAPER_E4_RATIOS}
    budget = {"lbfgs_iterations": steps, "adam_warm_start": E4_ADAM, "seed": ctx.seed,
              "scaled": {k: {"paper": v[0], "here": v[1]} for k, v in E4_SCALE.items()}}
    return affected, {"budget": budget, "evidence": evidence}


E4_AFFECTED = (f"'affected' = altered / original MSE > {E4_FACTOR} and altered MSE > {E4_FIT:g}")


def _verify_e4(ctx: CheckContext) -> Outcome:
    affected, shared = _e4_directions(ctx)
    match = {f"{m}/{a}": affected[m][a] == E4_EXPECTED[m][a] for m in E4_EXPECTED for a in E4_EXPECTED[m]}
    # the causal reading of mixing is evidence only: this claim follows the card's (printed) definition
    causal = {f"{m}/mixing_causal": affected[m]["mixing_causal"] == E4_EXPECTED[m]["mixing"] for m in E4_EXPECTED}
    checked = ("Table 2 at small scale: training MSE of a linear RNN and of eq. (5) with positional encoding on "
               f"H_t = sum e^-s x(t-s) and its ordering and mixing alterations; {E4_AFFECTED}; "
               "the paper's pattern: RNN affected by ordering only, Transformer by mixing only")
    evidence = {**shared["evidence"], "direction_matches_paper": match, "direction_matches_paper_causal_mixing": causal}
    return Outcome(Status.SUPPORTED if all(match.values()) else Status.INCONCLUSIVE, TRAINED,
                   checked, shared["budget"], evidence)


def _verify_e4_rnn(ctx: CheckContext) -> Outcome:
    affected, shared = _e4_directions(ctx)
    rnn = affected["rnn"]
    ok = rnn["ordering"] and not rnn["mixing_causal"]
    checked = ("Table 2's RNN half at small scale: the linear RNN (hidden 16, float64 L-BFGS) is affected by ordering "
               f"and not by mixing read causally, (theta * x)[t] = sum_s theta(s) x(t-s); {E4_AFFECTED}. Mixing as "
               "printed reads x(t+s), which no causal model can fit: its MSE is recorded, and the paper's RNN result "
               "(1.58e-7) is only possible under the causal reading")
    return Outcome(Status.SUPPORTED if ok else Status.INCONCLUSIVE, TRAINED, checked, shared["budget"],
                   {**shared["evidence"], "rnn_mixing_as_printed_mse": shared["evidence"]["mse"]["rnn"]["mixing"]})


def claims() -> list:
    common = {"default_budget": E1_STEPS, "budget_unit": "L-BFGS iterations per m_h", "location": "App. B.2, Fig. 5; settings App. C",
              "cost": "slow", "shares": "JL24.E1.trained"}
    e4 = {"default_budget": E4_STEPS, "budget_unit": "L-BFGS iterations", "cost": "slow", "shares": "JL24.E4.trained"}
    return [
        claim("JL24.E1", Scope.EXPERIMENT, "trained_plateau",
              "trained single-layer error stops decreasing once m_h >= rank r (finite r = 2, 6)", _verify_plateau, **common),
        claim("JL24.E1", Scope.EXPERIMENT, "trained_rank_order",
              "for fixed m_h the trained error increases with the target's rank", _verify_rank_order, **common),
        claim("JL24.E1", Scope.EXPERIMENT, "trained_slopes",
              "for r = oo the trained error decays in m_h, faster for sigma_k = k^-1 than for k^-0.55 (reference m_h^-(2 alpha - 1))",
              _verify_slopes, **common),
        claim("JL24.E4", Scope.EXPERIMENT, "ordering_mixing_directions",
              "ordering alters the RNN's error but not the Transformer's; mixing alters the Transformer's but not the RNN's",
              _verify_e4, location="Sec. 6.2, Table 2; App. C", **e4),
        claim("JL24.E4", Scope.EXPERIMENT, "rnn_directions",
              "ordering alters the linear RNN's error and (causal) mixing does not",
              _verify_e4_rnn, location="Sec. 6.2, Table 2; App. C (mixing read causally: card §8)",
              provenance=Provenance.RECONSTRUCTED, **e4),
    ]
