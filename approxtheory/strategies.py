"""Public Hypothesis strategies for approxtheory's objects, in the style of ``hypothesis.extra``.

Each strategy checks its arguments eagerly and raises ``hypothesis.errors.InvalidArgument`` with
a message that names the argument and the allowed range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument


@dataclass(frozen=True)
class GapInput:
    """Scores ``z`` (one per token) and an inverse temperature ``beta`` for the softmax gap."""

    z: tuple[float, ...]
    beta: float


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and lo <= value <= hi):
        raise InvalidArgument(f"{name}={value!r} must be a finite number in [{lo}, {hi}]")


def softmax_gap_inputs(
    *,
    min_tokens: int = 2,
    max_tokens: int = 8,
    log10_scale: tuple[float, float] = (-3.0, 1.0),
    log10_beta: tuple[float, float] = (-2.0, 4.0),
) -> st.SearchStrategy[GapInput]:
    """Token scores and temperatures for GYZ26.lem.softmax_max.

    Half the inputs are ``scale * a`` with ``a`` in [-1, 1]^n and ``scale``, ``beta`` log-uniform
    over the given decades (the card: z from 1e-3 to 10, beta over decades); the other half are
    drawn on the softmax's own scale, gaps u/beta below a random offset with u in [0, 20].
    Shrinks towards n = min_tokens and equal scores.
    """
    if not isinstance(min_tokens, int) or not isinstance(max_tokens, int) or not 2 <= min_tokens <= max_tokens:
        raise InvalidArgument(
            f"need integers 2 <= min_tokens <= max_tokens, got min_tokens={min_tokens!r}, max_tokens={max_tokens!r}"
        )
    for name, (lo, hi) in (("log10_scale", log10_scale), ("log10_beta", log10_beta)):
        _check_range(f"{name}[0]", lo, -300, 300)
        _check_range(f"{name}[1]", hi, lo, 300)

    @st.composite
    def by_scale(draw: st.DrawFn) -> GapInput:
        # Scores on an absolute scale: z = scale * a, a in [-1, 1]^n.
        n = draw(st.integers(min_tokens, max_tokens))
        scale = 10.0 ** draw(st.floats(*log10_scale))
        beta = 10.0 ** draw(st.floats(*log10_beta))
        a = draw(st.lists(st.floats(-1.0, 1.0), min_size=n, max_size=n))
        return GapInput(tuple(scale * x for x in a), beta)

    @st.composite
    def by_temperature(draw: st.DrawFn) -> GapInput:
        # Scores on the softmax's own scale: z_i = offset - u_i / beta with u_i = beta * gap_i >= 0,
        # since the gap depends on z and beta only through these products (shift invariance).
        n = draw(st.integers(min_tokens, max_tokens))
        beta = 10.0 ** draw(st.floats(*log10_beta))
        offset = draw(st.floats(-10.0, 10.0))
        u = draw(st.lists(st.floats(0.0, 20.0), min_size=n - 1, max_size=n - 1))
        return GapInput((offset, *(offset - ui / beta for ui in u)), beta)

    return st.one_of(by_scale(), by_temperature())


def _check_dims(name: str, values: object, lo: int, hi: int) -> tuple[int, ...]:
    seq = (values,) if isinstance(values, int) else tuple(values)  # type: ignore[arg-type]
    if not seq or not all(isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi for v in seq):
        raise InvalidArgument(f"{name}={values!r} must be an integer or a non-empty sequence of integers in [{lo}, {hi}]")
    return seq


def maxout_networks(
    *,
    input_dim: int | tuple[int, ...] = (1, 2, 3),
    widths: tuple[int, ...] | None = None,
    depth: int | tuple[int, ...] = (1, 2, 3),
    max_width: int = 4,
    rank: int | tuple[int, ...] = (2, 3, 4),
    grid: int = 64,
    max_abs: float = 2.0,
) -> st.SearchStrategy:
    """Maxout networks (GYZ26.def.maxout) with weights on a 1/grid lattice in [-max_abs, max_abs].

    A power-of-two ``grid`` keeps every weight dyadic, so exact (rational) region counts and the
    maxout->transformer construction stay exact in float64. Fix the shape with ``widths`` (and a
    single ``input_dim`` and ``rank``) to keep JAX shapes static across a search. Shrinks towards
    small, shallow nets with zero weights.
    """
    dims = _check_dims("input_dim", input_dim, 1, 64)
    ranks = _check_dims("rank", rank, 1, 16)
    depths = _check_dims("depth", depth, 1, 32)
    if widths is not None:
        widths = _check_dims("widths", widths, 1, 256)
    if not isinstance(max_width, int) or max_width < 1:
        raise InvalidArgument(f"max_width={max_width!r} must be a positive integer")
    if not isinstance(grid, int) or grid < 1:
        raise InvalidArgument(f"grid={grid!r} must be a positive integer (a power of two keeps weights dyadic)")
    _check_range("max_abs", max_abs, 1.0 / grid, 1e6)
    bound = int(max_abs * grid)

    def array(draw: st.DrawFn, shape: tuple[int, ...]) -> list:
        import numpy as np

        size = int(np.prod(shape))
        values = draw(st.lists(st.integers(-bound, bound), min_size=size, max_size=size))
        return (np.array(values, dtype=np.float64).reshape(shape) / grid).tolist()

    @st.composite
    def build(draw: st.DrawFn):
        from .networks import MaxoutNetwork

        d = draw(st.sampled_from(dims))
        k = draw(st.sampled_from(ranks))
        ws = widths if widths is not None else tuple(
            draw(st.integers(1, max_width)) for _ in range(draw(st.sampled_from(depths))))
        layers, n_in = [], d
        for m in ws:
            layers.append({"weight": array(draw, (m, k, n_in)), "bias": array(draw, (m, k))})
            n_in = m
        readout = {"weight": array(draw, (1, n_in)), "bias": array(draw, (1,))}
        return MaxoutNetwork.from_json({"kind": "maxout", "layers": layers, "readout": readout}, "strategy")

    return build()
