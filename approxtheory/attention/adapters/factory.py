"""A factory ``make(d, ...)`` that builds a library module for the token width: rebuilt for every d and every draw.

The factory names what it needs among ``d``, ``n``, ``key`` (a JAX PRNG key, as equinox takes)
and ``rngs`` (``nnx.Rngs`` of that key); it is called with a fresh key for each parameter draw, so
its modules' own initialisers give the draw law. This is how a constructed nnx or equinox module
(whose width and arrays are fixed) is checked at any d with its own initialisation.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import jax

from ...core import ApproxTheoryError
from ..frames import describe_exception
from ..protocol import Params
from .base import Backend, Built

FACTORY_ARGUMENTS = ("d", "n", "key", "rngs")


def is_factory(obj: Any) -> bool:
    """A function with a parameter ``d`` whose required parameters are all among FACTORY_ARGUMENTS."""
    if isinstance(obj, type) or not callable(obj):
        return False
    try:
        parameters = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return False
    names = {p.name for p in parameters}
    required = {p.name for p in parameters if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    return "d" in names and required <= set(FACTORY_ARGUMENTS)


class FactoryBackend(Backend):
    """Builds the module with the factory at each draw, then defers to that module's own backend."""

    can_init = True
    explicit_dtypes = False  # the factory's module may take its dtype defaults from JAX's mode

    def __init__(self, make: Callable[..., Any], name: str, resolve: Callable[[Any, str], Backend | None]) -> None:
        self.make = make
        self.name = name
        self.resolve = resolve
        self.wanted = set(inspect.signature(make).parameters) & set(FACTORY_ARGUMENTS)
        self._reference: Backend | None = None
        self.library = "factory"

    def prepare(self, n: int, d: int) -> None:
        self._reference = self._inner(jax.random.key(0), n, d)
        self.library = f"{self._reference.library} factory"

    @property
    def call(self) -> Callable[..., Any]:
        if self._reference is None:
            raise RuntimeError("prepare(n, d) runs before the call is inspected")
        return self._reference.call

    def fixes(self, keyword: str) -> bool:
        return self._reference is not None and self._reference.fixes(keyword)

    def build(self, key: jax.Array, x: jax.Array, kwargs: dict[str, Any]) -> Built:
        inner = self._inner(key, x.shape[-2], x.shape[-1])
        built = inner.build(key, x, kwargs)
        return Built(built.params, (inner, built.structure))

    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        inner, inner_structure = structure
        return inner.forward(inner_structure, params, x, kwargs)

    def _inner(self, key: jax.Array, n: int, d: int) -> Backend:
        arguments: dict[str, Any] = {"d": d, "n": n, "key": key}
        if "rngs" in self.wanted:
            from flax import nnx

            arguments["rngs"] = nnx.Rngs(key)
        try:
            obj = self.make(**{k: v for k, v in arguments.items() if k in self.wanted})
        except Exception as exc:
            raise ApproxTheoryError(f"factory {self.name}(d={d}) raised {describe_exception(exc)}",
                                    "fix the factory; it is called with " + ", ".join(sorted(self.wanted))) from None
        backend = self.resolve(obj, self.name)
        if backend is None:
            raise ApproxTheoryError(
                f"factory {self.name}(d={d}) returned {type(obj).__name__}, not a flax, equinox or haiku module",
                "return a module (e.g. nnx.MultiHeadAttention(..., in_features=d, rngs=rngs)); an object with "
                "init and apply is targeted directly",
            )
        return backend
