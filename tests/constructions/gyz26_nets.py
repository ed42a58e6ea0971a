"""Networks for the GYZ26 construction tests (imported by the test modules; not collected).

The zigzag net is built here from the card's formulas (prop.regions_lower), independently of
approxtheory.networks.zigzag.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from approxtheory.networks.maxout import MaxoutLayer, MaxoutNetwork


def zigzag_terms(k: int) -> tuple[list[tuple[int, Fraction]], list[tuple[int, Fraction]]]:
    """(slope factor r, offset) of A_k (r odd, offset (r^2-1)/2) and B_k (r even, offset r^2/2), padded to k terms."""
    a = [(r, Fraction(r * r - 1, 2)) for r in range(1, k + 1, 2)]
    b = [(r, Fraction(r * r, 2)) for r in range(0, k + 1, 2)]
    a += [a[-1]] * (k - len(a))
    b += [b[-1]] * (k - len(b))
    return a, b


def zigzag_net(k: int, L: int) -> MaxoutNetwork:
    """Card prop.regions_lower: units A_k, B_k on t = x (layer 1) or t = a - b (layers >= 2); readout (1, -1)."""
    a, b = zigzag_terms(k)
    layers = []
    for l in range(L):
        n_in = 1 if l == 0 else 2
        w = np.zeros((2, k, n_in))
        bias = np.zeros((2, k))
        for unit, terms in enumerate((a, b)):
            for j, (r, off) in enumerate(terms):
                w[unit, j, 0] = k * r
                if n_in == 2:
                    w[unit, j, 1] = -k * r
                bias[unit, j] = -float(off)
        layers.append(MaxoutLayer(w, bias))
    return MaxoutNetwork(tuple(layers), np.array([[1.0, -1.0]]), np.array([0.0]))


def zigzag(n: int, t: np.ndarray) -> np.ndarray:
    """g_n(t) = n t - i (i even), (i+1) - n t (i odd), i = min(floor(n t), n-1)."""
    t = np.asarray(t, dtype=np.float64)
    i = np.minimum(np.floor(n * t), n - 1)
    return np.where(i % 2 == 0, n * t - i, (i + 1) - n * t)


def zigzag_gate(k: int) -> float:
    """The card's gate for the zigzag net, M = (k^2 + 1)/2."""
    return (k * k + 1) / 2


def random_net(seed: int, d: int, widths: tuple[int, ...], k: int, q: int = 1) -> MaxoutNetwork:
    return MaxoutNetwork.random(seed, d, widths, k, output_dim=q)


def with_duplicates(net: MaxoutNetwork) -> MaxoutNetwork:
    """Copy piece 0 of every unit onto piece 1 (and, for k >= 4, piece 2 onto 3): exact ties in every unit."""
    layers = []
    for layer in net.layers:
        w, b = layer.weight.copy(), layer.bias.copy()
        w[:, 1], b[:, 1] = w[:, 0], b[:, 0]
        if w.shape[1] >= 4:
            w[:, 3], b[:, 3] = w[:, 2], b[:, 2]
        layers.append(MaxoutLayer(w, b))
    return net._replace(layers=tuple(layers))


def abs_net() -> MaxoutNetwork:
    """|x| = max(x, -x), one unit of rank 2 on R."""
    return MaxoutNetwork((MaxoutLayer(np.array([[[1.0], [-1.0]]]), np.zeros((1, 2))),), np.array([[1.0]]), np.array([0.0]))


def relu_identity_net() -> MaxoutNetwork:
    """ReLU(x) = max(x, 0), one unit of rank 2 on R."""
    return MaxoutNetwork((MaxoutLayer(np.array([[[1.0], [0.0]]]), np.zeros((1, 2))),), np.array([[1.0]]), np.array([0.0]))
