"""Gradient optimisation over coefficients and rates of the 1-D kernel problems (JAX, float64).

The second way of computing WE24 card §4.6. Rates p = lo + (hi - lo) sigmoid(theta) stay inside a
declared box; the l1 loss is smoothed as sqrt(r^2 + mu^2) - mu. Adam, with mu annealed towards 0,
finds the basin (it copes with the kinks); damped Newton steps at a ladder of mu values then
converge inside it, which first-order steps do slowly on this ill-conditioned loss. The best iterate by the *exact*
objective is kept, so the result never exceeds its start. Heads are padded to a fixed count with a
mask, so one compiled function serves every H of a curve (:data:`TRACES` counts compilations).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ..core import ApproxTheoryError
from ..numerics import TraceCounter, x64
from .bases import check_rates, head_weights
from .problems import Fit, KernelProblem

TRACES = TraceCounter()


@dataclass(frozen=True)
class RateBox:
    """Where the optimiser may move the rates: lo < p < hi."""

    lo: float
    hi: float

    def validate(self, problem: KernelProblem) -> None:
        if not (np.isfinite(self.lo) and np.isfinite(self.hi) and self.lo < self.hi):
            raise ApproxTheoryError(f"rate box needs finite lo < hi, got [{self.lo}, {self.hi}]")
        check_rates(problem.encoding, np.array([self.lo, self.hi]), problem.sequence)


@dataclass(frozen=True)
class OptimiserSettings:
    """Adam steps and step size, the smoothing ladder of the l1 loss, and Newton steps per level."""

    steps: int = 600
    learning_rate: float = 0.01
    mu_start: float = 1e-3
    mu_end: float = 1e-10
    smoothing_levels: int = 8
    newton_steps: int = 25


DEFAULT_SETTINGS = OptimiserSettings()


def _objectives(alpha, rates, mask, target, encoding, window, loss, sequence, mu):
    basis, tail = head_weights(encoding, rates, window, sequence, xp=jnp)
    basis = basis[basis.shape[0] - target.shape[0]:]  # offsets first..N, as in KernelProblem.basis
    a = alpha * mask
    residual = target - basis @ a
    if loss == "l2":
        value = jnp.sum(residual**2)
        return value, value
    smooth = jnp.sum(jnp.sqrt(residual**2 + mu**2) - mu) + jnp.sum(tail * (jnp.sqrt(a**2 + mu**2) - mu))
    exact = jnp.sum(jnp.abs(residual)) + jnp.sum(tail * jnp.abs(a))
    return smooth, exact


@functools.partial(jax.jit, static_argnames=("encoding", "window", "loss", "sequence", "steps", "newton_steps"))
def _optimise(alpha0, theta0, mask, target, box, scale, learning_rate, mus, frozen, *,
              encoding, window, loss, sequence, steps, newton_steps):
    """Adam on the smoothed loss, then damped Newton at each smoothing level; the best iterate by the exact loss wins."""
    TRACES.tick()
    lo, hi = box[0], box[1]
    width = alpha0.shape[0]

    def unpack(z):
        # alpha = scale * z_alpha keeps every coordinate at unit size for both optimisers; frozen = 1
        # pins the rates (a traced flag, so frozen and free runs share one compilation)
        theta = frozen * theta0 + (1.0 - frozen) * z[width:]
        return z[:width] * scale * mask, lo + (hi - lo) * jax.nn.sigmoid(theta)

    def smooth(z, mu):
        alpha, rates = unpack(z)
        return _objectives(alpha, rates, mask, target, encoding, window, loss, sequence, mu)[0]

    def exact(z):
        alpha, rates = unpack(z)
        return _objectives(alpha, rates, mask, target, encoding, window, loss, sequence, 0.0)[1]

    grad = jax.grad(smooth)
    keep = jnp.concatenate([mask, (1.0 - frozen) * mask])

    def adam_step(carry, i):
        z, m, v, best, best_z = carry
        frac = i / steps
        mu = mus[0] * (mus[-1] / mus[0]) ** frac
        g = grad(z, mu) * keep
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        step = (m / (1.0 - 0.9 ** (i + 1.0))) / (jnp.sqrt(v / (1.0 - 0.999 ** (i + 1.0))) + 1e-30)
        z = z - learning_rate * (0.5 * (1.0 + jnp.cos(jnp.pi * frac)) + 1e-3) * step
        value = exact(z)
        better = value < best
        return (z, m, v, jnp.where(better, value, best), jnp.where(better, z, best_z)), None

    z0 = jnp.concatenate([alpha0 / scale, theta0])
    zeros = jnp.zeros_like(z0)
    (_, _, _, best, best_z), _ = jax.lax.scan(adam_step, (z0, zeros, zeros, exact(z0), z0),
                                              jnp.arange(steps, dtype=jnp.float64))

    hessian = jax.hessian(smooth)
    trial_steps = 2.0 ** -jnp.arange(16.0)

    def newton_step(carry, mu):
        # Damped Newton on the smoothed loss: eigenvalues floored to keep the step a descent
        # direction, then the best of 16 step lengths (evaluated together, no data-dependent loops).
        z, best, best_z = carry
        g = grad(z, mu) * keep
        hess = hessian(z, mu) * keep[:, None] * keep[None, :] + jnp.diag(1.0 - keep)
        eigval, eigvec = jnp.linalg.eigh(hess)
        floor = 1e-10 * jnp.max(jnp.abs(eigval)) + 1e-300
        direction = -eigvec @ ((eigvec.T @ g) / jnp.maximum(jnp.abs(eigval), floor))
        candidates = z[None, :] + trial_steps[:, None] * direction[None, :]
        values = jax.vmap(lambda c: smooth(c, mu))(candidates)
        values = jnp.where(jnp.isfinite(values), values, jnp.inf)
        pick = jnp.argmin(values)
        z = jnp.where(values[pick] < smooth(z, mu), candidates[pick], z)
        value = exact(z)
        better = value < best
        return (z, jnp.where(better, value, best), jnp.where(better, z, best_z)), None

    newton_mus = jnp.repeat(mus, newton_steps)
    (_, best, best_z), _ = jax.lax.scan(newton_step, (best_z, best, best_z), newton_mus)
    alpha, rates = unpack(best_z)
    return best, alpha, rates


@x64
def gradient_fit(problem: KernelProblem, start: Fit, box: RateBox, settings: OptimiserSettings = DEFAULT_SETTINGS,
                 *, freeze_rates: bool = False, pad_to: int | None = None) -> Fit:
    """Improve ``start`` by gradient steps over coefficients and (unless frozen) rates inside ``box``.

    Returns the best iterate by the exact objective, re-evaluated in NumPy; ``pad_to`` fixes the
    padded head count so that curves over H compile once.
    """
    box.validate(problem)
    if start.problem is not problem and start.problem.describe() != problem.describe():
        raise ApproxTheoryError("the starting fit belongs to a different kernel problem")
    for name in ("steps", "newton_steps", "smoothing_levels"):
        value = getattr(settings, name)
        if not isinstance(value, int) or value < 1:
            raise ApproxTheoryError(f"{name} must be a positive integer, got {value!r}")
    if not (0 < settings.mu_end <= settings.mu_start and settings.learning_rate > 0):
        raise ApproxTheoryError("need 0 < mu_end <= mu_start and a positive learning rate")
    if np.any(start.rates < box.lo) or np.any(start.rates > box.hi):
        raise ApproxTheoryError(f"the starting rates leave the box [{box.lo}, {box.hi}]", "start from a fit inside the box")
    H = start.heads
    width = H if pad_to is None else int(pad_to)
    if width < H:
        raise ApproxTheoryError(f"pad_to={pad_to} is smaller than the number of heads {H}")
    span = box.hi - box.lo
    inside = np.clip((start.rates - box.lo) / span, 1e-9, 1 - 1e-9)
    theta = np.zeros(width)
    theta[:H] = np.log(inside / (1 - inside))
    alpha = np.zeros(width)
    alpha[:H] = start.alpha
    mask = np.zeros(width)
    mask[:H] = 1.0
    mus = np.geomspace(settings.mu_start, settings.mu_end, settings.smoothing_levels)
    _, best_alpha, best_rates = _optimise(
        jnp.asarray(alpha), jnp.asarray(theta), jnp.asarray(mask), jnp.asarray(problem.target),
        jnp.asarray([box.lo, box.hi]), jnp.asarray(np.maximum(np.abs(alpha), 1.0)), settings.learning_rate,
        jnp.asarray(mus), jnp.asarray(1.0 if freeze_rates else 0.0), encoding=problem.encoding,
        window=int(problem.window), loss=problem.loss, sequence=problem.sequence, steps=settings.steps,
        newton_steps=settings.newton_steps,
    )
    rates = np.asarray(best_rates)[:H]
    coefficients = np.asarray(best_alpha)[:H]
    error = problem.error(coefficients, rates)
    if error > start.error:  # the float64 re-evaluation can differ from JAX's in the last bits
        return start
    moved = "alpha only, rates frozen" if freeze_rates else "alpha and rates"
    return Fit(problem, rates, coefficients, error, f"gradient (Adam then damped Newton over {moved}, JAX)", None)
