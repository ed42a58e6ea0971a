"""The GYZ26 §4 construction built in exact rationals (issue 11, item 9): it simulates a float-weight network exactly.

Float64 weights rounded s b - M, so the stored transformer was another function (9 regions for a 7-region net);
``simulate(..., exact=True)`` reads every float as its binary rational and rounds nothing.
"""

from __future__ import annotations

import json

import numpy as np

from approxtheory.cli import main
from approxtheory.constructions.gate import gate_ibp
from approxtheory.constructions.maxout_transformer import simulate
from approxtheory.networks import MaxoutNetwork
from approxtheory.regions import segment_regions, transformer_segment_regions

NET = MaxoutNetwork.random(12, 1, [3, 2], 2)  # Gaussian float weights, not dyadic


def _gate(lo: float, hi: float) -> float:
    return gate_ibp(NET, np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)).M


def test_exact_build_counts_the_network_s_regions() -> None:
    assert any(v * 2**20 % 1 for v in NET.layers[0].bias.ravel())  # really not a coarse dyadic grid
    net = segment_regions(NET, [-2], [2])
    exact = transformer_segment_regions(simulate(NET, _gate(-2.0, 2.0), exact=True), [-2], [2])
    assert (exact.regions, exact.breakpoints) == (net.regions, net.breakpoints)


def test_the_float64_build_is_another_function() -> None:
    # the negative control: without exact arithmetic the rounded gate biases move or add breakpoints
    rounded = transformer_segment_regions(simulate(NET, _gate(-2.0, 2.0)), [-2], [2])
    assert rounded.breakpoints != segment_regions(NET, [-2], [2]).breakpoints


def test_regions_as_transformer_says_exact_and_matches(tmp_path, capsys) -> None:
    path = NET.dump(tmp_path / "net.json")
    assert main(["regions", str(path), "--from", "-2", "--to", "2", "--json"]) == 0
    maxout = json.loads(capsys.readouterr().out)
    assert main(["regions", str(path), "--from", "-2", "--to", "2", "--as", "transformer", "--json"]) == 0
    transformer = json.loads(capsys.readouterr().out)
    assert transformer["arithmetic"] == "exact rational" and transformer["regions"] == maxout["regions"]


def test_an_end_beyond_float64_is_one_clear_error(tmp_path, capsys) -> None:
    path = NET.dump(tmp_path / "net.json")
    assert main(["regions", str(path), "--from", "1e400", "--to", "2", "--as", "transformer"]) == 2
    assert "1e400" in capsys.readouterr().err  # refused at parsing, before any float conversion
