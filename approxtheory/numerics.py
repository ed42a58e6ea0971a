"""The toolkit's JAX numerics policy: 64-bit inside our own computations, user flags untouched."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import jax

F = TypeVar("F", bound=Callable[..., Any])


def x64(fn: F) -> F:
    """Run ``fn`` (and any tracing it triggers) with 64-bit JAX types, restoring the user's setting."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with jax.enable_x64(True):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class TraceCounter:
    """Counts how often a function body is traced by JAX (a Python side effect runs once per trace)."""

    def __init__(self) -> None:
        self.count = 0

    def tick(self) -> None:
        self.count += 1
