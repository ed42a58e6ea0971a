"""Command line: parses, calls, prints. Every command takes --json and --seed."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from . import compile_cache, interrupt, summaries
from . import registry as default_registry
from .core import ApproxTheoryError, Claim, Registry, Verdict, Witness
from .core.errors import Interrupted
from .core.memo import Work, run_memo
from .output import check_output_dir, check_output_file, dumps, write_text_safely
from .runner import MAX_BUDGET, check_budget, errors, run_claims

# markup=False: what is printed comes from users (statements, paths, exception messages, witness files), and
# Rich would read "[a, b]" in it as a style tag and drop it, or fail on "[/x]"; styles go in Text parts.
out = Console(highlight=False, markup=False)
if not out.is_terminal:  # piped output: do not fold tables into 80 columns
    out = Console(highlight=False, markup=False, width=200)
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)

STATUS_STYLE = {"certified": "bold green", "supported": "green", "refuted": "bold red",
                "inconclusive": "yellow", "not_applicable": "dim"}


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed takes a non-negative integer, not {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"--seed must lie in [0, 2**63), got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {value}")
    return value


def _nonnegative_float(text: str) -> float:
    value = 0.0 if text.strip() in ("0", "0.0") else _positive_float(text)
    return value


def _scales(text: str) -> tuple[float, ...]:
    try:
        return tuple(_positive_float(part) for part in text.split(","))
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"--scales takes comma-separated positive numbers like 0.1,1,3: {exc}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


#: More processes than this only multiply memory (each loads JAX): a typo such as --workers 1000000 is refused.
MAX_WORKERS = 256


def _workers_arg(text: str) -> int:
    value = _positive(text)
    if value > MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"--workers must be at most {MAX_WORKERS}, got {value}")
    return value


def _budget(text: str) -> int:
    value = _positive(text)
    try:
        check_budget(value)
    except ApproxTheoryError as error:
        raise argparse.ArgumentTypeError(error.problem) from None
    return value


#: Where --json output goes: the real stdout, while everything else printed goes to stderr.
_json_stdout: TextIO | None = None


def _emit(data: Any) -> None:
    """The one JSON document of a --json command: strict JSON (non-finite numbers as strings)."""
    stream = _json_stdout or sys.stdout
    stream.write(dumps(data, indent=2, sort_keys=True) + "\n")
    stream.flush()


@contextlib.contextmanager
def _stdout_only_json(enabled: bool) -> Iterator[None]:
    """Under --json, stdout carries the JSON and nothing else: anything printed meanwhile goes to stderr.

    Both ``sys.stdout`` and file descriptor 1 are redirected, so prints from user code and from C
    (XLA) are caught too; the JSON is written to a duplicate of the original descriptor.
    """
    global _json_stdout
    if not enabled:
        yield
        return
    real = sys.stdout
    real.flush()
    try:
        real_fd: int | None = real.fileno()
    except (OSError, ValueError, AttributeError):
        real_fd = None  # not a real file (e.g. pytest's capture): the JSON goes to the object itself
    saved: int | None = None
    with contextlib.suppress(OSError):  # no usable descriptors 1 and 2: the Python-level redirect still holds
        saved = os.dup(1)
        os.dup2(2, 1)
    _json_stdout = os.fdopen(os.dup(saved), "w", encoding="utf-8") if saved is not None and real_fd == 1 else real
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = real
        _json_stdout.flush()
        if _json_stdout is not real:
            _json_stdout.close()
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
        _json_stdout = None


@contextlib.contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Any]:
    """A progress bar on stderr (never on stdout, which --json keeps clean)."""
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not enabled) as bar:
        task = bar.add_task("checking", total=total)
        done: dict[str, float] = {}

        def update(claim: Claim, fraction: float) -> None:
            done[claim.id] = fraction
            bar.update(task, completed=sum(done.values()), description=claim.id)

        yield update


def verdict_table(verdicts: Sequence[Verdict], width: int) -> Table:
    """One line per verdict, at most ``width`` characters: verdict, claim id, summary and compact budget.

    The summary and the budget are cut with an ellipsis to fit (the full record is in --json and in the
    report); the budget takes at most two fifths of the room the id leaves.
    """
    rows = [(v.status.value, v.claim_id, summaries.summary(v), summaries.compact_budget(v.budget)) for v in verdicts]
    gaps = 2 * 3  # box=None, pad_edge=False: two spaces between neighbouring columns
    status_w = max([len("verdict"), *(len(r[0]) for r in rows)])
    id_w = max(min(max((len(r[1]) for r in rows), default=0), width - status_w - gaps - 20), len("claim"))
    room = max(width - status_w - id_w - gaps, 2)
    budget_w = max(min(max((len(r[3]) for r in rows), default=0), 2 * room // 5), 1)
    table = Table(show_lines=False, pad_edge=False, box=None)
    for name, column_width in (("verdict", status_w), ("claim", id_w), ("summary", room - budget_w), ("budget", budget_w)):
        table.add_column(name, max_width=column_width, no_wrap=True, overflow="ellipsis")
    for status, claim_id, summary, budget in rows:
        table.add_row(Text(status, style=STATUS_STYLE[status]), Text(claim_id), Text(summary), Text(budget))
    return table


def _write_witnesses(verdicts: Sequence[Verdict], directory: Path) -> tuple[dict[str, str], list[str]]:
    """Each refutation's witness file (atomic); a file that cannot be written goes to a named fallback."""
    paths, problems = {}, []
    for v in verdicts:
        if v.witness is not None:
            text = dumps(v.witness.to_dict(), indent=2, sort_keys=True) + "\n"
            path, problem = write_text_safely(directory / f"{v.claim_id}.json", text)
            paths[v.claim_id] = str(path)
            problems += [problem] if problem else []
    return paths, problems


def _say_error(problem: str) -> None:
    err.print(Text.assemble(("error:", "bold red"), " ", problem))


def _finish(problems: Sequence[str], interrupted: Interrupted | None) -> int:
    """Exit code after the results are out: 130 if interrupted, 2 if a claim or an output failed, else 0."""
    for problem in problems:
        _say_error(problem)
    if interrupted is not None:
        interrupt.say(f"interrupted: {interrupted.kept}")
        return interrupt.EXIT_CODE
    return 2 if problems else 0


# --- commands -----------------------------------------------------------------------------------

def cmd_theorems(args: argparse.Namespace, reg: Registry) -> int:
    claims = reg.select(args.ids)
    if args.json:
        _emit({"claims": [c.describe() for c in claims]})
        return 0
    table = Table(box=None, pad_edge=False)
    for col in ("claim", "scope", "provenance", "budget", "source", "statement"):
        table.add_column(col, overflow="fold")
    for c in claims:
        table.add_row(c.id, c.scope.value, c.provenance.value, c.budget_text, c.source.location, c.statement)
    out.print(table)
    return 0


#: How many claim ids an error about a selection names before it counts the rest.
NAMED_IDS = 5


def _refuse_unspent_budget(budget: Any, claims: Sequence[Claim], what: str, *, every: bool = False) -> None:
    """A requested ``budget`` (not None) that no selected claim spends is refused, naming those claims; with
    ``every`` (a sweep, whose budget values multiply the cells), one that any selected claim would ignore.
    Otherwise claims that spend no budget run as always and their verdicts record the budget they ignored."""
    unspent = [c.id for c in claims if not c.spends_budget]
    if budget is None or not unspent or (len(unspent) < len(claims) and not every):
        return
    named = ", ".join(unspent[:NAMED_IDS]) + (f" and {len(unspent) - NAMED_IDS} more" if len(unspent) > NAMED_IDS else "")
    subject = "none of the selected claims spends a budget" if len(unspent) == len(claims) else "some selected claims spend no budget"
    raise ApproxTheoryError(f"{what}: {subject}: {named} (symbolic, exact or fixed checks; `approxtheory theorems` "
                            "shows budget none)", f"leave {what} out" + (" or select only claims that spend one" if every else ""))


def _workers(args: argparse.Namespace) -> int:
    """Processes that check claims: --workers, else one per usable core; 1 for a registry passed in by a
    caller (workers find only the default registry's claims)."""
    from .parallel import usable_cores

    return 1 if args.given_registry else args.workers or usable_cores()


def _run_claims(args: argparse.Namespace, claims: Sequence[Claim], extra: Sequence[Work] = ()
                ) -> list[Verdict]:
    with _progress(not args.json and err.is_terminal, len(claims)) as update:
        return run_claims(claims, seed=args.seed, budget=args.budget, on_progress=update, workers=_workers(args),
                          extra=extra)


def _check_keeping(args: argparse.Namespace, reg: Registry, extra: Sequence[Work] = ()
                   ) -> tuple[list[Verdict], Interrupted | None]:
    """The verdicts, or after Ctrl-C those already computed and the interruption."""
    claims = reg.select(args.ids)
    _refuse_unspent_budget(args.budget, claims, f"--budget {args.budget}")
    try:
        return _run_claims(args, claims, extra), None
    except Interrupted as stop:
        return list(stop.partial or []), stop


def cmd_check(args: argparse.Namespace, reg: Registry) -> int:
    witness_dir = check_output_dir(args.witness_dir, "--witness-dir")
    verdicts, interrupted = _check_keeping(args, reg)
    witnesses, problems = _write_witnesses(verdicts, witness_dir)
    if args.json:
        _emit({"seed": args.seed, "verdicts": [v.to_dict() for v in verdicts], "witness_files": witnesses,
               "interrupted": interrupted is not None})
    else:
        out.print(verdict_table(verdicts, out.width))
        for claim_id, path in witnesses.items():
            out.print(Text.assemble(("refuted", "red"), f" {claim_id}: witness written to {path}; replay with "
                                    f"`approxtheory replay {path}`"), soft_wrap=True)  # one line: a path to paste
    return _finish([*errors(verdicts), *problems], interrupted)


def cmd_replay(args: argparse.Namespace, reg: Registry) -> int:
    witness = Witness.load(args.witness)
    claim = reg.get(witness.claim_id)
    result = claim.replay_witness(witness)
    if args.json:
        _emit({"claim_id": claim.id, "reproduced": result.reproduced, "observed": result.observed,
               "explanation": result.explanation, "inputs": witness.inputs})
    else:
        word = ("reproduced", "bold red") if result.reproduced else ("not reproduced", "yellow")
        out.print(Text.assemble(f"{claim.id}: ", word, f": {result.explanation}"))
        for key, value in result.observed.items():
            out.print(f"  {key} = {value}")
    return 0 if result.reproduced else 1


def cmd_regress(args: argparse.Namespace, reg: Registry) -> int:
    from functools import partial

    from . import regress

    path = Path(args.baseline)
    mode = "bounds" if args.bounds_only else "all" if args.all else "fast"
    selection = regress.select(reg, args.ids, args.package)
    _refuse_unspent_budget(args.budget, selection.claims, f"--budget {args.budget}")

    if args.update:
        regress.check_writable(path)  # before computing: an unwritable target must not cost a full run
        old = regress.load_baseline(path) if path.exists() else None
        regress.check_update(old, selection, mode, args.seed)
        result = regress.measure(selection, mode, partial(_run_claims, args))
        new = regress.updated(old, selection, result, mode, args.seed)
        regress.write_baseline(path, new)
        if args.json:
            _emit({"baseline": str(path), "updated": True, "mode": mode, "claims": len(selection.claims),
                   "bounds": len(result.bounds), "verdicts": len(result.verdicts), "skipped_slow": result.skipped_slow})
        else:
            out.print(f"baseline {path} written: {len(result.bounds)} bounds and {len(result.verdicts)} verdicts of "
                      f"{len(selection.claims)} selected claims ({len(new['bounds'])} bounds, {len(new['verdicts'])} "
                      f"verdicts in the file)")
            if result.skipped_slow:
                out.print(f"{len(result.skipped_slow)} slow verdicts not recomputed (kept as they were); --all computes them")
        return 0
    result = regress.regress(reg, selection, regress.load_baseline(path), mode, partial(_run_claims, args), args.seed)
    failed = result.regressions > 0
    if args.json:
        _emit({"baseline": str(path), "mode": mode, "regressions": result.regressions, "ok": not failed,
               "changes": [c.__dict__ for c in result.changes], "reverified": result.reverified,
               "skipped_slow": result.skipped_slow})
        return 1 if failed else 0
    if result.changes:
        table = Table(box=None, pad_edge=False)
        for col in ("", "kind", "id", "point", "baseline", "current", "change"):
            table.add_column(col, overflow="fold")
        for c in result.changes:
            mark = Text("REGRESSION", "bold red") if c.regression else Text("ok", "green")
            table.add_row(mark, c.kind, c.id, c.point, c.baseline, c.current, c.change)
        out.print(table)
    n_points = sum(len(p) for p in result.bounds.values())
    verdict_word = ("regressed", "bold red") if failed else ("no regressions", "green")
    out.print(Text.assemble(verdict_word, f": {n_points} bound points and {len(result.verdicts)} verdicts against {path} "
                                          f"({mode} mode)"))
    if result.reverified:
        out.print(f"re-verified because a bound they use moved favourably: {', '.join(result.reverified)}")
    if result.skipped_slow:
        out.print(f"{len(result.skipped_slow)} slow verdicts not run; --all runs them")
    return 1 if failed else 0


def cmd_regions(args: argparse.Namespace, reg: Registry) -> int:
    from .constructions.gate import gate_ibp
    from .constructions.maxout_transformer import simulate
    from .networks import load_network
    from .regions import segment_regions, transformer_segment_regions

    net = load_network(args.file)
    x0, x1 = (_point(text, flag, net.input_dim) for text, flag in ((args.start, "--from"), (args.end, "--to")))
    if x0 == x1:
        raise ApproxTheoryError("--from and --to are the same point, so there is no segment to count regions on",
                                "give two different points")
    if args.as_ == "transformer":
        largest = float(np.finfo(np.float64).max)
        for text, flag, point in ((args.start, "--from", x0), (args.end, "--to", x1)):
            if any(abs(v) > largest for v in point):
                raise ApproxTheoryError(f"{flag} {text!r} lies beyond the float64 range (|x| <= {largest:.4g})",
                                        "the gate M of the construction is an outward-rounded float64 bound over the segment")
        ends = np.array([[float(v) for v in x0], [float(v) for v in x1]])
        gate = gate_ibp(net, np.nextafter(ends.min(axis=0), -np.inf), np.nextafter(ends.max(axis=0), np.inf)).M  # computed over the segment's bounding box, never guessed
        # exact rationals: a float64 build rounds the gated biases s b - M and would count another function
        result = transformer_segment_regions(simulate(net, gate, exact=True), x0, x1)
        extra = {"model": "transformer (hardmax, card §4 weights)", "gate_M": gate, "arithmetic": "exact rational"}
    else:
        result = segment_regions(net, x0, x1)
        extra = {"model": "maxout"}
    data = {**result.to_json(max_breakpoints=args.max_breakpoints), **extra, "file": args.file}
    if args.json:
        _emit(data)
    else:
        built = f" (built in {extra['arithmetic']} arithmetic, gate M = {extra['gate_M']:.6g})" if "arithmetic" in extra else ""
        out.print(Text.assemble(f"{extra['model']}{built}: ", (str(result.regions), "bold"),
                                f" linear regions, {result.activation_regions} activation regions on the segment "
                                f"{args.start} -> {args.end}"))
        shown = ", ".join(f"{t:.6g}" for t in result.breakpoints_float[:12])
        more = f" ... ({len(result.breakpoints_float)} in all)" if len(result.breakpoints_float) > 12 else ""
        out.print(f"breakpoints (t in [0,1]): {shown or 'none'}{more}")
    return 0


#: Limits on one coordinate of --from/--to (README, "Errors and limits"): characters, decimal exponent and
#: size (below 10**300, so that the float64 gate of --as transformer stays finite).
MAX_DIGITS = 1000
MAX_EXPONENT = 1000
MAX_COORDINATE = 10**300
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE]([+-]?\d+))?(/\d+)?")


def _coordinate(text: str, flag: str, dim: int) -> Fraction:
    """One exact coordinate, its size bounded before it is built (1e100000000 would take forever)."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None or len(text) > MAX_DIGITS or (match[4] is not None and abs(int(match[4])) > MAX_EXPONENT):
        raise ApproxTheoryError(
            f"{flag}: {text.strip()[:40]!r} is not a number with at most {MAX_DIGITS} characters and a decimal exponent "
            f"of at most {MAX_EXPONENT} in size", f"e.g. {flag} " + ",".join(["0"] * dim) + " (decimals, 1e-3 or p/q)")
    try:
        value = Fraction(text.strip())
    except ZeroDivisionError:
        raise ApproxTheoryError(f"{flag}: {text.strip()!r} divides by zero") from None
    if abs(value) >= MAX_COORDINATE:
        raise ApproxTheoryError(f"{flag}: {text.strip()[:40]!r} is not below 10**300 in size", "rescale the segment")
    return value


def _point(text: str, flag: str, dim: int) -> list[Fraction]:
    """Coordinates read exactly: "0.1" is 1/10, "1/3" is 1/3."""
    values = [_coordinate(v, flag, dim) for v in text.split(",")]
    if len(values) != dim:
        raise ApproxTheoryError(f"{flag} has {len(values)} coordinates but the network takes {dim} inputs",
                                f"give {dim} comma-separated numbers")
    return values


def cmd_sweep(args: argparse.Namespace, reg: Registry) -> int:
    from functools import partial

    from rich.progress import TimeRemainingColumn

    from .sweep import check_executor, check_grid, iter_cells, open_executor, parse_grid, run_sweep, sweep_header

    path = check_output_file(args.out, "--out")
    check_executor(args.executor)
    grid = parse_grid(args.grid)
    claims = reg.select(args.ids)
    total = check_grid(grid, claims)
    _refuse_unspent_budget(grid.get("budget"), claims, "--grid budget", every=True)
    ids = [c.id for c in claims]
    factory = partial(open_executor, workers=args.workers, address=args.executor)
    columns = (TextColumn("sweep"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f} cells"),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=args.json or not err.is_terminal) as bar:
        task = bar.add_task("sweep", total=total)
        window = 32 if args.executor else 2 * args.workers if args.workers else 1
        try:
            summary = run_sweep(iter_cells(ids, grid), path, factory, window=window, header=sweep_header(ids, grid),
                                total=total, on_done=lambda n, total: bar.update(task, completed=n))
        except Interrupted as stop:
            interrupt.say(f"interrupted: {stop.kept}")
            return interrupt.EXIT_CODE
    data = {"out": args.out, "cells": summary.cells, "already_done": summary.already_done, "ran": summary.ran,
            "retried": len(summary.retried), "failed": summary.failed}
    if args.json:
        _emit(data)
    else:
        out.print(f"sweep: {summary.cells} cells, {summary.already_done} already in {args.out}, {summary.ran} run, "
                  f"{len(summary.retried)} retried, {len(summary.failed)} failed")
        for failure in summary.failed:
            out.print(Text.assemble(("failed twice", "red"), f" {failure['cell']}: {failure['retry_error']}"))
    return 1 if summary.failed else 0


def _adapter_options(args: argparse.Namespace) -> dict[str, Any]:
    """The adapter options of `uap` (call keywords, draw law, dtype) as keywords of load_attention."""
    from .attention.adapters import parse_call_kwarg

    call_kwargs: dict[str, Any] = {}
    for text in args.call_kwarg:
        name, value = parse_call_kwarg(text)
        if name in call_kwargs:
            raise ApproxTheoryError(f"call keyword {name} is given twice", "give each --call-kwarg NAME once")
        call_kwargs[name] = value
    return {"call_kwargs": call_kwargs, "draw": args.draw, "draw_scale": args.draw_scale, "dtype": args.dtype}


UAP_SETTINGS = ("draws", "scales", "base_samples", "activation", "tolerance", "param_noise", "time_budget")


def _uap_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The check_uap settings given on the command line; the others keep check_uap's own defaults."""
    return {name: getattr(args, name) for name in UAP_SETTINGS if getattr(args, name) is not None}


def cmd_uap(args: argparse.Namespace, reg: Registry) -> int:
    from .attention import load_attention
    from .uap import check_uap

    attention = load_attention(args.target, **_adapter_options(args))
    with err.status(Text(f"checking {args.target} at n={args.n}, d={args.d}"), spinner="dots") if not args.json and err.is_terminal \
            else contextlib.nullcontext():
        report = check_uap(attention, n=args.n, d=args.d, group=args.group, max_depth=args.max_depth, seed=args.seed,
                           **_uap_settings(args))
    data = report.to_json()
    if args.json:
        _emit(data)
    else:
        for line in report.human_lines():
            out.print(line)
    if args.expect and data["verdict"] != args.expect:
        err.print(f"expected verdict {args.expect}, got {data['verdict']}")
        return 1
    return 0


def cmd_report(args: argparse.Namespace, reg: Registry) -> int:
    from .report import _paper_modules, write_report

    out_dir = check_output_dir(args.out, "--out")
    papers = {c.paper for c in reg.select(args.ids)}
    extra = [work for module in _paper_modules(papers) for work in getattr(module, "report_work", list)()]
    with run_memo():  # the tables and figures reuse what the claims computed (core.memo), in workers too
        verdicts, interrupted = _check_keeping(args, reg, extra)
        paths = write_report(verdicts, reg, out_dir, seed=args.seed, interrupted=interrupted is not None)
    if interrupted is not None:
        interrupted.kept += f"; partial report in {paths['markdown']} (a complete report in {out_dir} is not replaced)"
    if args.json:
        _emit({"seed": args.seed, "verdicts": [v.to_dict() for v in verdicts], "files": paths,
               "interrupted": interrupted is not None})
    else:
        out.print(verdict_table(verdicts, out.width))
        out.print(f"report written: {paths['markdown']} ({len(paths['figures'])} figures, JSON at {paths['json']})")
    return _finish([*errors(verdicts), *paths["problems"]], interrupted)


# --- parsing ------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine output on stdout, nothing else there")
    common.add_argument("--seed", type=_seed, default=0, help="every random choice flows from this (default 0)")
    checking = argparse.ArgumentParser(add_help=False)
    checking.add_argument("--budget", type=_budget, default=None,
                          help=f"per-claim budget in the claim's unit (examples or cells), at most {MAX_BUDGET:_}; "
                               "default: the claim's own; claims that spend none (`theorems`: budget none) ignore it")
    checking.add_argument("--workers", type=_workers_arg, default=None,
                          help="processes checking claims side by side (default: one per usable core; 1: in this process)")

    parser = argparse.ArgumentParser(prog="approxtheory", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("theorems", parents=[common], help="list registered claims")
    p.add_argument("ids", nargs="*", help="claim ids or prefixes (default: all)")
    p.set_defaults(run=cmd_theorems)
    p = sub.add_parser("check", parents=[common, checking], help="run the verifiers of claims")
    p.add_argument("ids", nargs="*", help="claim ids or prefixes such as GYZ26 (default: all)")
    p.add_argument("--witness-dir", default="witnesses", help="where refutations are written (default: witnesses/)")
    p.set_defaults(run=cmd_check)
    p = sub.add_parser("replay", parents=[common], help="re-check a witness file")
    p.add_argument("witness", help="a witness JSON written by check")
    p.set_defaults(run=cmd_replay)
    p = sub.add_parser("regress", parents=[common, checking], help="compare bounds and verdicts with a baseline")
    p.add_argument("ids", nargs="*", help="claim ids or prefixes such as GYZ26 (default: all)")
    p.add_argument("--package", default=None, metavar="DIST",
                   help="only the claims of the installed distribution DIST's approxtheory.claims entry point")
    p.add_argument("--baseline", default="baselines/baseline.json", help="baseline file (default: baselines/baseline.json)")
    p.add_argument("--update", action="store_true",
                   help="accept the current state of the selected claims; other entries of the file are kept")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--bounds-only", action="store_true",
                       help="compare only the bounds' certified enclosures (verifiers run only for favourably moved bounds)")
    scope.add_argument("--all", action="store_true", help="also run the verdicts of claims declared slow")
    p.set_defaults(run=cmd_regress)
    p = sub.add_parser("regions", parents=[common], help="exact linear regions along a segment")
    p.add_argument("file", help='maxout network JSON: {"kind": "maxout", "layers": [...], "readout": {...}}')
    p.add_argument("--from", dest="start", required=True, help="segment start, comma-separated")
    p.add_argument("--to", dest="end", required=True, help="segment end, comma-separated")
    p.add_argument("--as", dest="as_", choices=("maxout", "transformer"), default="maxout",
                   help="count the network itself or the hardmax transformer that simulates it")
    p.add_argument("--max-breakpoints", type=_positive, default=100000, help="cap on breakpoints listed in the output")
    p.set_defaults(run=cmd_regions)
    p = sub.add_parser("sweep", parents=[common], help="run claims over a parameter grid through an executor")
    p.add_argument("ids", nargs="+", help="claim ids or prefixes")
    p.add_argument("--grid", action="append", default=[], help="NAME=a,b,c or NAME=lo..hi; seed and budget are special")
    p.add_argument("--out", default="sweep.jsonl", help="JSON-lines results; an existing file is resumed")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_workers_arg, default=None, help="local process pool of N workers")
    where.add_argument("--executor", default=None, help="dask://HOST:PORT for a Dask cluster")
    p.set_defaults(run=cmd_sweep)
    p = sub.add_parser("uap", parents=[common], help="check a custom attention against the UAP framework (CLSL25)")
    p.add_argument("target", help="package.module:NAME or path/to/file.py:NAME: an object with init and apply, a "
                                  "flax/equinox/haiku module, a factory make(d, ...) or a function attn(q, k, v)")
    p.add_argument("--n", type=_positive, default=6, help="number of tokens (default 6)")
    p.add_argument("--d", type=_positive, default=2, help="token width (default 2)")
    p.add_argument("--group", default="auto", choices=("auto", "S_n", "C_n", "D_n", "trivial"),
                   help="the permutation group the verdict is about (default: the mechanism's own)")
    p.add_argument("--max-depth", type=_positive, default=3, help="deepest attention-only composition tried")
    p.add_argument("--expect", choices=("uap", "not_uap", "undecided"), default=None,
                   help="exit 1 unless the verdict is this (for CI)")
    # Defaults stay check_uap's own (approxtheory/uap.py), shown by `approxtheory uap --help` in its docstring.
    p.add_argument("--draws", type=_positive, default=None, help="parameter draws per scale (default 4)")
    p.add_argument("--scales", type=_scales, default=None, metavar="S1,S2,...",
                   help="parameter scales of the draw law (default 0.1,1,3)")
    p.add_argument("--base-samples", type=_positive, default=None, help="base inputs of the pair battery (default 2)")
    p.add_argument("--activation", default=None, help="FFN activation: relu (default), gelu, tanh, sigmoid, identity")
    p.add_argument("--tolerance", type=_positive_float, default=None,
                   help="separation tolerance (default: derived from the module's measured noise floor)")
    p.add_argument("--param-noise", type=_nonnegative_float, default=None,
                   help="relative Gaussian noise on the leaves init leaves constant (default 0.5)")
    p.add_argument("--time-budget", type=_positive_float, default=None,
                   help="seconds per condition before it ends unknown (default 600)")
    p.add_argument("--call-kwarg", action="append", default=[], metavar="NAME=VALUE",
                   help="extra keyword of a library module's call (repeatable): a literal, true/false/none, or "
                        "mask=causal; deterministic/inference default to true")
    p.add_argument("--draw", choices=("auto", "init", "normal"), default="auto",
                   help="parameter draw law of a library module: its initialisers, or every leaf normal at the "
                        "module's scale (default: init when the module can be re-initialised)")
    p.add_argument("--draw-scale", type=_positive_float, default=1.0, help="multiply every drawn parameter (widen)")
    p.add_argument("--dtype", choices=("float32", "float64"), default=None,
                   help="precision a library module computes in (default: its own, float32 unless it says float64)")
    p.set_defaults(run=cmd_uap)
    p = sub.add_parser("report", parents=[common, checking], help="check claims and write Markdown, JSON and figures")
    p.add_argument("ids", nargs="*", help="claim ids or prefixes (default: all)")
    p.add_argument("--out", default="report", help="output folder (default: report/)")
    p.set_defaults(run=cmd_report)
    return parser


#: Options whose value may start with "-" (a negative first coordinate): "--from -1,0.5" is read as "--from=-1,0.5".
_NEGATIVE_VALUE_OPTIONS = ("--from", "--to")


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    joined: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in _NEGATIVE_VALUE_OPTIONS:
            value = next(args, None)
            if value is not None and re.match(r"-[\d.]", value):
                joined.append(f"{arg}={value}")
                continue
            joined += [arg] if value is None else [arg, value]
            continue
        joined.append(arg)
    return joined


def _where_raised(error: BaseException) -> str:
    """file:line of the frame that raised ``error`` (the user's code, for a SystemExit)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return "unknown code" if tb is None else f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"


def _run(args: argparse.Namespace, reg: Registry | None) -> int:
    try:
        args.given_registry = reg is not None
        return int(args.run(args, reg if reg is not None else default_registry()))
    except SystemExit as stop:  # argparse is done by now: this came from user code (a module, a claim)
        raise ApproxTheoryError(f"user code called sys.exit({stop.code!r}) at {_where_raised(stop)} during `{args.command}`",
                                "code loaded by approxtheory must return or raise, not exit") from None
    except RuntimeError as error:
        if "Unable to initialize backend" not in str(error):
            raise
        raise ApproxTheoryError(f"JAX cannot start its backend (JAX_PLATFORMS={os.environ.get('JAX_PLATFORMS', '')!r}): "
                                f"{str(error).splitlines()[0][:300]}", "unset JAX_PLATFORMS or set JAX_PLATFORMS=cpu") from None


def _main(args: argparse.Namespace, reg: Registry | None) -> int:
    try:
        with interrupt.handling(), _stdout_only_json(args.json):
            return _run(args, reg)
    except ApproxTheoryError as error:
        _say_error(str(error))
        return 2
    except KeyboardInterrupt:  # a command that keeps partial results says so itself before this
        interrupt.say("interrupted")
        return interrupt.EXIT_CODE


def main(argv: Sequence[str] | None = None, reg: Registry | None = None) -> int:
    args = build_parser().parse_args(_join_negative_values(sys.argv[1:] if argv is None else argv))
    if argv is None:  # as a program, not called in-process by a test or a script: JAX's persistent cache
        compile_cache.enable()
    code = _main(args, reg)
    if code == interrupt.EXIT_CODE and argv is None:
        # as a program: leave at once, without finalising the interpreter under XLA computations
        # that are still running on other threads (that can crash the exit)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
