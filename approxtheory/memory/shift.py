"""Kernels that must work for every shift B in [1, T] with one set of coefficients (WE24.lemF.2, WE24.lemF.5).

The dot-product heads of Thm 4.1 give, for a position B = g(x_t), the non-normalised kernel
sum_h alpha_h e^{-beta_h (s - B)} (lin) or sum_h alpha_h (s/B)^{-beta_h} (log), and the same alpha must
approximate delta_B for every B <= T: ``min_alpha max_B ||delta_B - phi_B||_l1``, one LP block per B.

For lin the blocks collapse: with psi(u) = sum_h alpha_h e^{-beta_h u}, block B is the l1 error of psi
against delta_0 on u >= -B, a subset of the offsets of block T, so the worst block is B = T and the
problem is the unshifted delta_T problem with alpha_h e^{beta_h T} (card §4.3 [fixture]). For log the
offsets s/B of different B interleave and no block dominates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.special

from ..core import ApproxTheoryError
from .bases import check_encoding, check_rates
from .lp import Block, minimax_l1_fit


@dataclass(frozen=True)
class ShiftFit:
    """Shared coefficients (of the column-scaled basis), the rates, and the error of every shift block."""

    encoding: str
    T: int
    rates: np.ndarray
    alpha: np.ndarray
    block_errors: tuple[float, ...]

    @property
    def error(self) -> float:
        return max(self.block_errors)


def _column_scale(encoding: str, rates: np.ndarray, T: int) -> np.ndarray:
    # B-independent: the l1 mass of the column of the widest block B = T, so all blocks stay <= 1
    if encoding == "lin":
        return np.exp(rates * T) / -np.expm1(-rates)
    return T**rates * scipy.special.zeta(rates, 1.0)


def shift_blocks(encoding: str, T: int, rates: np.ndarray, window: int) -> list[Block]:
    """One block per B = 1..T: delta_B against the shifted head kernels on offsets up to ``window``, with tails."""
    check_encoding(encoding)
    r = check_rates(encoding, rates, "infinite")
    if not isinstance(T, int) or T < 1 or window < 2 * T:
        raise ApproxTheoryError(f"need an integer T >= 1 and a window >= 2T, got T={T!r}, window={window!r}")
    scale = _column_scale(encoding, r, T)
    blocks = []
    for B in range(1, T + 1):
        s = np.arange(0 if encoding == "lin" else 1, window + 1, dtype=np.float64)
        if encoding == "lin":
            columns = np.exp(-np.outer(s - B, r))
            tail = np.exp(-r * (window + 1 - B)) / -np.expm1(-r)
        else:
            columns = (s[:, None] / B) ** (-r[None, :])
            tail = B**r * scipy.special.zeta(r, window + 1.0)
        blocks.append(Block((s == B).astype(np.float64), columns / scale, tail / scale))
    return blocks


def shift_uniform_fit(encoding: str, T: int, rates: np.ndarray, window: int) -> ShiftFit:
    """The best shared coefficients at fixed rates: min over alpha of the worst block (minimax LP)."""
    blocks = shift_blocks(encoding, T, rates, window)
    solution = minimax_l1_fit(blocks)
    return ShiftFit(encoding, T, np.asarray(rates, dtype=np.float64), solution.coefficients,
                    tuple(b.error(solution.coefficients) for b in blocks))
