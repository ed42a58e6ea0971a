"""The benchmark harness (benchmarks/): quick-mode run, results schema, merging, agreement check.

No timing is asserted: only that numbers are present, finite and consistent with each other.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import harness  # noqa: E402
from benchmarks.bench_softmax import AgreementError, check_agreement, gap_flop_model, make_inputs  # noqa: E402

EXPECTED = {"softmax_gap_throughput", "softmax_gap_flop_fraction"}
MACHINE_KEYS = {"platform", "processor", "python", "jax", "numpy", "cpu_count", "blas"}


def _check_entry(entry: dict) -> None:
    assert set(entry) == set(harness.RESULT_KEYS)
    assert isinstance(entry["name"], str) and entry["name"]
    assert isinstance(entry["unit"], str) and entry["unit"]
    assert isinstance(entry["reference"], str) and entry["reference"]
    assert isinstance(entry["details"], dict)
    for key in ("value", "reference_value", "ratio"):
        assert isinstance(entry[key], float) and math.isfinite(entry[key]) and entry[key] > 0, key
    assert entry["ratio"] == pytest.approx(entry["value"] / entry["reference_value"], rel=1e-12)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> dict:
    """One `python -m benchmarks --quick` into a tmp file that already holds an unrelated result."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    foreign = {"name": "some_other_benchmark", "value": 1.0, "unit": "x", "reference": "r",
               "reference_value": 2.0, "ratio": 0.5, "details": {}}
    out.write_text(json.dumps({"machine": {}, "results": [foreign]}))
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(out.read_text())


def test_quick_run_schema(quick_run):
    assert set(quick_run) == {"machine", "results"}
    machine = quick_run["machine"]
    assert MACHINE_KEYS <= set(machine)
    assert isinstance(machine["cpu_count"], int)
    assert isinstance(machine["blas"], dict) and machine["blas"]
    names = [e["name"] for e in quick_run["results"]]
    assert len(names) == len(set(names))
    assert EXPECTED <= set(names)
    for entry in quick_run["results"]:
        _check_entry(entry)


def test_quick_run_details(quick_run):
    by_name = {e["name"]: e for e in quick_run["results"]}
    thr = by_name["softmax_gap_throughput"]
    assert thr["unit"] == "samples/s"
    assert thr["details"]["quick"] is True
    assert 0 <= thr["details"]["max_rel_diff"] <= thr["details"]["agreement_rtol"] == 1e-12
    flop = by_name["softmax_gap_flop_fraction"]
    assert flop["unit"] == "flop/s"
    assert flop["details"]["flops_per_row"] == sum(flop["details"]["flop_model"].values())


def test_quick_run_keeps_other_results(quick_run):
    assert "some_other_benchmark" in {e["name"] for e in quick_run["results"]}


def test_running_one_name_merges(tmp_path):
    out = tmp_path / "results.json"
    assert harness.main(["softmax_gap_throughput", "--quick", "--out", str(out)]) == 0
    first = json.loads(out.read_text())
    assert [e["name"] for e in first["results"]] == ["softmax_gap_throughput"]
    assert harness.main(["softmax_gap_flop_fraction", "--quick", "--out", str(out)]) == 0
    second = json.loads(out.read_text())
    assert {e["name"] for e in second["results"]} == EXPECTED
    kept = next(e for e in second["results"] if e["name"] == "softmax_gap_throughput")
    assert kept == first["results"][0]


def test_unknown_name_is_rejected(tmp_path):
    out = tmp_path / "results.json"
    assert harness.main(["no_such_benchmark", "--out", str(out)]) == 2
    assert not out.exists()


def test_merge_results_replaces_by_name():
    old = [{"name": "a", "value": 1}, {"name": "b", "value": 2}]
    new = [{"name": "b", "value": 3}]
    merged = {e["name"]: e["value"] for e in harness.merge_results(old, new)}
    assert merged == {"a": 1, "b": 3}


def test_measure_counts_calls():
    calls = []
    timing = harness.measure(lambda: calls.append(1), warmup=2, repeat=3, number=4)
    assert len(calls) == 2 + 3 * 4
    assert len(timing.samples) == 3 and timing.median in sorted(timing.samples)


def test_agreement_check_passes_on_identical_gaps():
    from approxtheory.constructions.softmax_max import softmax_gap_numpy

    inputs = make_inputs(64)
    ref = np.array([softmax_gap_numpy(z, b) for z, b in inputs.rows(64)])
    assert check_agreement(ref.copy(), ref) == 0.0


def test_agreement_check_fails_on_wrong_reference():
    from approxtheory.constructions.softmax_max import softmax_gap, softmax_gap_numpy

    inputs = make_inputs(64)
    fast = softmax_gap(inputs.z, inputs.mask, inputs.beta)
    ref = np.array([softmax_gap_numpy(z, b) for z, b in inputs.rows(64)])
    assert check_agreement(fast, ref) <= 1e-12  # the real pair agrees

    wrong = ref.copy()
    wrong[17] *= 1 + 1e-9  # a perturbation far below plotting precision, far above 1e-12
    with pytest.raises(AgreementError, match="disagree"):
        check_agreement(fast, wrong)
    with pytest.raises(AgreementError):
        check_agreement(fast, ref * (1 + 1e-11))
    bad = ref.copy()
    bad[3] = np.nan
    with pytest.raises(AgreementError, match="non-finite"):
        check_agreement(fast, bad)
    with pytest.raises(AgreementError, match="shape"):
        check_agreement(fast, ref[:-1])


def test_flop_model_total():
    for width in (2, 8, 16):
        assert sum(gap_flop_model(width).values()) == 15 * width + 2


def test_throughput_benchmark_fails_loudly_on_wrong_reference(monkeypatch, tmp_path):
    import benchmarks.bench_softmax as bench
    from approxtheory.constructions.softmax_max import softmax_gap_numpy

    monkeypatch.setattr(bench, "softmax_gap_numpy", lambda z, beta: softmax_gap_numpy(z, beta) * (1 + 1e-9))
    with pytest.raises(AgreementError):
        harness.run_benchmark("softmax_gap_throughput", harness.Config(quick=True))
    out = tmp_path / "results.json"
    assert harness.main(["softmax_gap_throughput", "--quick", "--out", str(out)]) == 1
    assert not out.exists()  # a failed benchmark writes no result
