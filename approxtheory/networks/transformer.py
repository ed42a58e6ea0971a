"""The reconstructed transformer T_sigma of GYZ26.def.transformer, as a pytree of arrays.

k tokens of width D. Block l is an FFN sublayer then an attention sublayer, each residual:
  FFN:        X <- X + ReLU(X W1^T + b1) W2^T + b2                     (same weights per token)
  attention:  X_i <- X_i + sum_u (sum_j sigma(s_i.)_j v_j) o_u,  s_ij = q_i kappa_j,
              q_i = <X_i, a_u>, kappa_j = <X_j, b_u>, v_j = <X_j, c_u>   (m_l one-dimensional heads)
sigma is hardmax (uniform over the argmax set) for beta=None, else softmax(beta s).
The embedding is X0 = ones(k) x^T E^T + C (x copied onto every token, plus fixed token codes),
and the readout is A X0_final[0] + c (token 0; with the card's weights all tokens agree).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..core import ApproxTheoryError
from ..numerics import TraceCounter, x64

TRACES = TraceCounter()


class Block(NamedTuple):
    w1: np.ndarray  # (w, D)
    b1: np.ndarray  # (w,)
    w2: np.ndarray  # (D, w)
    b2: np.ndarray  # (D,)
    query: np.ndarray  # (heads, D): a_u
    key: np.ndarray  # (heads, D): b_u
    value: np.ndarray  # (heads, D): c_u
    out: np.ndarray  # (heads, D): o_u


class Transformer(NamedTuple):
    embed: np.ndarray  # (D, d): E
    codes: np.ndarray  # (k, D): C
    blocks: tuple[Block, ...]
    readout_weight: np.ndarray  # (q, D)
    readout_bias: np.ndarray  # (q,)

    @property
    def tokens(self) -> int:
        return self.codes.shape[0]

    @property
    def width(self) -> int:
        return self.codes.shape[1]

    @property
    def input_dim(self) -> int:
        return self.embed.shape[1]


def _hardmax(s: jax.Array) -> jax.Array:
    # Uniform over the argmax set; exact ties matter (GYZ26.def.transformer: tied tokens carry equal values).
    top = s == jnp.max(s, axis=-1, keepdims=True)
    return top / jnp.sum(top, axis=-1, keepdims=True)


def _embed(t: Transformer, x: jax.Array) -> jax.Array:
    return jnp.ones((t.codes.shape[0], 1)) * (t.embed @ x)[None, :] + t.codes


def _block(blk: Block, X: jax.Array, beta: jax.Array | None) -> jax.Array:
    """One block: residual FFN, then residual attention with one-dimensional heads."""
    X = X + jax.nn.relu(X @ blk.w1.T + blk.b1) @ blk.w2.T + blk.b2
    q, kappa, v = X @ blk.query.T, X @ blk.key.T, X @ blk.value.T  # (k, heads) each
    s = q.T[:, :, None] * kappa.T[:, None, :]  # (heads, k_i, k_j)
    p = _hardmax(s) if beta is None else jax.nn.softmax(beta * s, axis=-1)
    return X + jnp.einsum("hij,jh->ih", p, v) @ blk.out


def _forward(t: Transformer, x: jax.Array, beta: jax.Array | None) -> jax.Array:
    TRACES.tick()
    X = _embed(t, x)
    for blk in t.blocks:
        X = _block(blk, X, beta)
    return t.readout_weight @ X[0] + t.readout_bias


_hard = jax.jit(jax.vmap(lambda t, x: _forward(t, x, None), in_axes=(None, 0)))
_soft = jax.jit(jax.vmap(lambda t, x, b: _forward(t, x, b), in_axes=(None, 0, None)))

#: Smallest padded sizes (see :func:`padded_to_envelope`): GYZ26's random networks (width <= 13, input dim <= 3,
#: FFN width <= 48, heads <= 4, depth <= 3) then share one compiled forward per token count.
ENVELOPE_FLOOR = {"width": 16, "input_dim": 4, "ffn": 64, "heads": 4, "blocks": 4}


def _envelope(size: int, floor: int) -> int:
    return max(floor, 1 << max(size - 1, 0).bit_length())


def _zero_padded(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    out = np.zeros(shape)
    out[tuple(slice(0, n) for n in a.shape)] = a
    return out


def padded_to_envelope(t: Transformer) -> Transformer:
    """``t`` padded to power-of-two sizes (at least :data:`ENVELOPE_FLOOR`) with zero coordinates, zero FFN units,
    zero heads and zero blocks, so that networks of one token count share a compiled program instead of compiling
    one each. In exact arithmetic it is the same map (every added term is an exact zero: relu(0) = 0, a zero head
    adds uniform weights times zero values, a zero block is the identity); a float forward may round differently
    only where the compiler orders a sum differently."""
    D = _envelope(t.width, ENVELOPE_FLOOR["width"])
    d = _envelope(t.input_dim, ENVELOPE_FLOOR["input_dim"])
    w = _envelope(max([b.w1.shape[0] for b in t.blocks], default=1), ENVELOPE_FLOOR["ffn"])
    h = _envelope(max([b.query.shape[0] for b in t.blocks], default=1), ENVELOPE_FLOOR["heads"])
    depth = _envelope(len(t.blocks), ENVELOPE_FLOOR["blocks"])
    zero = Block(np.zeros((w, D)), np.zeros(w), np.zeros((D, w)), np.zeros(D), *(np.zeros((h, D)),) * 4)
    blocks = [Block(_zero_padded(b.w1, (w, D)), _zero_padded(b.b1, (w,)), _zero_padded(b.w2, (D, w)),
                    _zero_padded(b.b2, (D,)), *(_zero_padded(m, (h, D)) for m in (b.query, b.key, b.value, b.out)))
              for b in t.blocks]
    return Transformer(_zero_padded(t.embed, (D, d)), _zero_padded(t.codes, (t.tokens, D)),
                       tuple(blocks + [zero] * (depth - len(blocks))),
                       _zero_padded(t.readout_weight, (t.readout_weight.shape[0], D)), np.asarray(t.readout_bias, dtype=np.float64))


def _as_jax(t: Transformer) -> Transformer:
    return jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype=jnp.float64), t)


@x64
def apply(t: Transformer, x: np.ndarray, beta: float | None = None) -> np.ndarray:
    """T_inf(x) (hardmax, ``beta=None``) or T_beta(x) for a batch x of shape (batch, d), float64; evaluated on
    :func:`padded_to_envelope` of ``t``, so the compiled program depends on the token count and the padded sizes."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != t.input_dim:
        # checked here: the padded envelope would take a narrower or wider x without complaint
        raise ApproxTheoryError(f"inputs must have shape (batch, {t.input_dim}) for this transformer, got {x.shape}",
                                "pass one row per input point, with the network's input dimension")
    if not np.all(np.isfinite(x)) or (beta is not None and not np.isfinite(beta)):
        raise ApproxTheoryError("inputs and beta must be finite numbers", "drop the NaN or infinite entries")
    padded = _as_jax(padded_to_envelope(t))
    x = jnp.asarray(_zero_padded(x, (x.shape[0], padded.input_dim)))
    out = _hard(padded, x) if beta is None else _soft(padded, x, jnp.float64(beta))
    return np.asarray(out)


@x64
def token_states(t: Transformer, x: np.ndarray, beta: float | None = None) -> list[np.ndarray]:
    """Every token's state after the embedding and after each block, for one input x of shape (d,)."""
    tj = _as_jax(t)
    X = _embed(tj, jnp.asarray(x, dtype=jnp.float64))
    states = [np.asarray(X)]
    for blk in tj.blocks:
        X = _block(blk, X, None if beta is None else jnp.float64(beta))
        states.append(np.asarray(X))
    return states
