"""equinox Modules: ``eqx.partition`` on inexact arrays gives the parameters, ``eqx.combine`` rebuilds the module.

A constructed equinox module holds its own arrays and fixed widths (``query_size``,
``in_features``): it is checked against d, and its parameters are drawn by the normal law unless a
factory ``make(d, key)`` is given (``factory.py``). Everything that is not an inexact array (ints,
flags, functions such as a rotary embedding's ``process_heads``) stays fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from ..protocol import Params
from .base import Backend, Built, self_args
from .instances import declared_width


def is_equinox(obj: Any) -> bool:
    """An equinox Module instance (checked without importing equinox when it is not loaded)."""
    from sys import modules

    eqx = modules.get("equinox")
    return eqx is not None and isinstance(obj, eqx.Module)


class EquinoxBackend(Backend):
    library = "equinox"
    can_init = False

    def __init__(self, module: Any) -> None:
        import equinox as eqx

        self.module = module
        self.name = type(module).__name__
        params, static = eqx.partition(module, eqx.is_inexact_array)
        self._built = Built(params, static)

    @property
    def call(self) -> Callable[..., Any]:
        return type(self.module).__call__

    def build(self, key: jax.Array, x: jax.Array, kwargs: dict[str, Any]) -> Built:
        return self._built  # a constructed module: its own parameters, whatever the key

    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        import equinox as eqx

        return eqx.combine(params, structure)(*self_args(self.call, x), **kwargs)

    def declared_width(self) -> int | None:
        return declared_width(self.module, ("query_size", "in_features"), is_equinox)
