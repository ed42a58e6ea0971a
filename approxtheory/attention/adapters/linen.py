"""flax.linen Modules: ``module.init`` draws the parameters, ``module.apply`` calls it (flax imported lazily).

A linen module infers its widths from the input, so one module serves every d; a factory
``make(d)`` returning a module is handled by ``factory.py``. Collections other than ``params``
(a cache, batch statistics) are taken from the init and held fixed: only ``params`` are drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from ..protocol import Params
from .base import Backend, Built, self_args


def is_linen(obj: Any) -> bool:
    """A flax.linen Module instance (checked without importing flax when it is not loaded)."""
    from sys import modules

    linen = modules.get("flax.linen")
    return linen is not None and isinstance(obj, linen.Module)


class LinenBackend(Backend):
    library = "flax.linen"
    can_init = True

    def __init__(self, module: Any) -> None:
        self.module = module
        self.name = type(module).__name__

    @property
    def call(self) -> Callable[..., Any]:
        return type(self.module).__call__

    def build(self, key: jax.Array, x: jax.Array, kwargs: dict[str, Any]) -> Built:
        variables = dict(self.module.init(key, *self_args(self.call, x), **kwargs))
        params = variables.pop("params", {})
        return Built(params, variables)

    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        return self.module.apply({"params": params, **structure}, *self_args(self.call, x), **kwargs)
