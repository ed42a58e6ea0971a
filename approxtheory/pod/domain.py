"""Token domains of JL24 (card §2, eq. 7) and composite Gauss-Legendre quadrature on them.

Tokens are scalars (d = 1). A domain is either one interval shared by every position (no
positional encoding, as in the paper's experiment E1) or one interval I^(s) per position,
pairwise disjoint (the encoded input space X^(E) of eq. 7). I is the union of the pieces.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..core import ApproxTheoryError


@dataclass(frozen=True)
class Domain:
    """The pieces I^(s) = [lo, hi]: one shared piece, or one per position (disjoint, increasing)."""

    pieces: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not self.pieces:
            raise ApproxTheoryError("a domain needs at least one piece", "pass pieces=((0.0, 1.0),) for [0, 1]")
        clean = []
        for piece in self.pieces:
            try:
                lo, hi = (float(v) for v in piece)
            except (TypeError, ValueError):
                raise ApproxTheoryError(f"a piece must be a pair (lo, hi) of numbers, got {piece!r}") from None
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ApproxTheoryError(f"the piece [{lo}, {hi}] is not a finite interval with lo < hi")
            clean.append((lo, hi))
        for (_, hi), (lo, _) in itertools.pairwise(clean):
            if lo <= hi:
                raise ApproxTheoryError(
                    "the pieces I^(s) must be pairwise disjoint and listed in increasing order (eq. 7)",
                    f"piece starting at {lo} overlaps or precedes the piece ending at {hi}",
                )
        object.__setattr__(self, "pieces", tuple(clean))

    @classmethod
    def unit(cls) -> Domain:
        """[0, 1] shared by every position."""
        return cls(((0.0, 1.0),))

    @classmethod
    def encoded(cls, tau: int, length: float = 1.0, gap: float = 1.0) -> Domain:
        """tau disjoint pieces [s (length + gap), s (length + gap) + length], s = 0..tau-1."""
        if not isinstance(tau, int) or tau < 1:
            raise ApproxTheoryError(f"tau must be a positive integer, got {tau!r}")
        step = length + gap
        return cls(tuple((s * step, s * step + length) for s in range(tau)))

    @property
    def shared(self) -> bool:
        return len(self.pieces) == 1

    @property
    def measure(self) -> float:
        """Lebesgue measure |I| of the union of the pieces."""
        return float(sum(hi - lo for lo, hi in self.pieces))

    def check_tau(self, tau: int) -> None:
        if not isinstance(tau, int) or tau < 1:
            raise ApproxTheoryError(f"tau must be a positive integer, got {tau!r}")
        if not self.shared and len(self.pieces) != tau:
            raise ApproxTheoryError(
                f"the domain has {len(self.pieces)} per-position pieces but tau = {tau}",
                "give one piece per position, or a single shared piece",
            )

    def bounds(self, tau: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-position (lo, hi) arrays of shape (tau,)."""
        self.check_tau(tau)
        pieces = self.pieces * tau if self.shared else self.pieces
        lo, hi = np.array(pieces, dtype=np.float64).T
        return lo, hi

    def sample(self, rng: np.random.Generator, batch: int, tau: int) -> np.ndarray:
        """``batch`` sequences (batch, tau), token s uniform on its piece (the product measure)."""
        if not isinstance(batch, int) or batch < 1:
            raise ApproxTheoryError(f"batch must be a positive integer, got {batch!r}")
        lo, hi = self.bounds(tau)
        return lo + (hi - lo) * rng.uniform(size=(batch, tau))


def gauss_legendre(domain: Domain, order: int, panels: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of composite Gauss-Legendre on I: each piece cut into ``panels`` equal
    panels with ``order`` nodes each; sum(w g(u)) approximates the Lebesgue integral of g over I."""
    if not isinstance(order, int) or order < 1 or not isinstance(panels, int) or panels < 1:
        raise ApproxTheoryError(f"order and panels must be positive integers, got {order!r}, {panels!r}")
    t, w = np.polynomial.legendre.leggauss(order)
    nodes, weights = [], []
    for lo, hi in domain.pieces:
        edges = np.linspace(lo, hi, panels + 1)
        half = 0.5 * np.diff(edges)
        mid = 0.5 * (edges[:-1] + edges[1:])
        nodes.append((mid[:, None] + half[:, None] * t[None, :]).ravel())
        weights.append((half[:, None] * w[None, :]).ravel())
    return np.concatenate(nodes), np.concatenate(weights)
