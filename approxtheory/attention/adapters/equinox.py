"""equinox Modules: ``eqx.partition`` on inexact arrays gives the parameters, ``eqx.combine`` rebuilds the module.

A constructed equinox module holds its own arrays and fixed widths (``query_size``,
``in_features``): it is checked against d, and its parameters are drawn by the normal law unless a
factory ``make(d, key)`` is given (``factory.py``). Everything that is not an inexact array (ints,
flags, functions such as a rotary embedding's ``process_heads``) stays fixed.
"""

from __future__ import annotations

from typing import Any

import jax

from ..protocol import Params
from .base import Built, instance_of, self_args
from .instances import InstanceBackend


def is_equinox(obj: Any) -> bool:
    """An equinox Module instance."""
    return instance_of(obj, "equinox", "Module")


class EquinoxBackend(InstanceBackend):
    library = "equinox"
    width_names = ("query_size", "in_features")
    owns = staticmethod(is_equinox)

    def split(self, module: Any) -> Built:
        import equinox as eqx

        params, static = eqx.partition(module, eqx.is_inexact_array)
        return Built(params, static)

    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        import equinox as eqx

        return eqx.combine(params, structure)(*self_args(self.call, x, kwargs), **kwargs)
