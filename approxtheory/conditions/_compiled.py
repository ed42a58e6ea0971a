"""One jitted function per (purpose, apply, config): JAX's own cache then compiles once per shape configuration.

The memo lives in the attention layer (``approxtheory.attention.validate``), which validation and the
token graph use too and which must not import from conditions; this module is the conditions' name for it.
"""

from __future__ import annotations

from ..numerics import TRACES, compiled

__all__ = ["TRACES", "compiled"]
