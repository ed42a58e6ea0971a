"""Working precision of an attention and the tolerances derived from it (card CLSL25 §6 numerics).

A mechanism may compute in float32 or bfloat16 even when it returns float64 (flax.nnx's default attention
runs its softmax in float32 inside ``jax.nn.dot_product_attention``), so the dtypes are read off every
equation of its jaxpr, control-flow bodies included; the working precision is the coarsest of them.
Only rounded results count: arithmetic rounds where it produces a value, but moving, indexing or widening
a value does not, so bfloat16 parameters that a module gathers or widens to float32 before computing (flax
``param_dtype=bfloat16, dtype=float32``, a bias table) leave the working precision at float32.

The noise floor is measured, not assumed: apply is evaluated at sampled (theta, X) and again with every
parameter entry and every input entry moved by one relative rounding unit of the working precision
(x -> x (1 + eps u), u = +-1). Rounding to that precision moves the inputs that much anyway, so the change
of the output is the size of the noise any two evaluation orders of the same value can show:

    floor = max over draws of max |g(theta', X') - g(theta, X)| / (1 + max |g(theta, X)|),

never below eps(working). That is the unit of every comparison the conditions make (the battery's sep and
the symmetry error have the same ``1 + |.|`` normalisation); each tolerance is the floor times a stated
margin, so noise can neither pass as separation nor break a symmetry, and the dependency graph's relative
threshold is the floor's relative twin (relative to the largest Jacobian block of each draw).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.core import ClosedJaxpr, Jaxpr

from ..attention import ValidatedAttention
from ..numerics import TraceCounter, x64
from ._compiled import compiled
from ._draws import PARAM_NOISE, draw_params, general_position_inputs, input_rng
from ._signs import rademacher

# Margins over the measured floor, per use. Symmetry and the softmax max-shift compare two evaluation orders
# of one value in one layer; separation compares values carried through up to SEPARATION_DEPTHS layers,
# whose noise compounds; a dependency is an exactly-zero Jacobian block against a nonzero one.
MARGINS = {"equivariance": 100.0, "shift": 1000.0, "separation": 1000.0, "dependency": 10.0}
PROBE_DRAWS = 3
PROBE_SCALES = (0.1, 1.0, 3.0)
# Above this floor the margins put the separation tolerance above 0.1 and the symmetry tolerance above 0.01 of
# 1 + |g|: real differences would pass as noise, so nothing is decided (float16 and bfloat16 arithmetic, eps
# 1e-3 and 8e-3, are always above it; float32 floors measure 1e-7 to 1e-5).
DECIDABLE_FLOOR = 1e-4


@dataclass(frozen=True)
class Precision:
    """The dtypes a mechanism computes in, its measured noise floor, and the tolerances derived from it."""

    dtypes: tuple[str, ...]
    working: str
    eps: float
    measured: float
    floor: float
    tolerances: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"dtypes": list(self.dtypes), "working": self.working, "eps": self.eps,
                "measured_noise": self.measured, "noise_floor": self.floor, "margins": dict(MARGINS),
                "tolerances": dict(self.tolerances), "decidable": self.decidable, "decidable_floor": DECIDABLE_FLOOR,
                "rule": "tolerance = margin x max(eps(working), measured change of g under a one-ulp relative "
                        "perturbation of every parameter and input) / (1 + max|g|)"}

    @property
    def decidable(self) -> bool:
        """Whether the tolerances are narrow enough to tell a real difference from noise (:data:`DECIDABLE_FLOOR`)."""
        return self.floor <= DECIDABLE_FLOOR

    def describe(self) -> str:
        others = [t for t in self.dtypes if t != self.working]
        inside = f" (also {', '.join(others)})" if others else ""
        tol = ", ".join(f"{k} {v:.2g}" for k, v in self.tolerances.items())
        return f"working precision {self.working}{inside}, noise floor {self.floor:.2g}; tolerances: {tol}"


def _bodies(value: Any) -> Iterator[Jaxpr]:
    if isinstance(value, ClosedJaxpr):
        yield value.jaxpr
    elif isinstance(value, Jaxpr):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _bodies(v)


def _floating(aval: Any) -> str | None:
    dtype = getattr(aval, "dtype", None)
    return str(np.dtype(dtype)) if dtype is not None and jnp.issubdtype(dtype, jnp.floating) else None


# Primitives whose results are entries of their operands, unrounded: copies, moves, selections, sign flips.
EXACT_PRIMITIVES = frozenset({
    "broadcast_in_dim", "concatenate", "copy", "copy_p", "dynamic_slice", "dynamic_update_slice", "expand_dims",
    "gather", "pad", "reshape", "rev", "scatter", "select_n", "slice", "squeeze", "transpose", "neg", "abs", "max",
    "min", "stop_gradient", "reduce_max", "reduce_min", "sort", "argmax", "argmin"})


def _rounds(eqn: Any) -> bool:
    """Whether ``eqn`` may round its floating results (a widening conversion is exact)."""
    if eqn.primitive.name in EXACT_PRIMITIVES:
        return False
    if eqn.primitive.name == "convert_element_type":
        source, target = _floating(eqn.invars[0].aval), _floating(eqn.outvars[0].aval)
        return source is None or target is None or float(jnp.finfo(target).eps) > float(jnp.finfo(source).eps)
    return True


def computed_dtypes(jaxpr: ClosedJaxpr | Jaxpr) -> tuple[str, ...]:
    """Every floating dtype that an equation of ``jaxpr`` (or of a body inside it) rounds a result to."""
    seen: set[str] = set()
    stack = [jaxpr.jaxpr if isinstance(jaxpr, ClosedJaxpr) else jaxpr]
    while stack:
        j = stack.pop()
        for eqn in j.eqns:
            bodies = [body for value in eqn.params.values() for body in _bodies(value)]
            stack.extend(bodies)
            if bodies or not _rounds(eqn):  # a call or loop rounds inside its bodies, read on their own
                continue
            seen.update(name for name in map(_floating, (v.aval for v in eqn.outvars)) if name)
    return tuple(sorted(seen, key=lambda t: float(jnp.finfo(t).eps)))


def _coarsest(dtypes: Sequence[str]) -> str:
    return max(dtypes, key=lambda t: float(jnp.finfo(t).eps)) if dtypes else "float64"


def _probe(apply: Any, counter: TraceCounter) -> Any:
    """noise[draw, input]: the change of g under a one-ulp relative perturbation, in the 1 + |g| unit."""

    def one(p: Any, q: Any, X: jax.Array, Xq: jax.Array) -> jax.Array:
        counter.tick()
        a, b = apply(p, X), apply(q, Xq)
        err = jnp.max(jnp.abs(b.astype(jnp.float64) - a.astype(jnp.float64))) / (1.0 + jnp.max(jnp.abs(a)))
        return jnp.where(jnp.isfinite(err), err, jnp.nan)

    per_input = jax.vmap(one, in_axes=(None, None, 0, 0))
    # ids carries the draw axis, also for a mechanism without parameters
    return jax.vmap(lambda p, q, _, X, Xq: per_input(p, q, X, Xq), in_axes=(0, 0, 0, None, None))


def _nudge(tree: Any, eps: float, key: jax.Array) -> Any:
    """Every entry times (1 + eps u), u = +-1 (jax.random.rademacher's signs), in the entry's own dtype.

    NumPy, operation by operation as eager JAX did it (same values), without an XLA compilation per leaf shape."""
    leaves, structure = jax.tree_util.tree_flatten(tree)
    out = []
    for index, leaf in enumerate(leaves):
        leaf = np.asarray(leaf)
        u = rademacher(jax.random.fold_in(key, index), leaf.shape, leaf.dtype)
        out.append(leaf * (1 + np.asarray(eps, leaf.dtype) * u))
    return jax.tree_util.tree_unflatten(structure, out)


def nominal_precision(va: ValidatedAttention) -> Precision:
    """The fallback when apply cannot be probed: floor = eps(working), nothing measured (NaN)."""
    dtypes = computed_dtypes(va.jaxpr) or ("float64",)
    working = _coarsest(dtypes)
    eps = float(jnp.finfo(working).eps)
    return Precision(dtypes, working, eps, float("nan"), eps, {k: m * eps for k, m in MARGINS.items()})


@x64
def measure_precision(va: ValidatedAttention, seed: int = 0, noise: float = PARAM_NOISE,
                      scales: Sequence[float] = PROBE_SCALES) -> Precision:
    """The working precision of ``va`` (from its jaxpr) and its measured noise floor at draws over ``scales``."""
    nominal = nominal_precision(va)
    eps = nominal.eps
    draws = draw_params(va, seed, "precision", PROBE_DRAWS, layers=1, scales=scales, noise=noise).layer(0)
    X = general_position_inputs(input_rng(seed, "precision"), 2, va.n, va.d)
    key = jax.random.fold_in(jax.random.key(seed), 9)
    nudged = _nudge(draws, eps, key)
    Xq = X * (1 + eps * rademacher(jax.random.fold_in(key, 2**31), X.shape, X.dtype))
    err = np.asarray(compiled("precision", va.attention.apply, _probe)(draws, nudged, np.arange(PROBE_DRAWS * len(scales)), X, Xq))
    finite = err[np.isfinite(err)]
    measured = float(finite.max()) if finite.size else float("nan")
    floor = max(eps, measured) if finite.size else eps
    return Precision(nominal.dtypes, nominal.working, eps, measured, floor, {k: m * floor for k, m in MARGINS.items()})
