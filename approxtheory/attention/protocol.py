"""The user-facing attention protocol of DESIGN.md, and the dataclass the zoo's entries are built from.

An attention is any object or module with ``init(key, n, d) -> params`` (params: a pytree of
arrays) and ``apply(params, X) -> Y`` with ``X`` and ``Y`` of shape ``(n, d)``, one token per row.
The toolkit adds the residual itself (CLSL25 §2: a block is ``X + g(X)``). Optional metadata
(``name``, ``zero_params``, ``kernel``, ``pattern``, ``family``) lets the checker skip inference;
a zoo entry carries it on an ordinary ``Mechanism``, which is just one way to satisfy the protocol.
Modules of flax, equinox and haiku reach the protocol through ``approxtheory.attention.adapters``,
whose objects also carry ``notes`` (how the module is called), reported as warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import jax
import numpy as np
import sympy as sp

Params = Any  # any pytree of arrays
Family = Literal["softmax", "kernel", "linear", "masked", "relative_bias", "linformer", "degenerate"]
FAMILIES: tuple[str, ...] = ("softmax", "kernel", "linear", "masked", "relative_bias", "linformer", "degenerate")


@runtime_checkable
class Attention(Protocol):
    """What ``approxtheory uap`` needs: parameters from a key, and the token-mixing map g_theta (CLSL25 §2)."""

    def init(self, key: jax.Array, n: int, d: int) -> Params: ...

    def apply(self, params: Params, X: jax.Array) -> jax.Array: ...


@dataclass(frozen=True)
class Kernel:
    """A positive kernel k(q, kappa) > 0 for kernel attention (CLSL25.def.kernel_limit).

    ``fn`` takes one query and one key, both of shape (d,), and returns a scalar JAX value.
    ``formula`` is the same kernel in SymPy on column matrices q, kappa (for the kernel-limit check).
    ``log_fn``, when given, is log k: the layer then normalises with a stabilised softmax over it.
    """

    name: str
    fn: Callable[[jax.Array, jax.Array], jax.Array]
    formula: Callable[[sp.Matrix, sp.Matrix], sp.Expr]
    log_fn: Callable[[jax.Array, jax.Array], jax.Array] | None = None

    def expression(self, d: int) -> tuple[sp.Expr, tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
        """The kernel as a SymPy expression in real symbols q0..q{d-1}, k0..k{d-1}."""
        q = sp.symbols(f"q0:{d}", real=True)
        kappa = sp.symbols(f"k0:{d}", real=True)
        return self.formula(sp.Matrix(q), sp.Matrix(kappa)), q, kappa


@dataclass(frozen=True)
class Mechanism:
    """An attention given by its functions plus optional metadata; an ordinary instance of ``Attention``.

    ``zero_params(params)`` returns theta_0 with apply == 0 (CLSL25.def.analytic_family (A3));
    ``pattern(n)`` a fixed boolean mask with ``mask[i, j]`` iff j in N(i) (CLSL25.def.sparse_pattern).
    """

    name: str
    init: Callable[[jax.Array, int, int], Params]
    apply: Callable[[Params, jax.Array], jax.Array]
    family: Family | None = None
    zero_params: Callable[[Params], Params] | None = None
    kernel: Kernel | None = None
    pattern: Callable[[int], np.ndarray] | None = None
    description: str = ""


@dataclass(frozen=True)
class Metadata:
    """The optional metadata of any attention, read the same way for a user's object and a zoo entry."""

    name: str
    family: str | None
    zero_params: Callable[[Params], Params] | None
    kernel: Kernel | None
    pattern: Callable[[int], np.ndarray] | None


def metadata(attention: Any) -> Metadata:
    """Read the optional attributes; anything absent is None (users need not declare any of them)."""
    name = getattr(attention, "name", None) or getattr(attention, "__name__", None) or type(attention).__name__
    return Metadata(
        name=str(name),
        family=getattr(attention, "family", None),
        zero_params=getattr(attention, "zero_params", None),
        kernel=getattr(attention, "kernel", None),
        pattern=getattr(attention, "pattern", None),
    )
