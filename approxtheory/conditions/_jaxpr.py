"""Jaxprs flattened for auditing: call-like primitives inlined, every value a numbered node output.

``jit``/``pjit``, ``custom_jvp_call``, ``custom_vjp_call``, ``closed_call`` and ``remat`` are replaced by
their bodies, so a primitive is judged by what it computes, never by a wrapper's name (``jax.nn.relu`` is a
``custom_jvp_call`` around ``max``). Control flow (cond, while, scan) stays as one node whose bodies the
auditor flattens in turn. :func:`evaluate` re-runs a flat graph, optionally with chosen inputs set to zero.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jax.numpy as jnp
from jax.extend.core import ClosedJaxpr, Jaxpr, Literal

# Primitive name -> the parameter holding the body that computes its value.
INLINE = {
    "jit": "jaxpr",
    "pjit": "jaxpr",
    "closed_call": "call_jaxpr",
    "core_call": "call_jaxpr",
    "custom_jvp_call": "call_jaxpr",
    "custom_vjp_call": "call_jaxpr",
    "custom_vjp_call_jaxpr": "fun_jaxpr",
    "remat2": "jaxpr",
    "checkpoint": "jaxpr",
}


@dataclass(frozen=True)
class Node:
    primitive: Any
    ins: tuple[int, ...]
    outs: tuple[int, ...]
    params: dict[str, Any]
    where: str

    @property
    def name(self) -> str:
        return str(self.primitive.name)


@dataclass
class FlatJaxpr:
    nodes: list[Node]
    invars: list[int]
    outvars: list[int]
    consts: dict[int, Any]
    avals: dict[int, Any] = field(repr=False)

    def users(self) -> dict[int, list[tuple[int, int]]]:
        """value id -> [(node index, input position)]."""
        out: dict[int, list[tuple[int, int]]] = {}
        for k, node in enumerate(self.nodes):
            for pos, v in enumerate(node.ins):
                out.setdefault(v, []).append((k, pos))
        return out

    def live(self) -> FlatJaxpr:
        """Dead-code elimination: only nodes that reach an output matter to the value."""
        needed = set(self.outvars)
        keep = []
        for node in reversed(self.nodes):
            if needed.intersection(node.outs):
                keep.append(node)
                needed.update(node.ins)
        return FlatJaxpr(keep[::-1], self.invars, self.outvars, self.consts, self.avals)


def _body(value: Any) -> tuple[Jaxpr, list[Any]]:
    if isinstance(value, ClosedJaxpr):
        return value.jaxpr, list(value.consts)
    return value, []


def flatten(closed: ClosedJaxpr | Jaxpr, consts: Iterable[Any] = ()) -> FlatJaxpr:
    """Inline every call-like primitive of a (closed) jaxpr into one list of nodes."""
    counter = itertools.count()
    values: dict[int, Any] = {}
    avals: dict[int, Any] = {}
    nodes: list[Node] = []

    def fresh(aval: Any) -> int:
        i = next(counter)
        avals[i] = aval
        return i

    def constant(value: Any, aval: Any) -> int:
        i = fresh(aval)
        values[i] = value
        return i

    def walk(jaxpr: Jaxpr, env: dict[Any, int], path: str) -> list[int]:
        def read(v: Any) -> int:
            return constant(v.val, v.aval) if isinstance(v, Literal) else env[v]

        for k, eqn in enumerate(jaxpr.eqns):
            ins = [read(v) for v in eqn.invars]
            name = eqn.primitive.name
            label = f"{path}eqn {k} `{name}`"
            body_param = INLINE.get(name)
            if body_param is not None and body_param in eqn.params:
                inner, inner_consts = _body(eqn.params[body_param])
                inner_env = {v: constant(c, v.aval) for v, c in zip(inner.constvars, inner_consts)}
                inner_env.update(zip(inner.invars, ins))
                title = eqn.params.get("name", "")
                outs = walk(inner, inner_env, f"{label}{'[' + str(title) + ']' if title else ''} > ")
                env.update(zip(eqn.outvars, outs))
                continue
            outs = [fresh(v.aval) for v in eqn.outvars]
            env.update(zip(eqn.outvars, outs))
            nodes.append(Node(eqn.primitive, tuple(ins), tuple(outs), dict(eqn.params), label))
        return [read(v) for v in jaxpr.outvars]

    jaxpr, closed_consts = _body(closed)
    closed_consts = closed_consts or list(consts)
    env = {v: constant(c, v.aval) for v, c in zip(jaxpr.constvars, closed_consts)}
    invars = [fresh(v.aval) for v in jaxpr.invars]
    env.update(zip(jaxpr.invars, invars))
    outvars = walk(jaxpr, env, "")
    return FlatJaxpr(nodes, invars, outvars, values, avals)


def evaluate(flat: FlatJaxpr, args: list[Any], zero: frozenset[tuple[int, int]] = frozenset(),
             capture: Iterable[int] = ()) -> tuple[list[Any], dict[int, Any]]:
    """Run the flat graph on ``args``; inputs (node index, position) in ``zero`` are replaced by zeros.

    Returns the outputs and the values of the ids in ``capture``. Works under jit/vmap (it only binds).
    Each argument is cast to the dtype the graph was traced with: primitives are re-bound as traced, and
    ``lax.div`` or ``pad`` reject operands of mixed dtypes.
    """
    env: dict[int, Any] = dict(flat.consts)
    env.update((v, jnp.asarray(a).astype(flat.avals[v].dtype)) for v, a in zip(flat.invars, args))
    for k, node in enumerate(flat.nodes):
        vals = [jnp.zeros_like(env[v]) if (k, pos) in zero else env[v] for pos, v in enumerate(node.ins)]
        out = node.primitive.bind(*vals, **node.params)
        outs = out if node.primitive.multiple_results else [out]
        env.update(zip(node.outs, outs))
    return [env[v] for v in flat.outvars], {v: env[v] for v in capture}
