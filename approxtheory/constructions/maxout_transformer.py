"""A maxout network as a transformer, with the explicit weights of GYZ26 §4 (card prop.exact_simulation).

``simulate(net, M)`` builds T (a :class:`approxtheory.networks.transformer.Transformer`) whose hardmax
model T_inf equals N on every box where the gate bound M >= M* holds (compute M with
:mod:`approxtheory.constructions.gate`), and whose softmax model T_beta is within
:func:`softmax_error_bound` of N. Evaluate with :func:`approxtheory.networks.transformer.apply`.

Layout (0-based, card §4): ih = [0,H), iz = [H,2H), ie = [2H,2H+k), i1 = 2H+k, D = 2H+k+1, with
H = max(d, m_1..m_L) and k the (padded) rank; token j's row is [h | z | e_j | 1].

Block l (input width n = m_{l-1}, m = m_l units), FFN then attention, b1 = b2 = 0:

* gated rows r(u,j,s), s = +1, -1 (row 2(u k + j) + (0 if s > 0 else 1)):
  W1[r, ih[i]] = s w_{u,j}[i], W1[r, i1] = s b_{u,j} - M, W1[r, ie[j]] = M, W2[iz[u], r] = s;
* reset rows, two per reset coordinate c, after the gated rows: (W1[r,c] = 1, W2[c,r] = -1) and
  (W1[r,c] = -1, W2[c,r] = +1); full variant c in ih + iz (4H rows), lean variant c in ih[:n] + iz[:n];
* head u < m: query e_{i1}, key e_{iz[u]}, value e_{iz[u]}, output e_{ih[u]}.

Embedding: E copies x into ih[:d]; the codes set e_j on token j and the constant 1. Readout: A on ih[:m_L].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from flint import arb

from ..core import ApproxTheoryError
from ..networks.maxout import MaxoutLayer, MaxoutNetwork
from ..networks.transformer import Block, Transformer
from ..rigorous import working_precision
from .gate import ARB_PREC, _arb_extreme, _check_M, _up, check_network

Variant = Literal["full", "lean"]
VARIANTS = ("full", "lean")


@dataclass(frozen=True)
class Layout:
    """Index blocks of a token row (card §4)."""

    H: int
    k: int

    @property
    def D(self) -> int:
        return 2 * self.H + self.k + 1

    @property
    def ih(self) -> np.ndarray:
        return np.arange(0, self.H)

    @property
    def iz(self) -> np.ndarray:
        return np.arange(self.H, 2 * self.H)

    @property
    def ie(self) -> np.ndarray:
        return np.arange(2 * self.H, 2 * self.H + self.k)

    @property
    def i1(self) -> int:
        return 2 * self.H + self.k


def token_count(net: MaxoutNetwork) -> int:
    """k = the network's rank, at least 2 (card hypothesis (a)); lower-rank units are padded by repetition."""
    return max(net.rank, 2)


def padded(net: MaxoutNetwork) -> MaxoutNetwork:
    """``net.padded`` at rank :func:`token_count`: every layer has k pieces per unit (the max is unchanged)."""
    return check_network(net).padded(token_count(net))


def layout(net: MaxoutNetwork) -> Layout:
    net = check_network(net)
    return Layout(H=max((net.input_dim, *net.widths)), k=token_count(net))


def _check_variant(variant: Any) -> str:
    if variant not in VARIANTS:
        raise ApproxTheoryError(f"unknown variant {variant!r}", "use variant='full' (reset all of h, z) or 'lean' (reset the coordinates in use)")
    return variant


def _exact(values: Any) -> np.ndarray:
    """An object array of the exact rationals of ``values`` (each float is its binary value, Fraction(float))."""
    arr = np.asarray(values)
    out = np.empty(arr.shape, dtype=object)
    for index, v in np.ndenumerate(arr):
        out[index] = v if isinstance(v, Fraction) else Fraction(int(v)) if isinstance(v, (int, np.integer)) else Fraction(float(v))
    return out


def simulate(net: MaxoutNetwork, M: float | Fraction, variant: Variant = "full", *, exact: bool = False) -> Transformer:
    """The §4 transformer for ``net`` with gate constant ``M`` (hardmax: T_inf = N wherever M >= M*).

    In float64 (the default, for JAX evaluation) the gated biases s b - M are rounded unless b and M are
    dyadic on a common grid, so the stored transformer may be another function. ``exact=True`` builds every
    entry as an exact rational (object arrays of Fractions; floats read as their binary values): that
    transformer is exactly the construction for the given weights, for exact region counting and values
    (approxtheory.regions), not for JAX.
    """
    p = padded(net)
    M = M if isinstance(M, Fraction) and M > 0 else _check_M(M)
    variant = _check_variant(variant)
    lay = layout(p)
    H, k, D = lay.H, lay.k, lay.D
    ih, iz, ie, i1 = lay.ih, lay.iz, lay.ie, lay.i1
    d = p.input_dim
    number = _exact if exact else (lambda a: np.asarray(a, dtype=np.float64))
    zeros = (lambda shape: number(np.zeros(shape, dtype=np.int64))) if exact else np.zeros
    M = Fraction(M) if exact else float(M)

    embed = zeros((D, d))
    embed[ih[:d], np.arange(d)] = 1
    codes = zeros((k, D))
    codes[np.arange(k), ie] = 1
    codes[:, i1] = 1

    blocks = []
    n_in = d
    for layer in p.layers:
        w = number(layer.weight)
        b = number(layer.bias)
        m = w.shape[0]
        n_reset = H if variant == "full" else n_in
        n_gated = 2 * k * m
        width = n_gated + 4 * n_reset
        w1 = zeros((width, D))
        w2 = zeros((D, width))
        # gated rows, r = 2 (u k + j) + (0 for s = +1, 1 for s = -1)
        g1 = zeros((m, k, 2, D))
        g1[:, :, 0, ih[:n_in]] = w
        g1[:, :, 1, ih[:n_in]] = -w
        g1[:, :, 0, i1] = b - M
        g1[:, :, 1, i1] = -b - M
        for j in range(k):
            g1[:, j, :, ie[j]] = M
        w1[:n_gated] = g1.reshape(n_gated, D)
        g2 = zeros((D, m, k, 2))
        for u in range(m):
            g2[iz[u], u, :, 0] = 1
            g2[iz[u], u, :, 1] = -1
        w2[:, :n_gated] = g2.reshape(D, n_gated)
        # reset rows: two per coordinate, subtracting X[c] exactly (t = ReLU(t) - ReLU(-t))
        reset = np.concatenate([ih[:n_reset], iz[:n_reset]])
        rows = n_gated + 2 * np.arange(reset.size)
        w1[rows, reset] = 1
        w2[reset, rows] = -1
        w1[rows + 1, reset] = -1
        w2[reset, rows + 1] = 1
        # attention: head u reads z_u as key and value and writes h_u
        query = zeros((m, D))
        query[:, i1] = 1
        key = zeros((m, D))
        key[np.arange(m), iz[:m]] = 1
        value = key.copy()
        out = zeros((m, D))
        out[np.arange(m), ih[:m]] = 1
        blocks.append(Block(w1, zeros(width), w2, zeros(D), query, key, value, out))
        n_in = m

    a = number(p.readout_weight)
    readout = zeros((a.shape[0], D))
    readout[:, ih[: a.shape[1]]] = a
    return Transformer(embed, codes, tuple(blocks), readout, number(p.readout_bias).copy())


# ---------------------------------------------------------------------------------------------------
# sizes (card prop.complexity)


@dataclass(frozen=True)
class SimulationSizes:
    """Sizes of the §4 transformer for one network and variant; nnz excludes the readout (card prop.complexity)."""

    variant: str
    tokens: int
    H: int
    D: int
    depth: int
    heads: tuple[int, ...]
    ffn_widths: tuple[int, ...]
    nnz_ffn: tuple[int, ...]  # formula: 2k m_l(m_{l-1}+3) + 8H (full) or + 8 m_{l-1} (lean)
    nnz_attention: tuple[int, ...]  # formula: 4 m_l
    nnz_blocks: tuple[int, ...]
    nnz_total: int
    nnz_counted: tuple[int, ...]  # non-zeros counted in weights built from a generic net of the same shape
    nnz_actual: int  # non-zeros of the weights built from this net (<= nnz_total; zero weights drop out)
    dense_blocks: tuple[int, ...]  # 2 D w_l + w_l + D + 4 m_l D
    dense_total: int
    P0: int  # sum_l k m_l (m_{l-1} + 1), at the padded rank k
    bound: int  # 4 P0 + 8 L H + 4 sum m_l (full) or 9 P0 (lean)
    widths: tuple[int, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def count_nonzeros(t: Transformer) -> list[tuple[int, int]]:
    """Per block, (FFN non-zeros in W1, b1, W2, b2; attention non-zeros in a, b, c, o) of built weights."""
    out = []
    for blk in t.blocks:
        ffn = sum(int(np.count_nonzero(x)) for x in (blk.w1, blk.b1, blk.w2, blk.b2))
        att = sum(int(np.count_nonzero(x)) for x in (blk.query, blk.key, blk.value, blk.out))
        out.append((ffn, att))
    return out


def _generic(net: MaxoutNetwork) -> MaxoutNetwork:
    """Same shapes, every weight and bias 1: with M = 3 every structural entry of §4 is non-zero."""
    layers = tuple(MaxoutLayer(np.ones_like(layer.weight, dtype=np.float64), np.ones_like(layer.bias, dtype=np.float64)) for layer in net.layers)
    return net._replace(layers=layers)


def sizes(net: MaxoutNetwork, variant: Variant = "full", M: float | None = None) -> SimulationSizes:
    """Tokens, D, heads, FFN widths, non-zeros (formula and counted) and dense counts of :func:`simulate`.

    The formula counts are checked against the non-zeros of weights built from a generic network of the
    same shape (a mismatch raises RuntimeError: that would be a bug here). ``nnz_actual`` counts the
    weights built from ``net`` itself with gate ``M`` (default: a value making every gate entry non-zero).
    """
    p = padded(net)
    variant = _check_variant(variant)
    lay = layout(p)
    k, H, D = lay.k, lay.H, lay.D
    ms = p.widths
    prev = (p.input_dim, *ms[:-1])
    ffn_w, nnz_ffn, nnz_att, dense = [], [], [], []
    for m, n in zip(ms, prev):
        reset = H if variant == "full" else n
        w = 2 * k * m + 4 * reset
        ffn_w.append(w)
        nnz_ffn.append(2 * k * m * (n + 3) + 8 * reset)
        nnz_att.append(4 * m)
        dense.append(2 * D * w + w + D + 4 * m * D)
    counted = count_nonzeros(simulate(_generic(p), 3.0, variant))
    blocks = tuple(f + a for f, a in zip(nnz_ffn, nnz_att))
    if [c[0] for c in counted] != nnz_ffn or [c[1] for c in counted] != nnz_att:
        raise RuntimeError(f"built weights have non-zeros {counted}, formulas give {list(zip(nnz_ffn, nnz_att))}")
    if M is None:
        M = 1.0 + 2.0 * max(float(np.max(np.abs(layer.bias))) for layer in p.layers)
    actual = sum(f + a for f, a in count_nonzeros(simulate(p, M, variant)))
    P0 = sum(k * m * (n + 1) for m, n in zip(ms, prev))
    L = len(ms)
    bound = 4 * P0 + 8 * L * H + 4 * sum(ms) if variant == "full" else 9 * P0
    return SimulationSizes(
        variant=variant, tokens=k, H=H, D=D, depth=L, heads=tuple(ms), ffn_widths=tuple(ffn_w),
        nnz_ffn=tuple(nnz_ffn), nnz_attention=tuple(nnz_att), nnz_blocks=blocks, nnz_total=sum(blocks),
        nnz_counted=tuple(f + a for f, a in counted), nnz_actual=actual, dense_blocks=tuple(dense),
        dense_total=sum(dense), P0=P0, bound=bound, widths=tuple(ms),
    )


# ---------------------------------------------------------------------------------------------------
# softmax error (card cor.softmax_error)


def _constant_arb(k: int, constant: str) -> arb:
    if constant == "elementary":
        a, b = arb(k).log(), arb(k - 1) / arb(1).exp()
        return a if a.upper() <= b.lower() else (b if b.upper() <= a.lower() else a.union(b))
    if constant == "sharp":
        return (arb(k - 1) / arb(1).exp()).lambertw()
    raise ApproxTheoryError(f"unknown constant {constant!r}", "use constant='elementary' (min(ln k,(k-1)/e)) or 'sharp' (W((k-1)/e))")


def softmax_error_terms(net: MaxoutNetwork) -> dict[str, Any]:
    """||A||_inf, Lip_l = max_{u,j} ||w^(l)_{u,j}||_1 and S = sum_l prod_{l'>l} Lip_{l'} (floats rounded up)."""
    net = check_network(net)
    with working_precision(ARB_PREC):
        a_norm, lips, s = _terms_arb(net)
        return {"A_inf": _up(a_norm), "lip": [_up(x) for x in lips], "S": _up(s), "tokens": token_count(net)}


def _terms_arb(net: MaxoutNetwork) -> tuple[arb, list[arb], arb]:
    a = np.asarray(net.readout_weight, dtype=np.float64)
    a_norm = _arb_extreme([sum((arb(abs(float(v))) for v in row), arb(0)).upper() for row in a], max)
    lips = []
    for layer in net.layers:
        w = np.asarray(layer.weight, dtype=np.float64)
        norms = [sum((arb(abs(float(v))) for v in w[u, j]), arb(0)).upper() for u in range(w.shape[0]) for j in range(w.shape[1])]
        lips.append(_arb_extreme(norms, max))
    s = arb(0)
    for l in range(len(lips)):
        prod = arb(1)
        for lip in lips[l + 1:]:
            prod *= lip
        s += prod
    return a_norm, lips, s


def _check_positive(value: Any, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ApproxTheoryError(f"{what} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise ApproxTheoryError(f"{what} must be a positive finite number, got {v}")
    return v


def softmax_error_bound(net: MaxoutNetwork, beta: float, constant: str = "elementary") -> float:
    """||A||_inf * delta_beta * S (card cor.softmax_error), rounded up; delta_beta = c(k)/beta.

    c(k) = min(ln k, (k-1)/e) ("elementary") or W((k-1)/e) ("sharp"), k = the token count.
    Valid for sup_K ||T_beta - N||_inf when the gate M bounds the softmax model's pre-activations on K
    (M >= gate_safe(net, K).M or gate_ibp(net, lo, hi, for_softmax=True).M).
    """
    net = check_network(net)
    beta = _check_positive(beta, "beta")
    with working_precision(ARB_PREC):
        a_norm, _, s = _terms_arb(net)
        return _up(a_norm * _constant_arb(token_count(net), constant) * s / arb(beta))


def beta_for_accuracy(net: MaxoutNetwork, eps: float, constant: str = "elementary") -> float:
    """beta = ||A||_inf c(k) S / eps (rounded up), so that softmax_error_bound(net, beta) <= eps (card cor.softmax_error)."""
    net = check_network(net)
    eps = _check_positive(eps, "eps")
    with working_precision(ARB_PREC):
        a_norm, _, s = _terms_arb(net)
        beta = _up(a_norm * _constant_arb(token_count(net), constant) * s / arb(eps))
    if beta == 0.0:  # ||A||_inf = 0: T_beta = N for every beta > 0
        return 0.0
    while softmax_error_bound(net, beta, constant) > eps:  # absorb the outward rounding of both sides
        beta = float(np.nextafter(beta, math.inf))
    return beta
