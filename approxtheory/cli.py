"""Command line: parses, calls, prints. Every command takes --json and --seed."""

from __future__ import annotations

import argparse
from fractions import Fraction
import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import registry as default_registry
from .core import ApproxTheoryError, Claim, Registry, Verdict, Witness
from .runner import run_claims

out = Console(highlight=False)
if not out.is_terminal:  # piped output: do not fold tables into 80 columns
    out = Console(highlight=False, width=200)
err = Console(stderr=True, highlight=False, soft_wrap=True)

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


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


@contextlib.contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Any]:
    """A progress bar on stderr (never on stdout, which --json keeps clean)."""
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not enabled) as bar:
        task = bar.add_task("checking", total=total)
        done: dict[str, float] = {}

        def update(claim: Claim, fraction: float) -> None:
            done[claim.id] = fraction
            bar.update(task, completed=sum(done.values()), description=claim.id)

        yield update


def _summary(verdict: Verdict) -> str:
    ev = verdict.evidence
    if isinstance(ev.get("max_ratio"), float) and "examples_run" in ev:
        return f"max ratio {ev['max_ratio']:.6g} over {ev['examples_run']} examples"
    for key in ("steps", "instances"):
        if isinstance(ev.get(key), dict):
            held = sum(1 for s in ev[key].values() if isinstance(s, dict) and s.get("holds", True) is True
                       or s is True)
            return f"{held}/{len(ev[key])} {key} hold"
    scalars = [(k, v) for k, v in ev.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
    return ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in scalars[:3])


def verdict_table(verdicts: Sequence[Verdict]) -> Table:
    table = Table(show_lines=False, pad_edge=False, box=None)
    table.add_column("claim", no_wrap=True)
    for col in ("provenance", "verdict", "method", "budget", "s", "evidence"):
        table.add_column(col, overflow="fold")
    for v in verdicts:
        budget = ", ".join(f"{k}={val}" for k, val in v.budget.items() if k != "engine")
        table.add_row(v.claim_id, v.provenance, f"[{STATUS_STYLE[v.status.value]}]{v.status.value}[/]",
                      v.method, budget, f"{v.seconds:.2f}", _summary(v))
    return table


def _write_witnesses(verdicts: Sequence[Verdict], directory: Path) -> dict[str, str]:
    paths = {}
    for v in verdicts:
        if v.witness is not None:
            paths[v.claim_id] = str(v.witness.dump(directory / f"{v.claim_id}.json"))
    return paths


# --- commands -----------------------------------------------------------------------------------

def cmd_theorems(args: argparse.Namespace, reg: Registry) -> int:
    claims = reg.select(args.ids)
    if args.json:
        _emit({"claims": [c.describe() for c in claims]})
        return 0
    table = Table(box=None, pad_edge=False)
    for col in ("claim", "scope", "provenance", "source", "statement"):
        table.add_column(col, overflow="fold")
    for c in claims:
        table.add_row(c.id, c.scope.value, c.provenance.value, c.source.location, c.statement)
    out.print(table)
    return 0


def _check(args: argparse.Namespace, reg: Registry) -> list[Verdict]:
    claims = reg.select(args.ids)
    with _progress(not args.json and err.is_terminal, len(claims)) as update:
        return run_claims(claims, seed=args.seed, budget=args.budget, on_progress=update)


def cmd_check(args: argparse.Namespace, reg: Registry) -> int:
    verdicts = _check(args, reg)
    witnesses = _write_witnesses(verdicts, Path(args.witness_dir))
    if args.json:
        _emit({"seed": args.seed, "verdicts": [v.to_dict() for v in verdicts], "witness_files": witnesses})
    else:
        out.print(verdict_table(verdicts))
        for claim_id, path in witnesses.items():
            out.print(f"[red]refuted[/] {claim_id}: witness written to {path}; replay with `approxtheory replay {path}`")
    return 0


def cmd_replay(args: argparse.Namespace, reg: Registry) -> int:
    witness = Witness.load(args.witness)
    claim = reg.get(witness.claim_id)
    result = claim.replay_witness(witness)
    if args.json:
        _emit({"claim_id": claim.id, "reproduced": result.reproduced, "observed": result.observed,
               "explanation": result.explanation, "inputs": witness.inputs})
    else:
        word = "[bold red]reproduced[/]" if result.reproduced else "[yellow]not reproduced[/]"
        out.print(f"{claim.id}: {word}: {result.explanation}")
        for key, value in result.observed.items():
            out.print(f"  {key} = {value}")
    return 0 if result.reproduced else 1


def cmd_regress(args: argparse.Namespace, reg: Registry) -> int:
    from . import regress

    path = Path(args.baseline)
    mode = "bounds" if args.bounds_only else "all" if args.all else "fast"
    selection = regress.select(reg, args.ids, args.package)

    def run(claims: Sequence[Claim]) -> list[Verdict]:
        with _progress(not args.json and err.is_terminal, len(claims)) as update:
            return run_claims(claims, seed=args.seed, budget=args.budget, on_progress=update)

    if args.update:
        regress.check_writable(path)  # before computing: an unwritable target must not cost a full run
        old = regress.load_baseline(path) if path.exists() else None
        regress.check_update(old, selection, mode, args.seed)
        result = regress.measure(selection, mode, run)
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
    result = regress.regress(reg, selection, regress.load_baseline(path), mode, run, args.seed)
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
            mark = "[bold red]REGRESSION[/]" if c.regression else "[green]ok[/]"
            table.add_row(mark, c.kind, c.id, c.point, c.baseline, c.current, escape(c.change))
        out.print(table)
    n_points = sum(len(p) for p in result.bounds.values())
    verdict_word = "[bold red]regressed[/]" if failed else "[green]no regressions[/]"
    out.print(f"{verdict_word}: {n_points} bound points and {len(result.verdicts)} verdicts against {path} ({mode} mode)")
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
        ends = np.array([[float(v) for v in x0], [float(v) for v in x1]])
        gate = gate_ibp(net, np.nextafter(ends.min(axis=0), -np.inf), np.nextafter(ends.max(axis=0), np.inf)).M  # computed over the segment's bounding box, never guessed
        result = transformer_segment_regions(simulate(net, gate), x0, x1)
        extra = {"model": "transformer (hardmax, card §4 weights)", "gate_M": gate}
    else:
        result = segment_regions(net, x0, x1)
        extra = {"model": "maxout"}
    data = {**result.to_json(max_breakpoints=args.max_breakpoints), **extra, "file": args.file}
    if args.json:
        _emit(data)
    else:
        out.print(f"{extra['model']}: [bold]{result.regions}[/] linear regions, {result.activation_regions} activation "
                  f"regions on the segment {args.start} -> {args.end}")
        shown = ", ".join(f"{t:.6g}" for t in result.breakpoints_float[:12])
        more = f" ... ({len(result.breakpoints_float)} in all)" if len(result.breakpoints_float) > 12 else ""
        out.print(f"breakpoints (t in [0,1]): {shown or 'none'}{more}")
    return 0


def _point(text: str, flag: str, dim: int) -> list[Fraction]:
    """Coordinates read exactly: "0.1" is 1/10, "1/3" is 1/3."""
    try:
        values = [Fraction(v.strip()) for v in text.split(",")]
    except (ValueError, ZeroDivisionError):
        raise ApproxTheoryError(f"{flag} {text!r} is not a comma-separated list of finite numbers",
                                f"e.g. {flag} " + ",".join(["0"] * dim)) from None
    if len(values) != dim:
        raise ApproxTheoryError(f"{flag} has {len(values)} coordinates but the network takes {dim} inputs",
                                f"give {dim} comma-separated numbers")
    return values


def cmd_sweep(args: argparse.Namespace, reg: Registry) -> int:
    from functools import partial

    from rich.progress import TimeRemainingColumn

    from .sweep import make_cells, open_executor, parse_grid, run_sweep

    grid = parse_grid(args.grid)
    cells = make_cells([c.id for c in reg.select(args.ids)], grid)
    factory = partial(open_executor, workers=args.workers, address=args.executor)
    columns = (TextColumn("sweep"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f} cells"),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=args.json or not err.is_terminal) as bar:
        task = bar.add_task("sweep", total=len(cells))
        window = 32 if args.executor else 2 * args.workers if args.workers else 1
        summary = run_sweep(cells, Path(args.out), factory, window=window,
                            on_done=lambda n, total: bar.update(task, completed=n))
    data = {"out": args.out, "cells": summary.cells, "already_done": summary.already_done, "ran": summary.ran,
            "retried": len(summary.retried), "failed": summary.failed}
    if args.json:
        _emit(data)
    else:
        out.print(f"sweep: {summary.cells} cells, {summary.already_done} already in {args.out}, {summary.ran} run, "
                  f"{len(summary.retried)} retried, {len(summary.failed)} failed")
        for failure in summary.failed:
            out.print(f"[red]failed twice[/] {failure['cell']}: {failure['retry_error']}")
    return 1 if summary.failed else 0


def cmd_uap(args: argparse.Namespace, reg: Registry) -> int:
    from .attention import load_attention
    from .uap import check_uap

    attention = load_attention(args.target)
    with err.status(f"checking {args.target} at n={args.n}, d={args.d}", spinner="dots") if not args.json and err.is_terminal \
            else contextlib.nullcontext():
        report = check_uap(attention, n=args.n, d=args.d, group=args.group, max_depth=args.max_depth, seed=args.seed)
    data = report.to_json()
    if args.json:
        _emit(data)
    else:
        for line in report.human_lines():
            out.print(escape(line))
    if args.expect and data["verdict"] != args.expect:
        err.print(f"expected verdict {args.expect}, got {data['verdict']}")
        return 1
    return 0


def cmd_report(args: argparse.Namespace, reg: Registry) -> int:
    from .report import write_report

    verdicts = _check(args, reg)
    paths = write_report(verdicts, reg, Path(args.out), seed=args.seed)
    if args.json:
        _emit({"seed": args.seed, "verdicts": [v.to_dict() for v in verdicts], "files": paths})
    else:
        out.print(verdict_table(verdicts))
        out.print(f"report written: {paths['markdown']} ({len(paths['figures'])} figures, JSON at {paths['json']})")
    return 0


# --- parsing ------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine output on stdout, nothing else there")
    common.add_argument("--seed", type=_seed, default=0, help="every random choice flows from this (default 0)")
    budget = argparse.ArgumentParser(add_help=False)
    budget.add_argument("--budget", type=_positive, default=None,
                        help="per-claim budget in the claim's unit (examples or cells); default: the claim's own")

    parser = argparse.ArgumentParser(prog="approxtheory", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("theorems", parents=[common], help="list registered claims")
    p.add_argument("ids", nargs="*", help="claim ids or prefixes (default: all)")
    p.set_defaults(run=cmd_theorems)
    p = sub.add_parser("check", parents=[common, budget], help="run the verifiers of claims")
    p.add_argument("ids", nargs="*", help="claim ids or prefixes such as GYZ26 (default: all)")
    p.add_argument("--witness-dir", default="witnesses", help="where refutations are written (default: witnesses/)")
    p.set_defaults(run=cmd_check)
    p = sub.add_parser("replay", parents=[common], help="re-check a witness file")
    p.add_argument("witness", help="a witness JSON written by check")
    p.set_defaults(run=cmd_replay)
    p = sub.add_parser("regress", parents=[common, budget], help="compare bounds and verdicts with a baseline")
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
    where.add_argument("--workers", type=_positive, default=None, help="local process pool of N workers")
    where.add_argument("--executor", default=None, help="dask://HOST:PORT for a Dask cluster")
    p.set_defaults(run=cmd_sweep)
    p = sub.add_parser("uap", parents=[common], help="check a custom attention against the UAP framework (CLSL25)")
    p.add_argument("target", help="package.module:NAME or path/to/file.py:NAME (an object with init and apply)")
    p.add_argument("--n", type=_positive, default=6, help="number of tokens (default 6)")
    p.add_argument("--d", type=_positive, default=2, help="token width (default 2)")
    p.add_argument("--group", default="auto", choices=("auto", "S_n", "C_n", "D_n", "trivial"),
                   help="the permutation group the verdict is about (default: the mechanism's own)")
    p.add_argument("--max-depth", type=_positive, default=3, help="deepest attention-only composition tried")
    p.add_argument("--expect", choices=("uap", "not_uap", "undecided"), default=None,
                   help="exit 1 unless the verdict is this (for CI)")
    p.set_defaults(run=cmd_uap)
    p = sub.add_parser("report", parents=[common, budget], help="check claims and write Markdown, JSON and figures")
    p.add_argument("ids", nargs="*", help="claim ids or prefixes (default: all)")
    p.add_argument("--out", default="report", help="output folder (default: report/)")
    p.set_defaults(run=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None, reg: Registry | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args, reg if reg is not None else default_registry()))
    except ApproxTheoryError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}")
        return 2
