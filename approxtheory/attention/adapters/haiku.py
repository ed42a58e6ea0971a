"""haiku transformed functions (``hk.transform(f)``): ``init`` draws the parameters, ``apply`` calls ``f``.

Haiku creates parameters in the dtype of the input, so the precision is the ``dtype`` option
(float32 unless asked). ``hk.without_apply_rng`` results are recognised by their ``apply`` signature.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import jax

from ..protocol import Params
from .base import Backend, Built, instance_of


def is_haiku(obj: Any) -> bool:
    """A haiku ``Transformed`` (what ``hk.transform`` and ``hk.without_apply_rng`` return)."""
    return instance_of(obj, "haiku", "Transformed")


class HaikuBackend(Backend):
    library = "haiku"

    def __init__(self, transformed: Any, name: str) -> None:
        self.transformed = transformed
        self.name = name
        self.takes_rng = "rng" in inspect.signature(transformed.apply).parameters

    @property
    def call(self) -> Callable[..., Any]:
        return self.transformed.apply

    def build(self, key: jax.Array, x: jax.Array, kwargs: dict[str, Any]) -> Built:
        return Built(self.transformed.init(key, x, **kwargs), None)

    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        rng = (None,) if self.takes_rng else ()
        return self.transformed.apply(params, *rng, x, **kwargs)
