"""The command line: JSON contracts, seeds, and one clear message for every kind of bad input."""

from __future__ import annotations

import dataclasses
import json

import pytest

from approxtheory.cli import main
from approxtheory.core import ApproxTheoryError, Claim, Registry, Source
from approxtheory.papers.gyz26 import softmax_max

from .helpers import bound_claim


def run(capsys, argv, reg=None):
    code = main(argv, reg)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


MARKUP = "on [a, b] and [/x], [bold]not bold[/bold], [link=https://example.org]x[/link]"


def test_text_of_users_that_looks_like_rich_markup_is_printed_as_written(capsys) -> None:
    """Statements, sources and error messages are users' text: Rich read "[a, b]" as a style and dropped it
    (two built-in statements lost their brackets so), and "[/x]" as a closing tag (a MarkupError)."""
    def verify(ctx):
        raise ApproxTheoryError(f"the input is {MARKUP}")

    claim = Claim(id="TEST.lem.markup.statement.x", statement=f"holds {MARKUP}", source=Source("TEST", "v0", "eq. [k]"),
                  provenance="reconstructed", scope="statement", verify=verify)
    code, out, err = run(capsys, ["theorems"], Registry([claim]))
    assert code == 0 and f"holds {MARKUP}" in out and "eq. [k]" in out and not err
    code, out, err = run(capsys, ["check", "TEST"], Registry([claim]))
    assert code == 2 and f"the input is {MARKUP}" in err and "Traceback" not in err
    code, out, _ = run(capsys, ["theorems", "WE24.propC.1"])
    assert "|log[e^z] - z| <= 1/(2 min(e^z, [e^z]))" in out


def test_theorems_json_lists_scope_and_provenance(capsys) -> None:
    code, out, _ = run(capsys, ["theorems", "--json"])
    claims = {c["id"]: c for c in json.loads(out)["claims"]}
    lemma = [c for c in claims if c.startswith("GYZ26.lem.softmax_max.")]
    assert code == 0 and len(lemma) == 5
    assert all(claims[c]["scope"] == "statement" and claims[c]["provenance"] == "reconstructed" for c in lemma)


def test_check_json_is_pure_json_with_a_verdict(capsys) -> None:
    code, out, _ = run(capsys, ["check", "GYZ26.lem.softmax_max.statement.c_closed_form", "--json", "--seed", "3"])
    data = json.loads(out)
    assert code == 0 and data["seed"] == 3
    (verdict,) = data["verdicts"]
    assert verdict["status"] == "certified" and verdict["method"] == "arb"  # the method names its steps' kinds
    assert {step["kind"] for step in verdict["evidence"]["steps"].values()} == {"arb"}
    assert verdict["budget"]["cells_per_inequality"] == 4000


def test_human_check_prints_a_table(capsys) -> None:
    code, out, _ = run(capsys, ["check", "GYZ26.lem.softmax_max.statement.te_max"])
    assert code == 0 and "certified" in out and "te_max" in out


def test_unknown_claim_id_is_one_clear_message(capsys) -> None:
    code, out, err = run(capsys, ["check", "GYZ26.lem.softmax_maxx", "--json"])
    assert code == 2 and out == ""
    assert "no registered claim matches 'GYZ26.lem.softmax_maxx'" in err and "Traceback" not in err


@pytest.mark.parametrize("seed", ["abc", "-1", "1.5"])
def test_bad_seed_is_rejected_by_name(capsys, seed: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "GYZ26", "--seed", seed])
    assert exit_info.value.code == 2
    assert "--seed" in capsys.readouterr().err


def test_bad_budget_is_rejected(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["check", "GYZ26", "--budget", "0"])
    assert "positive integer" in capsys.readouterr().err


def test_corrupt_witness_is_one_clear_message(capsys, tmp_path) -> None:
    path = tmp_path / "w.json"
    path.write_text('{"claim_id": "GYZ26.lem.softmax_max.statement.gap_bound", "inputs": ')
    code, out, err = run(capsys, ["replay", str(path)])
    assert code == 2 and str(path) in err and "not valid JSON" in err and "Traceback" not in err


def test_witness_for_unknown_claim(capsys, tmp_path) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"claim_id": "NOPE.x.statement.y", "inputs": {}, "observed": {}}))
    code, _, err = run(capsys, ["replay", str(path)])
    assert code == 2 and "no registered claim matches 'NOPE.x.statement.y'" in err


# --- regress ------------------------------------------------------------------------------------

def test_regress_passes_then_fails_when_a_bound_is_loosened(capsys, tmp_path) -> None:
    baseline = str(tmp_path / "baseline.json")
    real = Registry([bound_claim(softmax_max.ELEMENTARY)])
    assert run(capsys, ["regress", "--baseline", baseline, "--update"], real)[0] == 0
    assert run(capsys, ["regress", "--baseline", baseline], real)[0] == 0

    loose = dataclasses.replace(softmax_max.ELEMENTARY, expr=softmax_max.ELEMENTARY.expr * 1.0000001)
    code, out, _ = run(capsys, ["regress", "--baseline", baseline, "--json"], Registry([bound_claim(loose)]))
    data = json.loads(out)
    assert code == 1 and not data["ok"] and data["regressions"] == len(softmax_max.ELEMENTARY.canonical)
    assert {c["change"] for c in data["changes"]} == {"loosened"}


def test_regress_counts_a_tighter_bound_as_improvement(capsys, tmp_path) -> None:
    baseline = str(tmp_path / "baseline.json")
    assert run(capsys, ["regress", "--baseline", baseline, "--update"], Registry([bound_claim(softmax_max.ELEMENTARY)]))[0] == 0
    sharp_under_same_id = dataclasses.replace(softmax_max.SHARP, id=softmax_max.ELEMENTARY.id)
    code, out, _ = run(capsys, ["regress", "--baseline", baseline], Registry([bound_claim(sharp_under_same_id)]))
    assert code == 0 and "improved" in out and "REGRESSION" not in out


def test_regress_fails_when_a_verdict_changes(capsys, tmp_path, wrong_registry) -> None:
    baseline = tmp_path / "baseline.json"
    assert run(capsys, ["regress", "--baseline", str(baseline), "--update", "--budget", "50"], wrong_registry)[0] == 0
    data = json.loads(baseline.read_text())
    data["verdicts"]["TEST.lem.half_softmax.statement.gap_bound"] = "supported"
    baseline.write_text(json.dumps(data))
    code, out, _ = run(capsys, ["regress", "--baseline", str(baseline), "--budget", "50"], wrong_registry)
    assert code == 1 and "REGRESSION" in out and "changed" in out


@pytest.mark.parametrize(
    "content, message",
    [("{", "is not valid JSON"), ('{"format": "x"}', "is not an approxtheory.baseline/1 file"),
     ('{"format": "approxtheory.baseline/1", "bounds": {}}', "lacks a 'bounds' or 'verdicts'"),
     ('{"format": "approxtheory.baseline/1", "verdicts": {}, "bounds": {"b": {"p": {"lo": "x", "hi": "1", "direction": "upper"}}}}',
      "not an exact number"),
     ('{"format": "approxtheory.baseline/1", "verdicts": {}, "bounds": {"b": {"p": {"lo": "2", "hi": "1", "direction": "upper"}}}}',
      "has lo > hi")],
)
def test_corrupt_baseline_names_file_and_defect(capsys, tmp_path, content: str, message: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content)
    code, out, err = run(capsys, ["regress", "--baseline", str(path)], Registry([bound_claim(softmax_max.ELEMENTARY)]))
    assert code == 2 and out == "" and str(path) in err and message in err and "Traceback" not in err


def test_missing_baseline_says_how_to_create_it(capsys, tmp_path) -> None:
    code, _, err = run(capsys, ["regress", "--baseline", str(tmp_path / "none.json")], Registry([]))
    assert code == 2 and "regress --update" in err
