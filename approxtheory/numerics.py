"""The toolkit's JAX numerics policy: 64-bit inside our own computations, user flags untouched."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import jax
import jax.monitoring

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


COMPILED_LIMIT = 64  # jitted functions kept; each holds its apply, so the bound is what frees user objects

Builder = Callable[[Callable[..., Any], TraceCounter], Callable[..., Any]]

_COMPILED: OrderedDict[tuple[Any, ...], tuple[Callable[..., Any], Callable[..., Any]]] = OrderedDict()
TRACES: dict[str, TraceCounter] = {}


def compiled(purpose: str, apply: Callable[..., Any], build: Builder, *, config: Hashable = (),
             **jit_kwargs: Any) -> Callable[..., Any]:
    """``jax.jit(build(apply, counter))``, memoised on (purpose, apply, config); ``TRACES[purpose]`` counts traces.

    Reusing one jitted function lets JAX's own cache compile once per shape configuration. ``config``
    names whatever else ``build`` closes over. The memo is a bounded LRU holding each entry's ``apply``
    (so an id key cannot be reused while cached); eviction releases it.
    """
    try:
        key: tuple[Any, ...] = (purpose, apply, config)
        hash(key)
    except TypeError:  # an unhashable callable object: key on identity
        key = (purpose, id(apply), config)
    entry = _COMPILED.get(key)
    if entry is None:
        counter = TRACES.setdefault(purpose, TraceCounter())
        entry = _COMPILED[key] = (apply, jax.jit(build(apply, counter), **jit_kwargs))
        if len(_COMPILED) > COMPILED_LIMIT:
            _COMPILED.popitem(last=False)
    else:
        _COMPILED.move_to_end(key)
    return entry[1]


COMPILE_EVENTS = ("/jax/core/compile/jaxpr_trace_duration", "/jax/core/compile/jaxpr_to_mlir_module_duration",
                  "/jax/core/compile/backend_compile_duration")


CACHE_HIT = "/jax/compilation_cache/cache_hits"


class CompileClock:
    """Seconds JAX spends tracing, lowering and compiling, the number of XLA compilations and of programs
    loaded from the persistent cache instead (approxtheory.compile_cache), process-wide (read before and
    after a computation; the difference is its share). Fed by jax.monitoring events."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.compilations = 0
        self.cache_hits = 0

    def record(self, event: str, duration: float, **_: Any) -> None:
        if event in COMPILE_EVENTS:
            self.seconds += duration
            self.compilations += event == COMPILE_EVENTS[-1]

    def count(self, event: str, **_: Any) -> None:
        self.cache_hits += event == CACHE_HIT

    def reading(self) -> tuple[float, int]:
        """Seconds so far, and XLA compilations so far: JAX times a cache load as a compilation, so the
        loads are taken off."""
        return self.seconds, self.compilations - self.cache_hits


COMPILE_CLOCK = CompileClock()
jax.monitoring.register_event_duration_secs_listener(COMPILE_CLOCK.record)
jax.monitoring.register_event_listener(COMPILE_CLOCK.count)
