"""Which backend an object needs: a library module, a factory building one, or a plain attn(q, k, v) function."""

from __future__ import annotations

from typing import Any

from .base import Backend
from .equinox import EquinoxBackend, is_equinox
from .factory import FactoryBackend, is_factory
from .function import FunctionBackend, takes_qkv
from .haiku import HaikuBackend, is_haiku
from .linen import LinenBackend, is_linen
from .nnx import NnxBackend, is_nnx


def is_module(obj: Any) -> bool:
    """A flax.linen, flax.nnx or equinox module or a haiku transformed function."""
    return is_linen(obj) or is_nnx(obj) or is_equinox(obj) or is_haiku(obj)


def module_backend(obj: Any, name: str) -> Backend | None:
    """The backend of a flax.linen, flax.nnx or equinox module or a haiku transformed function; else None."""
    if is_linen(obj):
        return LinenBackend(obj)
    if is_nnx(obj):
        return NnxBackend(obj)
    if is_equinox(obj):
        return EquinoxBackend(obj)
    if is_haiku(obj):
        return HaikuBackend(obj, name)
    return None


def backend_for(obj: Any, name: str) -> Backend | None:
    """A library module first (linen modules have init/apply of their own), then objects without init/apply:
    a factory ``make(d, ...)`` or an ``attn(q, k, v)`` function. None: not something to adapt."""
    backend = module_backend(obj, name)
    if backend is not None:
        return backend
    if callable(getattr(obj, "init", None)) and callable(getattr(obj, "apply", None)):
        return None  # already the toolkit's protocol
    if is_factory(obj):
        return FactoryBackend(obj, name, module_backend)
    if takes_qkv(obj):
        return FunctionBackend(obj, name)
    return None
