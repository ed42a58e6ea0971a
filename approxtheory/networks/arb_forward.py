"""Rigorous forward passes in Arb: a maxout net N(x) and the softmax transformer T_beta(x).

Floats are read as the exact binary values they are; every operation is an Arb ball operation, so
the returned balls contain the exact values of the stored networks. Used to confirm a search's
counterexample without trusting floating point (GYZ26.cor.softmax_error).
"""

from __future__ import annotations

from collections.abc import Sequence

import flint
import numpy as np

from ..rigorous import working_precision
from .maxout import MaxoutNetwork
from .transformer import Transformer

Vec = list[flint.arb]


def _affine(W: np.ndarray, x: Vec, b: np.ndarray | None = None) -> Vec:
    rows = [sum((flint.arb(float(w)) * xi for w, xi in zip(row, x) if w != 0.0), flint.arb(0)) for row in W]
    return rows if b is None else [r + flint.arb(float(c)) for r, c in zip(rows, b)]


def _max(values: Sequence[flint.arb]) -> flint.arb:
    out = values[0]
    for v in values[1:]:
        out = out.max(v)
    return out


def maxout_arb(net: MaxoutNetwork, x: Sequence[float], prec: int = 200) -> Vec:
    """N(x) as Arb balls."""
    with working_precision(prec):
        h: Vec = [flint.arb(float(v)) for v in x]
        for layer in net.layers:
            h = [_max(_affine(layer.weight[u], h, layer.bias[u])) for u in range(layer.weight.shape[0])]
        return _affine(net.readout_weight, h, net.readout_bias)


def transformer_softmax_arb(t: Transformer, x: Sequence[float], beta: float, prec: int = 200) -> Vec:
    """T_beta(x) as Arb balls (softmax attention at inverse temperature beta)."""
    with working_precision(prec):
        b = flint.arb(float(beta))
        xs = [flint.arb(float(v)) for v in x]
        base = _affine(t.embed, xs)
        X = [[e + flint.arb(float(c)) for e, c in zip(base, code)] for code in t.codes]
        zero = flint.arb(0)
        for blk in t.blocks:
            for i, row in enumerate(X):
                hidden = [h.max(zero) for h in _affine(blk.w1, row, blk.b1)]
                X[i] = [r + f for r, f in zip(row, _affine(blk.w2, hidden, blk.b2))]
            q, kappa, v = ([_affine(M, row) for row in X] for M in (blk.query, blk.key, blk.value))
            update = [[zero] * t.width for _ in X]
            for u in range(blk.query.shape[0]):
                for i in range(len(X)):
                    scores = [b * q[i][u] * kappa[j][u] for j in range(len(X))]
                    top = _max(scores)
                    weights = [(s - top).exp() for s in scores]
                    mixed = sum((w * v[j][u] for j, w in enumerate(weights)), zero) / sum(weights, zero)
                    update[i] = [acc + mixed * flint.arb(float(o)) for acc, o in zip(update[i], blk.out[u])]
            X = [[a + c for a, c in zip(row, upd)] for row, upd in zip(X, update)]
        return _affine(t.readout_weight, X[0], t.readout_bias)
