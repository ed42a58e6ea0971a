"""Benchmarks for JL24: the construction's error evaluator and the POD spectrum by quadrature.

* ``jl24_construction_errors``: sequences per second of ``construction_errors`` (jit + vmap + a scan over
  m_h = 1..64, both error measures for every m_h) on the sine target alpha = 2, r = oo, tau = 16, against
  the plain-NumPy reference ``construction_errors_numpy`` (L1 only) in the same run; the two must agree
  to 1e-12 on the reference rows.
* ``jl24_pod_spectrum``: seconds for the weighted singular values of the mixing coupling (JL24.fix.mix) on a
  2000 x 2000 Gauss-Legendre grid (JAX grid evaluation + LAPACK svdvals), against NumPy broadcasting of the
  same closed form + ``numpy.linalg.svd(compute_uv=False)``; the leading values must agree to 1e-12.
"""

from __future__ import annotations

import math

import numpy as np

from approxtheory.constructions.pod_attention import (
    construction_errors,
    construction_errors_numpy,
)
from approxtheory.pod import targets
from approxtheory.pod.domain import gauss_legendre
from approxtheory.pod.spectrum import weighted_singular_values

from .harness import Config, Result, measure, register

TAU, M_H, ALPHA = 16, 64, 2.0


@register
def jl24_construction_errors(config: Config) -> Result:
    """Sequences/s of the JAX evaluator (all m_h <= 64 at once) vs the NumPy loop over m_h."""
    batch, ref_rows, repeat = (256, 32, 3) if config.quick else (4096, 256, 7)
    target = targets.sines(ALPHA, None, TAU, terms=M_H)
    x = np.random.default_rng(config.seed).uniform(size=(batch, TAU))
    l1, _ = construction_errors(target, x, M_H)  # compile
    fast = measure(lambda: construction_errors(target, x, M_H), warmup=1, repeat=repeat)
    sub = x[:ref_rows]
    ref = construction_errors_numpy(target, sub, M_H)
    slow = measure(lambda: construction_errors_numpy(target, sub, M_H), warmup=1, repeat=max(3, repeat // 2))
    diff = float(np.max(np.abs(ref - l1[:ref_rows])))
    if not diff <= 1e-12:
        raise AssertionError(f"JAX evaluator and NumPy reference disagree by {diff:.3e}")
    return Result(
        value=batch / fast.median,
        unit="sequences/s",
        reference=f"construction_errors_numpy on {ref_rows} sequences (NumPy, loop over m_h)",
        reference_value=ref_rows / slow.median,
        details={"tau": TAU, "m_h": M_H, "alpha": ALPHA, "batch": batch, "max_abs_diff": diff,
                 "jax_s_per_batch": fast.to_dict(), "numpy_s_per_subset": slow.to_dict(),
                 "note": "the JAX figure includes the MSE and the exact target evaluation; the reference computes the "
                         "target logits through the same closed form (JAX) once per call"},
    )


def _mix_numpy(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    a, b = u[:, None], v[None, :]
    return 1 + (1 - np.cos(4 * math.pi * a)) * np.cos(2 * math.pi * b) + np.sin(4 * math.pi * a) * np.sin(2 * math.pi * b)


@register
def jl24_pod_spectrum(config: Config) -> Result:
    """Seconds for one weighted SVD of the mixing coupling at 2000 x 2000 (500 x 500 quick)."""
    order, panels = (20, 25) if config.quick else (20, 100)
    target = targets.mix()
    ours, n = weighted_singular_values(target.rho, target.domain, order, panels)
    fast = measure(lambda: weighted_singular_values(target.rho, target.domain, order, panels), warmup=1, repeat=3)
    nodes, w = gauss_legendre(target.domain, order, panels)
    root = np.sqrt(w)

    def reference() -> np.ndarray:
        return np.linalg.svd(root[:, None] * _mix_numpy(nodes, nodes) * root[None, :], compute_uv=False)

    ref = reference()
    slow = measure(reference, warmup=0, repeat=3)
    diff = float(np.max(np.abs(ours[:4] - ref[:4])))
    if not diff <= 1e-12:
        raise AssertionError(f"POD spectra disagree by {diff:.3e}")
    return Result(
        value=fast.median,
        unit="s",
        reference="NumPy broadcasting + numpy.linalg.svd(compute_uv=False), same grid",
        reference_value=slow.median,
        details={"nodes_per_axis": n, "leading_singular_values": [float(s) for s in ours[:3]], "max_abs_diff_top4": diff,
                 "ours_s": fast.to_dict(), "reference_s": slow.to_dict()},
    )
