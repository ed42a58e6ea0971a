"""The attention error as a one-dimensional problem (WE24 card §4.6, WE24.lem.reduction).

A group of dot-product-free heads writes sum_s phi(s) x_{t-s} into its block, with phi a combination
of normalised head weights; the block's error against the target token (or kernel) is at most
||kappa - phi||_{l1} because every token has norm <= 1. :class:`KernelProblem` fixes the target kernel,
the encoding, the window and the loss; :meth:`KernelProblem.fit` solves for the coefficients at given
rates (an LP for l1, least squares for l2), and :mod:`approxtheory.memory.gradient` moves the rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..core import ApproxTheoryError
from .bases import check_encoding, check_rates, head_weights
from .kernels import Kernel
from .lp import l1_fit

Loss = Literal["l1", "l2"]


@dataclass(frozen=True)
class KernelProblem:
    """Approximate ``kernel`` on offsets 0..``window`` by heads of one encoding.

    ``loss="l1"`` with ``sequence="infinite"`` is the card's E_lin / E_log: the reported error adds
    the heads' mass beyond the window (a rigorous bound per head) and the kernel's own tail mass, so
    it bounds the l1(N) error from above. ``loss="l2"`` needs ``sequence="finite"``: a sequence of
    window+1 tokens, the squared loss of the paper's experiments (App. H) for Rademacher inputs.

    The error runs over offsets ``first``..N. Log heads cannot see the current token, so for them
    ``first`` is at least 1, as in the card's E_log (the current token reaches the output through
    the residual stream instead).
    """

    kernel: Kernel
    encoding: str
    window: int
    loss: Loss = "l1"
    sequence: str = "infinite"
    first: int = 0
    _target: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_encoding(self.encoding)
        if not isinstance(self.window, (int, np.integer)) or self.window < 1:
            raise ApproxTheoryError(f"window must be a positive integer, got {self.window!r}")
        if self.loss not in ("l1", "l2"):
            raise ApproxTheoryError(f"unknown loss {self.loss!r}", "use 'l1' (the theorems) or 'l2' (the experiments)")
        if self.sequence not in ("infinite", "finite"):
            raise ApproxTheoryError(f"unknown sequence model {self.sequence!r}", "use 'infinite' or 'finite'")
        if self.loss == "l2" and self.sequence != "finite":
            raise ApproxTheoryError("the l2 loss is defined here for finite sequences only", "pass sequence='finite'")
        if self.kernel.decay == "finite" and self.kernel.decay_rate > self.window:
            raise ApproxTheoryError(
                f"kernel {self.kernel.name} reaches offset {self.kernel.decay_rate:g}, beyond the window {self.window}",
                "choose a window N well above the largest memory position (the card: N >> T)",
            )
        if self.first not in (0, 1):
            raise ApproxTheoryError(f"first must be 0 or 1, got {self.first!r}")
        if self.encoding == "log":
            object.__setattr__(self, "first", 1)
        object.__setattr__(self, "_target", self.kernel.values(np.arange(self.first, self.window + 1)))

    @property
    def target(self) -> np.ndarray:
        """kappa(first), ..., kappa(N)."""
        return self._target.copy()

    def basis(self, rates: Any) -> tuple[np.ndarray, np.ndarray]:
        """Normalised head weights on offsets first..N and their tail masses (zero for finite sequences).

        Normalisers always run over the whole sequence, offset 0 included.
        """
        r = check_rates(self.encoding, rates, self.sequence)
        weights, tail = head_weights(self.encoding, r, self.window, self.sequence)
        return weights[self.first:], tail

    @property
    def kernel_tail(self) -> float:
        return 0.0 if self.sequence == "finite" else float(self.kernel.tail_mass(self.window))

    def error(self, alpha: Any, rates: Any) -> float:
        """The objective at concrete coefficients and rates, in float64."""
        B, tail = self.basis(rates)
        a = np.asarray(alpha, dtype=np.float64)
        if a.shape != (B.shape[1],):
            raise ApproxTheoryError(f"need one coefficient per rate: {a.shape} vs {B.shape[1]} rates")
        residual = self._target - B @ a
        if self.loss == "l2":
            return float(residual @ residual)
        return float(np.abs(residual).sum() + tail @ np.abs(a) + self.kernel_tail)

    def window_error(self, alpha: Any, rates: Any) -> float:
        """The l1 error on offsets first..N alone: a lower bound on the l1(N) error of these heads."""
        B, _ = self.basis(rates)
        return float(np.abs(self._target - B @ np.asarray(alpha, dtype=np.float64)).sum())

    def fit(self, rates: Any) -> Fit:
        """Optimal coefficients at fixed rates: the LP for l1, least squares for l2."""
        r = check_rates(self.encoding, rates, self.sequence)
        B, tail = self.basis(r)
        if self.loss == "l2":
            alpha, *_ = np.linalg.lstsq(B, self._target, rcond=None)
            return Fit(self, r, alpha, self.error(alpha, r), "least squares", None)
        solution = l1_fit(self._target, B, tail)
        return Fit(self, r, solution.coefficients, self.error(solution.coefficients, r),
                   f"LP ({solution.formulation}, HiGHS)", solution.solver_value + self.kernel_tail)

    def describe(self) -> dict[str, Any]:
        return {"kernel": self.kernel.name, "encoding": self.encoding, "window": int(self.window),
                "loss": self.loss, "sequence": self.sequence, "first_offset": self.first}


@dataclass(frozen=True)
class Fit:
    """Coefficients (value weights W_V) and rates (p_h) of H heads, with the error they achieve.

    ``solver_value`` is the LP optimum as HiGHS reported it; ``error`` is recomputed from the
    coefficients, so the two agree to solver tolerance when the solve is sound.
    """

    problem: KernelProblem = field(repr=False)
    rates: np.ndarray
    alpha: np.ndarray
    error: float
    method: str
    solver_value: float | None

    @property
    def heads(self) -> int:
        return int(self.rates.size)

    def kernel_values(self) -> np.ndarray:
        """phi(first), ..., phi(N): the effective kernel the heads realise on the window."""
        B, _ = self.problem.basis(self.rates)
        return B @ self.alpha

    def to_dict(self) -> dict[str, Any]:
        return {
            "heads": self.heads,
            "rates": [float(r) for r in self.rates],
            "alpha": [float(a) for a in self.alpha],
            "error": float(self.error),
            "method": self.method,
            "solver_value": None if self.solver_value is None else float(self.solver_value),
        }
