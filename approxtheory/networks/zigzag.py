"""The zigzag maxout network of GYZ26.prop.regions_lower: g_k composed L times, k^L linear regions on [0,1].

g_k = A_k - B_k on [0,1] with A_k(t) = max_{r odd} (k r t - (r^2-1)/2) and B_k(t) = max_{r even} (k r t - r^2/2);
layer 1 applies (A_k, B_k) to t = x, every later layer to t = a - b, and the readout is (1, -1).
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Rational

import numpy as np

from ..core import ApproxTheoryError
from .maxout import MaxoutLayer, MaxoutNetwork


def ZIGZAG_GATE(k: int) -> float:  # noqa: N802 (the card's constant M, named as in the brief)
    """Gate M = (k^2+1)/2 bounding every pre-activation of the zigzag net on [0,1] (GYZ26.prop.regions_lower)."""
    return (k * k + 1) / 2


def _check(k: int, depth: int) -> None:
    if not isinstance(k, (int, np.integer)) or k < 2:
        raise ApproxTheoryError(f"zigzag rank k must be an integer >= 2, got {k!r}")
    if not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ApproxTheoryError(f"zigzag depth must be an integer >= 1, got {depth!r}")


def _unit_terms(k: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(slope, intercept) terms of A_k (r odd) and B_k (r even), each padded to k terms by repeating the last."""
    a = [(k * r, -(r * r - 1) // 2) for r in range(1, k + 1, 2)]
    b = [(k * r, -(r * r) // 2) for r in range(0, k + 1, 2)]
    return a + [a[-1]] * (k - len(a)), b + [b[-1]] * (k - len(b))


def zigzag_network(k: int, depth: int) -> MaxoutNetwork:
    """Rank-k, width-2 maxout net computing g_{k^depth} on [0,1] (card GYZ26.prop.regions_lower, 'Net')."""
    _check(k, depth)
    a_terms, b_terms = _unit_terms(k)
    slopes = np.array([[s for s, _ in a_terms], [s for s, _ in b_terms]], dtype=np.float64)  # (2, k)
    bias = np.array([[c for _, c in a_terms], [c for _, c in b_terms]], dtype=np.float64)
    first = MaxoutLayer(slopes[:, :, None].copy(), bias.copy())
    later = MaxoutLayer(np.stack([slopes, -slopes], axis=2), bias.copy())  # t = a - b
    layers = (first,) + tuple(MaxoutLayer(later.weight.copy(), later.bias.copy()) for _ in range(depth - 1))
    return MaxoutNetwork(layers, np.array([[1.0, -1.0]]), np.array([0.0]))


def zigzag_value(k: int, L: int, t: Rational | float | int) -> Fraction:
    """Exact g_{k^L}(t) for t in [0,1]: n t - i (i even) or (i+1) - n t (i odd), i = min(floor(n t), n-1)."""
    _check(k, L)
    t = Fraction(t)
    if not 0 <= t <= 1:
        raise ApproxTheoryError(f"zigzag_value needs t in [0, 1], got {t}")
    n = k**L
    i = min(int(n * t), n - 1)  # floor, as n t >= 0
    return n * t - i if i % 2 == 0 else (i + 1) - n * t
