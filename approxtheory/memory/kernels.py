"""Memory kernels rho(s), s = 0, 1, 2, ... (WE24 §2): deltas, exponential and power laws, and finite tables.

A kernel is declarative: a name, a float64 evaluator on integer offsets, the decay it is built
with (``WE24.def.decay_exp`` / ``WE24.def.decay_poly``, or finite support), and, where there is
one, a SymPy formula for exact work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.special
import sympy as sp

from ..core import ApproxTheoryError

DecayKind = Literal["finite", "exponential", "polynomial"]
S = sp.Symbol("s", integer=True, nonnegative=True)


@dataclass(frozen=True)
class Kernel:
    """A memory kernel on offsets s >= 0.

    ``decay`` and ``decay_rate`` say which envelope the kernel is built to satisfy: ``finite`` with
    the last nonzero offset, ``exponential`` |rho(s)| <= C e^{-rate s}, or ``polynomial``
    |rho(s)| <= C s^{-rate} for s >= 1. ``tail_mass(N)`` is an upper bound on sum_{s>N} |rho(s)|, so
    that a fit on the window 0..N has a rigorous l1 error bound. ``expr`` is rho(s) in :data:`S`.
    """

    name: str
    evaluate: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    decay: DecayKind
    decay_rate: float
    tail_mass: Callable[[int], float] = field(repr=False)
    expr: sp.Expr | None = field(default=None, repr=False)

    def values(self, offsets: np.ndarray) -> np.ndarray:
        """rho at the given integer offsets (float64)."""
        s = np.asarray(offsets)
        if s.ndim != 1 or (s.size and (s.min() < 0 or not np.all(s == np.round(s)))):
            raise ApproxTheoryError(
                f"kernel {self.name}: offsets must be a 1-D array of nonnegative integers",
                "pass numpy.arange(N + 1) or a subset of it",
            )
        return np.asarray(self.evaluate(s.astype(np.int64)), dtype=np.float64)


def _positive(name: str, value: float, lo: float = 0.0) -> float:
    if not (isinstance(value, (int, float)) and np.isfinite(value) and value > lo):
        raise ApproxTheoryError(f"{name}={value!r} must be a finite number > {lo}")
    return float(value)


def _power_tail(beta: float, start: int) -> float:
    """sum_{s >= start} s^{-beta} (Hurwitz zeta); infinite for beta <= 1."""
    return float(scipy.special.zeta(beta, start)) if beta > 1 else float("inf")


def delta(T: int) -> Kernel:
    """delta_T(s) = 1{s = T}: the kernel that reads exactly the token T steps back (WE24.task.fixed_sparse)."""
    if not isinstance(T, (int, np.integer)) or T < 0:
        raise ApproxTheoryError(f"delta kernel needs an integer T >= 0, got {T!r}")
    T = int(T)
    return Kernel(f"delta_{T}", lambda s: (s == T).astype(np.float64), "finite", float(T),
                  lambda N: 0.0 if N >= T else 1.0, sp.Piecewise((1, sp.Eq(S, T)), (0, True)))


def exponential(beta: float) -> Kernel:
    """rho(s) = e^{-beta s}: one lin head represents it exactly (card §4.2)."""
    b = _positive("beta", beta)
    return Kernel(f"exp(-{b:g} s)", lambda s: np.exp(-b * s), "exponential", b,
                  lambda N: float(np.exp(-b * (N + 1)) / -np.expm1(-b)), sp.exp(-sp.nsimplify(b) * S))


def power(beta: float) -> Kernel:
    """rho(s) = s^{-beta} for s >= 1 and rho(0) = 0: one log head represents it exactly (card §4.2)."""
    b = _positive("beta", beta)

    def ev(s: np.ndarray) -> np.ndarray:
        out = np.zeros(s.shape)
        out[s >= 1] = s[s >= 1].astype(np.float64) ** (-b)
        return out

    return Kernel(f"s^-{b:g}", ev, "polynomial", b, lambda N: _power_tail(b, N + 1), S ** (-sp.nsimplify(b)))


def shifted_power(beta: float) -> Kernel:
    """rho(s) = (1 + s)^{-beta}: polynomial decay with rate beta, not a finite sum of power laws."""
    b = _positive("beta", beta)
    return Kernel(f"(1+s)^-{b:g}", lambda s: (1.0 + s) ** (-b), "polynomial", b,
                  lambda N: _power_tail(b, N + 2), (1 + S) ** (-sp.nsimplify(b)))


def damped(beta: float) -> Kernel:
    """rho(s) = e^{-beta s}/(1 + s): exponential decay with rate beta, not a finite exponential sum."""
    b = _positive("beta", beta)
    # sum_{s>N} e^{-b s}/(1+s) <= e^{-b(N+1)} / ((N+2)(1 - e^{-b}))
    return Kernel(f"exp(-{b:g} s)/(1+s)", lambda s: np.exp(-b * s) / (1.0 + s), "exponential", b,
                  lambda N: float(np.exp(-b * (N + 1)) / ((N + 2) * -np.expm1(-b))),
                  sp.exp(-sp.nsimplify(b) * S) / (1 + S))


def from_values(name: str, values: Sequence[float]) -> Kernel:
    """A finitely supported kernel from its table rho(0), ..., rho(L-1) (zero beyond)."""
    table = np.asarray(values, dtype=np.float64)
    if table.ndim != 1 or table.size == 0 or not np.all(np.isfinite(table)):
        raise ApproxTheoryError(f"kernel {name}: values must be a nonempty 1-D list of finite numbers")
    nonzero = np.flatnonzero(table)
    last = int(nonzero[-1]) if nonzero.size else 0

    def ev(s: np.ndarray) -> np.ndarray:
        out = np.zeros(s.shape)
        inside = s < table.size
        out[inside] = table[s[inside]]
        return out

    return Kernel(name, ev, "finite", float(last), lambda N: float(np.abs(table[N + 1:]).sum()))


def sum_of(kernels: Sequence[Kernel], name: str | None = None) -> Kernel:
    """Pointwise sum, e.g. delta_48 + delta_56 + delta_99 for the linear readout of WE24 E2b."""
    if not kernels:
        raise ApproxTheoryError("sum_of needs at least one kernel")
    kinds = {k.decay for k in kernels}
    if kinds == {"finite"}:
        decay: DecayKind = "finite"
        rate = max(k.decay_rate for k in kernels)
    elif len(kinds) == 1:
        decay = kernels[0].decay
        rate = min(k.decay_rate for k in kernels)  # the slowest envelope bounds the sum
    else:
        raise ApproxTheoryError("sum_of: mixing exponential and polynomial envelopes is not supported",
                                "sum kernels of one decay kind")
    exprs = [k.expr for k in kernels]
    return Kernel(name or " + ".join(k.name for k in kernels),
                  lambda s: sum(k.evaluate(s) for k in kernels), decay, rate,
                  lambda N: sum(k.tail_mass(N) for k in kernels), None if any(e is None for e in exprs) else sp.Add(*exprs))
