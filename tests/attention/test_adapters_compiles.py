"""Drawing parameters of a library module compiles once per configuration, not once per draw (issue 14).

Chex-style: a Python side effect inside the module's ``__call__`` runs once per trace (or once per eager
call), so counting it counts how often the module's initialisers were run as Python; the XLA compilations
are counted by jax.monitoring. Both must stay bounded by a small constant whatever the number of draws.
"""

from __future__ import annotations

from typing import Any

import jax
import pytest

from approxtheory.attention import validate
from approxtheory.attention.adapters import adapt
from approxtheory.conditions._draws import draw_params

nn = pytest.importorskip("flax.linen")
TRACES = {"count": 0}


class Counted(nn.Module):
    """Multi-head self-attention whose every trace (or eager run) ticks TRACES."""

    @nn.compact
    def __call__(self, x: Any) -> Any:
        TRACES["count"] += 1
        return nn.MultiHeadDotProductAttention(num_heads=2)(x)


def _compiles_and_traces(fn: Any) -> tuple[int, int]:
    events: list[str] = []

    def listener(name: str, _duration: float, **_: Any) -> None:
        if name == "/jax/core/compile/backend_compile_duration":
            events.append(name)

    jax.monitoring.register_event_duration_secs_listener(listener)
    before = TRACES["count"]
    try:
        fn()
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    return len(events), TRACES["count"] - before


def test_parameter_draws_compile_a_bounded_number_of_times() -> None:
    va = validate(adapt(Counted()), 4, 4)  # probes the layout and builds the jitted draw once
    counts = {draws: _compiles_and_traces(lambda draws=draws: draw_params(
        va, 0, "battery_params", draws, layers=3, scales=(0.1, 1.0, 3.0))) for draws in (1, 4, 16)}
    for draws, (compiles, traces) in counts.items():
        # the jitted init is traced at most once per configuration (here: already by validate), and the only
        # new compilation per draw count is jax.random.split's key array of that length
        assert traces == 0, (draws, traces)
        assert compiles <= 2, (draws, compiles)
    again = _compiles_and_traces(lambda: draw_params(va, 1, "battery_params", 16, layers=5, scales=(1.0,)))
    assert again == (0, 0)  # other seeds, layers and scales: data, never new shapes
