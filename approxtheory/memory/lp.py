"""l1 fits with fixed basis columns as linear programs (SciPy HiGHS, float64), WE24 card §4.6.

The problem ``min_alpha sum_s w_s |kappa_s - (B alpha)_s| + sum_h tau_h |alpha_h|`` is solved through its
dual, ``max kappa.lambda`` subject to ``|B^T lambda| <= tau`` and ``|lambda_s| <= w_s``: that LP has one
row per head instead of one per offset, and HiGHS solves it faster and more reliably. The
coefficients come back as the dual's multipliers, and the objective is always *recomputed* from
them in float64, so a reported error is the error of a concrete fit, never a solver's claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse as sps

from ..core import ApproxTheoryError


@dataclass(frozen=True)
class LPSolution:
    """Coefficients, the objective recomputed at them, and the LP optimum HiGHS reported."""

    coefficients: np.ndarray
    objective: float
    solver_value: float
    formulation: str


@dataclass(frozen=True)
class Block:
    """One term of a minimax fit: rows of a residual kappa - B alpha, row weights and tail weights."""

    kappa: np.ndarray
    basis: np.ndarray
    tail: np.ndarray
    weights: np.ndarray | None = None

    def error(self, alpha: np.ndarray) -> float:
        w = np.ones(self.kappa.shape) if self.weights is None else self.weights
        return float(w @ np.abs(self.kappa - self.basis @ alpha) + self.tail @ np.abs(alpha))


def _validate(block: Block) -> None:
    n, h = block.basis.shape
    if block.kappa.shape != (n,) or block.tail.shape != (h,):
        raise ApproxTheoryError(
            f"shape mismatch: basis {block.basis.shape}, kappa {block.kappa.shape}, tail {block.tail.shape}",
            "kappa needs one entry per basis row and tail one per column",
        )
    arrays = [block.kappa, block.basis, block.tail] + ([] if block.weights is None else [block.weights])
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise ApproxTheoryError("the LP data contain non-finite numbers", "check the rates: a head weight over/underflowed")
    if np.any(block.tail < 0) or (block.weights is not None and np.any(block.weights < 0)):
        raise ApproxTheoryError("tail and row weights must be nonnegative")


def l1_fit(kappa: np.ndarray, basis: np.ndarray, tail: np.ndarray, weights: np.ndarray | None = None) -> LPSolution:
    """Best l1 fit of ``kappa`` by the columns of ``basis`` with per-column tail penalties (dual LP)."""
    block = Block(np.asarray(kappa, float), np.asarray(basis, float), np.asarray(tail, float), weights)
    _validate(block)
    n, h = block.basis.shape
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    result = scipy.optimize.linprog(
        -block.kappa,
        A_ub=np.vstack([block.basis.T, -block.basis.T]),
        b_ub=np.concatenate([block.tail, block.tail]),
        bounds=np.stack([-w, w], axis=1),
        method="highs",
    )
    if result.status != 0:
        return minimax_l1_fit([block])  # the primal, as a second formulation
    marginals = result.ineqlin.marginals  # d(objective)/d(b_ub) <= 0 for the two one-sided rows
    alpha = marginals[h:] - marginals[:h]
    return LPSolution(alpha, block.error(alpha), float(-result.fun), "dual")


def minimax_l1_fit(blocks: Sequence[Block]) -> LPSolution:
    """``min_alpha max_b error_b(alpha)`` over blocks sharing the coefficients (primal LP, sparse).

    Used for kernels that must hold uniformly over a shift (WE24.lemF.5) and for the exact error of
    the Prop 4.2 attention, whose three cases weigh different offsets.
    """
    if not blocks:
        raise ApproxTheoryError("minimax_l1_fit needs at least one block")
    for b in blocks:
        _validate(b)
    h = blocks[0].basis.shape[1]
    if any(b.basis.shape[1] != h for b in blocks):
        raise ApproxTheoryError("all blocks must share the same number of basis columns")
    sizes = [b.basis.shape[0] for b in blocks]
    n_u = sum(sizes)
    # variables: alpha (h, free) | a = |alpha| (h) | u = |residual| (n_u) | t
    n_var = 2 * h + n_u + 1
    rows, rhs = [], []
    start = 0
    for b, n in zip(blocks, sizes):
        u = sps.csr_matrix((np.ones(n), (np.arange(n), start + np.arange(n))), shape=(n, n_u))
        B = sps.csr_matrix(b.basis)
        zero_h, zero_t = sps.csr_matrix((n, h)), sps.csr_matrix((n, 1))
        rows += [sps.hstack([-B, zero_h, -u, zero_t]), sps.hstack([B, zero_h, -u, zero_t])]
        rhs += [-b.kappa, b.kappa]
        w = np.ones(n) if b.weights is None else b.weights
        wu = np.zeros(n_u)
        wu[start:start + n] = w
        rows.append(sps.csr_matrix(np.concatenate([np.zeros(h), b.tail, wu, [-1.0]])[None, :]))
        rhs.append(np.zeros(1))
        start += n
    eye = sps.identity(h, format="csr")
    rest = sps.csr_matrix((h, n_u + 1))
    rows += [sps.hstack([eye, -eye, rest]), sps.hstack([-eye, -eye, rest])]
    rhs += [np.zeros(h), np.zeros(h)]
    cost = np.zeros(n_var)
    cost[-1] = 1.0
    bounds = [(None, None)] * h + [(0, None)] * (h + n_u + 1)
    result = scipy.optimize.linprog(cost, A_ub=sps.vstack(rows, format="csr"), b_ub=np.concatenate(rhs),
                                    bounds=bounds, method="highs")
    if result.status != 0:
        raise ApproxTheoryError(f"HiGHS could not solve the l1 fit: {result.message}",
                                "the basis may be too ill-conditioned; spread the rates or shrink the window")
    alpha = result.x[:h]
    return LPSolution(alpha, max(b.error(alpha) for b in blocks), float(result.fun), "primal")
