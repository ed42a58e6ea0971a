"""Nonlinear affine invariance of the token-wise family (CLSL25.def.affine_invariance, predicate P_ffn).

The family is h(x) = W2 act(W1 x + b1) + b2 of any width. (1) Structure: W h(A x - b) is again in the family,
with weights (W W2, W1 A, b1 - W1 b, W b2); checked numerically on random weights, together with act acting
entrywise. (2) Non-affinity: act(z + u) + act(z - u) - 2 act(z) != 0 somewhere on a grid. (3) Lipschitz
evidence: difference quotients on sampled pairs stay bounded as the sampling range grows (evidence only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..core import ApproxTheoryError, ConditionResult, ConditionStatus
from ..numerics import x64
from ._draws import input_rng

CARD_IDS = ("CLSL25.def.affine_invariance", "CLSL25.thm1")
DEFAULT_ACTIVATION = "relu"
ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "relu": jax.nn.relu,
    "gelu": jax.nn.gelu,
    "tanh": jnp.tanh,
    "sigmoid": jax.nn.sigmoid,
    "identity": lambda z: z,
}
NONAFFINE_TOLERANCE = 1e-9
RANGES = (1.0, 10.0, 100.0, 1000.0)
LIPSCHITZ_GROWTH = 4.0  # quotients may grow this much from range 1 to range 1000 and still count as bounded


def _activation(activation: str | Callable[[jax.Array], jax.Array] | None) -> tuple[str, Callable[[jax.Array], jax.Array]]:
    if activation is None:
        activation = DEFAULT_ACTIVATION
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ApproxTheoryError(f"unknown activation {activation!r}",
                                    f"choose one of {', '.join(ACTIVATIONS)} or pass a callable acting entrywise")
        return activation, ACTIVATIONS[activation]
    if not callable(activation):
        raise ApproxTheoryError(f"the activation {activation!r} is not callable",
                                "pass a name or a function act(z) acting entrywise on a jax array")
    return getattr(activation, "__name__", "custom"), activation


def _call(act: Callable[[jax.Array], jax.Array], z: np.ndarray) -> np.ndarray:
    try:
        out = np.asarray(act(jnp.asarray(z)), dtype=float)
    except Exception as err:  # noqa: BLE001  (the user's activation: any failure becomes one clear error)
        raise ApproxTheoryError(f"the activation raised {type(err).__name__}: {err}",
                                "an activation must map a float array to a float array of the same shape") from None
    if out.shape != z.shape:
        raise ApproxTheoryError(f"the activation maps shape {z.shape} to {out.shape}",
                                "an activation acts entrywise and keeps the shape")
    return out


@x64
def check_ffn(activation: str | Callable[[jax.Array], jax.Array] | None = None, *, d: int, seed: int = 0,
              width: int = 8) -> ConditionResult:
    """P_ffn for the MLP family with ``activation`` (default: the toolkit's ReLU MLP)."""
    name, act = _activation(activation)
    rng = input_rng(seed, "ffn")
    evidence: dict[str, Any] = {"card_ids": list(CARD_IDS), "family": f"h(x) = W2 {name}(W1 x + b1) + b2, any width",
                                "activation": name}

    # (1) structure: entrywise action and the closure identity W h(A x - b) = h'(x).
    z = rng.standard_normal((4, 3))
    entrywise = np.max(np.abs(_call(act, z) - np.vectorize(lambda v: float(_call(act, np.array([v]))[0]))(z)))
    W1, b1, W2, b2 = rng.standard_normal((width, d)), rng.standard_normal(width), rng.standard_normal((d, width)), rng.standard_normal(d)
    W, A, b, x = rng.standard_normal((d, d)), rng.standard_normal((d, d)), rng.standard_normal(d), rng.standard_normal(d)
    h = lambda v, w1, c1, w2, c2: w2 @ _call(act, w1 @ v + c1) + c2
    lhs = W @ h(A @ x - b, W1, b1, W2, b2)
    rhs = h(x, W1 @ A, b1 - W1 @ b, W @ W2, W @ b2)
    closure = float(np.max(np.abs(lhs - rhs)) / (1 + np.max(np.abs(lhs))))
    evidence.update(entrywise_error=float(entrywise), closure_error=closure)
    if not (entrywise <= 1e-12 and closure <= 1e-9):
        return ConditionResult("ffn", ConditionStatus.FAILS,
                               f"{name} does not act entrywise (error {entrywise:.3g}) or the family is not closed "
                               f"under affine maps (error {closure:.3g})", evidence)

    # (2) non-affinity by the second difference.
    zs = np.linspace(-3.0, 3.0, 61)
    best = (0.0, 0.0, 0.0)
    for u in (0.5, 1.0, 2.0):
        second = _call(act, zs + u) + _call(act, zs - u) - 2 * _call(act, zs)
        k = int(np.nanargmax(np.abs(second)))
        if abs(second[k]) > abs(best[2]):
            best = (float(zs[k]), u, float(second[k]))
    evidence["second_difference"] = {"z": best[0], "u": best[1], "value": best[2]}
    if not abs(best[2]) > NONAFFINE_TOLERANCE:
        return ConditionResult("ffn", ConditionStatus.FAILS,
                               f"{name} is affine on the sampled grid (all second differences <= {NONAFFINE_TOLERANCE:g}): "
                               "the family holds only affine maps, so Definition 2 fails", evidence)

    # (3) Lipschitz evidence: the largest difference quotient per sampling range.
    quotients = []
    for R in RANGES:
        a, c = rng.uniform(-R, R, 2000), rng.uniform(-R, R, 2000)
        with np.errstate(all="ignore"):
            q = np.abs(_call(act, a) - _call(act, c)) / np.abs(a - c)
        quotients.append(float(np.max(q)) if np.all(np.isfinite(q)) else float("inf"))
    evidence["difference_quotients"] = dict(zip([str(r) for r in RANGES], quotients))
    if not quotients[-1] <= LIPSCHITZ_GROWTH * max(quotients[0], 1e-12):
        return ConditionResult("ffn", ConditionStatus.FAILS,
                               f"difference quotients of {name} grow from {quotients[0]:.3g} (range 1) to "
                               f"{quotients[-1]:.3g} (range 1000): not Lipschitz, outside the class of Definition 2 (evidence)",
                               evidence)
    return ConditionResult(
        "ffn", ConditionStatus.HOLDS,
        f"{name} MLPs are affine invariant (closure error {closure:.1g}), non-affine (second difference "
        f"{best[2]:.3g} at z={best[0]:g}, u={best[1]:g}) and Lipschitz on the evidence (quotients <= {max(quotients):.3g})",
        evidence,
    )
