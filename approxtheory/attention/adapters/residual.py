"""A module that adds its own residual (returns X + g(X)): detected at all-zero parameters and stripped.

The toolkit composes ``X + g(X)`` itself (CLSL25 §2), so a module that already returns ``X + g(X)``
would be checked as ``2X + g(X)``, and its all-zero parameters would give ``X`` instead of the
``apply == 0`` of CLSL25.def.analytic_family (A3). When ``apply(0, X)`` equals X exactly (after
rounding X to the precision the module computes in) the module's residual is subtracted, with X
rounded the same way, so that all-zero parameters give 0 exactly.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..protocol import Params, metadata


def returns_input(Y: np.ndarray, X: np.ndarray) -> bool:
    """Y is X exactly, up to rounding X to Y's dtype."""
    Y = np.asarray(Y)
    return Y.shape == X.shape and np.array_equal(Y, X.astype(Y.dtype))


class WithoutResidual:
    """``apply(params, X) - X`` of an attention whose apply includes the residual; ``init`` and metadata unchanged."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        meta = metadata(inner)
        self.name = meta.name
        self.family, self.kernel, self.pattern = meta.family, meta.kernel, meta.pattern
        self.note = (f"{meta.name} returns X + g(X) (apply at all-zero parameters returns X exactly): its own "
                     "residual is stripped, since the toolkit adds the residual itself (CLSL25 §2)")

    @property
    def notes(self) -> tuple[str, ...]:
        return (*getattr(self.inner, "notes", ()), self.note)

    def init(self, key: jax.Array, n: int, d: int) -> Params:
        return self.inner.init(key, n, d)

    def apply(self, params: Params, X: jax.Array) -> jax.Array:
        Y = self.inner.apply(params, X)
        return Y - jnp.asarray(X).astype(Y.dtype)
