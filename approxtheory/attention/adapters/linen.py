"""flax.linen Modules: ``module.init`` draws the parameters, ``module.apply`` calls it (flax imported lazily).

A linen module infers its widths from the input, so one module serves every d; a factory
``make(d)`` returning a module is handled by ``factory.py``. Collections other than ``params``
(a cache, batch statistics) are taken from the init and held fixed: only ``params`` are drawn.
"""

from __future__ import annotations

from typing import Any

import jax

from ..protocol import Params
from .base import Built, ModuleBackend, instance_of, self_args


def is_linen(obj: Any) -> bool:
    """A flax.linen Module instance."""
    return instance_of(obj, "flax.linen", "Module")


class LinenBackend(ModuleBackend):
    library = "flax.linen"

    def build(self, key: jax.Array, x: jax.Array, kwargs: dict[str, Any]) -> Built:
        variables = dict(self.module.init(key, *self_args(self.call, x, kwargs), **kwargs))
        params = variables.pop("params", {})
        return Built(params, variables)

    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        return self.module.apply({"params": params, **structure}, *self_args(self.call, x, kwargs), **kwargs)

    def fixes(self, keyword: str) -> bool:
        # flax.linen's merge_param refuses an attribute set both in the constructor and at call time
        return getattr(self.module, keyword, None) is not None
