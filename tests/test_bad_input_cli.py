"""Bad input and faults at the command line: each gets one clear message, the right exit code, no lost work.

Claims that misbehave on purpose (reject their budget, exit, print, return infinities, receive Ctrl-C)
live in a small registry so that these tests stay in-process and fast.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from approxtheory.cli import main
from approxtheory.core import ApproxTheoryError, Claim, Outcome, Registry, Source, Status
from approxtheory.output import dumps, strict

from .helpers import certified

OK_ID = "TEST.lem.ok.statement.holds"


def claim(name: str, verify, **kw) -> Claim:
    return Claim(id=f"TEST.lem.{name}.statement.holds", statement=name, source=Source("TEST", "v1", "-"),
                 provenance="classical", scope="statement", verify=verify, **kw)


def ok(ctx) -> Outcome:
    return certified("trivially", {"x": 1.0})


def needs_two(ctx) -> Outcome:
    if ctx.budget_or(10) < 2:
        raise ApproxTheoryError(f"samples must be an integer >= 2, got {ctx.budget}")
    return ok(ctx)


def run(capsys, argv, *claims):
    code = main(argv, Registry(list(claims)) if claims else None)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_budget_one_claim_cannot_use_fails_that_claim_alone(capsys, tmp_path) -> None:
    code, out, err = run(capsys, ["check", "TEST", "--budget", "1", "--json", "--witness-dir", str(tmp_path)],
                         claim("ok", ok), claim("picky", needs_two, default_budget=10))
    verdicts = {v["claim_id"]: v for v in json.loads(out)["verdicts"]}
    assert code == 2
    assert verdicts[OK_ID]["status"] == "certified"  # the other claim ran
    picky = verdicts["TEST.lem.picky.statement.holds"]
    assert picky["method"] == "error" and picky["status"] == "inconclusive"
    assert "TEST.lem.picky.statement.holds cannot run with --budget 1" in err and ">= 2" in err and "default is 10" in err


def test_a_failing_claim_that_spends_no_budget_is_not_blamed_on_the_budget(capsys, tmp_path) -> None:
    def broken(ctx):
        raise ApproxTheoryError("the table is empty")

    code, out, err = run(capsys, ["check", "TEST", "--budget", "5", "--json", "--witness-dir", str(tmp_path)],
                         claim("picky", needs_two, default_budget=10), claim("broken", broken))
    assert code == 2
    assert "TEST.lem.broken.statement.holds: the table is empty" in err
    assert "cannot run with --budget 5: the table" not in err and "None" not in err


def test_a_budget_only_claims_that_spend_none_are_selected_for_is_refused_naming_them(capsys, tmp_path) -> None:
    symbolic = [claim(f"sym{i}", ok) for i in range(7)]
    for argv in (["check", "TEST", "--budget", "50", "--witness-dir", str(tmp_path)], ["report", "TEST", "--budget", "50",
                 "--out", str(tmp_path / "report")], ["regress", "TEST", "--budget", "50", "--baseline", str(tmp_path / "b.json")]):
        code, out, err = run(capsys, argv, *symbolic)
        assert code == 2 and out == "" and "Traceback" not in err
        assert "--budget 50: none of the selected claims spends a budget: TEST.lem.sym0.statement.holds" in err
        assert "and 2 more" in err and "leave --budget 50 out" in err
    assert not (tmp_path / "report").exists() and not (tmp_path / "b.json").exists()


def test_claims_that_spend_no_budget_ignore_it_in_a_mixed_selection_and_say_so(capsys, tmp_path) -> None:
    code, out, err = run(capsys, ["check", "TEST", "--budget", "5", "--json", "--witness-dir", str(tmp_path)],
                         claim("ok", ok), claim("picky", needs_two, default_budget=10))
    verdicts = {v["claim_id"]: v for v in json.loads(out)["verdicts"]}
    assert code == 0 and err == ""
    assert verdicts[OK_ID]["status"] == "certified" and verdicts[OK_ID]["budget"] == {"budget": "none", "requested": 5}
    assert verdicts["TEST.lem.picky.statement.holds"]["budget"] == {}  # it spent the 5 (its record is its own)
    code, out, _ = run(capsys, ["check", "TEST", "--budget", "5", "--witness-dir", str(tmp_path)], claim("ok", ok),
                       claim("picky", needs_two, default_budget=10))
    assert code == 0 and "budget=none, requested=5" in next(line for line in out.splitlines() if "TEST.lem.ok" in line)


def test_theorems_shows_each_claims_budget_or_none(capsys) -> None:
    claims = claim("ok", ok), claim("picky", needs_two, default_budget=10, budget_unit="samples")
    code, out, _ = run(capsys, ["theorems", "TEST", "--json"], *claims)
    described = {c["id"]: (c["default_budget"], c["budget_unit"]) for c in json.loads(out)["claims"]}
    assert code == 0 and described == {OK_ID: (None, None), "TEST.lem.picky.statement.holds": (10, "samples")}
    code, out, _ = run(capsys, ["theorems", "TEST"], *claims)
    rows = {line.split()[0]: line.split()[3:5] for line in out.splitlines()[1:]}
    assert code == 0 and out.split()[:4] == ["claim", "scope", "provenance", "budget"]
    assert rows[OK_ID][0] == "none" and rows["TEST.lem.picky.statement.holds"] == ["10", "samples"]


@pytest.mark.parametrize("budget", ["10**23", "100000000000000000000000", "0", "-5", "1" * 5000])
def test_absurd_budgets_are_refused_with_the_limit(capsys, budget: str) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["check", "TEST", "--budget", budget], Registry([claim("ok", ok)]))
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--budget" in err and ("10_000_000" in err or "positive integer" in err)


def test_sys_exit_in_a_user_claim_is_an_error_naming_it(capsys, tmp_path) -> None:
    def exits(ctx):
        sys.exit(0)

    code, out, err = run(capsys, ["check", "TEST", "--witness-dir", str(tmp_path)], claim("exits", exits), claim("ok", ok))
    assert code == 2
    assert "TEST.lem.exits.statement.holds" in err and "sys.exit(0)" in err and "test_bad_input_cli" in err


def test_sys_exit_outside_a_claim_names_the_code(capsys, monkeypatch) -> None:
    def exiting_registry():
        raise SystemExit(0)

    monkeypatch.setattr("approxtheory.cli.default_registry", exiting_registry)
    code, _, err = run(capsys, ["theorems"])
    assert code == 2 and "sys.exit(0)" in err and "test_bad_input_cli.py" in err


def test_jax_backend_failure_is_one_clear_message(capsys) -> None:
    def no_tpu(ctx):
        raise RuntimeError("Unable to initialize backend 'tpu': INTERNAL: Failed to open libtpu.so")

    code, _, err = run(capsys, ["check", "TEST", "--json"], claim("tpu", no_tpu))
    assert code == 2 and "JAX_PLATFORMS" in err and "Traceback" not in err


def test_json_output_is_strict_even_with_infinities(capsys, tmp_path) -> None:
    def infinite(ctx):
        return Outcome(Status.SUPPORTED, "float", "overflowed", evidence={"ratio": float("inf"), "gap": float("nan"),
                                                                          "low": [float("-inf"), 1.5]})

    code, out, _ = run(capsys, ["check", "TEST", "--json", "--witness-dir", str(tmp_path)], claim("inf", infinite))
    assert code == 0
    evidence = json.loads(out, parse_constant=lambda name: pytest.fail(f"non-strict JSON constant {name}"))["verdicts"][0]["evidence"]
    assert evidence == {"ratio": "inf", "gap": "nan", "low": ["-inf", 1.5]}
    assert strict({"a": (float("nan"),)}) == {"a": ["nan"]} and dumps(float("-inf")) == '"-inf"'


def test_prints_from_user_code_stay_off_the_json_stdout(capfd, tmp_path) -> None:
    def noisy(ctx):
        print("python-level noise")
        os.write(1, b"C-level noise\n")
        return ok(ctx)

    code = main(["check", "TEST", "--json", "--witness-dir", str(tmp_path)], Registry([claim("noisy", noisy)]))
    captured = capfd.readouterr()
    assert code == 0
    assert json.loads(captured.out)["verdicts"][0]["status"] == "certified"
    assert "python-level noise" in captured.err and "C-level noise" in captured.err


@pytest.mark.parametrize("delay", [0.5, 1.5])
def test_ctrl_c_while_the_command_starts_is_one_line_and_exit_130(delay: float, tmp_path) -> None:
    # during the imports (JAX, SymPy, the papers), before the command's own handling: Python's default printed a
    # KeyboardInterrupt traceback, or lost the interrupt in JAX's gc callback and ran the command to its end
    cmd = [sys.executable, "-m", "approxtheory", "check", "GYZ26.lem.softmax_max", "--json", "--witness-dir", str(tmp_path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted"), stderr


def test_a_ctrl_c_inside_a_gc_callback_is_recognised() -> None:
    # JAX runs Python in a gc callback; a KeyboardInterrupt raised there is printed as "Exception ignored" and
    # lost, so the handler only records the request there (interrupt.check and the watchdog end the command)
    from approxtheory import interrupt

    seen: list[bool] = []

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(interrupt._in_gc_callback(sys._getframe()))

    gc.callbacks.append(callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(callback)
    assert seen and all(seen) and not interrupt._in_gc_callback(sys._getframe())


def test_ctrl_c_keeps_the_verdicts_already_computed(capsys, tmp_path) -> None:
    def interrupts(ctx):
        os.kill(os.getpid(), signal.SIGINT)
        return ok(ctx)

    code, out, err = run(capsys, ["check", "TEST", "--json", "--witness-dir", str(tmp_path)],
                         claim("ok", ok), claim("stop", interrupts), claim("later", ok))
    data = json.loads(out)
    assert code == 130
    assert data["interrupted"] is True and [v["claim_id"] for v in data["verdicts"]] == [OK_ID]
    assert err.strip().splitlines()[-1].startswith("interrupted") and "Traceback" not in err


def test_ctrl_c_swallowed_by_a_library_still_stops_the_run(capsys, tmp_path) -> None:
    def swallows(ctx):  # what Hypothesis sometimes does with a KeyboardInterrupt
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except KeyboardInterrupt:
            pass
        return ok(ctx)

    code, out, err = run(capsys, ["check", "TEST", "--witness-dir", str(tmp_path)], claim("swallow", swallows), claim("ok", ok))
    assert code == 130 and "interrupted" in err
    assert OK_ID not in out  # nothing ran after the interrupt


@pytest.mark.parametrize("flag, value, message", [
    ("--witness-dir", "FILE", "is a file"),
    ("--witness-dir", "FILE/sub", "is a file"),
    ("--witness-dir", "", "is empty"),
])
def test_check_outputs_are_checked_before_computing(capsys, tmp_path, flag: str, value: str, message: str) -> None:
    (tmp_path / "FILE").write_text("mine")
    calls = []
    code, _, err = run(capsys, ["check", "TEST", flag, value.replace("FILE", str(tmp_path / "FILE"))],
                       claim("ok", lambda ctx: calls.append(1) or ok(ctx)))
    assert code == 2 and message in err and flag in err
    assert calls == [] and (tmp_path / "FILE").read_text() == "mine"


@pytest.mark.parametrize("value, message", [("", "--out is empty"), ("FILE", "is a file")])
def test_report_out_is_checked_before_computing(capsys, tmp_path, monkeypatch, value: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "FILE").write_text("mine")
    code, _, err = run(capsys, ["report", "TEST", "--out", value], claim("ok", ok))
    assert code == 2 and message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FILE"]


def test_a_witness_that_cannot_be_written_goes_to_a_named_fallback(capsys, tmp_path) -> None:
    from approxtheory.core import Witness

    def refutes(ctx):
        return Outcome(Status.REFUTED, "exact", "a counterexample", witness=Witness("", {"x": 1}, {"y": 2}))

    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "TEST.lem.bad.statement.holds.json").mkdir()  # the target name is taken by a folder: the write fails
    code, out, err = run(capsys, ["check", "TEST", "--json", "--witness-dir", str(locked)], claim("bad", refutes))
    path = json.loads(out)["witness_files"]["TEST.lem.bad.statement.holds"]
    assert code == 2 and "saved to" in err and path in err
    assert json.loads(open(path).read())["inputs"] == {"x": 1}
    os.unlink(path)


@pytest.mark.parametrize("point, message", [
    ("1e100000000", "decimal exponent"),
    ("1e400", "10**300"),
    ("abc", "not a number"),
    ("1/0", "divides by zero"),
    ("0,1", "2 coordinates but the network takes 1"),
])
def test_bad_points_are_refused_quickly(capsys, tmp_path, point: str, message: str) -> None:
    net = tmp_path / "net.json"
    net.write_text('{"kind": "maxout", "layers": [{"weight": [[[1], [-1]]], "bias": [[0, 0]]}], '
                   '"readout": {"weight": [[1]], "bias": [0]}}')
    code, _, err = run(capsys, ["regions", str(net), "--from", point, "--to", "1"])
    assert code == 2 and message in err and "--from" in err


def test_a_negative_first_coordinate_is_read_as_a_point(capsys, tmp_path) -> None:
    net = tmp_path / "net.json"
    net.write_text('{"kind": "maxout", "layers": [{"weight": [[[1, 0], [-1, 0]]], "bias": [[0, 0]]}], '
                   '"readout": {"weight": [[1]], "bias": [0]}}')
    code, out, _ = run(capsys, ["regions", str(net), "--from", "-1,0.5", "--to", "-.5,1", "--json"])
    assert code == 0 and json.loads(out)["x0"] == ["-1", "1/2"]


def test_a_report_file_that_cannot_be_written_goes_to_a_named_fallback(capsys, tmp_path) -> None:
    out = tmp_path / "report"
    (out / "report.md").mkdir(parents=True)  # the target name is taken by a folder: the write fails
    code, stdout, err = run(capsys, ["report", "TEST", "--out", str(out), "--json"], claim("ok", ok))
    files = json.loads(stdout)["files"]
    assert code == 2 and "report.md" in err and files["markdown"] in err
    assert "TEST.lem.ok.statement.holds" in open(files["markdown"]).read()
    assert json.loads((out / "report.json").read_text())["verdicts"][0]["status"] == "certified"
    os.unlink(files["markdown"])


@pytest.mark.parametrize("argv", [
    ["regress", OK_ID, "--update", "--baseline", "/dev/full"],
    ["regress", OK_ID, "--baseline", "/dev/zero"],
    ["replay", "/dev/zero"],
    ["regions", "/dev/zero", "--from", "0", "--to", "1"],
])
def test_a_device_where_a_file_is_read_or_written_is_refused(capsys, argv) -> None:
    """/dev/zero never ends and /dev/full never takes: reading or probing them used to hang."""
    code, _, err = run(capsys, argv, claim("ok", ok))
    assert code == 2 and "is not a regular file" in err


@pytest.mark.parametrize("command", [["check", OK_ID], ["sweep", OK_ID, "--out", "unused.jsonl"]])
def test_absurd_worker_counts_are_refused_with_the_limit(capsys, command) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--workers", "1000000"])
    assert exit_.value.code == 2 and "--workers must be at most 256" in capsys.readouterr().err


def test_report_out_through_a_symlink_loop_is_refused_before_computing(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.symlink("loopB", "loopA")
    os.symlink("loopA", "loopB")
    calls = []
    for value in ("loopA", "loopA/sub"):
        code, _, err = run(capsys, ["report", "TEST", "--out", value], claim("ok", lambda ctx: calls.append(1) or ok(ctx)))
        assert code == 2 and "symbolic link that leads nowhere" in err and calls == []
