"""Strong connectivity and hop diameter of the token dependency graph (CLSL25.def.sparse_pattern)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from approxtheory.attention import token_graph, validate, zoo
from approxtheory.conditions.connectivity import (
    check_connectivity,
    distances,
    farthest_sources,
)


def _graph(mechanism, n, d=2):
    va = validate(mechanism, n, d)
    return token_graph(va), va


@pytest.mark.parametrize(
    "mechanism, n, diameter",
    [(zoo.softmax, 5, 1), (zoo.window(w=1), 6, 5), (zoo.window(w=2), 7, 3), (zoo.window(w=1, wrap=True), 7, 3)],
)
def test_hop_diameter(mechanism, n, diameter) -> None:
    tg, va = _graph(mechanism, n)
    r = check_connectivity(tg, va.pattern)
    assert r.status.value == "holds"
    assert r.evidence["hop_diameter"] == diameter
    if va.pattern is not None:
        assert r.evidence["declared_pattern_agrees"]


def test_no_mixing_is_reported_as_such() -> None:
    tg, _ = _graph(zoo.zero, 4)
    r = check_connectivity(tg)
    assert r.status.value == "fails" and r.evidence["no_mixing"]
    assert r.evidence["edges"] == 0


def test_causal_mask_gives_an_unreachable_witness() -> None:
    tg, va = _graph(zoo.causal, 5)
    r = check_connectivity(tg, va.pattern)
    assert r.status.value == "fails" and not r.evidence["no_mixing"]
    j, i = r.evidence["unreachable"]["from"], r.evidence["unreachable"]["to"]
    assert j > i  # with N(i) = {j <= i}, a later token never reaches an earlier output
    assert distances(tg)[j, i] == -1


def test_farthest_sources_of_an_open_window() -> None:
    tg, _ = _graph(zoo.window(w=1), 6)
    far = farthest_sources(tg)
    assert far[0] == 5 and far[5] == 0
    dist = distances(tg)
    assert all(dist[far[i], i] == max(dist[:, i]) for i in range(6))
    assert max(dist[far[i], i] for i in range(6)) == math.ceil((6 - 1) / 1)
    assert np.all(dist >= 0)
