"""flax.nnx Modules: split into parameters (``nnx.Param``) and the rest, merged back for each call.

A constructed nnx module holds its own arrays and fixed widths (``in_features``): it is checked
against d, and, since its initialisers cannot be re-run, its parameters are drawn by the normal law
unless a factory ``make(d, rngs)`` is given (``factory.py``). The non-parameter state (RNG streams,
caches) is held fixed from the build.
"""

from __future__ import annotations

from typing import Any

import jax

from ..protocol import Params
from .base import Built, instance_of, self_args
from .instances import InstanceBackend


def is_nnx(obj: Any) -> bool:
    """A flax.nnx Module instance."""
    return instance_of(obj, "flax.nnx", "Module")


class NnxBackend(InstanceBackend):
    library = "flax.nnx"
    width_names = ("in_features",)
    owns = staticmethod(is_nnx)

    def split(self, module: Any) -> Built:
        from flax import nnx

        graphdef, params, rest = nnx.split(module, nnx.Param, ...)
        return Built(params, (graphdef, rest))

    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        from flax import nnx

        graphdef, rest = structure
        return nnx.merge(graphdef, params, rest)(*self_args(self.call, x, kwargs), **kwargs)
