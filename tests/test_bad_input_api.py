"""Bad input to the Python API and to network files: one clear error naming the argument or the entry."""

from __future__ import annotations

import json

import pytest
from hypothesis.errors import InvalidArgument

from approxtheory.core import ApproxTheoryError, Witness
from approxtheory.networks import load_network
from approxtheory.pytest_plugin import ClaimChecker
from approxtheory.regions.box import box_regions
from approxtheory import strategies

GOOD = {"kind": "maxout", "layers": [{"weight": [[[1.0], [-1.0]]], "bias": [[0, 0]]}],
        "readout": {"weight": [[1]], "bias": [0]}}


def network_file(tmp_path, content) -> str:
    path = tmp_path / "net.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def with_weight(weight) -> dict:
    return {**GOOD, "layers": [{"weight": weight, "bias": [[0, 0]]}]}


@pytest.mark.parametrize("content, message", [
    (with_weight([[["1.0"], [-1.0]]]), 'layers[0].weight[0, 0, 0] is "1.0", not a number'),
    (with_weight([[[True], [-1.0]]]), "layers[0].weight[0, 0, 0] is true, not a number"),
    (with_weight([[[None], [-1.0]]]), "is null, not a number"),
    (with_weight([[[[1]], [-1.0]]]), "has 3 dimensions"),
    (with_weight([[[1], [-1, 2]]]), "not a rectangular"),
    (with_weight([[[10**400], [1]]]), "too large for a float64"),
    ({**GOOD, "layers": [{"weight": [[[], []]], "bias": [[0, 0]]}]}, "take 0 inputs"),
    ({**GOOD, "readout": {"weight": [], "bias": []}}, "readout.weight"),
    (b"\xff\xfe\x00binary\x00", "not UTF-8"),
    ("[" * 100_000 + "]" * 100_000, "nests its JSON too deeply"),
    ('{"kind": "maxout", "layers": [', "not valid JSON"),
    ("1" * 5000, "cannot read"),
    (json.dumps(GOOD)[:-1] + ', "kind": "maxout"}', "the key 'kind' appears twice"),
])
def test_bad_network_files_name_the_file_and_the_entry(tmp_path, content, message: str) -> None:
    path = network_file(tmp_path, content)
    with pytest.raises(ApproxTheoryError) as error:
        load_network(path)
    assert message in str(error.value)
    assert path in str(error.value)


def test_a_good_network_file_still_loads(tmp_path) -> None:
    assert load_network(network_file(tmp_path, GOOD)).input_dim == 1


@pytest.mark.parametrize("lo, hi, kw, message", [
    ([float("-inf")], [1.0], {}, "must be finite"),
    ([0.0], [float("inf")], {}, "must be finite"),
    ([0.0], [1.0], {"tol": float("nan")}, "tol=nan"),
    ([0.0], [1.0], {"tol": -1.0}, "tol=-1.0"),
    ([0.0], [1.0], {"map_tol": float("inf")}, "map_tol=inf"),
    (["a"], [1.0], {}, "sequences of 1 numbers"),
])
def test_box_regions_refuses_unbounded_boxes_and_bad_tolerances(lo, hi, kw, message: str) -> None:
    from approxtheory.networks import MaxoutNetwork

    with pytest.raises(ApproxTheoryError) as error:
        box_regions(MaxoutNetwork.from_json(GOOD), lo, hi, **kw)
    assert message in str(error.value)


@pytest.mark.parametrize("build, name", [
    (lambda: strategies.softmax_gap_inputs(max_tokens=10**9), "max_tokens"),
    (lambda: strategies.maxout_networks(max_width=10**9), "max_width"),
    (lambda: strategies.maxout_networks(grid=2**200), "grid"),
    (lambda: strategies.maxout_networks(input_dim=2.5), "input_dim"),
    (lambda: strategies.maxout_networks(widths=(10**6,)), "widths"),
])
def test_absurd_strategy_sizes_fail_early_naming_the_argument(build, name: str) -> None:
    with pytest.raises(InvalidArgument, match=name):
        build()


@pytest.mark.parametrize("expected", [b"refuted", [], ["proven"], 3, None])
def test_the_fixture_refuses_an_expected_verdict_that_is_not_one(expected) -> None:
    with pytest.raises(ApproxTheoryError, match="not a verdict name"):
        ClaimChecker().assert_verdict("GYZ26.lem.softmax_max.statement.c_closed_form", expected)


def test_the_fixture_refuses_an_absurd_budget() -> None:
    with pytest.raises(ApproxTheoryError, match=r"budget must be an integer in \[1, 10_000_000\]"):
        ClaimChecker().verdict("GYZ26.lem.softmax_max.statement.c_closed_form", budget=10**23)


@pytest.mark.parametrize("content", [b"\x00\xff\xfe\x80", '{"claim_id": "caf\xe9"}'.encode("latin-1")])
def test_a_binary_or_non_utf8_witness_file_is_one_clear_error(tmp_path, content: bytes) -> None:
    path = tmp_path / "w.json"
    path.write_bytes(content)
    with pytest.raises(ApproxTheoryError, match="is not UTF-8 text"):
        Witness.load(path)


@pytest.mark.parametrize("call, message", [
    (lambda reg: reg.get(5), "a claim id is a string, got int"),
    (lambda reg: reg.get(["GYZ26"]), "a claim id is a string, got list"),
    (lambda reg: reg.select(["GYZ26", 5]), "a claim id or prefix is a string, got int"),
    (lambda reg: reg.select("GYZ26"), "a list of ids or prefixes, got the string 'GYZ26'"),
])
def test_registry_lookups_refuse_ids_that_are_not_strings(call, message: str) -> None:
    from approxtheory import registry
    with pytest.raises(ApproxTheoryError, match=message):
        call(registry())


def test_a_key_given_twice_in_a_witness_is_one_clear_error(tmp_path) -> None:
    """json.loads would keep beta = -1 silently and replay would say "not reproduced" (exit 1)."""
    path = tmp_path / "w.json"
    path.write_text('{"format": "approxtheory.witness/1", "claim_id": "X", "inputs": {"beta": 1, "beta": -1}, "observed": {}}')
    with pytest.raises(ApproxTheoryError, match="the key 'beta' appears twice"):
        Witness.load(path)
