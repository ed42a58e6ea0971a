"""The gate constant M of GYZ26.prop.exact_simulation, computed and never guessed.

Hypothesis (c) of the proposition asks for M >= M* := max_{l,u,j} sup_{x in K} |y^(l)_{u,j}(x)|, the
largest absolute pre-activation of the maxout network over the input box K. This module gives

* :func:`gate_ibp`: interval bound propagation through the maxout layers (an upper bound on M*);
* :func:`gate_safe`: M_safe = max_l r_l from the card's norm recursion (a cruder upper bound);
* :func:`gate_sampled_lower`: max |y| over sample points (a lower estimate of M*, evidence only);
* :func:`gate_condition`: the hypothesis as a predicate (holds / fails / unknown, with evidence).

Rigour. Both upper bounds are computed in Arb ball arithmetic (python-flint) with outward rounding:
weights, biases and box ends are read as the exact binary numbers they are; every interval end is a
ball from which the lower end is taken with ``arb.lower()`` and the upper end with ``arb.upper()``;
a final end is converted to a double rounded outward (``np.nextafter`` until the double is on the safe
side of the exact Arb value). So the returned M is >= the exact-real-arithmetic M* of the network whose
weights are the given doubles. The sampled value is evaluated in float64 and is not rigorous; a failing
verdict of :func:`gate_condition` is confirmed at its witness point with Arb before it is reported.

Softmax. The hardmax model (and the network) passes h^(l) = max_j y through; the softmax model passes a
convex combination of the y_{u,j}. With ``for_softmax=True`` the interval of h^(l)_u is the hull
[min_j lo, max_j hi], which bounds every T_beta at once (as M_safe does, card cor.softmax_error).

Boxes are given as a pair ``(lo, hi)``; each end is a scalar (used for every coordinate) or a vector of
length d = the network's input dimension.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from flint import arb

from ..core import ApproxTheoryError, ConditionResult, ConditionStatus
from ..networks.maxout import MaxoutNetwork
from ..rigorous import working_precision

CONDITION_NAME = "GYZ26.prop.exact_simulation.gate"
ARB_PREC = 128  # bits; only tightness depends on it, never soundness


@dataclass(frozen=True)
class GateBound:
    """A gate value M with its per-layer maxima max_{u,j} |y^(l)_{u,j}| and how it was obtained.

    ``rigorous`` is True for upper bounds on M* (outward-rounded Arb), False for sampled lower estimates.
    ``intervals`` (IBP only) holds, per layer, outward-rounded (lo, hi) arrays of shape (m_l, k_l) enclosing
    every pre-activation over the box. ``witness`` (sampled only) locates the largest |y| found.
    """

    M: float
    per_layer: tuple[float, ...]
    method: str
    rigorous: bool
    model: str = "hardmax"
    intervals: tuple[tuple[np.ndarray, np.ndarray], ...] | None = None
    witness: dict[str, Any] | None = None
    box: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "M": self.M,
            "per_layer": list(self.per_layer),
            "method": self.method,
            "rigorous": self.rigorous,
            "model": self.model,
        }
        if self.box is not None:
            out["box"] = [list(self.box[0]), list(self.box[1])]
        if self.witness is not None:
            out["witness"] = dict(self.witness)
        if self.notes:
            out["notes"] = self.notes
        return out


# ---------------------------------------------------------------------------------------------------
# validation


def check_network(net: Any) -> MaxoutNetwork:
    """``net`` as a MaxoutNetwork with consistent shapes and finite entries, else one ApproxTheoryError."""
    if not isinstance(net, MaxoutNetwork):
        raise ApproxTheoryError(
            f"expected a MaxoutNetwork, got {type(net).__name__}",
            "build one with MaxoutNetwork(...), MaxoutNetwork.random(...), relu_network(...) or load_network(path)",
        )
    if len(net.layers) == 0:
        raise ApproxTheoryError("the maxout network has no layers", "give at least one maxout layer")
    n_in = None
    for i, layer in enumerate(net.layers):
        w = np.asarray(layer.weight)
        b = np.asarray(layer.bias)
        if w.ndim != 3 or b.ndim != 2 or b.shape != w.shape[:2] or 0 in w.shape:
            raise ApproxTheoryError(
                f"layer {i} has weight shape {w.shape} and bias shape {b.shape}",
                "a layer needs weight (m, k, n_in) and bias (m, k), all dimensions >= 1",
            )
        if n_in is not None and w.shape[2] != n_in:
            raise ApproxTheoryError(f"layer {i} takes {w.shape[2]} inputs but layer {i - 1} has {n_in} units")
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise ApproxTheoryError(f"layer {i} has a non-finite weight or bias", "weights must be finite numbers")
        n_in = w.shape[0]
    a = np.asarray(net.readout_weight)
    c = np.asarray(net.readout_bias)
    if a.ndim != 2 or a.shape[1] != n_in or c.shape != (a.shape[0],):
        raise ApproxTheoryError(
            f"readout weight {a.shape} and bias {c.shape} do not fit {n_in} units",
            f"expected shapes (q, {n_in}) and (q,)",
        )
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(c))):
        raise ApproxTheoryError("the readout has a non-finite entry", "weights must be finite numbers")
    return net


def read_box(net: MaxoutNetwork, lo: Any, hi: Any) -> tuple[np.ndarray, np.ndarray]:
    """Box ends as float64 vectors of length d, checked: right dimension, finite, lo <= hi."""
    d = net.input_dim
    ends = []
    for name, v in (("lower", lo), ("upper", hi)):
        try:
            arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            raise ApproxTheoryError(f"the box's {name} end is not numeric: {v!r}", "give (lo, hi) as numbers or vectors") from None
        if arr.ndim == 0:
            arr = np.full(d, float(arr))
        if arr.shape != (d,):
            raise ApproxTheoryError(
                f"the box's {name} end has shape {arr.shape} but the network takes {d} inputs",
                f"give each end of the box as a scalar or a vector of length {d}",
            )
        if not np.all(np.isfinite(arr)):
            raise ApproxTheoryError(f"the box's {name} end {arr.tolist()} is not finite", "the domain K must be compact (a bounded box)")
        ends.append(arr)
    if np.any(ends[0] > ends[1]):
        i = int(np.argmax(ends[0] > ends[1]))
        raise ApproxTheoryError(f"the box is empty in coordinate {i}: {ends[0][i]} > {ends[1][i]}", "give (lo, hi) with lo <= hi")
    return ends[0], ends[1]


def _split_box(net: MaxoutNetwork, box: Any) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(box, np.ndarray) and box.ndim == 2 and box.shape[0] != 2:
        raise ApproxTheoryError(f"a box array of shape {box.shape} is ambiguous", "give the box as a pair (lo, hi)")
    try:
        lo, hi = box
    except (TypeError, ValueError):
        raise ApproxTheoryError(f"the box must be a pair (lo, hi), got {box!r}", "e.g. box=(-1.0, 1.0) or box=([0, 0], [1, 2])") from None
    return read_box(net, lo, hi)


def _check_M(M: Any, what: str = "the gate constant M") -> float:
    try:
        value = float(M)
    except (TypeError, ValueError):
        raise ApproxTheoryError(f"{what} must be a number, got {M!r}") from None
    if not math.isfinite(value):
        raise ApproxTheoryError(
            f"{what} is {value}, not a finite number",
            "compute it with gate_ibp(net, lo, hi).M or gate_safe(net, (lo, hi)).M over a bounded box",
        )
    if value <= 0:
        raise ApproxTheoryError(f"{what} must be positive, got {value}", "use gate_ibp(net, lo, hi).M")
    return value


# ---------------------------------------------------------------------------------------------------
# Arb helpers


def _down(x: arb) -> float:
    """The largest double <= every point of the ball x (-inf if x is not finite)."""
    lo = x.lower()
    if not lo.is_finite():
        return -math.inf
    f = float(lo)
    while arb(f) > lo:
        f = float(np.nextafter(f, -math.inf))
    return f


def _up(x: arb) -> float:
    """The smallest double >= every point of the ball x (+inf if x is not finite)."""
    hi = x.upper()
    if not hi.is_finite():
        return math.inf
    f = float(hi)
    while arb(f) < hi:
        f = float(np.nextafter(f, math.inf))
    return f


def _ibp_arb(net: MaxoutNetwork, lo: np.ndarray, hi: np.ndarray, hull: bool) -> list[tuple[list[list[arb]], list[list[arb]]]]:
    """Per layer, exact-end Arb enclosures [Lo, Hi] of every pre-activation y_{u,j} over the box."""
    h_lo = [arb(float(v)) for v in lo]
    h_hi = [arb(float(v)) for v in hi]
    layers = []
    for layer in net.layers:
        w = np.asarray(layer.weight, dtype=np.float64)
        b = np.asarray(layer.bias, dtype=np.float64)
        m, k, n_in = w.shape
        y_lo: list[list[arb]] = []
        y_hi: list[list[arb]] = []
        for u in range(m):
            row_lo, row_hi = [], []
            for j in range(k):
                s_lo = arb(float(b[u, j]))
                s_hi = s_lo
                for i in range(n_in):
                    wi = float(w[u, j, i])
                    if wi > 0:
                        s_lo += wi * h_lo[i]
                        s_hi += wi * h_hi[i]
                    elif wi < 0:
                        s_lo += wi * h_hi[i]
                        s_hi += wi * h_lo[i]
                row_lo.append(s_lo.lower())
                row_hi.append(s_hi.upper())
            y_lo.append(row_lo)
            y_hi.append(row_hi)
        layers.append((y_lo, y_hi))
        # interval of h^(l)_u = max_j y_{u,j} (network / hardmax), or the hull (softmax: convex combinations)
        pick_lo = min if hull else max
        h_lo = [_arb_extreme(row, pick_lo) for row in y_lo]
        h_hi = [_arb_extreme(row, max) for row in y_hi]
    return layers


def _arb_extreme(values: Sequence[arb], pick: Any) -> arb:
    """min or max of exact (radius-0) Arb numbers; comparisons between exact balls are decided."""
    best = values[0]
    for v in values[1:]:
        if (pick is max and v > best) or (pick is min and v < best):
            best = v
    return best


def _abs_max(lo: arb, hi: arb) -> arb:
    return _arb_extreme([abs(lo).upper(), abs(hi).upper()], max)


# ---------------------------------------------------------------------------------------------------
# the three gate values


def gate_ibp(net: MaxoutNetwork, box_lo: Any, box_hi: Any = None, *, for_softmax: bool = False) -> GateBound:
    """M by interval bound propagation over the box [box_lo, box_hi], rigorous (Arb, outward rounding).

    ``box_hi=None`` reads ``box_lo`` as the pair (lo, hi). ``for_softmax=True`` propagates the hull of each
    unit's pieces, so the value also bounds the pre-activations of every softmax model T_beta.
    """
    net = check_network(net)
    lo, hi = _split_box(net, box_lo) if box_hi is None else read_box(net, box_lo, box_hi)
    with working_precision(ARB_PREC):
        layers = _ibp_arb(net, lo, hi, hull=for_softmax)
        per_layer, intervals = [], []
        for y_lo, y_hi in layers:
            per_layer.append(_up(_arb_extreme([_abs_max(a, b) for ra, rb in zip(y_lo, y_hi) for a, b in zip(ra, rb)], max)))
            intervals.append((np.array([[_down(a) for a in row] for row in y_lo]), np.array([[_up(b) for b in row] for row in y_hi])))
    return GateBound(
        M=max(per_layer),
        per_layer=tuple(per_layer),
        method="ibp (python-flint arb, outward rounding)",
        rigorous=True,
        model="softmax" if for_softmax else "hardmax",
        intervals=tuple(intervals),
        box=(tuple(lo.tolist()), tuple(hi.tolist())),
    )


def gate_safe(net: MaxoutNetwork, box: Any) -> GateBound:
    """M_safe = max_l r_l, r_0 = max ||x||_inf over the box, r_l = max_{u,j} ||w_{u,j}||_1 r_{l-1} + |b_{u,j}|.

    Rigorous (Arb, outward rounding) and valid for the hardmax model and every softmax model at once.
    """
    net = check_network(net)
    lo, hi = _split_box(net, box)
    with working_precision(ARB_PREC):
        r = arb(float(max(np.max(np.abs(lo)), np.max(np.abs(hi)))))
        per_layer = []
        for layer in net.layers:
            w = np.asarray(layer.weight, dtype=np.float64)
            b = np.asarray(layer.bias, dtype=np.float64)
            m, k, _ = w.shape
            vals = []
            for u in range(m):
                for j in range(k):
                    norm = sum((arb(abs(float(v))) for v in w[u, j]), arb(0))
                    vals.append((norm * r + abs(float(b[u, j]))).upper())
            r = _arb_extreme(vals, max)
            per_layer.append(_up(r))
    return GateBound(
        M=max(per_layer),
        per_layer=tuple(per_layer),
        method="safe recursion r_l (python-flint arb, outward rounding)",
        rigorous=True,
        model="hardmax and softmax",
        box=(tuple(lo.tolist()), tuple(hi.tolist())),
    )


def preactivations(net: MaxoutNetwork, x: np.ndarray) -> list[np.ndarray]:
    """y^(l) of shape (batch, m_l, k_l) for a batch x of shape (batch, d), float64."""
    hs = net.hidden(np.asarray(x, dtype=np.float64))
    return [np.einsum("ukn,bn->buk", layer.weight, h) + layer.bias for layer, h in zip(net.layers, hs[:-1])]


def _sample_points(lo: np.ndarray, hi: np.ndarray, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = lo.shape[0]
    pts = [lo + (hi - lo) * rng.random((n, d)), ((lo + hi) / 2)[None, :]]
    if d <= 10:  # every corner of the box
        corners = np.array(np.meshgrid(*[[0.0, 1.0]] * d, indexing="ij")).reshape(d, -1).T
        pts.append(lo + (hi - lo) * corners)
    return np.concatenate(pts, axis=0)


def gate_sampled_lower(net: MaxoutNetwork, box: Any, n: int = 2048, seed: int = 0) -> GateBound:
    """max |y| over n uniform points of the box, its centre and (d <= 10) its corners: a lower estimate of M*.

    Float64 and not rigorous: evidence only. ``witness`` gives the point, layer, unit, piece and value.
    """
    net = check_network(net)
    lo, hi = _split_box(net, box)
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ApproxTheoryError(f"the sample count must be a non-negative integer, got {n!r}")
    pts = _sample_points(lo, hi, int(n), seed)
    ys = preactivations(net, pts)
    per_layer = [float(np.max(np.abs(y))) for y in ys]
    layer = int(np.argmax(per_layer))
    b, u, j = np.unravel_index(int(np.argmax(np.abs(ys[layer]))), ys[layer].shape)
    witness = {
        "point": pts[b].tolist(),
        "layer": layer + 1,
        "unit": int(u),
        "piece": int(j),
        "value": float(ys[layer][b, u, j]),
    }
    return GateBound(
        M=max(per_layer),
        per_layer=tuple(per_layer),
        method=f"sampled ({len(pts)} points, seed {seed}; float64, lower estimate)",
        rigorous=False,
        witness=witness,
        box=(tuple(lo.tolist()), tuple(hi.tolist())),
    )


def gate_condition(net: MaxoutNetwork, box: Any, M: Any, *, n: int = 2048, seed: int = 0,
                   for_softmax: bool = False) -> ConditionResult:
    """Hypothesis (c) of GYZ26.prop.exact_simulation as a predicate on (net, box, M).

    * holds: M >= the rigorous IBP value (for_softmax: the hull IBP, valid for every T_beta);
    * fails: some sampled point has |y| > M, confirmed in Arb at that point (evidence: the point);
    * unknown: M lies between the largest sampled |y| and the IBP value.
    """
    net = check_network(net)
    lo, hi = _split_box(net, box)
    M = _check_M(M)
    ibp = gate_ibp(net, lo, hi, for_softmax=for_softmax)
    evidence: dict[str, Any] = {"M": M, "ibp_M": ibp.M, "ibp_per_layer": list(ibp.per_layer), "box": [lo.tolist(), hi.tolist()]}
    if M >= ibp.M:
        return ConditionResult(CONDITION_NAME, ConditionStatus.HOLDS,
                               f"M = {M:g} >= {ibp.M:g}, the rigorous interval bound on every |pre-activation| over the box",
                               evidence)
    sampled = gate_sampled_lower(net, (lo, hi), n=n, seed=seed)
    evidence["sampled_M"] = sampled.M
    evidence["sampled_per_layer"] = list(sampled.per_layer)
    if sampled.M > M and sampled.witness is not None:
        w = sampled.witness
        point = np.asarray(w["point"])
        with working_precision(ARB_PREC):
            y_lo, y_hi = _ibp_arb(net, point, point, hull=False)[w["layer"] - 1]
            a, b = y_lo[w["unit"]][w["piece"]], y_hi[w["unit"]][w["piece"]]
            least_abs = arb(0) if (a <= 0 <= b) else _arb_extreme([abs(a).lower(), abs(b).lower()], min)
            confirmed = bool(least_abs > arb(M))
        if confirmed:
            evidence["witness"] = dict(w)
            return ConditionResult(
                CONDITION_NAME, ConditionStatus.FAILS,
                f"at x = {w['point']} the pre-activation y^({w['layer']})_{{{w['unit']},{w['piece']}}} = {w['value']:g} "
                f"has |y| > M = {M:g} (confirmed in Arb)",
                evidence)
    return ConditionResult(
        CONDITION_NAME, ConditionStatus.UNKNOWN,
        f"M = {M:g} is below the interval bound {ibp.M:g} but no sampled point has |y| > M (largest sampled {sampled.M:g})",
        evidence)
