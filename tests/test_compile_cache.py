"""The persistent XLA cache of the command (approxtheory.compile_cache): where it lives, that a second run
loads instead of compiling and gives the same verdicts, and that an unusable folder or damaged entries
cost only time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from approxtheory.compile_cache import ENV, location

CLAIM = "GYZ26.lem.softmax_max.statement.gap_bound"  # a quick claim whose verifier compiles XLA programs
ROOT = Path(__file__).resolve().parent.parent


def test_location_follows_the_environment(tmp_path: Path) -> None:
    assert location({ENV: "off"}) is None
    assert location({ENV: " OFF "}) is None
    assert location({ENV: str(tmp_path)}) == tmp_path
    assert location({ENV: "~/x"}) == Path.home() / "x"
    assert location({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "approxtheory" / "xla"
    assert location({}) == Path.home() / ".cache" / "approxtheory" / "xla"


# `approxtheory check CLAIM --json` as the program runs it (cli.main reading sys.argv), then the XLA
# compilations and cache loads of the process on the last line of stderr
PROGRAM = f"""
import sys
from approxtheory.cli import main
from approxtheory.numerics import COMPILE_CLOCK
sys.argv = ["approxtheory", "check", "{CLAIM}", "--json"]
code = main()
print(COMPILE_CLOCK.reading()[1], COMPILE_CLOCK.cache_hits, file=sys.stderr)
sys.exit(code)
"""


def _check(cache: str, **environ: str) -> tuple[dict, tuple[int, int], str]:
    """The check as a program with the cache setting ``cache``: its verdict (without the seconds), its
    (compilations, cache loads), and its stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAX_")}
    env.update({ENV: cache, "PYTHONPATH": str(ROOT), **environ})
    proc = subprocess.run([sys.executable, "-c", PROGRAM], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    verdict = json.loads(proc.stdout)["verdicts"][0]
    verdict.pop("seconds")
    compiled, loaded = map(int, proc.stderr.strip().splitlines()[-1].split())
    return verdict, (compiled, loaded), proc.stderr


def _entries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith("-cache")]


def test_second_run_loads_the_programs_and_agrees(tmp_path: Path) -> None:
    folder = tmp_path / "xla"
    first, (compiled, loaded), _ = _check(str(folder))
    assert compiled > 0 and loaded == 0 and len(_entries(folder)) == compiled
    second, counts, _ = _check(str(folder))
    assert second == first
    assert counts == (0, compiled)  # every program loaded, none compiled again


def test_off_writes_nothing(tmp_path: Path) -> None:
    verdict, (compiled, loaded), _ = _check("off", XDG_CACHE_HOME=str(tmp_path / "xdg"))
    assert compiled > 0 and loaded == 0 and not (tmp_path / "xdg").exists()
    default, _, _ = _check("", XDG_CACHE_HOME=str(tmp_path / "xdg"))  # unset: the default folder
    assert default == verdict and len(_entries(tmp_path / "xdg" / "approxtheory" / "xla")) == compiled


def test_damaged_entries_are_compiled_again(tmp_path: Path) -> None:
    folder = tmp_path / "xla"
    first, (compiled, _), _ = _check(str(folder))
    for entry in _entries(folder):
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])  # as a killed writer leaves it
    second, counts, _ = _check(str(folder))
    assert second == first and counts == (compiled, 0)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere; the file below still stands in for a folder")
def test_unwritable_folder_runs_without_cache(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    verdict, _, _ = _check(str(folder))
    assert verdict["status"] and not list(folder.iterdir())


def test_folder_that_is_a_file_runs_without_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    verdict, (_, loaded), stderr = _check(str(blocker / "xla"))
    assert verdict["status"] and blocker.read_text() == "not a folder"
    assert loaded == 0 and "Traceback" not in stderr
