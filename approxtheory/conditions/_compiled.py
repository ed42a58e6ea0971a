"""One jitted function per (purpose, apply): JAX's own cache then compiles once per shape configuration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from ..numerics import TraceCounter

_CACHE: dict[tuple[str, Any], Callable[..., Any]] = {}
TRACES: dict[str, TraceCounter] = {}


def compiled(purpose: str, apply: Callable[..., Any], build: Callable[[Callable[..., Any], TraceCounter], Callable[..., Any]],
             **jit_kwargs: Any) -> Callable[..., Any]:
    """``jax.jit(build(apply, counter))``, memoised on (purpose, apply); ``TRACES[purpose]`` counts traces."""
    try:
        key = (purpose, apply)
        hash(key)
    except TypeError:  # an unhashable callable object: key on identity
        key = (purpose, id(apply))
    fn = _CACHE.get(key)
    if fn is None:
        counter = TRACES.setdefault(purpose, TraceCounter())
        fn = jax.jit(build(apply, counter), **jit_kwargs)
        _CACHE[key] = fn
    return fn
