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
