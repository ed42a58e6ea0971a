"""The conditions' name for the toolkit's one jit cache (``approxtheory.numerics.compiled``):
one jitted function per (purpose, apply, config), so JAX compiles once per shape configuration."""

from __future__ import annotations

from ..numerics import TRACES, compiled

__all__ = ["TRACES", "compiled"]
