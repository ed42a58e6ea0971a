"""Exact linear regions of a hardmax Transformer (T_inf, GYZ26.def.transformer) along a segment.

Each token's state is piecewise affine in t over one shared partition. FFN ReLU units split at exact zero
crossings; a head splits where its argmax set changes and averages the values over exact ties. This needs
every score s_ij = q_i kappa_j to be affine in t on each piece (q_i or kappa_j constant there, as for the
card's construction, GYZ26 §4, whose query is the constant coordinate); a genuinely quadratic score raises.
Hardmax may be discontinuous, so a breakpoint where the maps left and right agree still separates regions if
f jumps at that single point (GYZ26.def.linear_regions: regions are open sets on which f is affine).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..core import ApproxTheoryError
from ..networks.transformer import Block, Transformer
from .envelope import refine
from .rational import as_fraction, bitlen, cast, common_factor, integer_grid
from .result import SegmentRegions
from .segment import affine_ints, apply_affine, segment_ends, summarize


def _scale_add(S: np.ndarray, factor: int, T: np.ndarray) -> np.ndarray:
    """S * factor + T without int64 overflow."""
    S, T = cast(max(bitlen(S) + factor.bit_length(), bitlen(T)) + 1, S, T)
    return S * factor + T


def _reduce(S: np.ndarray, C: np.ndarray, Q: int) -> tuple[np.ndarray, np.ndarray, int]:
    g = common_factor(Q, S, C)
    return (S // g, C // g, Q // g) if g > 1 else (S, C, Q)


def _embed(model: Transformer, x0: tuple[Fraction, ...], x1: tuple[Fraction, ...]):
    """Token states X_j(t) = E x(t) + C_j as integer (slope, intercept) arrays (1, k, D) over a scale."""
    E = [[as_fraction(v, "embed") for v in row] for row in np.asarray(model.embed)]
    codes = [[as_fraction(v, "codes") for v in row] for row in np.asarray(model.codes)]
    k, D = len(codes), len(E)
    slope = [sum((E[c][e] * (x1[e] - x0[e]) for e in range(len(x0))), Fraction(0)) for c in range(D)]
    base = [sum((E[c][e] * x0[e] for e in range(len(x0))), Fraction(0)) for c in range(D)]
    nums, Q = integer_grid(slope + [base[c] + codes[j][c] for j in range(k) for c in range(D)], "embedding")
    S = np.tile(nums[:D].reshape(1, 1, D), (1, k, 1))
    return S, nums[D:].reshape(1, k, D), Q


def _ffn(blk: Block, tn, td, S, C, Q):
    """Residual ReLU FFN on every token: split at exact zero crossings of the hidden pre-activations."""
    P, k, D = S.shape
    W1, b1, q1 = affine_ints(blk.w1, blk.b1)
    W2, b2, q2 = affine_ints(blk.w2, blk.b2)
    w = W1.shape[0]
    YS, YC = apply_affine(S.reshape(P * k, D), C.reshape(P * k, D), Q, W1, b1)
    YS, YC = YS.reshape(P, k * w), YC.reshape(P, k * w)
    zero = np.zeros_like(YS)
    ref = refine(tn, td, np.stack([YS, zero], axis=2), np.stack([YC, zero], axis=2))  # ReLU = max(y, 0)
    on = ref.lines == 0
    HS, HC = np.where(on, YS[ref.parent], 0), np.where(on, YC[ref.parent], 0)
    P2 = HS.shape[0]
    TS, TC = apply_affine(HS.reshape(P2 * k, w), HC.reshape(P2 * k, w), Q * q1, W2, b2)
    f = q1 * q2
    S2 = _scale_add(S[ref.parent], f, TS.reshape(P2, k, D))
    C2 = _scale_add(C[ref.parent], f, TC.reshape(P2, k, D))
    return (ref.tn, ref.td, *_reduce(S2, C2, Q * f))


def _attention(blk: Block, b: int, tn, td, S, C, Q):
    """Residual hardmax attention with one-dimensional heads; exact ties are averaged."""
    P, k, D = S.shape
    heads = blk.query.shape[0]
    if heads == 0:
        return tn, td, S, C, Q
    params = np.concatenate([blk.query, blk.key, blk.value, blk.out], axis=0)
    nums, _, qa = affine_ints(params, np.zeros(0))
    a, kk, v, o = (nums[i * heads:(i + 1) * heads] for i in range(4))
    zeros = np.zeros(heads, dtype=object)
    flatS, flatC = S.reshape(P * k, D), C.reshape(P * k, D)
    qS, qC = (x.reshape(P, k, heads).transpose(0, 2, 1) for x in apply_affine(flatS, flatC, Q, a, zeros))
    kS, kC = (x.reshape(P, k, heads).transpose(0, 2, 1) for x in apply_affine(flatS, flatC, Q, kk, zeros))
    vS, vC = (x.reshape(P, k, heads).transpose(0, 2, 1) for x in apply_affine(flatS, flatC, Q, v, zeros))
    quad = (qS != 0)[:, :, :, None] & (kS != 0)[:, :, None, :]
    if quad.any():
        p, u, i, j = (int(z) for z in np.argwhere(quad)[0])
        lo, hi = Fraction(int(tn[p]), int(td[p])), Fraction(int(tn[p + 1]), int(td[p + 1]))
        raise ApproxTheoryError(
            f"block {b}, head {u}: score s_ij = q_i * kappa_j of query token {i} and key token {j} is quadratic "
            f"in t on [{lo}, {hi}] (both the query and the key vary along the segment); "
            "exact region counting needs affine scores",
            "make the query (or the key) constant along the segment, e.g. a_u on the constant coordinate as in "
            "the card's construction (GYZ26 §4), or count regions of a maxout network instead")
    bits = 2 * bitlen(qS, qC, kS, kC) + 2
    qS, qC, kS, kC = cast(bits, qS, qC, kS, kC)
    LS = qC[:, :, :, None] * kS[:, :, None, :] + qS[:, :, :, None] * kC[:, :, None, :]  # (P, heads, i, j)
    LC = qC[:, :, :, None] * kC[:, :, None, :]
    ref = refine(tn, td, LS.reshape(P, heads * k, k), LC.reshape(P, heads * k, k))
    act = ref.lines.reshape(-1, heads, k, 1)
    LSp, LCp = LS[ref.parent], LC[ref.parent]
    tie = (LSp == np.take_along_axis(LSp, act, axis=3)) & (LCp == np.take_along_axis(LCp, act, axis=3))
    lk = math.lcm(*range(1, k + 1))
    weight = lk // tie.sum(axis=3)  # uniform average over the argmax set, over the common scale lk
    vS, vC = cast(bitlen(vS, vC) + k.bit_length() + lk.bit_length() + 1, vS, vC)
    vSp, vCp = vS[ref.parent][:, :, None, :], vC[ref.parent][:, :, None, :]
    avgS = np.where(tie, vSp, 0).sum(axis=3) * weight  # (P', heads, k_i), over Q qa lk
    avgC = np.where(tie, vCp, 0).sum(axis=3) * weight
    avgS, avgC, o = cast(bitlen(avgS, avgC) + bitlen(o) + heads.bit_length() + 1, avgS, avgC, o)
    TS = avgS.transpose(0, 2, 1) @ o  # (P', k, D), over Q qa^2 lk
    TC = avgC.transpose(0, 2, 1) @ o
    f = qa * qa * lk
    S2 = _scale_add(S[ref.parent], f, TS)
    C2 = _scale_add(C[ref.parent], f, TC)
    return (ref.tn, ref.td, *_reduce(S2, C2, Q * f))


def _fraction_model(model: Transformer) -> dict[str, Any]:
    conv = lambda a: [[as_fraction(v) for v in row] for row in np.atleast_2d(np.asarray(a))]  # noqa: E731
    blocks = [{name: conv(getattr(blk, name)) for name in ("w1", "w2", "query", "key", "value", "out")}
              | {"b1": conv(blk.b1)[0] if np.size(blk.b1) else [], "b2": conv(blk.b2)[0]} for blk in model.blocks]
    return {"embed": conv(model.embed), "codes": conv(model.codes), "blocks": blocks,
            "A": conv(model.readout_weight), "c": conv(model.readout_bias)[0]}


def transformer_value(model: Transformer | dict[str, Any], x: Sequence[Any]) -> tuple[Fraction, ...]:
    """T_inf(x) in exact rational arithmetic: hardmax uniform over exact ties (GYZ26.def.transformer)."""
    fm = model if isinstance(model, dict) else _fraction_model(model)
    x = [as_fraction(v) for v in x]
    dot = lambda u, w: sum((p * q for p, q in zip(u, w)), Fraction(0))  # noqa: E731
    X = [[dot(row, x) + code[c] for c, row in enumerate(fm["embed"])] for code in fm["codes"]]
    for blk in fm["blocks"]:
        for j, tok in enumerate(X):
            hid = [max(dot(row, tok) + (blk["b1"][r] if blk["b1"] else 0), Fraction(0))
                   for r, row in enumerate(blk["w1"])]
            X[j] = [tok[c] + dot(blk["w2"][c], hid) + blk["b2"][c] for c in range(len(tok))]
        new = [list(tok) for tok in X]
        for a, kk, v, o in zip(blk["query"], blk["key"], blk["value"], blk["out"]):
            q = [dot(a, tok) for tok in X]
            kap = [dot(kk, tok) for tok in X]
            val = [dot(v, tok) for tok in X]
            for i in range(len(X)):
                s = [q[i] * kj for kj in kap]
                top = [j for j, sj in enumerate(s) if sj == max(s)]
                avg = sum((val[j] for j in top), Fraction(0)) / len(top)
                new[i] = [nc + avg * oc for nc, oc in zip(new[i], o)]
        X = new
    return tuple(dot(row, X[0]) + cc for row, cc in zip(fm["A"], fm["c"]))


def transformer_segment_regions(model: Transformer, x0: Any, x1: Any) -> SegmentRegions:
    """Exact R(T_inf; segment) and activation regions along x0 -> x1 (GYZ26.def.linear_regions, hardmax)."""
    ends = segment_ends(x0, x1, model.input_dim)
    tn, td = np.array([0, 1], dtype=object), np.array([1, 1], dtype=object)
    S, C, Q = _embed(model, *ends)
    for b, blk in enumerate(model.blocks):
        tn, td, S, C, Q = _ffn(blk, tn, td, S, C, Q)
        tn, td, S, C, Q = _attention(blk, b, tn, td, S, C, Q)
    A, c, den = affine_ints(model.readout_weight, model.readout_bias)
    OS, OC = apply_affine(S[:, 0, :], C[:, 0, :], Q, A, c)
    scale = Q * den
    same = ~(np.any(OS[1:] != OS[:-1], axis=1) | np.any(OC[1:] != OC[:-1], axis=1))
    keep = np.zeros(same.shape, dtype=bool)
    fm = None
    x0, x1 = ends
    for i in np.flatnonzero(same):  # maps agree across T: T separates regions only if f jumps at T itself
        fm = fm or _fraction_model(model)
        t = Fraction(int(tn[i + 1]), int(td[i + 1]))
        at = transformer_value(fm, [a + t * (b - a) for a, b in zip(x0, x1)])
        lim = tuple(Fraction(int(s), scale) * t + Fraction(int(cc), scale) for s, cc in zip(OS[i + 1], OC[i + 1]))
        keep[i] = at != lim
    return summarize(tn, td, OS, OC, scale, *ends, keep=keep)
