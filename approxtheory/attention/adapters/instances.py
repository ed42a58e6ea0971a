"""What a constructed module says about itself: the token width it was built for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
