"""A plain attention function ``attn(q, k, v)``: the toolkit supplies the projections W_Q, W_K, W_V, W_O.

The block is ``attn(X W_Q, X W_K, X W_V) W_O``, with each W a (d, d) parameter drawn N(0, 1/d) in
the working dtype (float32 unless the ``dtype`` option says float64). q, k and v are (n, d), one
token per row, or (1, n, d) when the function rejects unbatched input. Other layouts are not
guessed, since shapes alone cannot tell them apart (``jax.nn.dot_product_attention`` accepts an
(n, d) array as n heads of one token): such a function reshapes itself, e.g.
``jax.nn.dot_product_attention(q[:, None], k[:, None], v[:, None])[:, 0]``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from ..protocol import Params
from .base import Backend, Built

PROJECTIONS = ("W_Q", "W_K", "W_V", "W_O")


def takes_qkv(obj: Any) -> bool:
    """A function (not a class) that can be called with three positional arguments q, k, v."""
    if isinstance(obj, type) or not callable(obj):
        return False
    try:
        inspect.signature(obj).bind(None, None, None)
    except (TypeError, ValueError):
        return False
    return True


class FunctionBackend(Backend):
    library = "attn(q, k, v) function"

    def __init__(self, fn: Callable[..., Any], name: str) -> None:
        self.fn = fn
        self.name = name

    @property
    def call(self) -> Callable[..., Any]:
        return self.fn

    def build(self, key: jax.Array, x: jax.Array, kwargs: dict[str, Any]) -> Built:
        d = x.shape[-1]
        keys = jax.random.split(key, len(PROJECTIONS))
        params = {name: jax.random.normal(k, (d, d), dtype=x.dtype) / jnp.sqrt(d).astype(x.dtype)
                  for name, k in zip(PROJECTIONS, keys, strict=True)}
        return Built(params, None)

    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        q, k, v = (x @ params[name] for name in PROJECTIONS[:3])
        return self.fn(q, k, v, **kwargs) @ params["W_O"]
