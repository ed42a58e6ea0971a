"""Small hand-built networks for the region tests (not the card's general maxout -> transformer construction)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from approxtheory.networks.transformer import Block, Transformer


def max_unit_transformer(w: Sequence[float], b: Sequence[float], M: float,
                         values: Sequence[float] | None = None) -> Transformer:
    """T_inf of one hardmax head over k tokens for scalar x, with |w_j x + b_j| <= M on the domain.

    Layout [h, z, v, e_0..e_{k-1}, 1]. The FFN gates y_j = w_j x + b_j onto token j's z
    (e y = ReLU(y + M(e-1)) - ReLU(-y + M(e-1))) and clears h; one head with constant query and key z writes
    the hardmax average of the value into h. value = z (default) gives max_j y_j, the maxout unit; otherwise
    the value is the token constant values[j] (a discontinuous hardmax model).
    """
    k = len(w)
    ih, iz, iv, ie = 0, 1, 2, 3
    i1 = ie + k
    D = i1 + 1
    rows1, rows2 = [], []
    for j in range(k):
        for s in (1.0, -1.0):
            r, c = np.zeros(D), np.zeros(D)
            r[ih], r[ie + j], r[i1] = s * w[j], M, s * b[j] - M
            c[iz] = s
            rows1.append(r)
            rows2.append(c)
    for s in (1.0, -1.0):  # reset h
        r, c = np.zeros(D), np.zeros(D)
        r[ih], c[ih] = s, -s
        rows1.append(r)
        rows2.append(c)
    e = np.eye(D)
    value = e[[iz]] if values is None else e[[iv]]
    blk = Block(np.array(rows1), np.zeros(len(rows1)), np.array(rows2).T, np.zeros(D), e[[i1]], e[[iz]], value, e[[ih]])
    codes = np.zeros((k, D))
    codes[np.arange(k), ie + np.arange(k)] = 1.0
    codes[:, i1] = 1.0
    if values is not None:
        codes[:, iv] = values
    embed = np.zeros((D, 1))
    embed[ih, 0] = 1.0
    return Transformer(embed, codes, (blk,), e[[ih]], np.zeros(1))


def chain_transformer(units: Sequence[tuple[Sequence[float], Sequence[float]]], M: float) -> Transformer:
    """T_inf with one block per scalar maxout unit h <- max_j (w_j h + b_j) (a width-1 chain), k tokens.

    Layout [h, z, e_0..e_{k-1}, 1]; each FFN clears h and z and gates y_j onto token j's z; the head writes
    max_j z_j back to h. Needs |w_j h + b_j| <= M along the way.
    """
    k = len(units[0][0])
    ih, iz, ie = 0, 1, 2
    i1 = ie + k
    D = i1 + 1
    e = np.eye(D)
    blocks = []
    for w, b in units:
        rows1, rows2 = [], []
        for j in range(k):
            for s in (1.0, -1.0):
                r, c = np.zeros(D), np.zeros(D)
                r[ih], r[ie + j], r[i1] = s * w[j], M, s * b[j] - M
                c[iz] = s
                rows1.append(r)
                rows2.append(c)
        for coord in (ih, iz):
            for s in (1.0, -1.0):
                r, c = np.zeros(D), np.zeros(D)
                r[coord], c[coord] = s, -s
                rows1.append(r)
                rows2.append(c)
        blocks.append(Block(np.array(rows1), np.zeros(len(rows1)), np.array(rows2).T, np.zeros(D),
                            e[[i1]], e[[iz]], e[[iz]], e[[ih]]))
    codes = np.zeros((k, D))
    codes[np.arange(k), ie + np.arange(k)] = 1.0
    codes[:, i1] = 1.0
    embed = np.zeros((D, 1))
    embed[ih, 0] = 1.0
    return Transformer(embed, codes, tuple(blocks), e[[ih]], np.zeros(1))
