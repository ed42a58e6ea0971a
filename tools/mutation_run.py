"""Mutation testing with the standard library: which one-token changes to the code do the tests miss?

Why: a test suite that passes tells nothing about whether it would fail on a wrong program (issue 11,
item 7). This tool makes small, plausible mistakes ("mutants") in target files, one at a time, runs a
chosen test selection against each and records whether the tests caught it (``killed``), missed it
(``survived``) or ran past the per-mutant time limit (``timeout``).

Operators (each one textual splice at the node's source position, so line numbers and comments stay):
comparison flips (``<`` <-> ``<=``, ``>`` <-> ``>=``, ``<`` <-> ``>=``, ``>`` <-> ``<=``, ``==`` <-> ``!=``,
``is`` <-> ``is not``, ``in`` <-> ``not in``), ``and`` <-> ``or``, removing ``not``, integer and float
constants off by one (0 <-> 1, otherwise n -> n + 1), ``True`` <-> ``False``, negating the value returned
by a function annotated ``-> bool``, dropping a ``raise`` (-> ``pass``), and ``min`` <-> ``max``.

Mutants are enumerated in a fixed order (file, then source position, then operator), so a mutant id
(``path#index``) names the same change on every run of the same file. ``--sample N --seed S`` takes a
seeded sample. The worktree is never modified: the project (minus ``.git``) is copied to a temporary
directory per job, the mutated file is written there, and pytest runs in that copy with the copy first on
``PYTHONPATH`` and bytecode caching off (a same-size edit within one second would otherwise reuse a stale
``.pyc``). Before any mutant runs, the unmutated copy must pass the selection; its time sets the timeout.

Usage::

    python tools/mutation_run.py approxtheory/regress.py --tests tests/test_regress.py \
        --sample 20 --seed 0 --report out.json
    python tools/mutation_run.py approxtheory/uap.py:320-380 --tests ... --only 'approxtheory/uap.py#12'
    python tools/mutation_run.py --merge before.json rerun.json --report final.json

A target is ``path``, ``path::func1,Class.meth`` (only code inside those definitions) or
``path:START-END`` (only code on those lines).
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

PYTEST_FLAGS = ("-x", "-q", "-p", "no:cacheprovider", "--hypothesis-profile=ci")
COMPARE_FLIPS: dict[str, tuple[str, ...]] = {
    "<": ("<=", ">="), "<=": ("<", ">"), ">": (">=", "<="), ">=": (">", "<"),
    "==": ("!=",), "!=": ("==",), "is": ("is not",), "is not": ("is",), "in": ("not in",), "not in": ("in",),
}
COMPARE_TOKENS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
                  ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
COMPARE_PATTERNS = {"<": rb"(?<![<>=!])<(?![<=])", "<=": rb"<=", ">": rb"(?<![<>=!-])>(?![>=])", ">=": rb">=",
                    "==": rb"==", "!=": rb"!=", "is": rb"\bis\b(?!\s+not\b)", "is not": rb"\bis\s+not\b",
                    "in": rb"(?<!not )\bin\b", "not in": rb"\bnot\s+in\b"}
STATUSES = ("killed", "survived", "timeout")
_LIVE: set[subprocess.Popen] = set()  # running pytest children, killed with their groups if we are stopped


@dataclass(frozen=True)
class Mutant:
    """One change: bytes [start, end) of ``file`` replaced by ``mutated``."""

    id: str
    file: str
    line: int
    operator: str
    original: str
    mutated: str
    start: int
    end: int


@dataclass(frozen=True)
class Target:
    """A file and, optionally, the definitions or line range its mutants are restricted to."""

    file: str
    functions: tuple[str, ...] = ()
    lines: tuple[int, int] | None = None

    @classmethod
    def parse(cls, spec: str) -> Target:
        if "::" in spec:
            file, names = spec.split("::", 1)
            return cls(file, functions=tuple(n for n in names.split(",") if n))
        match = re.fullmatch(r"(.+\.py):(\d+)-(\d+)", spec)
        if match:
            return cls(match.group(1), lines=(int(match.group(2)), int(match.group(3))))
        return cls(spec)


class _Source:
    """A file's bytes with conversion from AST (line, utf-8 column) positions to byte offsets."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.starts = [0]
        for line in data.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                self.offset(node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode()


def _allowed_lines(tree: ast.Module, target: Target) -> set[int] | None:
    """Line numbers inside the target's definitions or range; None means the whole file."""
    if target.lines is not None:
        return set(range(target.lines[0], target.lines[1] + 1))
    if not target.functions:
        return None
    wanted, lines = set(target.functions), set()

    def visit(body: Sequence[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + node.name
                if name in wanted:
                    lines.update(range(node.lineno, node.end_lineno + 1))  # type: ignore[operator]
                    wanted.discard(name)
                visit(node.body, name + ".")

    visit(tree.body, "")
    if wanted:
        raise SystemExit(f"{target.file}: no definition named {sorted(wanted)}")
    return lines


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            ids.add(id(body[0].value))
    return ids


def _bool_functions(tree: ast.Module) -> dict[int, bool]:
    """For every Return node: whether its enclosing function is annotated ``-> bool``."""
    out: dict[int, bool] = {}

    def visit(node: ast.AST, is_bool: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                ret = child.returns
                visit(child, isinstance(ret, ast.Name) and ret.id == "bool"
                      or isinstance(ret, ast.Constant) and ret.value == "bool")
            elif isinstance(child, ast.Lambda):
                visit(child, False)
            else:
                if isinstance(child, ast.Return):
                    out[id(child)] = is_bool
                visit(child, is_bool)

    visit(tree, False)
    return out


def _gap_token(src: _Source, start: int, end: int, pattern: bytes) -> tuple[int, int] | None:
    """The single occurrence of ``pattern`` between two operands, as absolute byte offsets."""
    found = list(re.finditer(pattern, src.data[start:end]))
    if len(found) != 1:
        return None
    return start + found[0].start(), start + found[0].end()


def _constant_change(value: Any) -> Any:
    if value is True or value is False:
        return not value
    if value in (0, 1):
        return type(value)(1 - value)
    return value + 1


def _splices(src: _Source, tree: ast.Module) -> Iterator[tuple[ast.AST, str, int, int, str]]:
    """(anchor node, operator, start, end, replacement) for every candidate change, in walk order."""
    docstrings, bool_returns = _docstrings(tree), _bool_functions(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                token = COMPARE_TOKENS[type(op)]
                pos = _gap_token(src, src.span(left)[1], src.span(right)[0], COMPARE_PATTERNS[token])
                if pos is not None:
                    for flip in COMPARE_FLIPS[token]:
                        yield node, "compare", pos[0], pos[1], flip
                left = right
        elif isinstance(node, ast.BoolOp):
            word, other = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
            for a, b in zip(node.values, node.values[1:]):
                pos = _gap_token(src, src.span(a)[1], src.span(b)[0], rb"\b" + word.encode() + rb"\b")
                if pos is not None:
                    yield node, "and_or", pos[0], pos[1], other
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            start, end = src.span(node)
            yield node, "drop_not", start, end, "(" + src.text(*src.span(node.operand)) + ")"
        elif isinstance(node, ast.Constant) and id(node) not in docstrings \
                and isinstance(node.value, (bool, int, float)):
            start, end = src.span(node)
            yield node, "bool" if isinstance(node.value, bool) else "constant", start, end, \
                repr(_constant_change(node.value))
        elif isinstance(node, ast.Return) and bool_returns.get(id(node)) \
                and not isinstance(node.value, (ast.Constant, type(None))):  # a constant is the bool flip
            start, end = src.span(node.value)
            yield node, "negate_return", start, end, "not (" + src.text(start, end) + ")"
        elif isinstance(node, ast.Raise):
            start, end = src.span(node)
            yield node, "drop_raise", start, end, "pass"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max"):
            start, end = src.span(node.func)
            yield node, "min_max", start, end, "max" if node.func.id == "min" else "min"


def enumerate_mutants(root: Path, target: Target) -> list[Mutant]:
    """Every mutant of ``target`` in a fixed order: source position, then operator, then replacement.
    A mutant whose code parses to the original tree (or not at all) is left out."""
    data = (root / target.file).read_bytes()
    src, tree = _Source(data), ast.parse(data)
    allowed = _allowed_lines(tree, target)
    original_dump = ast.dump(tree)
    found = []
    for node, operator, start, end, new in _splices(src, tree):
        line = node.lineno  # type: ignore[attr-defined]
        mutated = data[:start] + new.encode() + data[end:]
        try:
            if ast.dump(ast.parse(mutated)) == original_dump:
                continue
        except SyntaxError:
            continue
        found.append((start, end, operator, new, line, src.text(start, end)))
    found.sort(key=lambda m: (m[0], m[1], m[2], m[3]))
    # Ids number the whole file's mutants, so a restricted target names them as the whole file does.
    return [Mutant(f"{target.file}#{i}", target.file, line, operator, old, new, start, end)
            for i, (start, end, operator, new, line, old) in enumerate(found)
            if allowed is None or line in allowed]


def _copy_project(root: Path, into: Path) -> Path:
    dest = into / "project"
    shutil.copytree(root, dest, ignore=shutil.ignore_patterns(".git", "__pycache__", ".hypothesis",
                                                             ".pytest_cache", "*.pyc"))
    return dest


def _run_tests(copy: Path, tests: Sequence[str], timeout: float, python: str) -> tuple[str, int | None, float]:
    """Run the selection in ``copy``: (status, return code, seconds). Any failure counts as a kill."""
    path = os.pathsep.join(p for p in (str(copy), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.monotonic()
    proc = subprocess.Popen([python, "-m", "pytest", *tests, *PYTEST_FLAGS], cwd=copy, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    _LIVE.add(proc)
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return "timeout", None, time.monotonic() - start
    finally:
        _LIVE.discard(proc)
    seconds = time.monotonic() - start
    if rc == 5:
        raise SystemExit(f"no tests collected for {list(tests)}")
    return ("survived" if rc == 0 else "killed"), rc, seconds


def _run_one(copy: Path, mutant: Mutant, tests: Sequence[str], timeout: float, python: str) -> dict[str, Any]:
    path = copy / mutant.file
    original = path.read_bytes()
    path.write_bytes(original[:mutant.start] + mutant.mutated.encode() + original[mutant.end:])
    try:
        status, rc, seconds = _run_tests(copy, tests, timeout, python)
    finally:
        path.write_bytes(original)
    record = {k: v for k, v in asdict(mutant).items() if k not in ("start", "end")}
    return {**record, "where": f"{mutant.file}:{mutant.line}", "status": status, "returncode": rc,
            "seconds": round(seconds, 1)}


def counts(mutants: Sequence[dict[str, Any]], key: str = "status") -> dict[str, dict[str, int]]:
    """Per file: how many mutants were killed, survived or timed out."""
    out: dict[str, dict[str, int]] = {}
    for m in mutants:
        out.setdefault(m["file"], dict.fromkeys(STATUSES, 0))[m[key]] += 1
    return out


def summary(report: dict[str, Any]) -> str:
    """A short text summary: counts per file, then one line per surviving or timed-out mutant."""
    lines = []
    for file, c in sorted(report["counts"].items()):
        total = sum(c.values())
        before = report.get("counts_before", {}).get(file)
        lines.append(f"{file}: {total} mutants, {c['killed']} killed, {c['survived']} survived, "
                     f"{c['timeout']} timeout" + (f" (first run: {before['killed']} killed, {before['survived']} "
                                                  f"survived, {before['timeout']} timeout)" if before else ""))
    for m in report["mutants"]:
        if m["status"] != "killed":
            lines.append(f"  {m['status'].upper()} {m['id']} {m['where']} [{m['operator']}] "
                         f"{m['original']!r} -> {m['mutated']!r}" + (f": {m['note']}" if m.get("note") else ""))
    return "\n".join(lines) + "\n"


def _write(report: dict[str, Any], path: Path) -> None:
    report["counts"] = counts(report["mutants"])
    path.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    path.with_suffix(".txt").write_text(summary(report))


def run(root: Path, targets: Sequence[Target], tests: Sequence[str], *, sample: int | None, seed: int,
        only: Sequence[str], jobs: int, timeout: float | None, python: str, report_path: Path) -> dict[str, Any]:
    """Enumerate, select, run and report; the report is rewritten after every mutant."""
    mutants = [m for t in targets for m in enumerate_mutants(root, t)]
    total = len(mutants)
    if only:
        unknown = set(only) - {m.id for m in mutants}
        if unknown:
            raise SystemExit(f"unknown mutant ids: {sorted(unknown)}")
        mutants = [m for m in mutants if m.id in set(only)]
    if sample is not None and sample < len(mutants):
        order = {m.id: i for i, m in enumerate(mutants)}
        mutants = sorted(random.Random(seed).sample(mutants, sample), key=lambda m: order[m.id])
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        copies = [_copy_project(root, Path(tmp) / str(j)) for j in range(max(1, jobs))]
        status, _, base_seconds = _run_tests(copies[0], tests, timeout or 3600, python)
        if status != "survived":
            raise SystemExit(f"the unmutated project does not pass {list(tests)} ({status})")
        limit = timeout if timeout is not None else 3 * base_seconds + 30
        report: dict[str, Any] = {
            "targets": [asdict(t) for t in targets], "tests": list(tests), "pytest_flags": list(PYTEST_FLAGS),
            "enumerated": total, "sample": sample, "seed": seed, "baseline_seconds": round(base_seconds, 1),
            "timeout_seconds": round(limit, 1), "mutants": []}
        free = list(copies)
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(copies)) as pool:
            def task(m: Mutant) -> dict[str, Any]:
                copy = free.pop()
                try:
                    return _run_one(copy, m, tests, limit, python)
                finally:
                    free.append(copy)

            for result in pool.map(task, mutants):
                report["mutants"].append(result)
                print(f"{result['status']:8} {result['id']} {result['where']} {result['original']!r} -> "
                      f"{result['mutated']!r} ({result['seconds']} s)", flush=True)
                _write(report, report_path)
    _write(report, report_path)
    return report


def merge(paths: Sequence[Path], report_path: Path, notes: dict[str, str] | None = None) -> dict[str, Any]:
    """Combine reports; a later report's result for a mutant id replaces an earlier one (a re-run).
    ``counts_before`` counts each mutant's first result, ``counts`` its last; ``notes`` (mutant id -> one
    line, e.g. why a survivor is equivalent) are attached to their mutants."""
    by_id: dict[str, dict[str, Any]] = {}
    runs = []
    for path in paths:
        data = json.loads(path.read_text())
        runs.append({k: data[k] for k in ("targets", "tests", "enumerated", "sample", "seed") if k in data})
        for m in data["mutants"]:
            history = by_id[m["id"]]["history"] if m["id"] in by_id else []
            by_id[m["id"]] = {**m, "history": [*history, m["status"]]}
    unknown = set(notes or {}) - set(by_id)
    if unknown:
        raise SystemExit(f"notes for mutants in no report: {sorted(unknown)}")
    mutants = [{**m, "note": notes[m["id"]]} if notes and m["id"] in notes else m for m in by_id.values()]
    report = {"runs": runs, "mutants": mutants,
              "counts_before": counts([{**m, "first": m["history"][0]} for m in mutants], key="first")}
    _write(report, report_path)
    return report


def _stop(signum: int, _frame: Any) -> None:
    """On SIGTERM (e.g. from ``timeout``) take the pytest children down too; they run in their own sessions."""
    for proc in list(_LIVE):
        os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="path, path::func1,func2 or path:START-END")
    parser.add_argument("--tests", nargs="+", default=[], help="pytest selection that should kill the mutants")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project root (copied, never modified)")
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="comma-separated mutant ids to run")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=None, help="seconds per mutant (default 3x baseline+30)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--merge", nargs="+", type=Path, default=None, help="merge these reports instead")
    parser.add_argument("--notes", type=Path, default=None, help="with --merge: JSON object, mutant id -> reason")
    parser.add_argument("--report", type=Path, default=Path("mutation_report.json"))
    args = parser.parse_args(argv)
    if args.merge:
        notes = json.loads(args.notes.read_text()) if args.notes else None
        print(summary(merge(args.merge, args.report, notes)), end="")
        return 0
    targets = [Target.parse(t) for t in args.targets]
    if args.list:
        for t in targets:
            for m in enumerate_mutants(args.root, t):
                print(f"{m.id} {m.file}:{m.line} [{m.operator}] {m.original!r} -> {m.mutated!r}")
        return 0
    if not targets or not args.tests:
        parser.error("give at least one target and --tests")
    report = run(args.root, targets, args.tests, sample=args.sample, seed=args.seed,
                 only=[i for i in args.only.split(",") if i], jobs=args.jobs, timeout=args.timeout,
                 python=args.python, report_path=args.report)
    print(summary(report), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
