"""POD spectra by quadrature (JL24.def.pod): singular values of diag(sqrt w) [rho(u_i, v_j)] diag(sqrt w).

With Gauss-Legendre nodes u_i and weights w_i on I, the weighted matrix is the Galerkin image of
the integral operator (K g)(u) = int_I rho(u, v) g(v) dv, whose singular values are the POD's sigma_k.
The grid is refined (panels doubled) until the leading singular values move by at most ``tol``
between two refinements; the spectrum reports the tolerance actually reached.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg

from ..core import ApproxTheoryError
from ..numerics import x64
from .domain import Domain, gauss_legendre
from .targets import Fn, SeparablePOD, Target


@dataclass(frozen=True)
class Spectrum:
    """Leading singular values and how far the refinement got.

    ``tolerance_reached`` is max_i |sigma_i(N) - sigma_i(N/2)| over the leading ``lead`` values
    at the final grid of ``nodes`` points per axis; ``converged`` says whether it met ``tolerance``.
    """

    singular_values: np.ndarray
    nodes: int
    tolerance: float
    tolerance_reached: float
    converged: bool
    history: tuple[tuple[int, float], ...]

    def to_dict(self, digits: int = 12) -> dict[str, object]:
        return {
            "singular_values": [float(f"{s:.{digits}g}") for s in self.singular_values],
            "nodes_per_axis": self.nodes,
            "tolerance": self.tolerance,
            "tolerance_reached": self.tolerance_reached,
            "converged": self.converged,
            "refinements": [list(h) for h in self.history],
        }


@functools.lru_cache(maxsize=32)
def _grid_fn(rho: Fn) -> Fn:
    return jax.jit(jax.vmap(jax.vmap(rho, (None, 0)), (0, None)))


@x64
def coupling_matrix(rho: Fn, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """[rho(u_i, v_j)] as a float64 array, one vectorised JAX evaluation (compiled once per rho and grid size)."""
    grid = _grid_fn(rho)(jnp.asarray(u), jnp.asarray(v))
    out = np.asarray(grid, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise ApproxTheoryError("rho is not finite on the quadrature grid", "the POD needs a bounded coupling rho on I x I")
    return out


def weighted_singular_values(rho: Fn, domain: Domain, order: int, panels: int) -> tuple[np.ndarray, int]:
    """All singular values of the weighted coupling matrix on one grid, and the grid size."""
    nodes, weights = gauss_legendre(domain, order, panels)
    root = np.sqrt(weights)
    a = root[:, None] * coupling_matrix(rho, nodes, nodes) * root[None, :]
    return scipy.linalg.svdvals(a, check_finite=False), nodes.size


def pod_spectrum(
    rho: Fn,
    domain: Domain,
    *,
    lead: int = 8,
    tol: float = 1e-10,
    order: int = 16,
    max_nodes: int = 2048,
) -> Spectrum:
    """Leading POD singular values of rho on I x I, refined until the first ``lead`` are stable to ``tol``."""
    if not isinstance(lead, int) or lead < 1:
        raise ApproxTheoryError(f"lead must be a positive integer, got {lead!r}")
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ApproxTheoryError(f"tol must be a positive number, got {tol!r}")
    pieces = len(domain.pieces)
    if order * pieces > max_nodes:
        raise ApproxTheoryError(f"max_nodes = {max_nodes} is below one panel per piece ({order * pieces} nodes)",
                                "raise max_nodes or lower order")
    panels, previous, history = 1, None, []
    while True:
        sv, n = weighted_singular_values(rho, domain, order, panels)
        head = np.zeros(lead)
        head[: min(lead, sv.size)] = sv[:lead]
        if previous is not None:
            change = float(np.max(np.abs(head - previous)))
            history.append((n, change))
            if change <= tol or 2 * n > max_nodes:
                return Spectrum(head, n, float(tol), change, change <= tol, tuple(history))
        elif 2 * n > max_nodes:
            return Spectrum(head, n, float(tol), float("inf"), False, ((n, float("inf")),))
        previous, panels = head, panels * 2


@x64
def quadrature_pod(target: Target, *, terms: int = 16, order: int = 16, panels: int = 8) -> SeparablePOD:
    """A numerical POD of a user's rho: weighted SVD plus Nystrom extension of the bases.

    phi_k(u) = sigma_k^-1 int rho(u, v) psi_k(v) dv and psi_k(v) = sigma_k^-1 int phi_k(u) rho(u, v) du,
    both by the same quadrature, so the bases are functions on all of I, not grid values.
    Approximate (``exact=False``): the sup norms are maxima over a fine grid, not bounds, and
    ``rank`` counts the resolved terms (singular values above 1e-13 sigma_1, at most ``terms``).
    """
    nodes, weights = gauss_legendre(target.domain, order, panels)
    root = np.sqrt(weights)
    grid = coupling_matrix(target.rho, nodes, nodes)
    u_mat, sv, vt = np.linalg.svd(root[:, None] * grid * root[None, :])
    keep = int(min(terms, np.sum(sv > sv[0] * 1e-13))) if sv[0] > 0 else 1
    sv = sv[:keep]
    # Left weights: phi_k(u) = sum_j rho(u, v_j) sqrt(w_j) V_jk / sigma_k; right likewise with U.
    right_coef = jnp.asarray((root[:, None] * vt[:keep].T) / sv[None, :])
    left_coef = jnp.asarray((root[:, None] * u_mat[:, :keep]) / sv[None, :])
    nodes_j = jnp.asarray(nodes)
    rho = target.rho

    def left_one(u: jax.Array) -> jax.Array:
        return jax.vmap(lambda v: rho(u, v))(nodes_j) @ right_coef

    def right_one(v: jax.Array) -> jax.Array:
        return jax.vmap(lambda u: rho(u, v))(nodes_j) @ left_coef

    def left(u: jax.Array) -> jax.Array:
        u = jnp.asarray(u)
        return jax.vmap(left_one)(u.reshape(-1)).reshape(u.shape + (keep,))

    def right(v: jax.Array) -> jax.Array:
        v = jnp.asarray(v)
        return jax.vmap(right_one)(v.reshape(-1)).reshape(v.shape + (keep,))

    probe = jnp.asarray(np.concatenate([np.linspace(a, b, 257) for a, b in target.domain.pieces]))
    left_sup = np.abs(np.asarray(jax.jit(left)(probe))).max(axis=0)
    right_sup = np.abs(np.asarray(jax.jit(right)(probe))).max(axis=0)
    return SeparablePOD(sv, left, right, left_sup, right_sup, keep, False)
