"""tools/mutation_run.py on a tiny synthetic project: mutants are enumerated in a fixed order, the tests
kill a mutant they pin down and miss one they do not, and the worktree is never modified."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "tools" / "mutation_run.py"
SOURCE = '''
def small(x: int) -> bool:
    """Is x below the limit?"""
    return x < 3


def clamp(x: int) -> int:
    if x < 0:
        raise ValueError("negative")
    return min(x, 10)
'''
TEST = '''
from tiny.mod import small


def test_small():
    assert small(0) and not small(5)
'''


def _tool():
    spec = importlib.util.spec_from_file_location("mutation_run", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module through sys.modules
    spec.loader.exec_module(module)
    return module


def _project(root: Path) -> None:
    (root / "tiny").mkdir()
    (root / "tiny" / "__init__.py").write_text("")
    (root / "tiny" / "mod.py").write_text(SOURCE)
    (root / "test_tiny.py").write_text(TEST)


def test_enumeration_is_fixed_and_covers_the_operators(tmp_path: Path) -> None:
    tool = _tool()
    _project(tmp_path)
    first = tool.enumerate_mutants(tmp_path, tool.Target("tiny/mod.py"))
    assert first == tool.enumerate_mutants(tmp_path, tool.Target("tiny/mod.py"))
    seen = {(m.operator, m.original, m.mutated) for m in first}
    assert {("compare", "<", "<="), ("compare", "<", ">="), ("constant", "3", "4"), ("min_max", "min", "max"),
            ("drop_raise", 'raise ValueError("negative")', "pass"), ("negate_return", "x < 3", "not (x < 3)")} <= seen
    only_clamp = tool.enumerate_mutants(tmp_path, tool.Target.parse("tiny/mod.py::clamp"))
    assert only_clamp and all(m.line >= 8 for m in only_clamp)
    assert {m.id for m in only_clamp} <= {m.id for m in first}  # a restricted target keeps the file's ids


def test_one_mutant_is_killed_and_one_survives(tmp_path: Path) -> None:
    tool = _tool()
    _project(tmp_path)
    small = tool.enumerate_mutants(tmp_path, tool.Target.parse("tiny/mod.py::small"))
    mutants = {(m.original, m.mutated): m.id for m in small}
    flip, bumped = mutants[("<", ">=")], mutants[("3", "4")]
    report_path = tmp_path.parent / f"{tmp_path.name}-report.json"
    report = tool.run(tmp_path, [tool.Target("tiny/mod.py")], ["test_tiny.py"], sample=None, seed=0,
                      only=[flip, bumped], jobs=1, timeout=60, python=sys.executable,
                      report_path=report_path)
    status = {m["id"]: m["status"] for m in report["mutants"]}
    assert status == {flip: "killed", bumped: "survived"}  # small(3) is never asked
    assert report["counts"] == {"tiny/mod.py": {"killed": 1, "survived": 1, "timeout": 0}}
    assert json.loads(report_path.read_text())["counts"] == report["counts"]
    assert "SURVIVED" in report_path.with_suffix(".txt").read_text()
    assert (tmp_path / "tiny" / "mod.py").read_text() == SOURCE  # the original is never touched

    rerun = {**report, "mutants": [{**m, "status": "killed"} for m in report["mutants"]]}
    rerun_path = tmp_path.parent / f"{tmp_path.name}-rerun.json"
    rerun_path.write_text(json.dumps(rerun))
    merged = tool.merge([report_path, rerun_path], tmp_path.parent / f"{tmp_path.name}-merged.json",
                        notes={bumped: "killed by a new test"})
    assert merged["counts_before"] == report["counts"]  # the first run's results, then the re-run's
    assert merged["counts"] == {"tiny/mod.py": {"killed": 2, "survived": 0, "timeout": 0}}
    assert [m["note"] for m in merged["mutants"] if m["id"] == bumped] == ["killed by a new test"]
