"""Sweeps: grids, resuming after a kill, a dying worker, and one result whatever the executor."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from approxtheory.cli import main
from approxtheory.core import ApproxTheoryError
from approxtheory.sweep import load_results, make_cells, parse_grid, read_done

from .test_entry_points import install_example_package

CLAIM = "GYZ26.lem.softmax_max.statement.gap_bound"


def comparable(path: Path) -> dict[str, dict]:
    """Results by cell, without wall-clock times."""
    out = {}
    for record in load_results(path):
        verdict = {k: v for k, v in record["verdict"].items() if k != "seconds"}
        out[json.dumps(record["cell"], sort_keys=True)] = verdict
    return out


def test_grid_parsing() -> None:
    grid = parse_grid(["seed=0..2", "budget=10,20", "scale=0.5,x"])
    assert {name: list(values) for name, values in grid.items()} == {"seed": [0, 1, 2], "budget": [10, 20], "scale": [0.5, "x"]}
    assert len(make_cells(["A.b.statement.c"], grid)) == 12
    assert parse_grid([])["seed"] == [0]
    for bad, message in (["seed"], "not NAME=VALUES"), (["seed=a..3"], "integer ends"), (["seed=-1"], "non-negative"), \
            (["budget=0"], r"\[1, 10_000_000\]"), (["x=1", "x=2"], "given twice"):
        with pytest.raises(ApproxTheoryError, match=message):
            parse_grid(bad)


def test_same_results_in_process_on_a_pool_and_on_dask(tmp_path, capsys) -> None:
    import distributed  # a declared dependency: never skip this test
    args = [CLAIM, "GYZ26.lem.softmax_max.statement.c_closed_form", "--grid", "seed=0..2", "--grid", "budget=60", "--json"]
    assert main(["sweep", *args, "--out", str(tmp_path / "inline.jsonl")]) == 0
    assert main(["sweep", *args, "--out", str(tmp_path / "pool.jsonl"), "--workers", "2"]) == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        assert main(["sweep", *args, "--out", str(tmp_path / "dask.jsonl"), "--executor", f"dask://{address}"]) == 0
    capsys.readouterr()
    inline = comparable(tmp_path / "inline.jsonl")
    assert len(inline) == 6
    assert comparable(tmp_path / "pool.jsonl") == inline
    assert comparable(tmp_path / "dask.jsonl") == inline


def test_killed_sweep_resumes_with_every_cell_once(tmp_path) -> None:
    out = tmp_path / "sweep.jsonl"
    cmd = [sys.executable, "-m", "approxtheory", "sweep", CLAIM, "--grid", "seed=0..7", "--grid", "budget=400",
           "--out", str(out), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 3):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished_before = len(read_done(out))
    assert 2 <= finished_before < 8, finished_before
    with out.open("a") as fh:  # what a kill in the middle of a write leaves behind
        fh.write('{"cell": {"claim_id": "GYZ')
    result = subprocess.run(cmd, capture_output=True, text=True, check=True)
    summary = json.loads(result.stdout)
    assert summary["already_done"] == finished_before and summary["ran"] == 8 - finished_before
    header, *lines = out.read_text().splitlines()
    assert json.loads(header)["grid"] == {"budget": [400], "seed": "0..7"}
    assert len(lines) == 8
    seeds = sorted(json.loads(line)["cell"]["seed"] for line in lines)
    assert seeds == list(range(8))


DYING = '''
import os
from approxtheory.core import Claim, Source
from approxtheory.rigorous.steps import Steps

def claims():
    def verify(ctx):
        if ctx.params.get("die"):
            os._exit(3)  # the worker process dies
        steps = Steps()
        steps.exact("trivially", "1 == 1", True)
        return steps.outcome("trivially", {})
    return [Claim(id="EXAMPLE.lem.dies.statement.maybe", statement="dies when asked", source=Source("EXAMPLE", "v1", "-"),
                  provenance="classical", scope="statement", verify=verify, params=("die",))]
'''


def test_a_dying_worker_is_reported_and_its_cell_retried_once(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))  # spawned workers inherit sys.path
    install_example_package(tmp_path, "example_claims_pkg:claims")
    (tmp_path / "example_claims_pkg.py").write_text(DYING)
    from approxtheory.core import Registry

    registry = Registry.discover(packages=())
    out = tmp_path / "sweep.jsonl"
    code = main(["sweep", "EXAMPLE", "--grid", "die=0,1", "--grid", "seed=0..1", "--out", str(out), "--workers", "1",
                 "--json"], registry)
    summary = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [f["cell"]["params"] for f in summary["failed"]] == [{"die": 1}, {"die": 1}]
    assert all("BrokenProcessPool" in f["retry_error"] or "terminated abruptly" in f["retry_error"] for f in summary["failed"])
    records = out.read_text().splitlines()[1:]
    assert {json.loads(line)["cell"]["params"]["die"] for line in records} == {0}
    assert len(records) == 2


def test_corrupt_middle_line_is_an_error(tmp_path) -> None:
    out = tmp_path / "s.jsonl"
    out.write_text('{"format": "approxtheory.sweep/1", "claims": [], "grid": null}\nnot json\n{}\n')
    with pytest.raises(ApproxTheoryError, match="corrupt line"):
        read_done(out)
