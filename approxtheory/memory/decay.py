"""Decay type and rate of a memory kernel (WE24.def.decay_exp, WE24.def.decay_poly), and the envelope predicates.

``fit_decay`` regresses log|rho(t)| on the tail of a window twice, against t (exponential) and
against log t (polynomial), and keeps the better-fitting model. Its rate uncertainty is the larger
of the OLS standard error and the drift of the rate between the two halves of the tail, so a
kernel that is only asymptotically exponential (e^{-beta t}/(1+t)) does not get a falsely tight rate.

The envelope predicates check |rho(t)| e^{beta t} or |rho(t)| t^beta for a given beta on the blocks
(N/4, N/2] and (N/2, N]: the later block's maximum may exceed the earlier one's by at most ``growth``
(2% by default). That is a finite-window test: it separates a polynomial rate off by 0.03 or more
(2^0.03 > 1.02) and an exponential rate off by more than about 0.08/N from an envelope that holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import ApproxTheoryError, Condition, ConditionResult, ConditionStatus
from .kernels import Kernel


@dataclass(frozen=True)
class DecayFit:
    """The better of the exponential and polynomial tail models, with the rate's uncertainty."""

    kind: str  # "exponential" | "polynomial"
    rate: float
    stderr: float
    log_constant: float
    rms_exponential: float
    rms_polynomial: float
    t_range: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "rate": self.rate, "stderr": self.stderr, "log_constant": self.log_constant,
                "rms_exponential": self.rms_exponential, "rms_polynomial": self.rms_polynomial,
                "t_range": list(self.t_range)}


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Slope, intercept, slope standard error and residual RMS of an OLS line."""
    design = np.stack([x, np.ones_like(x)], axis=1)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    dof = max(x.size - 2, 1)
    sigma2 = float(residual @ residual) / dof
    spread = float(((x - x.mean()) ** 2).sum())
    return float(coef[0]), float(coef[1]), float(np.sqrt(sigma2 / spread)) if spread > 0 else float("inf"), \
        float(np.sqrt(np.mean(residual**2)))


def fit_decay(kernel: Kernel, window: int, tail_fraction: float = 0.5) -> DecayFit:
    """Fit rho on the last ``tail_fraction`` of offsets 1..window where rho != 0."""
    if not isinstance(window, (int, np.integer)) or window < 8:
        raise ApproxTheoryError(f"window must be an integer >= 8 to fit a tail, got {window!r}")
    if not 0 < tail_fraction <= 1:
        raise ApproxTheoryError(f"tail_fraction must lie in (0, 1], got {tail_fraction!r}")
    t = np.arange(1, window + 1)
    values = np.abs(kernel.values(t))
    start = int(window * (1 - tail_fraction))
    keep = (t > start) & (values > 0) & np.isfinite(values)
    if keep.sum() < 4:
        raise ApproxTheoryError(f"kernel {kernel.name} has fewer than 4 nonzero values in its tail",
                                "a finitely supported kernel has no decay rate; read its support instead")
    tt, logv = t[keep].astype(np.float64), np.log(values[keep])
    models = {"exponential": tt, "polynomial": np.log(tt)}
    lines = {kind: _line(x, logv) for kind, x in models.items()}
    kind = "exponential" if lines["exponential"][3] <= lines["polynomial"][3] else "polynomial"
    slope, intercept, stderr, _ = lines[kind]
    half = tt.size // 2
    drift = abs(_line(models[kind][:half], logv[:half])[0] - _line(models[kind][half:], logv[half:])[0])
    return DecayFit(kind, -slope, max(stderr, drift), intercept, lines["exponential"][3], lines["polynomial"][3],
                    (int(tt[0]), int(tt[-1])))


def envelope_constant(kernel: Kernel, kind: str, beta: float, first: int, last: int) -> float:
    """max over first <= t <= last of |rho(t)| e^{beta t} (exponential) or |rho(t)| t^beta (polynomial, t >= 1)."""
    t = np.arange(max(first, 0 if kind == "exponential" else 1), last + 1)
    values = np.abs(kernel.values(t))
    if kind == "exponential":
        weighted = np.exp(np.log(np.maximum(values, 1e-300)) + beta * t)
    elif kind == "polynomial":
        weighted = np.exp(np.log(np.maximum(values, 1e-300)) + beta * np.log(t))
    else:
        raise ApproxTheoryError(f"unknown envelope {kind!r}", "use 'exponential' or 'polynomial'")
    weighted[values == 0] = 0.0
    return float(weighted.max())


def _envelope(kernel: Kernel, kind: str, beta: float, window: int, growth: float) -> ConditionResult:
    if kind == "polynomial" and beta <= 1:
        return ConditionResult("decay", ConditionStatus.FAILS,
                               "WE24.def.decay_poly needs beta > 1 (rho in l1)", {"beta": beta})
    early = envelope_constant(kernel, kind, beta, window // 4 + 1, window // 2)
    late = envelope_constant(kernel, kind, beta, window // 2 + 1, window)
    evidence = {"beta": beta, "window": window, "C_quarter_to_half": early, "C_half_to_end": late,
                "C_whole_window": envelope_constant(kernel, kind, beta, 0, window)}
    if late <= early * (1 + growth):
        return ConditionResult("decay", ConditionStatus.HOLDS,
                               f"the {kind} envelope does not grow from (N/4, N/2] to (N/2, N]", evidence)
    return ConditionResult("decay", ConditionStatus.FAILS,
                           f"the {kind} envelope grows by {late / early:.4g}x from (N/4, N/2] to (N/2, N]", evidence)


def decay_exp_condition(beta: float, window: int = 400, growth: float = 0.02) -> Condition[Kernel]:
    """WE24.def.decay_exp with rate beta, checked on offsets up to ``window``."""
    return Condition("WE24.def.decay_exp", "decay", f"|rho(t)| <= C e^(-{beta} t)",
                     lambda k: _envelope(k, "exponential", beta, window, growth))


def decay_poly_condition(beta: float, window: int = 400, growth: float = 0.02) -> Condition[Kernel]:
    """WE24.def.decay_poly with rate beta > 1, checked on offsets up to ``window``."""
    return Condition("WE24.def.decay_poly", "decay", f"|rho(t)| <= C t^(-{beta})",
                     lambda k: _envelope(k, "polynomial", beta, window, growth))
