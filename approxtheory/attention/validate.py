"""Run a user's attention once and turn every way it can be wrong into one clear ApproxTheoryError.

Untraceable code is an error, not a slower path: the checker batches parameter draws with
vmap and jit and audits analyticity on the traced jaxpr (CLSL25 §6), and neither exists for
code JAX cannot trace. The message names the construct and the user's line, and suggests jnp.

Non-finite outputs are counted per parameter draw (CLSL25 §6 numerics: skipped, never
failures); only an attention whose every draw is non-finite is rejected. Only ``init`` runs
eagerly; ``apply`` is traced once and then evaluated jitted, never op by op.

A library module is adapted first (``approxtheory.attention.adapters``); an attention whose apply
returns ``X`` exactly at all-zero parameters includes its own residual and is validated with it
stripped. The notes an attention carries (how an adapter called it) become warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..core import ApproxTheoryError
from ..numerics import TraceCounter, compiled, x64
from .frames import describe_exception, describe_frame, user_frame
from .adapters.residual import WithoutResidual, returns_input
from .loader import check_attention
from .protocol import FAMILIES, Attention, Kernel, Metadata, Params, metadata

N_RANGE = (2, 128)
D_RANGE = (1, 64)
DRAWS = 8  # parameter draws evaluated by validate; enough to tell "some" from "all" non-finite

BatchedApply = Callable[[Params, jax.Array], jax.Array]


@dataclass(frozen=True)
class ValidatedAttention:
    """An attention that ran cleanly at (n, d), with what the checker needs from that run.

    ``params`` is the first draw with a finite output (NumPy arrays, safe outside the x64
    context), ``X`` the input it ran on, ``jaxpr`` the traced ``apply(params, X)``;
    ``zero_params`` is theta_0 (declared, or all-zero parameters when those give apply == 0;
    else None); ``nonfinite_draws`` counts draws out of ``draws``.
    """

    attention: Attention
    meta: Metadata
    n: int
    d: int
    seed: int
    params: Params
    X: np.ndarray
    output: np.ndarray
    jaxpr: Any  # jax.extend.core.ClosedJaxpr of apply(params, X)
    zero_params: Params | None
    pattern: np.ndarray | None
    draws: int
    nonfinite_draws: int
    warnings: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def kernel(self) -> Kernel | None:
        return self.meta.kernel


def check_size(n: Any, d: Any) -> None:
    """n in N_RANGE and d in D_RANGE, as Python integers."""
    for label, value, (lo, hi) in (("n (tokens)", n, N_RANGE), ("d (token dimension)", d, D_RANGE)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
            raise ApproxTheoryError(f"{label} = {value!r} is out of range", f"choose an integer in [{lo}, {hi}]")


@x64
def validate(attention: Any, n: int, d: int, seed: int = 0) -> ValidatedAttention:
    """Run init and apply at (n, d) with keys from ``seed``; return the run or raise one clear error."""
    check_size(n, d)
    attention = check_attention(attention, metadata(attention).name)
    meta = _checked_metadata(attention)
    n, d = int(n), int(d)
    keys = jax.random.split(jax.random.key(seed), DRAWS)
    first = _call_init(attention, keys[0], n, d)
    X = jnp.asarray(np.random.default_rng(seed).standard_normal((n, d)))
    jaxpr, out = _trace(attention, first, X, n, d)

    # One compiled evaluation: the draws plus the candidate theta_0 in the last slot.
    draws = [first, *(_call_init(attention, k, n, d) for k in keys[1:])]
    zero_candidate = _zero_candidate(meta, first)
    batch = _stack([*draws, zero_candidate])
    batched = compiled("validate", attention.apply, _batched)
    outputs, finite = evaluate_draws(batched, batch, jnp.broadcast_to(X, (DRAWS + 1, n, d)))
    outputs, finite, zero_output = outputs[:DRAWS], finite[:DRAWS], outputs[DRAWS]
    if not finite.any():
        raise ApproxTheoryError(
            f"apply returned non-finite values (NaN or inf) for all {DRAWS} parameter draws at n={n}, d={d}",
            "check divisions by a vanishing denominator and exponentials that overflow; a positive kernel keeps "
            "the normaliser positive",
        )
    best = int(np.argmax(finite))
    params = jax.tree_util.tree_map(lambda leaf: np.asarray(leaf[best]), batch)
    warnings = [f"{int((~finite).sum())} of {DRAWS} parameter draws gave non-finite outputs"] if not finite.all() else []
    if d == 1:
        warnings.append("d = 1: it is unknown whether CLSL25 assumes d >= 2 (card §2)")
    if out.dtype != jnp.float64:
        warnings.append(f"apply returns {out.dtype}, not float64: every tolerance comes from the noise floor measured "
                        "at this working precision (settings.precision)")
    if meta.zero_params is None and returns_input(zero_output, np.asarray(X)):
        return validate(WithoutResidual(attention), n, d, seed)
    zero, note = _zero_params(meta, jax.tree_util.tree_map(np.asarray, zero_candidate), zero_output)
    warnings += [note] if note else []
    warnings += list(getattr(attention, "notes", ()))
    return ValidatedAttention(
        attention=attention,
        meta=meta,
        n=n,
        d=d,
        seed=seed,
        params=params,
        X=np.asarray(X),
        output=outputs[best],
        jaxpr=jaxpr,
        zero_params=zero,
        pattern=_checked_pattern(meta, n),
        draws=DRAWS,
        nonfinite_draws=int((~finite).sum()),
        warnings=tuple(warnings),
    )


@x64
def sample_params(attention: Attention, n: int, d: int, key: jax.Array, count: int) -> Params:
    """``count`` parameter draws from init, stacked along a new leading axis (init is called eagerly)."""
    return _stack([_call_init(attention, k, n, d) for k in jax.random.split(key, count)])


def batched_apply(attention: Attention, counter: TraceCounter | None = None) -> BatchedApply:
    """``fn(params_batch, X_batch) -> Y_batch``: apply vmapped over a shared leading axis and jitted, in float64.

    Shapes are static, so each (n, d, batch) configuration compiles once; build the function
    once and reuse it. ``counter`` ticks on every trace (for tests).
    """
    return x64(jax.jit(_batched(attention.apply, counter)))


def _batched(apply: Callable[[Params, jax.Array], jax.Array], counter: TraceCounter | None) -> BatchedApply:
    def one(params: Params, X: jax.Array) -> jax.Array:
        if counter is not None:
            counter.tick()
        return apply(params, X)

    return jax.vmap(one)


def finite_mask(outputs: Any) -> np.ndarray:
    """True for each draw (leading axis) whose output is finite everywhere."""
    values = np.asarray(outputs)
    return np.isfinite(values).reshape(values.shape[0], -1).all(axis=1)


@x64
def evaluate_draws(batched: BatchedApply, params_batch: Params, X_batch: Any) -> tuple[np.ndarray, np.ndarray]:
    """Outputs of a batch of draws and their finite mask; non-finite draws are for counting, not failing."""
    outputs = np.asarray(batched(params_batch, jnp.asarray(X_batch)))
    return outputs, finite_mask(outputs)


def _checked_metadata(attention: Attention) -> Metadata:
    meta = metadata(attention)
    if meta.family is not None and meta.family not in FAMILIES:
        raise ApproxTheoryError(f"family {meta.family!r} is not one of {', '.join(FAMILIES)}", "drop it or pick one")
    if meta.kernel is not None and not isinstance(meta.kernel, Kernel):
        raise ApproxTheoryError("the kernel attribute is not an approxtheory.attention.Kernel", "wrap it: Kernel(name, fn, formula)")
    for attr in ("zero_params", "pattern"):
        value = getattr(meta, attr)
        if value is not None and not callable(value):
            raise ApproxTheoryError(f"{attr} is not callable", f"give {attr} as a function (see approxtheory.attention.Mechanism)")
    return meta


def _call_init(attention: Attention, key: jax.Array, n: int, d: int) -> Params:
    try:
        params = attention.init(key, n, d)
    except ApproxTheoryError:
        raise
    except Exception as exc:
        raise ApproxTheoryError(
            f"init raised {describe_exception(exc)}",
            f"fix init; it is called as init(key, n={n}, d={d}) with a JAX PRNG key",
        ) from None
    _check_params(params)
    return params


def _check_params(params: Params) -> None:
    for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
        where = jax.tree_util.keystr(path) or "params"
        if not isinstance(leaf, (jax.Array, np.ndarray)):
            raise ApproxTheoryError(
                f"init returned a non-array leaf at {where}: {type(leaf).__name__}",
                "params must be a pytree (dict, list, tuple) of arrays: wrap numbers in jnp.asarray; keep constants "
                "such as masks out of params and compute them inside apply",
            )
        if not jnp.issubdtype(leaf.dtype, jnp.floating):
            raise ApproxTheoryError(
                f"params leaf {where} has dtype {leaf.dtype}, not a real floating type",
                "use float64 arrays for parameters; keep integer or boolean constants out of params",
            )


def _check_output(out: Any, n: int, d: int) -> None:
    """Check apply's traced output (a ShapeDtypeStruct when apply returns one array)."""
    if not isinstance(out, jax.ShapeDtypeStruct):
        raise ApproxTheoryError(
            f"apply returned {type(out).__name__}, not an array",
            f"return only the updated tokens Y, an array of shape ({n}, {d}); the toolkit adds the residual",
        )
    if len(out.shape) != 2 or tuple(out.shape) != (n, d):
        raise ApproxTheoryError(
            f"apply returned shape {tuple(out.shape)} (ndim {len(out.shape)}); expected ({n}, {d}): one row per token",
            "return Y with the shape of X (do not add a batch axis or transpose tokens into columns)",
        )
    if not jnp.issubdtype(out.dtype, jnp.floating):
        raise ApproxTheoryError(f"apply returned dtype {out.dtype}; expected a real floating type", "return float64 values")


_UNTRACEABLE: tuple[tuple[type[BaseException], str, str], ...] = (
    (jax.errors.TracerBoolConversionError, "a Python if/while/and/or/bool() on a value computed from params or X",
     "use jnp.where or jax.lax.cond"),
    (jax.errors.TracerIntegerConversionError, "int(), range() or Python indexing with a value computed from params or X",
     "take sizes from X.shape and index with jnp operations"),
    (jax.errors.TracerArrayConversionError, "NumPy on a traced JAX value (an np.* function or np.asarray on params or X)",
     "use jax.numpy (jnp) instead of numpy inside apply"),
    (jax.errors.NonConcreteBooleanIndexError, "boolean-mask indexing whose size depends on the data",
     "use jnp.where with a mask instead of X[mask]"),
    (jax.errors.ConcretizationTypeError, "float(), .item() or a shape that needs a concrete value of params or X",
     "keep values as jnp arrays (use jnp operations instead of float()/.item())"),
)


def _trace(attention: Attention, params: Params, X: jax.Array, n: int, d: int) -> tuple[Any, jax.ShapeDtypeStruct]:
    """Trace apply once with jax.make_jaxpr: user exceptions, untraceable code and the output's type surface here."""
    try:
        jaxpr, out = jax.make_jaxpr(attention.apply, return_shape=True)(params, X)
    except (jax.errors.JAXTypeError, jax.errors.NonConcreteBooleanIndexError) as exc:
        construct, fix = next(
            ((c, f) for t, c, f in _UNTRACEABLE if isinstance(exc, t)), ("a construct JAX cannot trace", "use jnp")
        )
        raise ApproxTheoryError(
            f"apply cannot be traced by JAX: it uses {construct}\n  at {describe_frame(user_frame(exc))}",
            f"{fix}; the checker batches draws with jax.vmap/jax.jit and audits the traced primitives, so apply "
            "must be written in jax.numpy",
        ) from None
    except ApproxTheoryError:
        raise
    except Exception as exc:
        raise ApproxTheoryError(
            f"apply raised {describe_exception(exc)}",
            f"fix apply; it is called as apply(params, X) with params from init and X of shape ({n}, {d}), float64",
        ) from None
    _check_output(out, n, d)
    return jaxpr, out


def _stack(draws: list[Params]) -> Params:
    structures = {jax.tree_util.tree_structure(p) for p in draws}
    shapes = {tuple(np.shape(leaf) for leaf in jax.tree_util.tree_leaves(p)) for p in draws}
    if len(structures) > 1 or len(shapes) > 1:
        raise ApproxTheoryError(
            "init returned parameters of different structure or shape for different keys",
            "make the structure and shapes of params depend only on (n, d), not on the key",
        )
    # NumPy: an eager jnp.stack compiles once per leaf shape and draw count (issue 14)
    return jax.tree_util.tree_map(lambda *leaves: np.stack([np.asarray(leaf) for leaf in leaves]), *draws)


def _zero_candidate(meta: Metadata, params: Params) -> Params:
    """The declared theta_0 for ``params``, else all-zero parameters (checked after evaluation)."""
    if meta.zero_params is None:
        return jax.tree_util.tree_map(jnp.zeros_like, params)
    try:
        zero = meta.zero_params(params)
    except Exception as exc:
        raise ApproxTheoryError(f"zero_params raised {describe_exception(exc)}", "fix zero_params(params)") from None
    shapes = [tuple(np.shape(leaf)) for leaf in jax.tree_util.tree_leaves(params)]
    same = jax.tree_util.tree_structure(zero) == jax.tree_util.tree_structure(params)
    if not same or [tuple(np.shape(leaf)) for leaf in jax.tree_util.tree_leaves(zero)] != shapes:
        raise ApproxTheoryError(
            "zero_params(params) differs from params in structure or shapes", "return params with some leaves set to zero"
        )
    return zero


def _zero_params(meta: Metadata, zero: Params, Y: np.ndarray) -> tuple[Params | None, str | None]:
    """theta_0 with apply == 0 exactly (CLSL25.def.analytic_family (A3)): declared, else all-zero params if they work."""
    if np.all(Y == 0):
        return zero, None
    if meta.zero_params is None:
        return None, "no theta_0 found: all-zero parameters do not give apply == 0 (declare zero_params)"
    raise ApproxTheoryError(
        f"apply(zero_params(params), X) is not identically zero (max |Y| = {np.nanmax(np.abs(Y)):.3g})",
        "zero_params must return parameters with apply == 0 (e.g. a zero value matrix), or leave it out",
    )


def _checked_pattern(meta: Metadata, n: int) -> np.ndarray | None:
    if meta.pattern is None:
        return None
    try:
        mask = np.asarray(meta.pattern(n))
    except Exception as exc:
        raise ApproxTheoryError(f"pattern({n}) raised {describe_exception(exc)}", "fix pattern(n)") from None
    if mask.shape != (n, n) or mask.dtype != np.bool_:
        raise ApproxTheoryError(
            f"pattern({n}) gave {mask.dtype} of shape {mask.shape}; expected bool of shape ({n}, {n})",
            "return a boolean matrix with mask[i, j] True iff token i attends to token j",
        )
    empty = np.flatnonzero(~mask.any(axis=1))
    if empty.size:
        raise ApproxTheoryError(
            f"pattern({n}) has empty rows {empty.tolist()}: those tokens attend to nothing",
            "every N(i) must be non-empty (CLSL25.def.sparse_pattern); include i itself",
        )
    return mask
