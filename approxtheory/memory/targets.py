"""The four memory tasks of WE24 as declarative targets, and predicates on them.

A window is an array of shape (W+1, d) whose row s is x_{t-s} (row 0 is the current token).
Targets evaluate y_t = H_t(X) on a window:

- :class:`FixedSparseTarget`: f(x_t, x_{t-T_1}, ..., x_{t-T_M}) (WE24.task.fixed_sparse);
- :class:`AdaptiveTarget`: positions t_l = g_l(x_t, tokens of earlier memories), either all reading
  x_t only (WE24.task.adaptive_sparse) or nested (WE24.task.nested);
- :class:`EssentiallySparseTarget`: f((X*rho_1)(t), ..., (X*rho_M)(t)) (WE24.task.essentially_sparse).

The predicates find the memory support by perturbation, check that adaptive positions are
integers in [1, T_l] on a finite alphabet, and check the input normalisation ||x_t||_2 <= 1.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..core import ApproxTheoryError, Condition, ConditionResult, ConditionStatus
from .kernels import Kernel
from .structure import nesting_depth

Readout = Callable[[np.ndarray], float]


class MemoryTarget(Protocol):
    d: int

    @property
    def task(self) -> str: ...

    @property
    def span(self) -> int: ...

    def __call__(self, window: np.ndarray) -> float: ...


def _window(window: np.ndarray, d: int, span: int) -> np.ndarray:
    X = np.asarray(window, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != d or X.shape[0] < span + 1:
        raise ApproxTheoryError(
            f"a window must have shape (W+1, {d}) with W >= {span}, got {X.shape}",
            "row s holds x_{t-s}; make the window at least as long as the target's memory",
        )
    return X


@dataclass(frozen=True)
class FixedSparseTarget:
    """y_t = f(x_t, x_{t-T_1}, ..., x_{t-T_M}) with 1 <= T_1 < ... < T_M."""

    positions: tuple[int, ...]
    readout: Readout
    d: int = 1

    def __post_init__(self) -> None:
        p = tuple(int(v) for v in self.positions)
        if not p or any(v < 1 for v in p) or list(p) != sorted(set(p)):
            raise ApproxTheoryError(f"positions must be strictly increasing integers >= 1, got {self.positions!r}")
        object.__setattr__(self, "positions", p)

    @property
    def task(self) -> str:
        return "WE24.task.fixed_sparse"

    @property
    def span(self) -> int:
        return self.positions[-1]

    def __call__(self, window: np.ndarray) -> float:
        X = _window(window, self.d, self.span)
        return float(self.readout(np.concatenate([X[0], *(X[T] for T in self.positions)])))


@dataclass(frozen=True)
class MemoryRule:
    """t_l = position(x_t, *tokens of the memories in ``reads``), meant to be an integer in [1, bound]."""

    position: Callable[..., Any]
    bound: int
    reads: tuple[int, ...] = ()


@dataclass(frozen=True)
class AdaptiveTarget:
    """y_t = f(x_t, x_{t-t_1}, ..., x_{t-t_M}) with positions computed from the current token and earlier memories."""

    rules: tuple[MemoryRule, ...]
    readout: Readout
    d: int = 1

    def __post_init__(self) -> None:
        if not self.rules or any(not isinstance(r.bound, int) or r.bound < 1 for r in self.rules):
            raise ApproxTheoryError("need at least one memory rule, each with an integer bound T_l >= 1")
        nesting_depth([r.reads for r in self.rules])  # rejects cycles and bad indices

    @property
    def task(self) -> str:
        return "WE24.task.adaptive_sparse" if all(not r.reads for r in self.rules) else "WE24.task.nested"

    @property
    def span(self) -> int:
        return max(r.bound for r in self.rules)

    def positions(self, window: np.ndarray) -> list[int]:
        """t_1, ..., t_M on this window, evaluated in dependency order."""
        X = _window(window, self.d, self.span)
        t: dict[int, int] = {}
        for l in nesting_depth([r.reads for r in self.rules]).order:
            rule = self.rules[l]
            value = rule.position(X[0], *(X[t[j]] for j in rule.reads))
            if not (float(value) == int(round(float(value))) and 0 <= int(round(float(value))) < X.shape[0]):
                raise ApproxTheoryError(f"memory {l} produced position {value!r}, not an integer inside the window")
            t[l] = int(round(float(value)))
        return [t[l] for l in range(len(self.rules))]

    def __call__(self, window: np.ndarray) -> float:
        X = np.asarray(window, dtype=np.float64)
        t = self.positions(X)
        return float(self.readout(np.concatenate([X[0], *(X[s] for s in t)])))


@dataclass(frozen=True)
class EssentiallySparseTarget:
    """y_t = f((X*rho_1)(t), ..., (X*rho_M)(t)) with (X*rho)(t) = sum_{s>=0} x_{t-s} rho(s), truncated at ``horizon``."""

    kernels: tuple[Kernel, ...]
    readout: Readout
    horizon: int
    d: int = 1

    @property
    def task(self) -> str:
        return "WE24.task.essentially_sparse"

    @property
    def span(self) -> int:
        return self.horizon

    def __call__(self, window: np.ndarray) -> float:
        X = _window(window, self.d, self.span)[: self.horizon + 1]
        s = np.arange(self.horizon + 1)
        return float(self.readout(np.concatenate([k.values(s) @ X for k in self.kernels])))


# --- predicates ---------------------------------------------------------------------------------

def _tokens(rng: np.random.Generator, shape: tuple[int, ...], alphabet: Sequence[float] | None, d: int) -> np.ndarray:
    if alphabet is not None:
        return rng.choice(np.asarray(alphabet, dtype=np.float64), size=shape + (d,))
    x = rng.normal(size=shape + (d,))
    radius = rng.uniform(size=shape + (1,)) ** (1.0 / d)
    return x / np.linalg.norm(x, axis=-1, keepdims=True) * radius  # uniform in the unit ball


def support_by_perturbation(target: MemoryTarget, window: int, alphabet: Sequence[float] | None = None,
                            samples: int = 64, seed: int = 0, tol: float = 1e-12) -> frozenset[int]:
    """Offsets s >= 1 where changing only x_{t-s} changed y_t, over random windows (WE24.task.fixed_sparse).

    With an alphabet every other letter is tried at every offset; otherwise one fresh token from
    the unit ball. The result can only miss offsets (sampling), never invent them.
    """
    if window < target.span:
        raise ApproxTheoryError(f"the window ({window}) is shorter than the target's memory ({target.span})")
    rng = np.random.default_rng(seed)
    found: set[int] = set()
    for _ in range(samples):
        X = _tokens(rng, (window + 1,), alphabet, target.d)
        y = target(X)
        for s in range(1, window + 1):
            if s in found:
                continue
            options = ([np.full(target.d, a) for a in alphabet if not np.all(X[s] == a)] if alphabet is not None
                       else [_tokens(rng, (), None, target.d)])
            for option in options:
                Z = X.copy()
                Z[s] = option
                if abs(target(Z) - y) > tol:
                    found.add(s)
                    break
    return frozenset(found)


def memory_support_condition(window: int, alphabet: Sequence[float] | None = None, samples: int = 64,
                             seed: int = 0) -> Condition[MemoryTarget]:
    """The support S, M = |S| and the positions; ``unknown`` when S reaches the window's edge."""

    def predicate(target: MemoryTarget) -> ConditionResult:
        S = sorted(support_by_perturbation(target, window, alphabet, samples, seed))
        evidence = {"support": S, "M": len(S), "window": window, "samples": samples, "seed": seed}
        if S and S[-1] >= window:
            return ConditionResult("memory_support", ConditionStatus.UNKNOWN,
                                   "the support reaches the last offset of the window; widen it", evidence)
        return ConditionResult("memory_support", ConditionStatus.HOLDS,
                               f"y_t depends on {len(S)} past offsets within the window", evidence)

    return Condition("WE24.task.fixed_sparse", "memory_support", "memory support by perturbation", predicate)


def adaptive_positions_condition(alphabet: Sequence[float]) -> Condition[AdaptiveTarget]:
    """Every g_l is an integer in [1, T_l] on every token combination of a finite alphabet (WE24.task.adaptive_sparse)."""

    def predicate(target: AdaptiveTarget) -> ConditionResult:
        letters = [np.full(target.d, a, dtype=np.float64) for a in alphabet]
        for l, rule in enumerate(target.rules):
            for combo in itertools.product(letters, repeat=1 + len(rule.reads)):
                value = float(rule.position(*combo))
                if value != round(value) or not 1 <= value <= rule.bound:
                    return ConditionResult(
                        "adaptive_positions", ConditionStatus.FAILS,
                        f"memory {l} gives position {value:g}, outside the integers 1..{rule.bound}",
                        {"memory": l, "tokens": [c.tolist() for c in combo], "position": value, "bound": rule.bound},
                    )
        depth = nesting_depth([r.reads for r in target.rules])
        return ConditionResult("adaptive_positions", ConditionStatus.HOLDS,
                               "every position is an integer in [1, T_l] on the alphabet",
                               {"task": target.task, "nesting_depth_K": depth.depth, "order": list(depth.order),
                                "layers_L": depth.layers})

    return Condition("WE24.task.adaptive_sparse", "adaptive_positions", "positions are integers in [1, T_l]", predicate)


def input_normalisation(windows: np.ndarray, tol: float = 1e-12) -> ConditionResult:
    """||x_t||_2 <= 1 for every token (WE24 §1); windows of shape (..., d)."""
    X = np.asarray(windows, dtype=np.float64)
    if X.ndim < 1 or X.size == 0 or not np.all(np.isfinite(X)):
        raise ApproxTheoryError("need a nonempty array of finite tokens, last axis = token dimension")
    largest = float(np.linalg.norm(X, axis=-1).max())
    status = ConditionStatus.HOLDS if largest <= 1 + tol else ConditionStatus.FAILS
    return ConditionResult("input_normalisation", status, f"largest token norm {largest:.6g}", {"max_norm": largest})


def normalise_inputs(windows: np.ndarray) -> np.ndarray:
    """Scale all tokens by one factor so that the largest has norm 1 (no change if already inside the ball)."""
    X = np.asarray(windows, dtype=np.float64)
    largest = float(np.linalg.norm(X, axis=-1).max()) if X.size else 0.0
    return X / largest if largest > 1 else X
