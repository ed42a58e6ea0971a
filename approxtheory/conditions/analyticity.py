"""Analyticity of (theta, X) -> g_theta(X) by an audit of its jaxpr (CLSL25.def.analytic_family, card §6).

Every equation is judged, descending into call bodies and control flow: allowed primitives are analytic;
div, log, sqrt, rsqrt, pow, log1p and negative integer powers carry a positivity obligation, discharged
structurally (a sum of exponentials is positive) or else numerically on sampled draws; select_n is allowed
only with a trace-time-constant predicate (a fixed mask); max/min are accepted only as the softmax max-shift
(a row maximum subtracted before exp, confirmed by re-evaluating with the shift set to zero); anything that
makes a data-dependent discrete choice is rejected. Anything computed from constants alone is a constant.
A comparison of data-dependent values is a constant when its outcome is: proven from the sign lattice
(``exp(.) > 0``), else an obligation checked on the sampled draws (every entry takes one value), discharged
numerically like a positivity obligation; downstream it is then treated as a constant (a fixed mask).
The graph is re-evaluated in its own dtypes (draws in each leaf's dtype), and the max-shift is accepted up
to a tolerance derived from the mechanism's measured noise floor (conditions/precision.py).
A smoothness probe along random lines in theta is reported as secondary evidence and never decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..attention import ValidatedAttention
from ..core import ConditionResult, ConditionStatus
from ..numerics import TraceCounter, x64
from ._compiled import compiled
from ._draws import PARAM_NOISE, draw_params, general_position_inputs, input_rng, validated
from ._jaxpr import FlatJaxpr, Node, evaluate, flatten
from .precision import measure_precision

CARD_IDS = ("CLSL25.def.analytic_family", "CLSL25.thm2")

ALLOWED = frozenset({
    "add", "add_any", "sub", "mul", "neg", "exp", "exp2", "tanh", "logistic", "sin", "cos", "sinh", "cosh",
    "atan", "asinh", "erf", "erfc", "expm1", "square", "integer_pow", "dot_general", "reduce_sum", "cumsum",
    "reduce_prod", "cumprod", "conv_general_dilated", "stop_gradient", "copy", "copy_p", "transpose",
    "reshape", "broadcast_in_dim", "squeeze", "expand_dims", "concatenate", "slice", "rev", "pad", "iota",
    "split", "sharding_constraint", "optimization_barrier", "real", "imag", "complex", "conj",
})
# primitive -> (operand position, requirement)
OBLIGATIONS = {
    "div": (1, "nonzero"), "log": (0, "positive"), "sqrt": (0, "positive"), "rsqrt": (0, "positive"),
    "pow": (0, "positive"), "log1p": (0, "above -1"), "cbrt": (0, "nonzero"),
}
# primitive -> the operand positions holding indices: indexing with trace-time-constant indices is linear
INDEXED = {"gather": slice(1, 2), "dynamic_slice": slice(1, None), "dynamic_update_slice": slice(2, None),
           "scatter-add": slice(1, 2), "scatter_add": slice(1, 2), "scatter": slice(1, 2)}
SHIFT = frozenset({"reduce_max", "reduce_min", "max", "min"})
# A zeroed shift is tested only where |shift| <= SHIFT_RANGE * -log(smallest normal): exp of it stays normal.
SHIFT_RANGE = 0.9
SHIFT_PASS = frozenset({"broadcast_in_dim", "reshape", "expand_dims", "squeeze", "stop_gradient",
                        "convert_element_type", "copy", "copy_p", "transpose"})
REJECTED = {
    "abs": "not analytic at 0", "sign": "a discrete choice", "floor": "a discrete choice", "ceil": "a discrete choice",
    "round": "a discrete choice", "sort": "a data-dependent reordering", "top_k": "a data-dependent selection",
    "argmax": "a data-dependent selection", "argmin": "a data-dependent selection", "is_finite": "a discrete test",
    "gt": "a data-dependent comparison", "lt": "a data-dependent comparison", "ge": "a data-dependent comparison",
    "and": "boolean logic on data", "or": "boolean logic on data", "not": "boolean logic on data",
    "xor": "boolean logic on data", "clamp": "a clip (min/max)", "rem": "not continuous",
    "nextafter": "a discrete step", "reduce_precision": "rounding", "cummax": "a running maximum",
    "cummin": "a running minimum", "reduce_and": "boolean logic on data", "reduce_or": "boolean logic on data",
    "random_bits": "random bits drawn inside the forward call", "random_seed": "random bits drawn inside the forward call",
    "random_wrap": "random bits drawn inside the forward call", "random_fold_in": "random bits drawn inside the forward call",
    "random_split": "random bits drawn inside the forward call", "threefry2x32": "random bits drawn inside the forward call",
}
CONTROL = frozenset({"cond", "while", "scan"})
COMPARE = frozenset({"gt", "lt", "ge", "le", "eq", "ne"})
POS, NONNEG = 2, 1


@dataclass(frozen=True)
class Finding:
    primitive: str
    where: str
    detail: str
    node: int = -1  # index in the audited graph's live nodes (-1: inside a control-flow body)

    def to_dict(self) -> dict[str, str]:
        return {"primitive": self.primitive, "where": self.where, "detail": self.detail}


@dataclass(frozen=True)
class Obligation:
    node: int
    primitive: str
    where: str
    operand: int
    requirement: str
    structural: bool


@dataclass
class Audit:
    flat: FlatJaxpr
    out_var: list[bool]
    rejected: list[Finding] = field(default_factory=list)
    unknown: list[Finding] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)
    shifts: list[dict[str, Any]] = field(default_factory=list)  # {"where", "subs", "exits", "stop_gradient"}


def _signs(flat: FlatJaxpr, shift_subs: set[int]) -> dict[int, int]:
    """A sign lattice (POS > NONNEG > unknown) for structural positivity; -inf constants break exp > 0.

    An accepted max-shift cancels, so its subtraction is judged as if the shift were zero.
    """
    sign: dict[int, int] = {}
    maybe_inf: set[int] = set()
    for i, value in flat.consts.items():
        a = np.asarray(value)
        if a.dtype.kind in "fiu":
            if np.all(a > 0):
                sign[i] = POS
            elif np.all(a >= 0):
                sign[i] = NONNEG
            if a.dtype.kind == "f" and np.any(np.isinf(a)):
                maybe_inf.add(i)
    for k, node in enumerate(flat.nodes):
        s = [sign.get(i, 0) for i in node.ins]
        ins = node.ins[:1] if k in shift_subs else node.ins
        if node.name == "max":  # max(x, -inf) = x: a -inf floor (logsumexp's guard) adds no infinity
            ins = [i for i in ins if not (i in flat.consts and np.all(np.asarray(flat.consts[i]) == -np.inf))]
        inf = any(i in maybe_inf for i in ins)
        name, out = node.name, 0
        if name in ("exp", "exp2", "logistic", "cosh"):
            out = NONNEG if inf else POS  # exp(-inf) = 0
        elif name in SHIFT_PASS or name in ("slice", "rev", "reduce_sum", "cumsum", "sqrt", "rsqrt"):
            out = s[0] if name not in ("sqrt", "rsqrt") or s[0] == POS else 0
        elif name in ("add", "add_any", "concatenate", "select_n"):
            vals = s[1:] if name == "select_n" else s
            out = min(vals) if vals and min(vals) >= NONNEG else 0
            if name in ("add", "add_any") and out == NONNEG and max(vals) == POS:
                out = POS
        elif name in ("mul", "div", "dot_general"):
            out = min(s[:2]) if name != "mul" or node.ins[0] != node.ins[1] else max(NONNEG, s[0])
        elif name == "abs":
            out = POS if s[0] == POS else NONNEG
        elif name == "integer_pow":
            y = int(node.params["y"])
            out = s[0] if s[0] == POS else (NONNEG if y % 2 == 0 else s[0])
        for o in node.outs:
            if out:
                sign[o] = out
            if inf:
                maybe_inf.add(o)
    return sign


def _decided_by_sign(node: Node, flat: FlatJaxpr, sign: dict[int, int]) -> bool:
    """A comparison of a value of known sign with the constant 0 whose outcome that sign fixes (x > 0 for x > 0)."""
    a, b = node.ins
    zero = lambda i: i in flat.consts and np.all(np.asarray(flat.consts[i]) == 0)
    if zero(b):
        op, s = node.name, sign.get(a, 0)
    elif zero(a):
        op, s = {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge"}.get(node.name, node.name), sign.get(b, 0)
    else:
        return False
    # x > 0, x != 0, not (x < 0), not (x <= 0), not (x == 0) for x > 0; x >= 0, not (x < 0) for x >= 0
    return (s == POS and op in ("gt", "ne", "lt", "le", "eq", "ge")) or (s == NONNEG and op in ("ge", "lt"))


def _shift_chains(flat: FlatJaxpr, var: dict[int, bool]) -> tuple[dict[int, bool], list[dict[str, Any]]]:
    """Find max/min chains and accept the max-shifts whose value cannot matter: softmax's (the chain only
    feeds, as the subtrahend, subtractions that feed exp) and logsumexp's (the same, plus the shift added
    back, log sum exp(x - m) + m). The chain is every value that depends on the data only through the
    maximum (guards such as select_n(is_finite(m), m, 0) included). Structure only proposes: the caller
    zeroes the chain at every exit and accepts only if the output does not move (CLSL25.def.analytic_family)."""
    users = flat.users()
    chain: dict[int, int] = {}  # value id -> chain root (node index of the reduce_max)
    for k, node in enumerate(flat.nodes):
        if not any(var[i] for i in node.ins):
            continue
        roots = {chain[i] for i in node.ins if i in chain}
        if node.name in ("reduce_max", "reduce_min") and not roots:
            root = k
        elif roots and all(i in chain or not var[i] for i in node.ins):
            root = min(roots)  # data enters only through the chain: max(m, -inf), is_finite(m), a select on it
        else:
            continue
        for o in node.outs:
            chain[o] = root
    good: dict[int, bool] = {}
    subs: dict[int, list[int]] = {}
    exits: dict[int, list[tuple[int, int]]] = {}
    stopped: dict[int, bool] = {}
    for v, root in chain.items():
        ok = v not in flat.outvars
        for k, pos in users.get(v, []):
            node = flat.nodes[k]
            if any(o in chain for o in node.outs):
                stopped[root] = stopped.get(root, False) or node.name == "stop_gradient"
                continue
            other = [i for i in node.ins if i != v]
            feeds_exp = any(flat.nodes[u].name == "exp" for u, _ in users.get(node.outs[0], []))
            if node.name == "sub" and pos == 1 and node.ins[0] not in chain and node.outs[0] not in flat.outvars:
                exits.setdefault(root, []).append((k, 1))
                if feeds_exp:
                    subs.setdefault(root, []).append(k)
            elif node.name == "add" and other and all(i not in chain for i in other):  # the shift added back
                exits.setdefault(root, []).append((k, pos))
            else:
                ok = False
        good[root] = good.get(root, True) and ok
    good = {root: ok and bool(subs.get(root)) for root, ok in good.items()}  # a shift must feed an exp
    nodes_ok = {k: good[chain[node.outs[0]]] for k, node in enumerate(flat.nodes)
                if node.outs and node.outs[0] in chain}
    shifts = [{"where": flat.nodes[root].where, "subs": sorted(set(subs.get(root, []))),
               "exits": sorted(set(exits.get(root, []))), "stop_gradient": stopped.get(root, False)}
              for root, ok in good.items() if ok]
    return nodes_ok, shifts


def audit(flat: FlatJaxpr, var_in: list[bool], presumed: frozenset[int] = frozenset()) -> Audit:
    """Judge every live equation of a flat jaxpr whose inputs are data-dependent where ``var_in`` says so.

    ``presumed`` names comparisons (node indices of the live graph) found constant on the sampled draws:
    they are judged as constants, and listed as obligations to discharge numerically.
    """
    flat = flat.live()
    var: dict[int, bool] = {i: False for i in flat.consts}
    var.update(zip(flat.invars, var_in))
    result = Audit(flat, [])
    first_signs = _signs(flat, set())
    constant: dict[int, bool] = {}  # comparisons whose outcome is constant: node -> proven by the sign lattice
    for k, node in enumerate(flat.nodes):
        vin = [var[i] for i in node.ins]
        out_var = _control(node, vin, result) if node.name in CONTROL else [any(vin)] * len(node.outs)
        if node.name in COMPARE and any(vin):
            proven = _decided_by_sign(node, flat, first_signs)
            if proven or k in presumed:
                constant[k] = proven
                out_var = [False] * len(node.outs)  # a constant mask from here on
        var.update(zip(node.outs, out_var))
    result.out_var = [var[i] for i in flat.outvars]
    shift_ok, result.shifts = _shift_chains(flat, var)
    sign = _signs(flat, {k for sh in result.shifts for k in sh["subs"]})
    for k, proven in constant.items():
        node = flat.nodes[k]
        result.obligations.append(Obligation(k, node.name, node.where, node.outs[0], "constant", proven))
    for k, node in enumerate(flat.nodes):
        vin = [var[i] for i in node.ins]
        name = node.name
        if not any(vin) or name in CONTROL or k in constant:
            continue  # a trace-time constant, or judged inside _control
        if shift_ok.get(k, False):
            continue  # inside an accepted max-shift chain: zeroed and confirmed numerically by the caller
        if name in ALLOWED and not (name == "integer_pow" and int(node.params["y"]) < 0):
            continue
        if name in OBLIGATIONS or name == "integer_pow":
            pos, req = OBLIGATIONS.get(name, (0, "nonzero"))
            operand = node.ins[pos]
            structural = sign.get(operand, 0) == POS or (req == "above -1" and sign.get(operand, 0) >= NONNEG)
            result.obligations.append(Obligation(k, name, node.where, operand, req, structural))
        elif name == "select_n":
            if vin[0]:
                result.rejected.append(Finding(name, node.where, "select_n with a data-dependent predicate"))
        elif name == "convert_element_type":
            src = flat.avals[node.ins[0]].dtype
            dst = node.params["new_dtype"]
            if not (jnp.issubdtype(src, jnp.floating) and jnp.issubdtype(dst, jnp.floating)):
                result.rejected.append(Finding(name, node.where, f"a data-dependent cast {src} -> {dst}"))
        elif name in INDEXED:
            if any(vin[INDEXED[name]]):
                result.rejected.append(Finding(name, node.where, "indexing with data-dependent indices"))
        elif name == "max" and _clamp_at_zero(node, vin, flat) is not None:
            # max(0, a) = a wherever a > 0 (flax's LayerNorm clamps its variance so): analytic there, so the
            # operand must be positive, structurally or on every draw, like the operand of a log
            operand = _clamp_at_zero(node, vin, flat)
            result.obligations.append(Obligation(k, name, node.where, operand, "positive", sign.get(operand, 0) == POS))
        elif name in SHIFT:
            result.rejected.append(Finding(name, node.where, "a maximum/minimum that affects the value "
                                               "(not the softmax max-shift)"))
        elif name in ("abs", "sign") and sign.get(node.ins[0], 0) == POS:
            continue  # |x| = x and sign(x) = 1 where x > 0 structurally (logsumexp's log|sum exp|)
        elif name in COMPARE:
            result.rejected.append(Finding(name, node.where, "a data-dependent comparison", k))
        elif name in REJECTED:
            result.rejected.append(Finding(name, node.where, REJECTED[name]))
        else:
            result.unknown.append(Finding(name, node.where, "primitive not classified by the audit"))
    return result


def _clamp_at_zero(node: Any, vin: list[bool], flat: FlatJaxpr) -> int | None:
    """The data-dependent operand a of a binary max(0, a) whose other operand is the constant 0, else None."""
    if len(node.ins) != 2 or sum(vin) != 1:
        return None
    constant = node.ins[vin.index(False)]
    value = flat.consts.get(constant)
    return node.ins[vin.index(True)] if value is not None and bool(np.all(np.asarray(value) == 0)) else None


def _merge_body(parent: Audit, body: Audit, what: str) -> None:
    """Findings inside control flow: rejections carry over; obligations and shifts there cannot be evaluated."""
    parent.rejected += [replace(f, node=-1) for f in body.rejected]
    parent.unknown += [replace(f, node=-1) for f in body.unknown]
    for ob in body.obligations:
        if not ob.structural:
            parent.unknown.append(Finding(ob.primitive, ob.where, f"{ob.requirement} operand inside {what}"))
    for sh in body.shifts:
        parent.unknown.append(Finding("reduce_max", sh["where"], f"max-shift inside {what} is not confirmed"))


def _fixpoint(body: FlatJaxpr, before: list[bool], carry: list[bool], after: list[bool]) -> tuple[list[bool], Audit]:
    """Propagate data dependence around a loop until the carried values stop changing."""
    while True:
        a = audit(body, before + carry + after)
        new = [c or o for c, o in zip(carry, a.out_var[: len(carry)])]
        if new == carry:
            return carry, a
        carry = new


def _control(node: Node, vin: list[bool], parent: Audit) -> list[bool]:
    name, p = node.name, node.params
    if name == "cond":
        if vin[0]:
            parent.rejected.append(Finding(name, node.where, "a branch chosen by the data"))
        outs = [False] * len(node.outs)
        for branch in p["branches"]:
            a = audit(flatten(branch), vin[1:])
            _merge_body(parent, a, "a cond branch")
            outs = [x or y for x, y in zip(outs, a.out_var)]
        return outs
    if name == "while":
        cn, bn = p["cond_nconsts"], p["body_nconsts"]
        carry, body = _fixpoint(flatten(p["body_jaxpr"]), vin[cn:cn + bn], vin[cn + bn:], [])
        cond = audit(flatten(p["cond_jaxpr"]), vin[:cn] + carry)
        if cond.out_var[0]:
            parent.rejected.append(Finding(name, node.where, "a loop whose trip count depends on the data"))
        _merge_body(parent, body, "a while loop")
        _merge_body(parent, cond, "a while condition")
        return carry
    # scan
    nc, ncar = p["num_consts"], p["num_carry"]
    carry, body = _fixpoint(flatten(p["jaxpr"]), vin[:nc], vin[nc:nc + ncar], vin[nc + ncar:])
    _merge_body(parent, body, "a scan body")
    return carry + body.out_var[ncar:]


def _where_list(findings: list[Finding], limit: int = 5) -> list[dict[str, str]]:
    return [f.to_dict() for f in findings[:limit]]


def _evaluator(va: ValidatedAttention, flat: FlatJaxpr, zero: frozenset[tuple[int, int]], capture: list[int],
               draws: int) -> Any:
    """jit(vmap over draws, vmap over inputs) of the flat graph: output, output with shifts zeroed, captures.

    ``flat`` is the trace of apply at the argument types of ``va.jaxpr``; like ``jax.jit(apply)`` itself, the
    memo assumes apply is a pure function, so equal (apply, argument types) give the same graph and node ids.
    """
    types = (jax.tree_util.tree_structure(va.params), tuple(va.jaxpr.in_avals))

    def build(_: Any, counter: TraceCounter) -> Any:
        def one(leaves: list[Any], X: jax.Array) -> tuple[Any, Any, list[Any]]:
            counter.tick()
            out, cap = evaluate(flat, [*leaves, X], capture=capture)
            shifted = evaluate(flat, [*leaves, X], zero=zero)[0][0] if zero else out[0]
            return out[0], shifted, [cap[c] for c in capture]

        return jax.vmap(jax.vmap(one, in_axes=(None, 0)), in_axes=(0, None), axis_size=draws)

    return compiled("analyticity", va.attention.apply, build, config=(types, zero, tuple(capture), draws))


def _obligation_check(ob: Obligation, values: np.ndarray) -> tuple[bool, dict[str, Any]]:
    """Numerical discharge on the sampled draws: values has axes (draw, input, *shape)."""
    finite = np.isfinite(values)
    v = np.where(finite, values, np.nan)
    info: dict[str, Any] = {"primitive": ob.primitive, "where": ob.where, "requirement": ob.requirement,
                            "discharged": "numerically", "non_finite": int((~finite).sum())}
    if ob.requirement == "constant":  # each entry takes one value over every draw and input
        flat_v = np.asarray(values).reshape(values.shape[0] * values.shape[1], -1)
        ok = bool(np.all(flat_v == flat_v[:1]))
        return ok, info
    if ob.requirement == "positive":
        ok = bool(np.nanmin(v) > 0) if finite.any() else False
        info["min_value"] = float(np.nanmin(v)) if finite.any() else None
    elif ob.requirement == "above -1":
        ok = bool(np.nanmin(v) > -1) if finite.any() else False
        info["min_value"] = float(np.nanmin(v)) if finite.any() else None
    else:  # nonzero, and each entry keeps one sign over all draws (a sign change crosses zero)
        signs = np.sign(v)
        ok = bool(np.all(np.nanmin(signs, axis=(0, 1)) == np.nanmax(signs, axis=(0, 1)))
                  and np.all(signs[finite] != 0)) if finite.any() else False
        info["min_abs_value"] = float(np.nanmin(np.abs(v))) if finite.any() else None
    return ok, info


def _probe_lines(apply: Any, counter: TraceCounter) -> Any:
    """f[line, point] = <w, g_{a + t v}(X)> for lines (a, v) and points t (batched over both)."""

    def value(a: Any, v: Any, s: jax.Array, w: jax.Array, X: jax.Array) -> jax.Array:
        counter.tick()
        return jnp.sum(w * apply(jax.tree_util.tree_map(lambda p, q: p + (s * q).astype(p.dtype), a, v), X))

    per_point = jax.vmap(value, in_axes=(None, None, 0, None, None))
    return jax.vmap(per_point, in_axes=(0, 0, None, None, None))


def _probe(va: ValidatedAttention, seed: int, X: jax.Array, noise: float, lines: int = 3, points: int = 33) -> list[float]:
    """Chebyshev tail of t -> <w, g_{theta_a + t v}(X)> on [-1, 1] (secondary evidence, never decisive):
    analytic maps give geometric decay to rounding level, kinks leave algebraic tails."""
    t = jnp.asarray(np.cos(np.pi * (np.arange(points) + 0.5) / points))
    w = jnp.asarray(input_rng(seed, "analyticity").standard_normal((va.n, va.d)))
    ends = draw_params(va, seed, "analyticity", 2 * lines, layers=1, scales=(1.0,), noise=noise).layer(0)
    if not jax.tree_util.tree_leaves(ends):
        return []  # no parameters: nothing to probe
    pick = lambda idx: jax.tree_util.tree_map(lambda leaf: leaf[idx], ends)
    f = np.asarray(compiled("analyticity_probe", va.attention.apply, _probe_lines)(
        pick(np.arange(0, 2 * lines, 2)), pick(np.arange(1, 2 * lines, 2)), t, w, X))
    tails = []
    for row in f:
        if np.all(np.isfinite(row)):
            c = np.abs(np.polynomial.chebyshev.chebfit(np.asarray(t), row, points - 1))
            tails.append(float(c[3 * points // 4:].max() / max(c.max(), 1e-300)))
    return tails


def _constant_comparisons(result: Audit, evaluator: Any) -> frozenset[int]:
    """The rejected top-level comparisons whose outcome is one value per entry over every sampled draw."""
    nodes = [f.node for f in result.rejected if f.primitive in COMPARE and f.node >= 0]
    if not nodes:
        return frozenset()
    captured = evaluator(frozenset(), [result.flat.nodes[k].outs[0] for k in nodes])[2]
    return frozenset(k for k, c in zip(nodes, captured) if _obligation_check(
        Obligation(k, "", "", -1, "constant", False), np.asarray(c))[0])


@x64
def check_analyticity(attention: Any, *, n: int, d: int, seed: int = 0, shift_tolerance: float | None = None,
                      noise: float = PARAM_NOISE) -> ConditionResult:
    """P_analytic: the jaxpr audit of (theta, X) -> g_theta(X), with numerical discharge and a secondary probe.

    ``shift_tolerance`` bounds the relative change of the output when a softmax max-shift is zeroed; by
    default it is derived from the mechanism's measured noise floor (conditions/precision.py).
    ``noise`` widens the parameter draws (conditions/_draws.py).
    """
    va = validated(attention, n, d, seed)
    if shift_tolerance is None:
        shift_tolerance = measure_precision(va, seed, noise).tolerances["shift"]
    Xs = jnp.asarray(general_position_inputs(input_rng(seed, "analyticity"), 2, n, d))
    closed = va.jaxpr
    evidence: dict[str, Any] = {"card_ids": list(CARD_IDS), "shift_tolerance": shift_tolerance}
    flat0 = flatten(closed)
    var_in = [True] * len(closed.jaxpr.invars)
    result = audit(flat0, var_in)
    # Draws in each leaf's own dtype: the graph is re-evaluated in the dtypes it was traced in.
    draws = draw_params(va, seed, "analyticity", 2, layers=1, scales=(0.1, 1.0, 3.0), noise=noise)
    leaves = jax.tree_util.tree_leaves(draws.layer(0))
    evaluator = lambda zero, capture: _evaluator(va, result.flat, zero, capture, draws.count)(leaves, Xs)
    presumed = _constant_comparisons(result, evaluator)
    if presumed:
        result = audit(flat0, var_in, presumed)
    flat = result.flat
    evidence.update(equations=len(flat.nodes),
                    primitives=sorted({node.name for node in flat.nodes}),
                    softmax_shifts=[{"where": s["where"], "stop_gradient": s["stop_gradient"]} for s in result.shifts],
                    probe_chebyshev_tails=_probe(va, seed, Xs[0], noise),
                    probe_note="secondary evidence only: small tails suggest smoothness, they never decide",
                    zero_parameter_found=va.zero_params is not None)
    if result.rejected:
        first = result.rejected[0]
        evidence["rejected"] = _where_list(result.rejected)
        return ConditionResult("analyticity", ConditionStatus.FAILS,
                               f"`{first.primitive}` at {first.where} is {first.detail}: not analytic in (theta, X)",
                               evidence)

    # Numerical part: the max-shift must cancel, and every obligation must hold on draws at several scales.
    zero = frozenset(exit_ for s in result.shifts for exit_ in s["exits"])
    pending = [ob for ob in result.obligations if not ob.structural]
    shift_vars = sorted({flat.nodes[k].ins[pos] for k, pos in zero})
    out, shifted, caps = evaluator(zero, [ob.operand for ob in pending] + shift_vars)
    out, shifted = np.asarray(out, dtype=np.float64), np.asarray(shifted, dtype=np.float64)
    if zero:
        # Without its shift a softmax is exact in relative terms only while exp(shift) stays a normal number: past
        # that it overflows or turns subnormal (finite, wrong). So the identity is tested at the (draw, input) pairs
        # whose shifts lie in range, whatever the draw law's scale (a widened law saturates).
        in_range = np.ones(out.shape[:2], dtype=bool)
        for v, values in zip(shift_vars, caps[len(pending):]):
            limit = SHIFT_RANGE * -np.log(float(jnp.finfo(flat.avals[v].dtype).tiny))
            magnitude = np.abs(np.asarray(values, dtype=np.float64)).reshape(*out.shape[:2], -1)
            in_range &= np.all(magnitude <= limit, axis=-1)
        a, b = out[in_range], shifted[in_range]
        both = np.isfinite(a) & np.isfinite(b)
        if not both.any():
            evidence["shift_cancellation_error"] = None
            return ConditionResult("analyticity", ConditionStatus.UNKNOWN,
                                   f"the maximum at {result.shifts[0]['where']} could not be tested: no draw keeps "
                                   "exp(shift) a normal number (the draw law saturates the softmax)", evidence)
        gap = float(np.max(np.abs(a - b)[both] / (1 + np.abs(a)[both])))
        evidence["shift_cancellation_error"] = gap
        evidence["shift_cancellation_points"] = int(in_range.sum())  # (draw, input) pairs tested
        if not gap <= shift_tolerance:
            return ConditionResult("analyticity", ConditionStatus.FAILS,
                                   f"the maximum at {result.shifts[0]['where']} does not cancel: zeroing the shift "
                                   f"moves the output by {gap:.3g} > {shift_tolerance:.3g}", evidence)
    checks = [_obligation_check(ob, np.asarray(c)) for ob, c in zip(pending, caps)]
    evidence["obligations"] = ([{"primitive": ob.primitive, "where": ob.where, "requirement": ob.requirement,
                                 "discharged": "structurally"} for ob in result.obligations if ob.structural]
                               + [info for _, info in checks])
    for ok, info in checks:
        if not ok:
            return ConditionResult("analyticity", ConditionStatus.FAILS,
                                   f"`{info['primitive']}` at {info['where']} needs a {info['requirement']} operand, "
                                   "and a sampled draw violates it", evidence)
    if result.unknown:
        first = result.unknown[0]
        evidence["unknown"] = _where_list(result.unknown)
        return ConditionResult("analyticity", ConditionStatus.UNKNOWN,
                               f"`{first.primitive}` at {first.where}: {first.detail}", evidence)
    if va.zero_params is None:
        return ConditionResult("analyticity", ConditionStatus.UNKNOWN,
                               "no parameter theta_0 with g = 0 was found (A3: declare zero_params)", evidence)
    numeric = len(pending)
    tail = f"; {numeric} obligation(s) (positivity, constant comparisons) discharged numerically only" if numeric else ""
    shifts = f", {len(result.shifts)} softmax max-shift(s) accepted" if result.shifts else ""
    return ConditionResult("analyticity", ConditionStatus.HOLDS,
                           f"all {len(flat.nodes)} equations are analytic in (theta, X){shifts}{tail}", evidence)
