"""haiku transformed functions (``hk.transform(f)``): ``init`` draws the parameters, ``apply`` calls ``f``.

Haiku creates parameters in the dtype of the input, so the precision is the ``dtype`` option
(float32 unless asked). ``hk.without_apply_rng`` results are recognised by their ``apply`` signature.
``hk.transform_with_state`` results keep the state ``init`` made fixed (as flax.linen's other collections):
only the parameters are drawn, and the state ``apply`` returns is dropped.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import jax

from ..protocol import Params
from .base import Backend, Built, instance_of


def is_haiku(obj: Any) -> bool:
    """A haiku ``Transformed`` or ``TransformedWithState`` (``hk.transform``, ``hk.transform_with_state``, and
    either through ``hk.without_apply_rng``)."""
    return instance_of(obj, "haiku", "Transformed") or instance_of(obj, "haiku", "TransformedWithState")


class HaikuBackend(Backend):
    library = "haiku"

    def __init__(self, transformed: Any, name: str) -> None:
        self.transformed = transformed
        self.name = name
        self.takes_rng = "rng" in inspect.signature(transformed.apply).parameters
        self.stateful = instance_of(transformed, "haiku", "TransformedWithState")

    @property
    def call(self) -> Callable[..., Any]:
        return self.transformed.apply

    def build(self, key: jax.Array, x: jax.Array, kwargs: dict[str, Any]) -> Built:
        made = self.transformed.init(key, x, **kwargs)
        return Built(*made) if self.stateful else Built(made, None)

    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        rng = (None,) if self.takes_rng else ()
        if self.stateful:
            return self.transformed.apply(params, structure, *rng, x, **kwargs)[0]
        return self.transformed.apply(params, *rng, x, **kwargs)
