"""Replay re-derives, never trusts (issue 11, item 4): one hand-written hostile witness per replay check.

A witness names a claim and inputs. Malformed inputs (wrong types, "abc" for a number, inf, a missing key,
sizes beyond the replay limits) are one ApproxTheoryError naming the entry (CLI exit 2); well-formed inputs
outside the claim's domain or scope, or expressions that are not the claim's, are "not reproduced" with the
reason (CLI exit 1).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from approxtheory import registry
from approxtheory.attention.zoo import ZOO
from approxtheory.cli import main
from approxtheory.core import ApproxTheoryError, Witness
from approxtheory.networks import MaxoutNetwork

REGISTRY = registry()
TE_MAX = "GYZ26.lem.softmax_max.statement.te_max"
WIDTH1 = "GYZ26.thm.maxout_regions_mpcb14.statement.width1_cap"
GAMMA = "JL24.prop6.3.statement.complexity_le_gamma"
NET1 = MaxoutNetwork.random(0, 1, [2, 1], 2, grid=16).to_json()
NARROW = MaxoutNetwork.random(0, 1, [1, 1], 2, grid=16).to_json()
WIDE = MaxoutNetwork.random(0, 1, [3], 3, grid=16).to_json()  # width 3: outside the width-1 cap's scope
ARB = {"kind": "arb_comparison", "step": "Arb box"}
MINIMISER_STEP = "Arb E_star <= E(m_h) on [1, 256], point 0"


def _replay(claim_id: str, inputs: Any, seed: int | None = None):
    return REGISTRY.get(claim_id).replay_witness(Witness(claim_id, inputs, {}, seed=seed))


# (claim, inputs, words the reason must contain): well formed, outside the claim -> not reproduced
OUTSIDE = [
    (TE_MAX, {**ARB, "lhs": "Integer(2)", "rhs": "Integer(1)", "point": {}}, "is not the claim's"),
    (TE_MAX, {**ARB, "step": "made up", "point": {}}, "no decisive comparison"),
    (TE_MAX, {**ARB, "point": {"t": "100", "b": "1"}}, "outside the claim's box"),
    (TE_MAX, {**ARB, "point": {"t": "1"}}, "box is over"),
    (TE_MAX, {**ARB, "strict": True, "point": {"t": "1", "b": "1"}}, "strict"),
    ("JL24.cor.opt_mh.statement.minimiser", {**ARB, "step": MINIMISER_STEP, "point": {"m_h": "1000"}}, "outside"),
    ("JL24.thm4.2.statement.monotone", {**ARB, "step": "Arb: E(m_FF=1e6) <= E(m_FF=1e4) on a box",
                                        "point": {"tau": "3/2", "m_h": "2"}}, "not an integer"),
    (WIDTH1, {"network": WIDE, "radius": 4}, "width-1"),
    (WIDTH1, {"network": NARROW, "radius": 0}, "R > 0"),
    ("GYZ26.prop.regions_lower.statement.zigzag_regions", {"k": 1, "L": 2}, "k >= 2"),
    ("GYZ26.prop.regions_lower.construction.transformer_regions", {"k": 2, "L": 0}, "L >= 1"),
    ("GYZ26.prop.exact_simulation.construction.hardmax_exact", {"network": NET1, "M": 0.5, "variant": "full", "x": ["1"]},
     "below the IBP gate"),
    ("GYZ26.prop.exact_simulation.construction.hardmax_exact", {"network": NET1, "M": 64.0, "variant": "full", "x": ["2"]},
     "outside the claim's box"),
    ("GYZ26.prop.exact_simulation.construction.hardmax_exact", {"network": NET1, "M": 64.0, "variant": "odd", "x": ["0"]},
     "variant"),
    ("GYZ26.prop.exact_simulation.construction.hardmax_exact", {"network": NET1, "M": 64.0, "variant": "full", "x": ["0", "0"]},
     "coordinates"),
    ("GYZ26.cor.softmax_error.statement.error_bound", {"network": NET1, "x": [3.0], "beta": 1.0}, "outside the claim's box"),
    ("GYZ26.cor.softmax_error.statement.error_bound", {"network": NET1, "x": [0.5], "beta": -1.0}, "beta > 0"),
    ("GYZ26.lem.softmax_max.statement.gap_bound", {"z": ["0x1p+0"], "beta": "0x1p+0"}, "n >= 2"),
    ("GYZ26.lem.softmax_max.statement.sharp_gap_bound", {"z": [1.0, 0.0], "beta": 0.0}, "beta > 0"),
    (GAMMA, {"c": "1", "gamma": "0"}, "gamma > 0"),
    (GAMMA, {"c": "2", "gamma": "3/2"}, "|c| <= 1"),
    ("JL24.prop6.3.statement.kernel_identity", {"kernel": "2^-s", "theta": ["1", "1"], "horizon": 10}, "||theta||_1"),
    ("JL24.prop6.3.statement.kernel_identity", {"kernel": "3^-s", "theta": ["1/2"], "horizon": 10}, "kernel"),
    ("JL24.prop6.1.statement.permuted_not_in_C_RNN", {"kernel": ["0"] * 10, "perm": list(range(10))}, "identity"),
    ("JL24.prop6.1.statement.permuted_not_in_C_RNN", {"kernel": ["0"] * 10, "perm": [0] * 10}, "not a permutation"),
    ("JL24.prop6.1.statement.permuted_not_in_C_RNN", {"kernel": ["0"] * 3, "perm": [1, 0, *range(2, 10)]}, "entries"),
    ("JL24.thm4.2.construction.attains_bound", {"alpha": "1/2", "tau": 2, "m_h": 4, "panels": 16}, "alpha > 1"),
    ("JL24.cor.finite_rank.construction.rate_infinite_rank", {"alpha": "1", "tau": 2, "panels": 16}, "alpha > 1"),
    ("JL24.E1.experiment.infinite_rank_in_class", {"alpha": "1/2", "u": "1/4", "v": "1/4"}, "E1's targets"),
    ("JL24.E1.experiment.infinite_rank_in_class", {"alpha": "1", "u": "1/3", "v": "1/4"}, "(1/4, 1/4)"),
    ("WE24.expE4a.experiment.lin_capacity_at_64_heads", {"rates": ["0x1p-3"], "alpha": ["0x1p+0"], "first_offset": 5},
     "reading"),
    ("WE24.expE4a.experiment.lin_capacity_at_64_heads", {"rates": [-1.0], "alpha": [1.0]}, "R_+"),
    ("WE24.expE4a.experiment.lin_capacity_at_64_heads", {"rates": [1.0, 2.0], "alpha": [1.0]}, "per head"),
    ("WE24.propC.1.statement.rounding", {"z": 0.5}, "z >= 1"),
    ("CLSL25.cor.sparse.statement.depth_equals_hop_diameter",
     {"mechanism": "os:system", "X": [[0.0]], "Y": [[0.0]], "slots": [0, 0], "depth": 1, "draws": 1}, "zoo patterns"),
    ("CLSL25.table.longformer.statement.depth_ceil_n_over_2w", {"n": 3, "w": 2}, "2w < n"),
]


@pytest.mark.parametrize("claim_id, inputs, reason", OUTSIDE, ids=[f"{c}:{r}" for c, _, r in OUTSIDE])
def test_outside_the_claim_is_not_reproduced(claim_id: str, inputs: dict, reason: str) -> None:
    result = _replay(claim_id, inputs)
    assert not result.reproduced and reason in result.explanation, result.explanation


def test_a_hop_witness_whose_pair_is_one_input_up_to_a_symmetry_refutes_nothing() -> None:
    # such a pair is never separated at any depth: an edited witness with Y = X (or all tokens equal, Y = X,
    # one slot) was "reproduced"; the pair a genuine refutation records (Y = sigma.X, sigma outside Sym) still is
    claim_id = "CLSL25.cor.sparse.statement.depth_equals_hop_diameter"
    genuine = REGISTRY.get(claim_id).check().witness
    assert REGISTRY.get(claim_id).replay_witness(genuine).reproduced
    inputs = genuine.inputs
    for X in (inputs["X"], [[0.5, 0.5]] * len(inputs["X"])):
        result = _replay(claim_id, {**inputs, "X": X, "Y": X, "slots": [inputs["slots"][0]] * 2}, seed=genuine.seed)
        assert not result.reproduced and "no counterexample" in result.explanation, result.explanation


def test_a_hop_witness_at_another_depth_is_outside_the_claim() -> None:
    zoo_window = ZOO["window"].target
    X = [[float(i), 0.0] for i in range(6)]
    result = _replay("CLSL25.cor.sparse.statement.depth_equals_hop_diameter",
                     {"mechanism": zoo_window, "X": X, "Y": X, "slots": [1, 2], "depth": 1, "draws": 2}, seed=0)
    assert not result.reproduced and "hop diameter" in result.explanation


# (claim, inputs, words the error must contain): malformed or beyond a replay limit -> ApproxTheoryError
MALFORMED = [
    (TE_MAX, {**ARB, "lhs": "Pow(10, 10**8)", "point": {}}, "refused"),
    (TE_MAX, {**ARB, "lhs": "Pow(Integer(10), Integer(100000000))", "point": {}}, "limit"),
    (TE_MAX, {**ARB, "lhs": "Integer(" + "9" * 200 + ")", "point": {}}, "digits"),
    (TE_MAX, {**ARB, "lhs": "__import__('os').system('true')", "point": {}}, "SymPy classes"),
    (TE_MAX, {**ARB, "lhs": "lambdify(Symbol('t'), Symbol('t'))", "point": {}}, "not a SymPy"),
    (TE_MAX, {**ARB, "lhs": ["Integer(1)"], "point": {}}, "srepr string"),
    (TE_MAX, {**ARB, "point": {"t": "abc", "b": "1"}}, "point['t']"),
    (TE_MAX, {**ARB, "point": {"t": 0.5, "b": "1"}}, "point['t']"),
    (TE_MAX, {**ARB, "point": {"t": "1e100000000", "b": "1"}}, "exponent"),
    (TE_MAX, {**ARB, "point": ["1", "1"]}, "'point'"),
    (TE_MAX, {**ARB, "strict": "yes", "point": {}}, "'strict'"),
    (TE_MAX, {"step": "Arb box", "point": {}}, "'kind'"),
    (WIDTH1, {"network": "abc", "radius": 1}, "network"),
    (WIDTH1, {"network": NARROW, "radius": "abc"}, "'radius'"),
    ("GYZ26.prop.regions_lower.statement.zigzag_regions", {"k": "3", "L": 2}, "'k'"),
    ("GYZ26.prop.regions_lower.statement.zigzag_regions", {"k": True, "L": 2}, "'k'"),
    ("GYZ26.prop.regions_lower.statement.zigzag_regions", {"k": 2, "L": 40}, "limit"),
    ("GYZ26.prop.exact_simulation.construction.hardmax_exact", {"network": NET1, "M": "inf", "variant": "full", "x": ["0"]},
     "'M'"),
    ("GYZ26.prop.exact_simulation.construction.hardmax_exact", {"network": NET1, "M": 4.0, "variant": "full", "x": []},
     "empty"),
    ("GYZ26.cor.softmax_error.statement.error_bound", {"network": NET1, "x": [0.5], "beta": "nan"}, "'beta'"),
    ("GYZ26.lem.softmax_max.statement.gap_bound", {"z": "0x1p+0", "beta": 1.0}, "'z'"),
    ("GYZ26.prop.complexity.construction.nnz_counts", {"network": {"kind": "maxout", "layers": []}}, "layers"),
    ("GYZ26.prop.complexity.construction.nnz_counts",
     {"network": MaxoutNetwork.random(0, 1, [1] * 9, 2).to_json()}, "limit"),
    (GAMMA, {"c": "1", "gamma": "abc"}, "'gamma'"),
    (GAMMA, {"c": "1", "gamma": 0.5}, "'gamma'"),
    (GAMMA, {"c": "1"}, "'gamma'"),
    ("JL24.prop6.3.statement.kernel_identity", {"kernel": "2^-s", "theta": ["1/2"], "horizon": 3000}, "limit"),
    ("JL24.prop6.3.statement.kernel_identity", {"kernel": "2^-s", "theta": "1/2", "horizon": 10}, "must be a list"),
    ("JL24.prop6.1.statement.permuted_not_in_C_RNN", {"kernel": ["0"] * 10, "perm": ["a"] * 10}, "perm"),
    ("JL24.thm4.2.construction.attains_bound", {"alpha": "2", "tau": 2, "m_h": 65, "panels": 16}, "limit"),
    ("JL24.thm4.2.construction.attains_bound", {"alpha": "2", "tau": 3, "m_h": 4, "panels": 16}, "limit"),
    ("JL24.E1.experiment.infinite_rank_in_class", {"alpha": None}, "'alpha'"),
    ("WE24.expE4a.experiment.lin_capacity_at_64_heads", {"rates": ["0x1p-3"] * 65, "alpha": ["0x1p+0"] * 65}, "limit"),
    ("WE24.expE4a.experiment.lin_capacity_at_64_heads", {"rates": ["abc"], "alpha": [1.0]}, "rates"),
    ("WE24.propC.1.statement.rounding", {"z": 1e6}, "limit"),
    ("CLSL25.cor.sparse.statement.depth_equals_hop_diameter",
     {"mechanism": "x", "X": [[0.0, 1.0], [0.0]], "Y": [[0.0]], "slots": [0, 0], "depth": 1, "draws": 1}, "rectangular"),
    ("CLSL25.table.longformer.statement.depth_ceil_n_over_2w", {"n": "6", "w": 1}, "'n'"),
]


@pytest.mark.parametrize("claim_id, inputs, words", MALFORMED, ids=[f"{c}:{w}" for c, _, w in MALFORMED])
def test_malformed_witness_is_one_clear_error(claim_id: str, inputs: dict, words: str) -> None:
    with pytest.raises(ApproxTheoryError) as caught:
        _replay(claim_id, inputs)
    assert words in str(caught.value)


@pytest.mark.parametrize("claim_id", sorted(c.id for c in REGISTRY if c.replay is not None))
def test_every_replay_refuses_empty_inputs(claim_id: str) -> None:
    with pytest.raises(ApproxTheoryError, match="lacks the input"):
        _replay(claim_id, {})


@pytest.mark.parametrize("field, value, words", [
    ("inputs", ["k", 2], "'inputs' must be an object"), ("claim_id", 5, "'claim_id' must be a string"),
    ("seed", "x", "'seed'"), ("observed", None, "'observed' must be an object"),
])
def test_witness_fields_are_typed(field: str, value: Any, words: str) -> None:
    data = {"claim_id": GAMMA, "inputs": {"c": "1", "gamma": "1"}, "observed": {}, field: value}
    with pytest.raises(ApproxTheoryError, match=words):
        Witness.from_dict(data)


def test_a_huge_integer_in_the_file_is_one_clear_error(tmp_path) -> None:
    path = tmp_path / "w.json"
    path.write_text('{"claim_id": "%s", "inputs": {"gamma": %s}, "observed": {}}' % (GAMMA, "9" * 5000))
    with pytest.raises(ApproxTheoryError, match="cannot be read"):
        Witness.load(path)


@pytest.mark.parametrize("claim_id, inputs", [
    (TE_MAX, {"kind": "arb_comparison", "step": "Arb box", "lhs": "Integer(2)", "rhs": "Integer(1)", "point": {}}),
    (WIDTH1, {"network": WIDE, "radius": 8}),
    (GAMMA, {"c": "1", "gamma": "0"}),
])
def test_the_issue_examples_are_not_reproduced_on_the_command_line(tmp_path, capsys, claim_id: str, inputs: dict) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"claim_id": claim_id, "inputs": inputs, "observed": {"lhs": 2, "rhs": 1}}))
    assert main(["replay", str(path), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["reproduced"] is False and "outside the claim" in out["explanation"]


def test_a_limit_is_exit_2_on_the_command_line(tmp_path) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"claim_id": "JL24.prop6.3.statement.kernel_identity", "observed": {},
                                "inputs": {"kernel": "2^-s", "theta": ["1/2"], "horizon": 3000}}))
    assert main(["replay", str(path)]) == 2


def test_an_integer_beyond_float_range_is_one_clear_limit_error(tmp_path, capsys) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"claim_id": "CLSL25.table.longformer.statement.depth_ceil_n_over_2w",
                                "inputs": {"n": 10**4000, "w": 1}, "observed": {}}))
    assert main(["replay", str(path)]) == 2
    assert "'n' exceeds the replay limit" in capsys.readouterr().err


def test_a_deeply_nested_witness_is_one_clear_error(tmp_path, capsys) -> None:
    path = tmp_path / "w.json"
    path.write_text('{"claim_id": "%s", "inputs": {"n": 6, "w": 1, "extra": %s}, "observed": {}}'
                    % ("CLSL25.table.longformer.statement.depth_ceil_n_over_2w", "[" * 900 + "]" * 900))
    assert main(["replay", str(path), "--json"]) == 2
    assert "nests arrays or objects more than 64 deep" in capsys.readouterr().err


def test_a_witness_file_over_the_size_limit_is_refused_unread(tmp_path, capsys) -> None:
    path = tmp_path / "w.json"
    with open(path, "wb") as fh:  # sparse: 64 MiB + 1 of nothing, never read
        fh.truncate(64 * 2**20 + 1)
    assert main(["replay", str(path)]) == 2
    assert "more than the limit of 67_108_864" in capsys.readouterr().err
