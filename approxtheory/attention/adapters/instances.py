"""Constructed modules that hold their own arrays (flax.nnx, equinox): fixed parameters and a fixed token width.

Their initialisers cannot be re-run for a new key, so ``build`` returns the module's own parameters
(the normal draw law varies them), and the width they were built for is read from the module.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Any

import jax

from .base import Built, ModuleBackend

DEPTH = 3  # a wrapper module holding the attention module holding its projections


def declared_width(module: Any, names: tuple[str, ...], is_module: Callable[[Any], bool],
                   depth: int = DEPTH) -> int | None:
    """The first integer attribute among ``names`` on ``module`` or its sub-modules (breadth first)."""
    level = [module]
    for _ in range(depth):
        for obj in level:
            for name in names:
                value = getattr(obj, name, None)
                if isinstance(value, int) and not isinstance(value, bool):
                    return value
        level = [child for obj in level for child in vars(obj).values() if is_module(child)]
    return None


class InstanceBackend(ModuleBackend):
    """A constructed module: its parameters split off once; ``width_names`` say the width it was built for."""

    can_init = False
    width_names: tuple[str, ...] = ()

    def __init__(self, module: Any) -> None:
        super().__init__(module)
        self._built = self.split(module)

    @abstractmethod
    def split(self, module: Any) -> Built:
        """The module's parameters and the rest of it."""

    @staticmethod
    @abstractmethod
    def owns(obj: Any) -> bool:
        """Whether ``obj`` is a module of this library (sub-modules are searched for the width)."""

    def build(self, key: jax.Array, x: jax.Array, kwargs: dict[str, Any]) -> Built:
        return self._built  # a constructed module: its own parameters, whatever the key

    def declared_width(self) -> int | None:
        return declared_width(self.module, self.width_names, self.owns)
