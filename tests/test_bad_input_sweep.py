"""Bad input and faults for sweeps: a foreign file, two writers, Ctrl-C, a full disk, an orphaned worker, bad grids."""

from __future__ import annotations

import errno
import gc
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from approxtheory.cli import main
from approxtheory.core import Claim, Registry, Source
from approxtheory.sweep import SweepFile, read_done, sweep_header

from .helpers import certified

CLAIM = "GYZ26.lem.softmax_max.statement.gap_bound"
ID = "TEST.lem.ok.statement.holds"


def registry(**kw) -> Registry:
    def verify(ctx):
        return certified("trivially", {"seed": ctx.seed})
    return Registry([Claim(id=ID, statement="ok", source=Source("TEST", "v1", "-"), provenance="classical",
                           scope="statement", verify=verify, **kw)])


@pytest.fixture(autouse=True)
def cells_see_the_test_registry(monkeypatch) -> None:
    """In-process cells look their claim up in approxtheory.registry(): make that the test registry."""
    monkeypatch.setattr("approxtheory.registry", lambda: registry(params=("scale",)))


def sweep(capsys, out: Path | str, *grid: str, reg: Registry | None = None):
    argv = ["sweep", "TEST", "--out", str(out), "--json", *(a for g in grid for a in ("--grid", g))]
    code = main(argv, reg or registry())
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_users_file_is_never_truncated_or_appended_to(capsys, tmp_path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"my notes, no trailing newline")
    code, out, err = sweep(capsys, notes, "seed=0..1")
    assert code == 2 and out == ""
    assert "not an approxtheory sweep file" in err and str(notes) in err
    assert notes.read_bytes() == b"my notes, no trailing newline"


def test_a_sweep_file_of_another_grid_is_not_mixed_into(capsys, tmp_path) -> None:
    out = tmp_path / "s.jsonl"
    assert sweep(capsys, out, "seed=0..1")[0] == 0
    before = out.read_bytes()
    code, _, err = sweep(capsys, out, "seed=0..2")
    assert code == 2 and "holds another sweep" in err and out.read_bytes() == before
    code, stdout, _ = sweep(capsys, out, "seed=0..1")  # the same command resumes
    assert code == 0 and json.loads(stdout)["already_done"] == 2


def test_a_second_writer_gets_a_clear_error(capsys, tmp_path) -> None:
    out = tmp_path / "s.jsonl"
    ids = [ID]
    from approxtheory.sweep import parse_grid
    held = SweepFile(out, sweep_header(ids, parse_grid(["seed=0..1"])))  # another sweep holds the lock
    try:
        code, _, err = sweep(capsys, out, "seed=0..1")
    finally:
        held.close()
    assert code == 2 and "another sweep is writing" in err
    assert out.read_text().count("\n") == 1  # only the first writer's header


def test_a_full_disk_keeps_the_result_in_a_named_fallback(capsys, tmp_path, monkeypatch) -> None:
    out = tmp_path / "s.jsonl"
    assert sweep(capsys, out, "seed=0")[0] == 0  # one cell safely written
    real_write = os.write

    def full(fd, data):  # the disk fills up after the header of t.jsonl is written
        if os.readlink(f"/proc/self/fd/{fd}").endswith("t.jsonl") and bytes(data).startswith(b'{"cell"'):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    code, _, err = sweep(capsys, tmp_path / "t.jsonl", "seed=0..1")
    monkeypatch.setattr(os, "write", real_write)
    assert code == 2 and "No space left on device" in err and "saved to" in err
    fallback = Path(err.split("saved to ")[1].split(",")[0])
    assert json.loads(fallback.read_text().splitlines()[-1])["cell"]["claim_id"] == ID
    fallback.unlink()
    assert len(read_done(out)) == 1


@pytest.mark.parametrize("grid, message", [
    ("sed=0..3", "allowed names: seed, budget"),
    ("seed=2**70", "below 2**63"),
    ("seed=9223372036854775808", "below 2**63"),
    ("seed=0..100000000", "more than the limit of 100_000"),
    ("seed=5..1", "is empty"),
    ("budget=100000000000000000000000", "[1, 10_000_000]"),
    ("budget=1.5", "[1, 10_000_000]"),
    ("scale=nan", "not a finite number"),
    ("seed=" + "1" * 200, "characters"),
])
def test_bad_grids_are_refused_before_any_cell_runs(capsys, tmp_path, grid: str, message: str) -> None:
    out = tmp_path / "s.jsonl"
    code, _, err = sweep(capsys, out, grid, reg=registry(params=("scale",)) if grid.startswith("scale") else None)
    assert code == 2 and message in err
    assert not out.exists()


def test_a_declared_parameter_reaches_the_claim(capsys, tmp_path) -> None:
    code, out, _ = sweep(capsys, tmp_path / "s.jsonl", "scale=0.5,2", reg=registry(params=("scale",)))
    assert code == 0 and json.loads(out)["ran"] == 2


@pytest.mark.parametrize("value, message", [("", "--out is empty"), ("DIR", "is a folder"),
                                            ("/dev/zero", "is not a regular file")])
def test_sweep_out_is_checked_before_computing(capsys, tmp_path, value: str, message: str) -> None:
    code, _, err = sweep(capsys, tmp_path if value == "DIR" else value, "seed=0")
    assert code == 2 and message in err


def test_ctrl_c_ends_a_sweep_with_one_line_keeping_finished_cells(tmp_path) -> None:
    out = tmp_path / "sweep.jsonl"
    cmd = [sys.executable, "-m", "approxtheory", "sweep", CLAIM, "--grid", "seed=0..7", "--grid", "budget=400",
           "--out", str(out), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 3):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert stdout == "" and stderr.strip().count("\n") == 0 and stderr.startswith("interrupted")
    kept = len(read_done(out))
    assert 2 <= kept and f"{kept} finished cells kept" in stderr


ORPHAN = textwrap.dedent("""
    import os, sys, time
    from approxtheory.sweep import open_executor
    with open_executor(workers=1) as pool:
        print(pool.submit(os.getpid).result(), flush=True)
        time.sleep(600)
""")


def test_pool_workers_end_when_their_parent_is_killed(tmp_path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    worker = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _alive(worker):
        time.sleep(0.1)
    assert not _alive(worker)


def test_ctrl_c_releases_the_pools_semaphores_in_the_calling_thread(monkeypatch) -> None:
    """A garbage collection on another thread must not run the pool's semaphore finalisers: the CLI's
    os._exit after Ctrl-C could cut one half-way, and the resource tracker would then print a leak
    warning after the interrupt line (seen in CI under load)."""
    from multiprocessing import resource_tracker

    from approxtheory.sweep import open_executor

    registered: list[str] = []
    released: list[tuple[str, threading.Thread]] = []
    register, unregister = resource_tracker.register, resource_tracker.unregister
    monkeypatch.setattr(resource_tracker, "register", lambda name, rtype: (registered.append(name), register(name, rtype)))
    monkeypatch.setattr(resource_tracker, "unregister",
                        lambda name, rtype: (released.append((name, threading.current_thread())), unregister(name, rtype)))
    stop = threading.Event()

    def collect() -> None:
        while not stop.is_set():
            gc.collect()

    collector = threading.Thread(target=collect, daemon=True)
    with pytest.raises(KeyboardInterrupt):
        with open_executor(workers=1) as pool:
            pool.submit(os.getpid).result()
            collector.start()
            raise KeyboardInterrupt
    by_now = list(released)
    stop.set()
    collector.join()
    assert registered and set(registered) <= {name for name, _ in by_now}
    assert {thread.name for _, thread in by_now} == {threading.main_thread().name}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


def test_a_budget_grid_is_refused_when_a_selected_claim_spends_no_budget(capsys, tmp_path) -> None:
    out = tmp_path / "s.jsonl"
    code, _, err = sweep(capsys, out, "budget=10,20")
    assert code == 2 and f"--grid budget: none of the selected claims spends a budget: {ID}" in err and not out.exists()
    spender = Claim(id="TEST.lem.spends.statement.holds", statement="spends", source=Source("TEST", "v1", "-"),
                    provenance="classical", scope="statement", verify=lambda ctx: certified("trivially"), default_budget=5)
    code, _, err = sweep(capsys, out, "budget=10,20", reg=Registry([*registry(), spender]))
    assert code == 2 and f"some selected claims spend no budget: {ID}" in err and "select only claims that spend one" in err
    assert not out.exists()
    code, result, _ = sweep(capsys, out, "budget=10,20", reg=registry(default_budget=5))
    assert code == 0 and json.loads(result)["ran"] == 2



def test_a_last_record_without_its_newline_is_kept_on_its_own_line(capsys, tmp_path) -> None:
    out = tmp_path / "s.jsonl"
    assert sweep(capsys, out, "seed=0..2")[0] == 0
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:-1]).rstrip(b"\n"))  # last record dropped, the one before lacks its newline
    code, stdout, _ = sweep(capsys, out, "seed=0..2")
    assert code == 0 and json.loads(stdout)["already_done"] == 2 and json.loads(stdout)["ran"] == 1
    assert [json.loads(line)["cell"]["seed"] for line in out.read_bytes().splitlines()[1:]] == [0, 1, 2]
    code, stdout, _ = sweep(capsys, out, "seed=0..2")
    assert code == 0 and json.loads(stdout)["already_done"] == 3


@pytest.mark.parametrize("hostile", [b"[" * 100_000 + b"]" * 100_000, b'{"cell": ' + b"7" * 5000 + b"}"])
def test_a_hostile_line_is_a_corrupt_line_or_a_dropped_torn_tail(capsys, tmp_path, hostile: bytes) -> None:
    out = tmp_path / "s.jsonl"
    assert sweep(capsys, out, "seed=0..1")[0] == 0
    good = out.read_bytes()
    out.write_bytes(good + hostile + b"\n")
    code, stdout, err = sweep(capsys, out, "seed=0..1")
    assert code == 2 and stdout == "" and "corrupt line after byte" in err and "Traceback" not in err
    out.write_bytes(good + hostile)  # as the torn last line: dropped
    code, stdout, _ = sweep(capsys, out, "seed=0..1")
    assert code == 0 and json.loads(stdout)["already_done"] == 2 and out.read_bytes() == good


@pytest.mark.parametrize("change", [
    lambda r: r.update(verdict="certified"),
    lambda r: r["cell"].update(seed=1.0),
    lambda r: r["cell"].update(budget=True),
    lambda r: r["verdict"].update(status="done"),
])
def test_a_record_of_another_shape_is_a_corrupt_line(capsys, tmp_path, change) -> None:
    out = tmp_path / "s.jsonl"
    assert sweep(capsys, out, "seed=0..1")[0] == 0
    header, first, second = out.read_bytes().splitlines(keepends=True)
    record = json.loads(second)
    change(record)
    out.write_bytes(header + first + json.dumps(record).encode() + b"\n")
    code, stdout, err = sweep(capsys, out, "seed=0..1")
    assert code == 2 and stdout == "" and f"corrupt line after byte {len(header + first)}" in err


def test_only_cells_of_the_grid_count_as_already_done(capsys, tmp_path) -> None:
    out = tmp_path / "s.jsonl"
    assert sweep(capsys, out, "seed=0..1")[0] == 0
    header, first, second = out.read_bytes().splitlines(keepends=True)
    foreign = json.loads(second)
    foreign["cell"]["seed"] = 77  # a well-formed record of a cell outside the grid
    out.write_bytes(header + first + json.dumps(foreign).encode() + b"\n")
    code, stdout, _ = sweep(capsys, out, "seed=0..1")
    assert code == 0 and (json.loads(stdout)["already_done"], json.loads(stdout)["ran"]) == (1, 1)
