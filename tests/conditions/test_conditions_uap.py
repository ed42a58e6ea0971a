"""check_uap: the card's verdict logic (CLSL25 §6) on the zoo, the JSON contract of DESIGN.md, bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from approxtheory.attention import zoo
from approxtheory.conditions import battery
from approxtheory.core import ApproxTheoryError, ConditionResult, ConditionStatus
from approxtheory import uap
from approxtheory.uap import CLAIMS, _cross_checks, check_uap

CONDITIONS = {"connectivity", "equivariance", "group", "ffn", "analyticity", "kernel_limit", "distinguishability"}


def test_softmax_is_uap_for_s_n_with_one_layer_and_the_contract() -> None:
    r = check_uap(zoo.softmax, n=5, d=3)
    data = json.loads(json.dumps(r.to_json()))
    assert data["verdict"] == "uap" and data["min_attention_layers"] == 1
    assert data["group"]["name"] == "S_n" and data["group"]["order"] == math.factorial(5)
    assert set(data["conditions"]) == CONDITIONS
    assert all(c["status"] in ("holds", "fails", "unknown", "not_applicable") for c in data["conditions"].values())
    assert data["witness"] is None
    assert {c["id"] for c in data["claims"]} >= {"CLSL25.thm1", "CLSL25.thm2", "CLSL25.cor.kernel"}
    assert all(c["provenance"] == CLAIMS[c["id"]] for c in data["claims"])
    assert [c["agrees"] for c in data["cross_checks"]] == [True]
    lines = r.human_lines()
    assert lines[0].startswith("verdict: uap for S_n") and len(lines) == 2 + len(CONDITIONS) + 1
    assert lines[1].startswith("precision: working precision float64")
    precision = data["settings"]["precision"]
    assert precision["working"] == "float64" and 0 < precision["tolerances"]["separation"] < 1e-9
    assert data["settings"]["tolerance"] == precision["tolerances"]["separation"]
    assert set(data["settings"]["condition_seconds"]) >= CONDITIONS - {"connectivity", "equivariance", "group"}
    assert data["settings"]["compilations"] >= 0 and data["settings"]["compile_seconds"] >= 0


def test_window_is_uap_for_the_reflection_group_at_the_hop_diameter() -> None:
    r = check_uap(zoo.window(w=2), n=6, d=3)
    assert (r.verdict, r.group["name"], r.group["order"]) == ("uap", "reflection", 2)
    assert r.min_attention_layers == 3 == r.conditions["connectivity"].evidence["hop_diameter"]
    assert r.cross_checks[0]["corollary"] == "CLSL25.cor.sparse" and r.cross_checks[0]["agrees"]


def test_a_change_far_below_resolution_at_depth_d_plus_1_is_found_deeper() -> None:
    # Issue 14's window at n = 64 (w = 4, D = 16) stayed undecided: a change D hops away reaches its slot at depth
    # D only through the weights (2w + 1)^-D of the extreme neighbours, below float64 resolution, and the sweep
    # stopped at min(D + 1, 16). The same at small n: a separation tolerance of 1e-3 puts the horizon at a few
    # hops, and at D + 1 = 7 one slot pair is still unseparated, so the card's D + 1 is not enough.
    r = check_uap(zoo.window(w=2), n=12, d=2, tolerance=1e-3)
    hop = r.conditions["connectivity"].evidence["hop_diameter"]
    depths = r.conditions["distinguishability"].evidence["depths"]
    assert hop == 6 and depths[hop]["depth"] == hop + 1 and depths[hop]["unseparated"] > 0
    # window(w=2) is uap for the reflection group (cor.sparse); the witnesses' depth is an upper bound
    assert r.verdict == "uap" and r.group["name"] == "reflection" and r.min_attention_layers > hop + 1
    (sparse,) = [c for c in r.cross_checks if c["corollary"] == "CLSL25.cor.sparse"]
    assert not sparse["agrees"] and f"[{hop}, {r.min_attention_layers}]" in sparse["message"]


@pytest.mark.parametrize("mechanism, name, order", [(zoo.bias_cyclic, "C_n", 5), (zoo.bias_dihedral, "D_n", 10)])
def test_relative_bias_designs_get_their_groups(mechanism, name, order) -> None:
    r = check_uap(mechanism, n=5, d=3)
    assert (r.verdict, r.group["name"], r.group["order"]) == ("uap", name, order)


def test_zero_map_is_not_uap_with_the_sum_target() -> None:
    r = check_uap(zoo.zero, n=4, d=3)
    assert (r.verdict, r.category) == ("not_uap", "NOT_UAP")
    w = r.witness
    assert w["kind"] == "no_mixing" and "sum_j x_j" in w["target"]
    assert w["pair"]["max_sep"] == 0.0 and w["pair"]["slots"][0] == w["pair"]["slots"][1]


def test_causal_mask_is_not_uap_by_disconnection() -> None:
    r = check_uap(zoo.causal, n=4, d=3)
    assert r.verdict == "not_uap" and r.witness["kind"] == "disconnected"
    assert r.witness["pair"]["max_sep"] == 0.0


def test_mean_map_is_undecided_with_a_moment_matched_pair() -> None:
    r = check_uap(zoo.mean, n=5, d=3)
    assert (r.verdict, r.category) == ("undecided", "INCONCLUSIVE")
    assert r.witness["generator"] in ("b", "b2") and r.witness["max_sep"] < 1e-12
    assert "CLSL25 §5 case 4" in r.claims
    assert r.min_attention_layers is None


def test_relu_linear_attention_is_undecided_because_not_analytic() -> None:
    r = check_uap(zoo.linear_relu, n=4, d=3)
    assert (r.verdict, r.category) == ("undecided", "THM2_NOT_APPLICABLE")
    assert r.conditions["analyticity"].status.value == "fails"
    assert r.conditions["distinguishability"].status.value == "holds"  # evidence attached, not decisive


def test_softmax_for_the_trivial_group_is_not_uap_with_a_reordering() -> None:
    r = check_uap(zoo.softmax, n=4, d=3, group="trivial")
    assert r.verdict == "not_uap" and r.group["name"] == "trivial"
    w = r.witness
    sigma = w["sigma"]
    X, Y = np.asarray(w["pair"]["X"]), np.asarray(w["pair"]["Y"])
    i, j = w["pair"]["slots"]
    assert j == sigma[i] != i and np.array_equal(X[i], Y[j])  # the slots of a token sigma moves
    assert w["pair"]["max_sep"] < 1e-12
    assert w["largest_group_found"]["name"] == "S_n"


def test_dihedral_design_requested_as_c_n_is_not_uap() -> None:
    r = check_uap(zoo.bias_dihedral, n=5, d=3, group="C_n")
    assert r.verdict == "not_uap" and r.group["name"] == "C_n"


def test_larger_requested_group_is_retargeted() -> None:
    r = check_uap(zoo.bias_cyclic, n=5, d=3, group="S_n")
    assert r.verdict == "uap" and r.group["name"] == "C_n"
    assert r.conditions["equivariance"].status.value == "fails"


def test_d1_warns_and_seed_is_deterministic() -> None:
    a = check_uap(zoo.softmax, n=3, d=1, seed=7)
    b = check_uap(zoo.softmax, n=3, d=1, seed=7)
    assert any("d = 1" in w for w in a.warnings)
    strip = lambda r: {k: v for k, v in r.to_json().items() if k != "settings"}
    assert json.dumps(strip(a), sort_keys=True) == json.dumps(strip(b), sort_keys=True)


def test_repeated_checks_do_not_recompile_the_battery() -> None:
    check_uap(zoo.softmax, n=5, d=3, seed=1)
    before = battery.trace_count()
    check_uap(zoo.softmax, n=5, d=3, seed=2)
    assert battery.trace_count() == before


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"group": "Z_n"}, "unknown group"),
        ({"max_depth": 0}, "max_depth = 0 is out of range"),
        ({"draws": 0}, "draws = 0 is out of range"),
        ({"n": 1}, "out of range"),
        ({"d": 0}, "out of range"),
    ],
)
def test_bad_input_is_one_clear_error(kwargs, message) -> None:
    args = {"n": 4, "d": 2, **kwargs}
    with pytest.raises(ApproxTheoryError, match=message):
        check_uap(zoo.softmax, **args)


def test_wrong_output_shape_is_one_clear_error() -> None:
    class Bad:
        def init(self, key, n, d):
            return {}

        def apply(self, params, X):
            return X.T

    with pytest.raises(ApproxTheoryError, match="expected"):
        check_uap(Bad(), n=4, d=2)


def _kernel_limit(status: ConditionStatus) -> dict[str, ConditionResult]:
    return {"kernel_limit": ConditionResult("kernel_limit", status, "", {})}


def test_cor_kernel_predicts_one_layer_and_s_n_only_when_the_kernel_limit_holds() -> None:
    [check] = _cross_checks(_kernel_limit(ConditionStatus.HOLDS), "S_n", 1, sparse=False, hop=None)
    assert check["corollary"] == "CLSL25.cor.kernel" and check["predicted_layers"] == 1 and check["agrees"]
    assert not _cross_checks(_kernel_limit(ConditionStatus.HOLDS), "S_n", 2, sparse=False, hop=None)[0]["agrees"]
    assert not _cross_checks(_kernel_limit(ConditionStatus.HOLDS), "C_n", 1, sparse=False, hop=None)[0]["agrees"]
    assert _cross_checks(_kernel_limit(ConditionStatus.FAILS), "S_n", 1, sparse=False, hop=None) == []


@pytest.mark.parametrize("found, sparse, agrees", [(3, True, True), (4, True, False), (2, False, False)])
def test_cor_sparse_predicts_the_hop_diameter(found: int, sparse: bool, agrees: bool) -> None:
    [check] = _cross_checks(_kernel_limit(ConditionStatus.FAILS), "D_n", found, sparse=sparse, hop=3)
    assert check["corollary"] == "CLSL25.cor.sparse" and check["predicted_layers"] == 3
    assert check["found_layers"] == found and check["agrees"] is agrees


@pytest.mark.parametrize("found, sparse, hop", [(3, False, 3), (4, False, 3), (None, False, 3), (2, True, None)])
def test_cor_sparse_is_silent_for_a_dense_pattern_that_reached_the_hop_diameter(found, sparse, hop) -> None:
    # Dense (hop known, not sparse) and no depth below the hop diameter found, or no graph at all: no prediction.
    assert _cross_checks(_kernel_limit(ConditionStatus.FAILS), "S_n", found, sparse=sparse, hop=hop) == []


@pytest.mark.parametrize("generator, blind", [("b", True), ("b2", True), ("perm", False)])
def test_blind_spot_case_4_is_claimed_only_for_the_moment_matched_generators(monkeypatch, generator, blind) -> None:
    # The battery reports an unseparated pair; only the b / b2 (moment-matched) pairs are the §5 case 4 blind spot.
    pair = {"generator": generator, "X": [], "Y": [], "slots": [0, 1], "max_sep": 0.0}
    monkeypatch.setattr(uap, "check_distinguishability", lambda *a, **k: ConditionResult(
        "distinguishability", ConditionStatus.FAILS, "an unseparated pair", {"failing_pair": pair}))
    r = check_uap(zoo.softmax, n=3, d=2)
    assert (r.verdict, r.category) == ("undecided", "INCONCLUSIVE") and r.witness["generator"] == generator
    assert ("CLSL25 §5 case 4" in r.claims) is blind
