"""Exact linear regions of a maxout network along a segment x(t) = x0 + t (x1 - x0), t in [0, 1].

GYZ26.def.linear_regions, 'Exact counting' for d = 1: every coordinate is a list of (interval, slope,
intercept) pieces over one shared partition; each maxout unit takes exact upper envelopes (envelope.refine),
then the readout; adjacent pieces whose whole output map agrees are merged. Integer arithmetic throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..core import ApproxTheoryError
from ..networks.maxout import MaxoutNetwork
from .envelope import refine
from .rational import as_fraction, bitlen, cast, common_factor, integer_grid
from .result import SegmentRegions


def rational_vector(x: Any, d: int, name: str) -> tuple[Fraction, ...]:
    """x as an exact rational d-vector (a scalar is allowed when d = 1)."""
    flat = list(np.ravel(np.asarray(x, dtype=object)))
    if len(flat) != d:
        raise ApproxTheoryError(f"{name} has {len(flat)} coordinates but the network takes {d} inputs",
                                f"pass {name} as a length-{d} sequence")
    return tuple(as_fraction(v, f"{name}[{i}]") for i, v in enumerate(flat))


def segment_ends(x0: Any, x1: Any, d: int) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    """x0 and x1 as exact rational d-vectors."""
    return rational_vector(x0, d, "segment end x0"), rational_vector(x1, d, "segment end x1")


def affine_ints(weight: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Exact integer numerators of (weight, bias) over one common denominator."""
    nums, den = integer_grid(np.concatenate([np.ravel(weight).astype(object), np.ravel(bias).astype(object)]),
                             "network weight")
    w = nums[: np.size(weight)].reshape(np.shape(weight))
    return w, nums[np.size(weight):].reshape(np.shape(bias)), den


def apply_affine(S: np.ndarray, C: np.ndarray, Q: int, W: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numerators of W h + B for h = (S t + C)/Q (rows = pieces), over the scale Q * den(W, B); overflow-safe."""
    n = W.shape[1]
    bits = max(bitlen(S, C) + bitlen(W) + n.bit_length(), bitlen(B) + Q.bit_length()) + 1
    S, C, W, B = cast(bits, S, C, W, B)
    return S @ W.T, C @ W.T + B * Q


def initial_state(x0: tuple[Fraction, ...], x1: tuple[Fraction, ...]) -> tuple[np.ndarray, np.ndarray, int]:
    """One piece: x(t) = x0 + t (x1 - x0) as integer (slope, intercept) rows over a common scale."""
    nums, Q = integer_grid([b - a for a, b in zip(x0, x1)] + list(x0), "segment end")
    d = len(x0)
    return nums[None, :d], nums[None, d:], Q


def summarize(tn: np.ndarray, td: np.ndarray, OS: np.ndarray, OC: np.ndarray, scale: int,
              x0: tuple[Fraction, ...], x1: tuple[Fraction, ...], keep: np.ndarray | None = None) -> SegmentRegions:
    """Merge adjacent pieces whose whole output map agrees (GYZ26.def.linear_regions) into a SegmentRegions.

    keep, if given, marks interior breakpoints that separate regions although the maps agree (point jumps).
    """
    change = np.any(OS[1:] != OS[:-1], axis=1) | np.any(OC[1:] != OC[:-1], axis=1)
    if keep is not None:
        change = change | keep
    cut = np.flatnonzero(change)
    first = np.concatenate([[0], cut + 1])
    return SegmentRegions(
        regions=int(first.size),
        activation_regions=int(OS.shape[0]),
        x0=x0, x1=x1,
        bp_num=tn[1:-1][cut], bp_den=td[1:-1][cut],
        slope_num=OS[first], intercept_num=OC[first], scale=scale,
        activation_bp_num=tn[1:-1], activation_bp_den=td[1:-1],
    )


def segment_regions(net: MaxoutNetwork, x0: Any, x1: Any) -> SegmentRegions:
    """Exact R(N; segment) and activation regions of a maxout net along x0 -> x1 (GYZ26.def.linear_regions)."""
    ends = segment_ends(x0, x1, net.input_dim)
    S, C, Q = initial_state(*ends)
    tn, td = np.array([0, 1], dtype=object), np.array([1, 1], dtype=object)
    for layer in net.layers:
        W, B, den = affine_ints(layer.weight, layer.bias)
        m, k, n = W.shape
        YS, YC = apply_affine(S, C, Q, W.reshape(m * k, n), B.reshape(m * k))
        P = YS.shape[0]
        YS, YC = YS.reshape(P, m, k), YC.reshape(P, m, k)
        ref = refine(tn, td, YS, YC)
        rows, units = ref.parent[:, None], np.arange(m)[None, :]
        S, C, Q = YS[rows, units, ref.lines], YC[rows, units, ref.lines], Q * den
        tn, td = ref.tn, ref.td
        g = common_factor(Q, S, C)
        if g > 1:
            S, C, Q = S // g, C // g, Q // g
    A, c, den = affine_ints(net.readout_weight, net.readout_bias)
    OS, OC = apply_affine(S, C, Q, A, c)
    return summarize(tn, td, OS, OC, Q * den, *ends)


def maxout_value(net: MaxoutNetwork, x: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """N(x) in exact rational arithmetic (reference evaluation for tests and point checks)."""
    h = [Fraction(v) for v in x]
    for layer in net.layers:
        W, B, den = affine_ints(layer.weight, layer.bias)
        h = [max(sum((int(W[u, j, i]) * h[i] for i in range(len(h))), Fraction(0)) + int(B[u, j])
                 for j in range(W.shape[1])) / den for u in range(W.shape[0])]
    A, c, den = affine_ints(net.readout_weight, net.readout_bias)
    return tuple((sum((int(A[o, i]) * h[i] for i in range(len(h))), Fraction(0)) + int(c[o])) / den
                 for o in range(A.shape[0]))
