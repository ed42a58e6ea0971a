"""Targets in the representation form (8) of JL24.def.repr, with the card's closed-form fixtures.

H_t(x) = F( sum_s softmax_s(rho(x(t), x(.))) f(x(s)) ), tokens x(s) scalars in the domain's pieces.
F, f and rho are JAX callables: F maps (n',) to a scalar, f a scalar to (n',), rho two scalars to
a scalar. When the POD of rho is known in closed form a :class:`SeparablePOD` is attached; for a
user's own rho, :func:`approxtheory.pod.spectrum.quadrature_pod` computes one numerically.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import jax
import jax.numpy as jnp
import numpy as np

from ..core import ApproxTheoryError
from ..numerics import x64
from .domain import Domain
from .trig import TrigSystem, check_periodic_zeta, periodic_zeta_cos, sine_system

Fn = Callable[..., jax.Array]


@dataclass(frozen=True, eq=False)
class SeparablePOD:
    """rho(u, v) = sum_k sigma_k phi_k(u) psi_k(v) (JL24.def.pod), the first K terms explicit.

    ``left``/``right`` map tokens of shape S to values of shape S + (K,). ``rank`` is None for an
    infinite expansion, whose singular values beyond K follow ``tail`` = (c, a): sigma_k = c k^-a.
    ``left_sup``/``right_sup`` bound sup |phi_k|, sup |psi_k| (rigorous when ``exact``), and
    ``tail_sup`` bounds both for every k beyond the listed terms of an infinite expansion.
    """

    sigmas: np.ndarray
    left: Fn
    right: Fn
    left_sup: np.ndarray
    right_sup: np.ndarray
    rank: int | None
    exact: bool
    tail: tuple[float, float] | None = None
    left_system: TrigSystem | None = None
    right_system: TrigSystem | None = None
    tail_sup: float | None = None

    def __post_init__(self) -> None:
        s = np.asarray(self.sigmas, dtype=np.float64)
        if s.ndim != 1 or s.size == 0 or np.any(s < 0) or np.any(np.diff(s) > 1e-12 * max(1.0, s[0])):
            raise ApproxTheoryError("singular values must be a non-empty, non-negative, non-increasing 1-d array")
        if self.rank is None and self.tail is None:
            raise ApproxTheoryError("an infinite-rank POD needs its tail sigma_k = c k^-a beyond the listed terms")
        object.__setattr__(self, "sigmas", s)
        object.__setattr__(self, "left_sup", np.asarray(self.left_sup, dtype=np.float64))
        object.__setattr__(self, "right_sup", np.asarray(self.right_sup, dtype=np.float64))

    @property
    def terms(self) -> int:
        return int(self.sigmas.size)

    def sigma(self, k: int) -> float:
        """sigma_k for any k >= 1 (0 beyond a finite rank, the tail law beyond the listed terms)."""
        if k <= self.terms:
            return float(self.sigmas[k - 1])
        if self.rank is not None:
            return 0.0
        c, a = self.tail  # type: ignore[misc]
        return c * k ** (-a)


@dataclass(frozen=True, eq=False)
class Target:
    """A sequence-to-sequence target in the form (8), with what the complexity measures need."""

    name: str
    tau: int
    domain: Domain
    F: Fn
    f: Fn
    rho: Fn
    n_prime: int
    lipschitz_F: float | None = None  # K_F, for C0 (eq. 13)
    f_sup: float | None = None  # sup |f| (Euclidean norm on R^n'), for C0
    pod: SeparablePOD | None = None
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.domain.check_tau(self.tau)

    @cached_property
    def _batched(self) -> Callable[[jax.Array], jax.Array]:
        F, f, rho = self.F, self.f, self.rho

        def one(x: jax.Array) -> jax.Array:
            logits = jax.vmap(jax.vmap(rho, (None, 0)), (0, None))(x, x)
            weights = jax.nn.softmax(logits, axis=-1)
            return jax.vmap(F)(weights @ jax.vmap(f)(x))

        return jax.jit(jax.vmap(one))

    @x64
    def outputs(self, x: np.ndarray) -> np.ndarray:
        """H_t(x) for a batch of sequences x of shape (batch, tau); returns (batch, tau)."""
        x = _as_batch(x, self.tau)
        return np.asarray(self._batched(jnp.asarray(x)))

    @x64
    def logits(self, x: np.ndarray) -> np.ndarray:
        """rho(x(t), x(s)) for a batch, shape (batch, tau, tau)."""
        x = jnp.asarray(_as_batch(x, self.tau))
        pair = jax.vmap(jax.vmap(self.rho, (None, 0)), (0, None))
        return np.asarray(jax.vmap(lambda row: pair(row, row))(x))

    @classmethod
    def custom(
        cls,
        F: Fn,
        f: Fn,
        rho: Fn,
        *,
        tau: int,
        domain: Domain | None = None,
        name: str = "custom",
        lipschitz_F: float | None = None,
        f_sup: float | None = None,
    ) -> Target:
        """A user's target from JAX callables; probes them once so that a wrong shape fails here."""
        domain = domain or Domain.unit()
        domain.check_tau(tau)
        for label, fn in (("F", F), ("f", f), ("rho", rho)):
            if not callable(fn):
                raise ApproxTheoryError(f"{label} must be a callable, got {type(fn).__name__}")
        with jax.enable_x64(True):
            u = jnp.float64(domain.pieces[0][0] + 0.5 * (domain.pieces[0][1] - domain.pieces[0][0]))
            fu = _probe("f", lambda: f(u), "f(u) for a scalar token u must be a 1-d array (n',)")
            if fu.ndim != 1 or fu.size == 0:
                raise ApproxTheoryError(f"f(u) must be a 1-d array of shape (n',), got shape {fu.shape}")
            r = _probe("rho", lambda: rho(u, u), "rho(u, v) of two scalar tokens must be a scalar")
            Fv = _probe("F", lambda: F(jnp.asarray(fu)), "F must map f's output (n',) to a scalar")
        for label, value in (("rho(u, v)", r), ("F(h)", Fv)):
            if value.shape != ():
                raise ApproxTheoryError(f"{label} must be a scalar, got shape {value.shape}")
        return cls(name, tau, domain, F, f, rho, int(fu.size), lipschitz_F, f_sup)


def _probe(label: str, call: Callable[[], jax.Array], hint: str) -> np.ndarray:
    try:
        value = np.asarray(call(), dtype=np.float64)
    except Exception as err:  # noqa: BLE001 - a user's callable may raise anything; report it as one error
        raise ApproxTheoryError(f"calling {label} failed: {type(err).__name__}: {err}", hint) from None
    if not np.all(np.isfinite(value)):
        raise ApproxTheoryError(f"{label} returned a non-finite value", hint)
    return value


def _as_batch(x: np.ndarray, tau: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != tau:
        raise ApproxTheoryError(f"sequences must have shape (batch, {tau}), got {x.shape}")
    return x


def _identity_parts() -> tuple[Fn, Fn]:
    return (lambda h: h[0]), (lambda u: jnp.atleast_1d(u))


def _separable(pod_sigmas: np.ndarray, left: TrigSystem, right: TrigSystem, rank: int | None,
               tail: tuple[float, float] | None = None) -> SeparablePOD:
    return SeparablePOD(np.asarray(pod_sigmas, dtype=np.float64), left, right, left.sup_bounds(), right.sup_bounds(),
                        rank, True, tail, left, right)


def separable(sigmas: np.ndarray, left: TrigSystem, right: TrigSystem, tau: int, *, name: str = "separable") -> Target:
    """A target with F = f = id on [0, 1] and rho = sum_k sigma_k phi_k(u) psi_k(v) given by its POD.

    ``left``/``right`` must be orthonormal in L2[0, 1] (checked on a quadrature exact for their degree),
    so that the sigma_k are the singular values; the rank is the number of terms."""
    sig = np.asarray(sigmas, dtype=np.float64)
    if left.size != sig.size or right.size != sig.size:
        raise ApproxTheoryError(f"need {sig.size} functions on each side, got {left.size} and {right.size}")
    grid = (np.arange(4 * int(max(left.frequencies.max(), right.frequencies.max())) + 8) + 0.5)
    grid = grid / grid.size  # the midpoint rule is exact for trigonometric polynomials of lower degree
    for label, system in (("left", left), ("right", right)):
        vals = system.numpy_values(grid)
        if not np.allclose(vals.T @ vals / grid.size, np.eye(sig.size), atol=1e-10):
            raise ApproxTheoryError(f"the {label} functions are not orthonormal in L2[0, 1]")

    def rho(u: jax.Array, v: jax.Array) -> jax.Array:
        return jnp.sum(sig * left(u) * right(v), axis=-1)

    F, f = _identity_parts()
    return Target(name, tau, Domain.unit(), F, f, rho, 1, 1.0, 1.0, _separable(sig, left, right, int(sig.size)))


# --- fixtures (card §7) -------------------------------------------------------------------------

def rank2(tau: int = 2) -> Target:
    """JL24.fix.rank2: rho(u, v) = 1 + 2 sin(2 pi u) sin(2 pi v) on [0, 1]^2, POD sigma = (1, 1)."""
    basis = TrigSystem(np.array([0, 1]), np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, math.sqrt(2)]]))
    F, f = _identity_parts()
    return Target("rank2", tau, Domain.unit(), F, f,
                  lambda u, v: 1 + 2 * jnp.sin(2 * jnp.pi * u) * jnp.sin(2 * jnp.pi * v), 1, 1.0, 1.0,
                  _separable(np.ones(2), basis, basis, 2))


MIX_GRAM = np.array([[1.0, 1 / math.sqrt(2), 0.0], [1 / math.sqrt(2), 0.75, 0.0], [0.0, 0.0, 0.25]])


def mix(tau: int = 2) -> Target:
    """JL24.fix.mix / exD.3: rho~(x1, x2) = rho(x1, x1 + x2), rank 3.

    rho~ = g(x1) . e(x2) with orthonormal e = (1, sqrt2 cos 2 pi x2, sqrt2 sin 2 pi x2) and
    g = (1, (1 - cos 4 pi x1)/sqrt2, sin 4 pi x1 / sqrt2), whose Gram matrix G is MIX_GRAM; with
    G = V diag(lambda) V^T the POD is sigma_k = sqrt(lambda_k), phi_k = g . v_k / sigma_k, psi_k = e . v_k.
    """
    lam, vecs = np.linalg.eigh(MIX_GRAM)
    order = np.argsort(lam)[::-1]
    lam, vecs = lam[order], vecs[:, order]
    sig = np.sqrt(lam)
    r2 = 1 / math.sqrt(2)
    # g in the basis (1, cos 4 pi x, sin 4 pi x): rows are g_i's coefficients.
    g_cos = np.array([[1.0, 0.0], [r2, -r2], [0.0, 0.0]])  # frequencies (0, 2)
    g_sin = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, r2]])
    e_cos = np.array([[1.0, 0.0], [0.0, math.sqrt(2)], [0.0, 0.0]])  # frequencies (0, 1)
    e_sin = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, math.sqrt(2)]])
    left = TrigSystem(np.array([0, 2]), (vecs.T @ g_cos) / sig[:, None], (vecs.T @ g_sin) / sig[:, None])
    right = TrigSystem(np.array([0, 1]), vecs.T @ e_cos, vecs.T @ e_sin)

    def rho(u: jax.Array, v: jax.Array) -> jax.Array:
        return 1 + (1 - jnp.cos(4 * jnp.pi * u)) * jnp.cos(2 * jnp.pi * v) + jnp.sin(4 * jnp.pi * u) * jnp.sin(2 * jnp.pi * v)

    F, f = _identity_parts()
    return Target("mix", tau, Domain.unit(), F, f, rho, 1, 1.0, 1.0, _separable(sig, left, right, 3))


def sines(alpha: float, r: int | None, tau: int = 16, *, terms: int = 64, encoded: bool = False) -> Target:
    """JL24.fix.sines, the E1 family: rho = sum_{i<=r} i^-alpha 2 sin(2 pi i u) sin(2 pi i v), F = f = id.

    ``r=None`` is r = infinity, evaluated in closed form (periodic zeta, see trig.py); it needs
    alpha > 1, because for alpha <= 1 the series diverges on the diagonal u = v, where every
    query meets itself. ``encoded`` puts token s on its own piece [2s, 2s+1] (eq. 7): the
    coupling then acts on the raw token, and the POD on I has sigma_k tau and bases scaled 1/sqrt(tau).
    """
    if not (isinstance(alpha, (int, float)) and alpha > 0.5):
        raise ApproxTheoryError(f"alpha must exceed 1/2 (Thm 4.2), got {alpha!r}")
    if r is not None and (not isinstance(r, int) or r < 1):
        raise ApproxTheoryError(f"r must be a positive integer or None (infinite rank), got {r!r}")
    if not isinstance(terms, int) or terms < 1:
        raise ApproxTheoryError(f"terms must be a positive integer, got {terms!r}")
    listed = r if r is not None else terms
    k = np.arange(1, listed + 1)
    sig = k ** (-float(alpha))
    basis = sine_system(k)
    domain = Domain.encoded(tau) if encoded else Domain.unit()

    def raw(u: jax.Array) -> jax.Array:
        return jnp.mod(u, 2.0) if encoded else u

    if r is None:
        def rho(u: jax.Array, v: jax.Array) -> jax.Array:
            a, b = raw(u), raw(v)
            return periodic_zeta_cos(alpha, a - b) - periodic_zeta_cos(alpha, a + b)
        check_periodic_zeta(alpha)
    else:
        def rho(u: jax.Array, v: jax.Array) -> jax.Array:
            return jnp.sum(sig * basis(raw(u)) * basis(raw(v)), axis=-1)  # sig stays a float64 NumPy constant

    scale = math.sqrt(tau) if encoded else 1.0
    pod = SeparablePOD(sig * scale**2, lambda u: basis(raw(u)) / scale, lambda v: basis(raw(v)) / scale,
                       basis.sup_bounds() / scale, basis.sup_bounds() / scale, r, True,
                       None if r is not None else (scale**2, float(alpha)),
                       None if encoded else basis, None if encoded else basis,
                       None if r is not None else math.sqrt(2) / scale)
    label = f"sines(alpha={alpha}, r={'inf' if r is None else r}{', encoded' if encoded else ''})"
    def f(u: jax.Array) -> jax.Array:
        return jnp.atleast_1d(raw(u))

    return Target(label, tau, domain, _identity_parts()[0], f, rho, 1, 1.0, 1.0, pod)


def repr_weights(lengths: tuple[float, ...] = (1.0, 0.5, 0.25)) -> Target:
    """JL24.fix.repr_weights: rho = ln 2 on the same piece, 0 across pieces (tau = len(lengths)).

    Pieces I_s = [2s, 2s + l_s]; f maps a token to its position in its piece, scaled to [0, 1].
    The softmax row t is 2/(tau+1) at s = t and 1/(tau+1) elsewhere; the POD is
    sigma_s = ln 2 |I_s| with bases 1_{I_s} / sqrt(|I_s|).
    """
    ell = np.asarray(lengths, dtype=np.float64)
    if ell.ndim != 1 or ell.size == 0 or np.any(ell <= 0) or np.any(ell >= 2):
        raise ApproxTheoryError("lengths must be a non-empty tuple of numbers in (0, 2)")
    tau = int(ell.size)
    domain = Domain(tuple((2.0 * s, 2.0 * s + float(ell[s])) for s in range(tau)))
    def piece(u: jax.Array) -> jax.Array:
        return jnp.clip(jnp.floor(u / 2.0), 0, tau - 1).astype(jnp.int32)

    def rho(u: jax.Array, v: jax.Array) -> jax.Array:
        return jnp.where(piece(u) == piece(v), jnp.log(2.0), 0.0)

    order = np.argsort(-ell, kind="stable")

    def basis(u: jax.Array) -> jax.Array:
        onehot = jax.nn.one_hot(piece(u), tau, dtype=jnp.float64)
        return onehot[..., order] / np.sqrt(ell[order])

    sup = 1 / np.sqrt(ell[order])
    pod = SeparablePOD(math.log(2) * ell[order], basis, basis, sup, sup, tau, True)
    def f(u: jax.Array) -> jax.Array:
        return jnp.atleast_1d((u - 2.0 * piece(u)) / jnp.asarray(ell)[piece(u)])

    return Target("repr_weights", tau, domain, _identity_parts()[0], f, rho, 1, 1.0, 1.0, pod)
