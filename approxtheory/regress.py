"""Bound regression: pin every bound at its canonical points and every claim's verdict.

A baseline records, per bound and canonical point, a certified Arb enclosure [lo, hi] (exact
decimal strings) and, per claim, its verdict status. Against it, a current run is:
- an improvement where an enclosure got narrower inside the old one, or an upper (lower) bound
  moved wholly below (above) its old enclosure;
- a regression where an enclosure got wider, moved the wrong way, or vanished, or where a
  verdict changed (any change: accept it deliberately with ``--update``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from .core import ApproxTheoryError, Registry, Verdict
from .rigorous import enclose, enclosure_interval

BASELINE_FORMAT = "approxtheory.baseline/1"
DEFAULT_BASELINE = Path("baselines") / "baseline.json"
PREC_BITS = 128


def point_key(point: dict[str, Any]) -> str:
    return ",".join(f"{k}={point[k]}" for k in sorted(point))


def measure_bounds(registry: Registry) -> dict[str, dict[str, dict[str, str]]]:
    """Certified enclosures of every registered bound at each of its canonical points."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for _claim, bound in registry.bounds():
        points: dict[str, dict[str, str]] = {}
        for point in bound.canonical:
            lo, hi = enclosure_interval(enclose(bound.expr, dict(point), prec=PREC_BITS))
            points[point_key(dict(point))] = {"lo": lo, "hi": hi, "direction": bound.direction}
        out[bound.id] = points
    return out


def snapshot(registry: Registry, verdicts: list[Verdict], seed: int) -> dict[str, Any]:
    return {
        "format": BASELINE_FORMAT,
        "seed": seed,
        "arb_prec_bits": PREC_BITS,
        "bounds": measure_bounds(registry),
        "verdicts": {v.claim_id: v.status.value for v in verdicts},
    }


@dataclass(frozen=True)
class Change:
    kind: str  # "bound" or "verdict"
    id: str
    point: str
    baseline: str
    current: str
    change: str
    regression: bool


def _frac(text: str, where: str, path: Path) -> Fraction:
    try:
        return Fraction(text)
    except (ValueError, TypeError, ZeroDivisionError):
        raise ApproxTheoryError(
            f"baseline {path}: {where} holds {text!r}, not an exact number",
            "restore the file from git or rewrite it with `approxtheory regress --update`",
        ) from None


def load_baseline(path: Path) -> dict[str, Any]:
    """Read and validate a baseline file; every defect names the file and the broken entry."""
    fix = "restore it from git or rewrite it with `approxtheory regress --update`"
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ApproxTheoryError(f"baseline {path} does not exist", "create it with `approxtheory regress --update`") from None
    except OSError as err:
        raise ApproxTheoryError(f"cannot read baseline {path}: {err.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ApproxTheoryError(f"baseline {path} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})", fix) from None
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        raise ApproxTheoryError(f"baseline {path} is not an {BASELINE_FORMAT} file", fix)
    if not isinstance(data.get("bounds"), dict) or not isinstance(data.get("verdicts"), dict):
        raise ApproxTheoryError(f"baseline {path} lacks a 'bounds' or 'verdicts' object", fix)
    for bound_id, points in data["bounds"].items():
        if not isinstance(points, dict):
            raise ApproxTheoryError(f"baseline {path}: bounds[{bound_id!r}] is not an object", fix)
        for key, entry in points.items():
            where = f"bounds[{bound_id!r}][{key!r}]"
            if not isinstance(entry, dict) or not {"lo", "hi", "direction"} <= set(entry):
                raise ApproxTheoryError(f"baseline {path}: {where} needs lo, hi and direction", fix)
            if _frac(entry["lo"], where + ".lo", path) > _frac(entry["hi"], where + ".hi", path):
                raise ApproxTheoryError(f"baseline {path}: {where} has lo > hi", fix)
    for claim_id, status in data["verdicts"].items():
        if not isinstance(status, str):
            raise ApproxTheoryError(f"baseline {path}: verdicts[{claim_id!r}] is not a status string", fix)
    return data


def _compare_enclosure(old: dict[str, str], new: dict[str, str]) -> tuple[str, bool]:
    olo, ohi, nlo, nhi = (Fraction(x) for x in (old["lo"], old["hi"], new["lo"], new["hi"]))
    if (olo, ohi) == (nlo, nhi):
        return "unchanged", False
    if olo <= nlo and nhi <= ohi:
        return "tighter", False
    upper = new["direction"] == "upper"
    if (upper and nhi < olo) or (not upper and nlo > ohi):
        return "improved (moved the favourable way)", False
    if nlo <= olo and ohi <= nhi:
        return "wider", True
    return "loosened" if (upper and nhi > ohi) or (not upper and nlo < olo) else "moved", True


def compare(baseline: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    """Every difference between a baseline and a current snapshot, regressions flagged."""
    changes: list[Change] = []
    show = lambda e: f"[{e['lo'][:14]}, {e['hi'][:14]}]"  # noqa: E731
    for bound_id in sorted(set(baseline["bounds"]) | set(current["bounds"])):
        old_points = baseline["bounds"].get(bound_id, {})
        new_points = current["bounds"].get(bound_id, {})
        for key in sorted(set(old_points) | set(new_points)):
            old, new = old_points.get(key), new_points.get(key)
            if old is None:
                changes.append(Change("bound", bound_id, key, "-", show(new), "added", False))
            elif new is None:
                changes.append(Change("bound", bound_id, key, show(old), "-", "removed", True))
            else:
                change, bad = _compare_enclosure(old, new)
                if change != "unchanged":
                    changes.append(Change("bound", bound_id, key, show(old), show(new), change, bad))
    for claim_id in sorted(set(baseline["verdicts"]) | set(current["verdicts"])):
        old_status, new_status = baseline["verdicts"].get(claim_id), current["verdicts"].get(claim_id)
        if old_status == new_status:
            continue
        if old_status is None:
            changes.append(Change("verdict", claim_id, "", "-", new_status, "added", False))
        elif new_status is None:
            changes.append(Change("verdict", claim_id, "", old_status, "-", "removed", True))
        else:
            changes.append(Change("verdict", claim_id, "", old_status, new_status, "changed", True))
    return changes


def write_baseline(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
