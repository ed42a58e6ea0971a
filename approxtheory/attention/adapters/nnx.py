"""flax.nnx Modules: split into parameters (``nnx.Param``) and the rest, merged back for each call.

A constructed nnx module holds its own arrays and fixed widths (``in_features``): it is checked
against d, and, since its initialisers cannot be re-run, its parameters are drawn by the normal law
unless a factory ``make(d, rngs)`` is given (``factory.py``). The non-parameter state (RNG streams,
caches) is held fixed from the build.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from ..protocol import Params
from .base import Backend, Built, self_args
from .instances import declared_width


def is_nnx(obj: Any) -> bool:
    """A flax.nnx Module instance (checked without importing flax when it is not loaded)."""
    from sys import modules

    nnx = modules.get("flax.nnx")
    return nnx is not None and isinstance(obj, nnx.Module)


class NnxBackend(Backend):
    library = "flax.nnx"
    can_init = False

    def __init__(self, module: Any) -> None:
        from flax import nnx

        self.module = module
        self.name = type(module).__name__
        graphdef, params, rest = nnx.split(module, nnx.Param, ...)
        self._built = Built(params, (graphdef, rest))

    @property
    def call(self) -> Callable[..., Any]:
        return type(self.module).__call__

    def build(self, key: jax.Array, x: jax.Array, kwargs: dict[str, Any]) -> Built:
        return self._built  # a constructed module: its own parameters, whatever the key

    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        from flax import nnx

        graphdef, rest = structure
        return nnx.merge(graphdef, params, rest)(*self_args(self.call, x), **kwargs)

    def declared_width(self) -> int | None:
        return declared_width(self.module, ("in_features",), is_nnx)
