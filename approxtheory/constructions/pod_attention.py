"""The construction in the proof of JL24.thm4.2 (card §5.1): attention as a truncated POD.

With the POD rho = sum_k sigma_k phi_k(u) psi_k(v), the token map is
f^(u) = (sigma_1 phi_1(u), ..., sigma_m phi_m(u), psi_1(u), ..., psi_m(u), f(u)) in R^(2 m + m_v),
and the selectors W_Q = [I | 0 | 0], W_K = [0 | I | 0], W_V = [0 | 0 | I] make the logits the
rank-m truncation rho~_m(x(t), x(s)). F^ = F and the feed-forward parts are exact (m_FF = oo).
Where sigma_k sits (query side here) is an implementer's choice the paper leaves open (card §8).

Three evaluations of the same construction: the literal single layer of eq. (5) with these
weights (one m at a time), a scan over m that yields every m = 1..m_max at once (JAX), and a plain
NumPy reference (for benchmarks and as the second method in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import scipy.stats

from ..core import ApproxTheoryError
from ..numerics import TraceCounter, x64
from ..pod.domain import Domain, gauss_legendre
from ..pod.targets import Fn, Target

TRACES = TraceCounter()


# --- the literal construction -------------------------------------------------------------------

def selector_weights(m_h: int, m_v: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W_Q, W_K (m_h x n) and W_V (m_v x n) with n = 2 m_h + m_v, as in the proof of Thm 4.2."""
    if not (isinstance(m_h, int) and isinstance(m_v, int) and m_h >= 1 and m_v >= 1):
        raise ApproxTheoryError(f"m_h and m_v must be positive integers, got {m_h!r}, {m_v!r}")
    n = 2 * m_h + m_v
    eye = np.eye(n)
    return eye[:m_h], eye[m_h : 2 * m_h], eye[2 * m_h :]


def truncated_pod(target: Target, m_h: int) -> tuple[np.ndarray, Fn, Fn]:
    """(sigma_1..sigma_m, phi, psi) with m = m_h terms; beyond a finite rank the terms are zero."""
    pod = target.pod
    if pod is None:
        raise ApproxTheoryError(f"target {target.name!r} has no POD attached",
                                "compute one with approxtheory.pod.spectrum.quadrature_pod and pass it as target.pod")
    limit = pod.terms if pod.rank is None else None
    if not isinstance(m_h, int) or m_h < 1 or (limit is not None and m_h > limit):
        raise ApproxTheoryError(f"m_h must be an integer in [1, {limit or 'oo'}] (the listed POD terms), got {m_h!r}")
    keep = min(m_h, pod.terms)
    pad = m_h - keep
    sig = np.concatenate([pod.sigmas[:keep], np.zeros(pad)])  # NumPy float64: no float32 rounding outside x64

    def side(fn: Fn) -> Fn:
        def padded(u: jax.Array) -> jax.Array:
            vals = fn(u)[..., :keep]
            return jnp.concatenate([vals, jnp.zeros(vals.shape[:-1] + (pad,))], axis=-1) if pad else vals
        return padded

    return sig, side(pod.left), side(pod.right)


def token_map(target: Target, m_h: int) -> Fn:
    """f^(u) = (sigma_k phi_k(u))_k<=m, (psi_k(u))_k<=m, f(u)): the construction's embedding."""
    sig, left, right = truncated_pod(target, m_h)

    def f_hat(u: jax.Array) -> jax.Array:
        return jnp.concatenate([sig * left(u), right(u), target.f(u)])

    return f_hat


def single_layer(F_hat: Fn, f_hat: Fn, w_q: jax.Array, w_k: jax.Array, w_v: jax.Array, x: jax.Array) -> jax.Array:
    """One sequence through eq. (5): F^( sum_s softmax_s((W_Q h(t))^T W_K h(s)) W_V h(s) ), h = f^ o x."""
    h = jax.vmap(f_hat)(x)
    logits = (h @ w_q.T) @ (h @ w_k.T).T
    return jax.vmap(F_hat)(jax.nn.softmax(logits, axis=-1) @ (h @ w_v.T))


@x64
def construction_outputs(target: Target, m_h: int, x: np.ndarray) -> np.ndarray:
    """H^_t(x) of the construction with query/key dimension m_h, by the literal layer; x (batch, tau)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != target.tau:
        raise ApproxTheoryError(f"sequences must have shape (batch, {target.tau}), got {x.shape}")
    w_q, w_k, w_v = (jnp.asarray(w) for w in selector_weights(m_h, target.n_prime))
    f_hat = token_map(target, m_h)
    n_prime = target.n_prime

    def F_hat(w: jax.Array) -> jax.Array:
        return target.F(w[:n_prime])

    run = jax.jit(jax.vmap(partial(single_layer, F_hat, f_hat, w_q, w_k, w_v)))
    return np.asarray(run(jnp.asarray(x)))


# --- every m at once ----------------------------------------------------------------------------

def _errors_one(F: Fn, f: Fn, rho: Fn, left: Fn, right: Fn, sig: np.ndarray, exact_diagonal: bool,
                x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(sum_t |H_t - H^_t|, sum_t (H_t - H^_t)^2) of one sequence for m = 1..len(sig)."""
    TRACES.tick()
    fx = jax.vmap(f)(x)
    full = jax.vmap(jax.vmap(rho, (None, 0)), (0, None))(x, x)
    target = jax.vmap(F)(jax.nn.softmax(full, axis=-1) @ fx)
    a, b = left(x) * sig, right(x)  # (tau, K)
    diag = jnp.eye(x.shape[0], dtype=bool)

    def step(logits: jax.Array, k: jax.Array) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
        logits = logits + jnp.outer(a[:, k], b[:, k])
        used = jnp.where(diag, full, logits) if exact_diagonal else logits
        diff = target - jax.vmap(F)(jax.nn.softmax(used, axis=-1) @ fx)
        return logits, (jnp.sum(jnp.abs(diff)), jnp.sum(diff**2))

    _, (l1, sq) = jax.lax.scan(step, jnp.zeros_like(full), jnp.arange(sig.shape[0]))
    return l1, sq


_CACHE: dict[tuple[int, int, bool], tuple[Target, Callable[[jax.Array], tuple[jax.Array, jax.Array]]]] = {}


def _batched_errors(target: Target, m_max: int, exact_diagonal: bool) -> Callable[[jax.Array], tuple[jax.Array, jax.Array]]:
    key = (id(target), m_max, exact_diagonal)
    if key not in _CACHE:
        sig, left, right = truncated_pod(target, m_max)
        one = partial(_errors_one, target.F, target.f, target.rho, left, right, sig, exact_diagonal)
        _CACHE[key] = (target, jax.jit(jax.vmap(one)))  # keep the target alive while its id is a key
    return _CACHE[key][1]


@x64
def construction_errors(target: Target, x: np.ndarray, m_max: int, *, exact_diagonal: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per-sequence sum_t |H_t - H^_t| and sum_t (H_t - H^_t)^2 for m_h = 1..m_max; each (batch, m_max).

    ``exact_diagonal`` is a diagnostic, not the construction: it keeps the exact logits rho(x(t), x(t))
    on the diagonal s = t, which isolates what the proof's step (43) leaves uncontrolled.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != target.tau:
        raise ApproxTheoryError(f"sequences must have shape (batch, {target.tau}), got {x.shape}")
    l1, sq = _batched_errors(target, m_max, exact_diagonal)(jnp.asarray(x))
    return np.asarray(l1), np.asarray(sq)


def construction_errors_numpy(target: Target, x: np.ndarray, m_max: int) -> np.ndarray:
    """Reference for :func:`construction_errors` (the L1 part) in plain NumPy, for targets with
    F = f = identity on scalar tokens; the logits and bases are evaluated once through JAX."""
    with jax.enable_x64(True):
        sig, left, right = truncated_pod(target, m_max)
        full = target.logits(x)
        a = np.asarray(left(jnp.asarray(x))) * np.asarray(sig)
        b = np.asarray(right(jnp.asarray(x)))

    def mix(logits: np.ndarray) -> np.ndarray:
        w = np.exp(logits - logits.max(axis=-1, keepdims=True))
        return np.einsum("bts,bs->bt", w / w.sum(axis=-1, keepdims=True), x)

    h = mix(full)
    out = np.empty((x.shape[0], m_max))
    logits = np.zeros_like(full)
    for k in range(m_max):
        logits += a[:, :, k, None] * b[:, None, :, k]
        out[:, k] = np.abs(h - mix(logits)).sum(axis=-1)
    return out


# --- the error in the theorem's norm and in MSE -------------------------------------------------

@dataclass(frozen=True)
class ErrorCurve:
    """Construction error for m_h = 1..m_max: the theorem's norm E sum_t |H_t - H^_t| (x uniform on
    the domain's product of pieces) and the MSE E mean_t (H_t - H^_t)^2, with 95% half-widths
    (0 for quadrature)."""

    m: np.ndarray
    l1: np.ndarray
    l1_halfwidth: np.ndarray
    mse: np.ndarray
    mse_halfwidth: np.ndarray
    method: str
    samples: int

    def values(self, which: str) -> np.ndarray:
        """The curve ``"l1"`` (the theorem's norm) or ``"mse"``."""
        if which not in ("l1", "mse"):
            raise ApproxTheoryError(f"which must be 'l1' or 'mse', got {which!r}")
        return self.l1 if which == "l1" else self.mse


def monte_carlo_errors(target: Target, m_max: int, samples: int, seed: int, *, batch: int = 512,
                       exact_diagonal: bool = False) -> tuple[ErrorCurve, dict[str, np.ndarray]]:
    """Monte Carlo estimate with normal 95% intervals; also returns the per-sequence errors by name
    (``"l1"``, ``"mse"``, each (samples, m_max)) for bootstrapping a fit."""
    if not isinstance(samples, int) or samples < 2:
        raise ApproxTheoryError(f"samples must be an integer >= 2, got {samples!r}")
    rng = np.random.default_rng(seed)
    x = target.domain.sample(rng, samples, target.tau)
    l1s, sqs = [], []
    for start in range(0, samples, batch):
        chunk = x[start : start + batch]
        if chunk.shape[0] < batch:  # pad to the compiled batch size: one trace per configuration
            chunk = np.concatenate([chunk, np.repeat(chunk[-1:], batch - chunk.shape[0], axis=0)])
        l1, sq = construction_errors(target, chunk, m_max, exact_diagonal=exact_diagonal)
        keep = min(batch, samples - start)
        l1s.append(l1[:keep])
        sqs.append(sq[:keep] / target.tau)
    l1, mse = np.concatenate(l1s), np.concatenate(sqs)
    z = float(scipy.stats.norm.ppf(0.975))

    def half(a: np.ndarray) -> np.ndarray:
        return z * a.std(axis=0, ddof=1) / np.sqrt(a.shape[0])

    curve = ErrorCurve(np.arange(1, m_max + 1), l1.mean(axis=0), half(l1), mse.mean(axis=0), half(mse), "monte carlo", samples)
    return curve, {"l1": l1, "mse": mse}


def quadrature_errors(target: Target, m_max: int, *, order: int = 8, panels: int = 64,
                      exact_diagonal: bool = False) -> ErrorCurve:
    """Tensor Gauss-Legendre over the product of pieces (for small tau; the grid has (order panels)^tau points)."""
    pieces = target.domain.pieces * target.tau if target.domain.shared else target.domain.pieces
    per_axis = order * panels
    if per_axis**target.tau > 2_000_000:
        raise ApproxTheoryError(f"a {per_axis}^{target.tau} quadrature grid is too large", "use monte_carlo_errors for this tau")
    axes = [gauss_legendre(Domain((piece,)), order, panels) for piece in pieces]
    nodes = np.stack(np.meshgrid(*[a[0] for a in axes], indexing="ij"), axis=-1).reshape(-1, target.tau)
    weights = np.ones(1)
    for _, w in axes:
        weights = np.multiply.outer(weights, w).ravel()
    weights = weights / np.prod([hi - lo for lo, hi in pieces])  # probability measure on the product
    l1 = np.zeros(m_max)
    mse = np.zeros(m_max)
    chunk = 8192
    for start in range(0, nodes.shape[0], chunk):
        part = nodes[start : start + chunk]
        w = weights[start : start + chunk]
        if part.shape[0] < chunk:
            pad = chunk - part.shape[0]
            part = np.concatenate([part, np.repeat(part[-1:], pad, axis=0)])
            w = np.concatenate([w, np.zeros(pad)])
        e1, sq = construction_errors(target, part, m_max, exact_diagonal=exact_diagonal)
        l1 += w @ e1
        mse += w @ sq / target.tau
    zeros = np.zeros(m_max)
    return ErrorCurve(np.arange(1, m_max + 1), l1, zeros, mse, zeros, f"Gauss-Legendre {order}x{panels} per axis", nodes.shape[0])


@dataclass(frozen=True)
class RateFit:
    """Fitted exponent p of error ~ c m^-p over m in [m_lo, m_hi], with a 95% interval."""

    exponent: float
    ci95: tuple[float, float]
    m_range: tuple[int, int]
    how: str


def fit_rate(curve: ErrorCurve, m_lo: int, m_hi: int, per_sequence: np.ndarray | None = None,
             seed: int = 0, resamples: int = 400, which: str = "l1") -> RateFit:
    """Least-squares slope of log error against log m; the interval is the wider of the OLS interval and,
    when per-sequence Monte Carlo errors of the same curve are given, a bootstrap over sequences."""
    if not (1 <= m_lo and m_lo + 2 <= m_hi <= curve.m.size):
        raise ApproxTheoryError(f"need 1 <= m_lo, m_lo + 2 <= m_hi <= {curve.m.size}; got {m_lo}, {m_hi}")
    sel = slice(m_lo - 1, m_hi)
    x = np.log(curve.m[sel].astype(np.float64))
    y = curve.values(which)[sel]
    if np.any(y <= 0):
        raise ApproxTheoryError("cannot fit a rate through zero errors", "restrict the range below the rank")
    coef, cov = np.polyfit(x, np.log(y), 1, cov=True)
    q = float(scipy.stats.t.ppf(0.975, x.size - 2))
    lo, hi = -coef[0] - q * np.sqrt(cov[0, 0]), -coef[0] + q * np.sqrt(cov[0, 0])
    how = "OLS on log-log axes, t interval"
    if per_sequence is not None:
        rng = np.random.default_rng(seed)
        n = per_sequence.shape[0]
        slopes = []
        for _ in range(resamples):
            means = per_sequence[rng.integers(0, n, n)][:, sel].mean(axis=0)
            slopes.append(-np.polyfit(x, np.log(means), 1)[0])
        b_lo, b_hi = np.quantile(slopes, [0.025, 0.975])
        lo, hi = min(lo, b_lo), max(hi, b_hi)
        how += f" widened by a {resamples}-resample bootstrap over sequences"
    return RateFit(float(-coef[0]), (float(lo), float(hi)), (m_lo, m_hi), how)
