"""ReLU readouts f(x) = sum_k a_k relu(b_k.x + c_k) and their norms (WE24.def.barron, WE24.def.lip).

Any finite ReLU representation gives upper bounds: the path norm sum_k |a_k| (||b_k||_1 + |c_k|) bounds the
Barron norm ||f||_B (the p = 1 norm of its empirical measure), and sum_k |a_k| ||b_k||_2 bounds ||f||_Lip.
Both are exact for a linear map written as relu(w.x) - relu(-w.x) up to the factor 2 of the card's fixture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import ApproxTheoryError


@dataclass(frozen=True)
class ReluReadout:
    """Width-m ReLU network on R^D: outer weights a (m,), inner weights B (m, D), biases c (m,)."""

    a: np.ndarray
    B: np.ndarray
    c: np.ndarray

    def __post_init__(self) -> None:
        a, B, c = (np.asarray(v, dtype=np.float64) for v in (self.a, self.B, self.c))
        if B.ndim != 2 or a.shape != (B.shape[0],) or c.shape != (B.shape[0],):
            raise ApproxTheoryError(f"readout shapes must be a (m,), B (m, D), c (m,); got {a.shape}, {B.shape}, {c.shape}")
        if not all(np.all(np.isfinite(v)) for v in (a, B, c)):
            raise ApproxTheoryError("readout weights must be finite")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "B", B)
        object.__setattr__(self, "c", c)

    @property
    def input_dim(self) -> int:
        return int(self.B.shape[1])

    @property
    def width(self) -> int:
        return int(self.B.shape[0])

    def __call__(self, x: np.ndarray) -> float:
        v = np.asarray(x, dtype=np.float64).reshape(-1)
        if v.size != self.input_dim:
            raise ApproxTheoryError(f"readout takes {self.input_dim} inputs, got {v.size}")
        return float(self.a @ np.maximum(self.B @ v + self.c, 0.0))

    def path_norm(self) -> float:
        """sum_k |a_k| (||b_k||_1 + |c_k|) >= ||f||_B."""
        return float(np.abs(self.a) @ (np.abs(self.B).sum(axis=1) + np.abs(self.c)))

    def lipschitz_bound(self) -> float:
        """sum_k |a_k| ||b_k||_2 >= ||f||_Lip."""
        return float(np.abs(self.a) @ np.linalg.norm(self.B, axis=1))


def linear(w: Sequence[float]) -> ReluReadout:
    """f(x) = w.x = relu(w.x) - relu(-w.x): path norm 2||w||_1, Lipschitz constant ||w||_2 (card §6)."""
    w = np.asarray(w, dtype=np.float64).reshape(1, -1)
    return ReluReadout(np.array([1.0, -1.0]), np.vstack([w, -w]), np.zeros(2))


def relu_sum(W: Sequence[Sequence[float]]) -> ReluReadout:
    """f(x) = sum_k relu(w_k.x), the readouts of WE24 E1b and E2a."""
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ApproxTheoryError("relu_sum needs a matrix with one row w_k per unit")
    return ReluReadout(np.ones(W.shape[0]), W, np.zeros(W.shape[0]))
