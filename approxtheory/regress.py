"""Bound regression: pin every bound at its canonical points and every claim's verdict.

A baseline records, per bound and canonical point, a certified Arb enclosure [lo, hi] (exact
decimal strings) and, per claim, its verdict status. Against it, a current run is:
- an improvement where an enclosure got narrower inside the old one, or an upper (lower) bound
  moved wholly below (above) its old enclosure, *and* every claim that uses the bound still gets
  its baseline verdict (those claims are re-verified, whatever the mode: a tighter bound that no
  longer holds is not an improvement);
- a regression where an enclosure got wider, moved the wrong way, or vanished, or where a
  verdict changed (any change: accept it deliberately with ``--update``).

A run covers a :class:`Selection` of claims (ids, prefixes or one distribution's entry point) and
compares, and on ``--update`` rewrites, only the baseline entries that selection owns; the rest of
the file is left as it is. Modes: ``bounds`` (enclosures only), ``fast`` (bounds and the verdicts
of claims declared ``cost="fast"``) and ``all``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Literal

from .output import atomic_write_text
from .core import ENTRY_POINT_GROUP, ApproxTheoryError, Claim, Registry, Status, Verdict
from .core.errors import refuse_special_file
from .core.witness import read_rational
from .core.strict_json import MAX_DEPTH, DuplicateKey, no_duplicate_keys, too_deep
from .core.registry import entry_point_claims
from .rigorous import enclose, enclosure_interval

BASELINE_FORMAT = "approxtheory.baseline/1"
DEFAULT_BASELINE = Path("baselines") / "baseline.json"
PREC_BITS = 128
DIRECTIONS = ("upper", "lower")
MODES = ("bounds", "fast", "all")
Mode = Literal["bounds", "fast", "all"]
_FIX = "restore it from git, or delete it and rewrite it with `approxtheory regress --update`"


def point_key(point: dict[str, Any]) -> str:
    return ",".join(f"{k}={point[k]}" for k in sorted(point))


def _matches(entry_id: str, pattern: str) -> bool:
    """The rule of ``Registry.select``: the id itself or anything under ``pattern.``."""
    return entry_id == pattern or entry_id.startswith(pattern.rstrip(".") + ".")


# --- which claims, and which baseline entries they own --------------------------------------------

@dataclass(frozen=True)
class Selection:
    """The claims a run covers, and the rule saying which baseline entries belong to it.

    A selected claim owns its verdict entry and its bounds' entries. An entry that no registered
    claim or bound owns (a claim or bound since removed) belongs to the selection when it matches
    one of ``patterns`` or lies under one of ``papers`` (the paper prefixes of a package), or when
    the selection is the whole registry: a removal is then a regression, never silently dropped.
    """

    claims: tuple[Claim, ...]
    known_claims: frozenset[str]
    known_bounds: frozenset[str]
    patterns: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()
    whole: bool = False

    @property
    def claim_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.claims)

    @property
    def bound_ids(self) -> frozenset[str]:
        return frozenset(b.id for c in self.claims for b in c.bounds)

    def _owns(self, entry_id: str, selected: frozenset[str], known: frozenset[str]) -> bool:
        if entry_id in selected:
            return True
        if entry_id in known:
            return False
        return (self.whole or any(_matches(entry_id, p) for p in self.patterns)
                or entry_id.split(".", 1)[0] in self.papers)

    def owns_claim(self, claim_id: str) -> bool:
        return self._owns(claim_id, self.claim_ids, self.known_claims)

    def owns_bound(self, bound_id: str) -> bool:
        return self._owns(bound_id, self.bound_ids, self.known_bounds)

    def removed_claims(self, claim_ids: Iterable[str]) -> set[str]:
        """Those of ``claim_ids`` (baseline entries) the selection owns that no registered claim has any more."""
        return {k for k in claim_ids if k not in self.known_claims and self.owns_claim(k)}


def _dist_key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503 normalisation: My_Paper == my-paper


def package_claim_ids(dist: str, group: str = ENTRY_POINT_GROUP) -> list[str]:
    """Ids of the claims that the installed distribution ``dist`` registers under ``group``."""
    points = list(entry_points(group=group))
    mine = [ep for ep in points if ep.dist is not None and _dist_key(ep.dist.name) == _dist_key(dist)]
    if not mine:
        known = sorted({ep.dist.name for ep in points if ep.dist is not None})
        raise ApproxTheoryError(
            f"no installed distribution {dist!r} registers claims under the {group} entry point",
            f"distributions that do: {', '.join(known)}" if known else "no installed distribution registers claims",
        )
    ids: list[str] = []
    for ep in mine:
        ids.extend(c.id for c in entry_point_claims(ep, group))
    return ids


def select(registry: Registry, ids: Sequence[str] = (), package: str | None = None) -> Selection:
    """Claims by id or prefix (as ``check`` selects them), by distribution, or all of them."""
    known = {"known_claims": frozenset(c.id for c in registry),
             "known_bounds": frozenset(b.id for _, b in registry.bounds())}
    if package is not None:
        if ids:
            raise ApproxTheoryError("give claim ids or --package, not both", "regress a package with --package DIST alone")
        claims = tuple(registry.get(i) for i in package_claim_ids(package))
        if not claims:
            raise ApproxTheoryError(f"distribution {package!r} registers no claims")
        return Selection(claims, papers=tuple(sorted({c.paper for c in claims})), **known)
    return Selection(tuple(registry.select(ids)), patterns=tuple(ids), whole=not ids, **known)


# --- measuring --------------------------------------------------------------------------------------

def measure_bounds(claims: Iterable[Claim]) -> dict[str, dict[str, dict[str, str]]]:
    """Certified enclosures of the claims' bounds (each id once) at each of its canonical points."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for bound in (b for c in claims for b in c.bounds):
        if bound.id in out:
            continue
        points: dict[str, dict[str, str]] = {}
        for point in bound.canonical:
            lo, hi = enclosure_interval(enclose(bound.expr, dict(point), prec=PREC_BITS))
            points[point_key(dict(point))] = {"lo": lo, "hi": hi, "direction": bound.direction}
        out[bound.id] = points
    return out


def verdict_claims(selection: Selection, mode: Mode) -> list[Claim]:
    """The selected claims whose verdicts a run in ``mode`` computes (before soundness re-checks)."""
    if mode not in MODES:
        raise ApproxTheoryError(f"regress mode must be one of {MODES}, got {mode!r}")
    return [c for c in selection.claims if mode == "all" or (mode == "fast" and c.cost == "fast")]


# --- reading and writing baselines ---------------------------------------------------------------

def _bad(path: Path, problem: str) -> ApproxTheoryError:
    return ApproxTheoryError(f"baseline {path}: {problem}", _FIX)


def _exact(value: Any, where: str, path: Path) -> Fraction:
    if not isinstance(value, str):
        raise _bad(path, f"{where} holds {value!r} ({type(value).__name__}), not an exact number written as a string")
    try:
        return read_rational(value, where)  # bounded: Fraction("1e999999999") never finishes
    except ApproxTheoryError as err:
        raise _bad(path, f"{err.problem}: not an exact number a baseline can hold") from None


def _parse(path: Path) -> Any:
    refuse_special_file(path, "baseline")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ApproxTheoryError(f"baseline {path} does not exist", "create it with `approxtheory regress --update`") from None
    except OSError as err:
        raise ApproxTheoryError(f"cannot read baseline {path}: {err.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _bad(path, f"not UTF-8 text (byte {raw[err.start]:#04x} at offset {err.start}); a baseline is JSON") from None
    try:
        data = json.loads(text, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as err:
        raise ApproxTheoryError(f"baseline {path} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})", _FIX) from None
    except DuplicateKey as dup:
        raise _bad(path, f"the key {dup.args[0]!r} appears twice in one object (JSON would keep only the last)") from None
    except RecursionError:
        raise _bad(path, "JSON nested too deeply to be a baseline") from None
    except ValueError as err:  # an integer beyond Python's digit limit
        raise _bad(path, f"cannot be read: {err}") from None
    if too_deep(data):
        raise _bad(path, f"arrays or objects nested more than {MAX_DEPTH} deep; a baseline is shallow")
    return data


def _check_bound_entry(entry: Any, where: str, path: Path) -> None:
    if not isinstance(entry, dict) or set(entry) != {"lo", "hi", "direction"}:
        got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
        raise _bad(path, f"{where} must be an object with exactly lo, hi and direction, got {got}")
    if entry["direction"] not in DIRECTIONS:
        raise _bad(path, f"{where}.direction is {entry['direction']!r}; allowed: {', '.join(DIRECTIONS)}")
    if _exact(entry["lo"], where + ".lo", path) > _exact(entry["hi"], where + ".hi", path):
        raise _bad(path, f"{where} has lo > hi ({entry['lo']} > {entry['hi']})")


def load_baseline(path: Path) -> dict[str, Any]:
    """Read and validate a baseline file; every defect names the file and the broken entry."""
    data = _parse(path)
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        raise ApproxTheoryError(f"baseline {path} is not an {BASELINE_FORMAT} file", _FIX)
    if not isinstance(data.get("bounds"), dict) or not isinstance(data.get("verdicts"), dict):
        raise ApproxTheoryError(f"baseline {path} lacks a 'bounds' or 'verdicts' object", _FIX)
    for key in ("seed", "arb_prec_bits"):
        if key in data and (type(data[key]) is not int or data[key] < 0):
            raise _bad(path, f"{key} is {data[key]!r}, not a non-negative integer")
    if data.get("seed", 0) >= 2**63:  # --seed accepts [0, 2**63): a larger seed would be a hint that cannot be followed
        raise _bad(path, f"seed is {data['seed']}, outside [0, 2**63) (the range --seed accepts)")
    for bound_id, points in data["bounds"].items():
        if not isinstance(points, dict):
            raise _bad(path, f"bounds[{bound_id!r}] is not an object")
        for key, entry in points.items():
            _check_bound_entry(entry, f"bounds[{bound_id!r}][{key!r}]", path)
    statuses = [s.value for s in Status]
    for claim_id, status in data["verdicts"].items():
        if status not in statuses:
            raise _bad(path, f"verdicts[{claim_id!r}] is {status!r}; allowed: {', '.join(statuses)}")
    return data


def check_writable(path: Path) -> None:
    """Fail before any computation if ``path`` cannot be (re)written: probe its folder with a file."""
    if path.is_dir():
        raise ApproxTheoryError(f"baseline {path} is a folder", "give a file path with --baseline")
    refuse_special_file(path, "baseline")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as err:
        raise ApproxTheoryError(f"cannot write baseline {path}: {err.strerror}",
                                "choose a writable --baseline path; nothing was computed") from None
    if path.exists() and not os.access(path, os.W_OK):
        raise ApproxTheoryError(f"cannot write baseline {path}: the file is read-only",
                                "make it writable or choose another --baseline; nothing was computed")


def write_baseline(path: Path, data: dict[str, Any]) -> None:
    """Write atomically (a temporary file in the same folder, then os.replace): never a torn baseline.

    On failure the old file is untouched and the new content is kept in a file in the system's
    temporary folder, which the error names.
    """
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    try:
        atomic_write_text(path, text)
    except OSError as err:
        fd, kept = tempfile.mkstemp(prefix="approxtheory-baseline-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        raise ApproxTheoryError(f"could not write baseline {path}: {err.strerror}; {path} is unchanged",
                                f"the new baseline was kept in {kept}") from None


# --- comparing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    kind: str  # "bound" or "verdict"
    id: str
    point: str
    baseline: str
    current: str
    change: str
    regression: bool


FAVOURABLE = ("tighter", "improved (moved the favourable way)")


def compare_enclosure(old: dict[str, str], new: dict[str, str]) -> tuple[str, bool]:
    """How a bound's certified enclosure moved, and whether that alone is a regression.

    A move counts as favourable only when it is certain: the new enclosure lies inside the old
    one, or wholly on the good side of it (an upper bound's new ``hi`` below the old ``lo``).
    """
    if old["direction"] != new["direction"]:
        return f"direction changed ({old['direction']} -> {new['direction']})", True
    olo, ohi, nlo, nhi = (Fraction(x) for x in (old["lo"], old["hi"], new["lo"], new["hi"]))
    if (olo, ohi) == (nlo, nhi):
        return "unchanged", False
    if olo <= nlo and nhi <= ohi:
        return FAVOURABLE[0], False
    upper = new["direction"] == "upper"
    if (upper and nhi < olo) or (not upper and nlo > ohi):
        return FAVOURABLE[1], False
    if nlo <= olo and ohi <= nhi:
        return "wider", True
    return "loosened" if (upper and nhi > ohi) or (not upper and nlo < olo) else "moved", True


def _show(entry: dict[str, str]) -> str:
    return f"[{entry['lo'][:14]}, {entry['hi'][:14]}]"


def compare_bounds(baseline: dict[str, Any], current: dict[str, Any], selection: Selection) -> list[Change]:
    """Differences between the selection's bound entries in a baseline and in a current measurement."""
    changes: list[Change] = []
    old_bounds = {k: v for k, v in baseline["bounds"].items() if selection.owns_bound(k)}
    for bound_id in sorted(set(old_bounds) | set(current)):
        old_points, new_points = old_bounds.get(bound_id, {}), current.get(bound_id, {})
        for key in sorted(set(old_points) | set(new_points)):
            old, new = old_points.get(key), new_points.get(key)
            if old is None:
                changes.append(Change("bound", bound_id, key, "-", _show(new), "added", False))
            elif new is None:
                changes.append(Change("bound", bound_id, key, _show(old), "-", "removed", True))
            else:
                change, bad = compare_enclosure(old, new)
                if change != "unchanged":
                    changes.append(Change("bound", bound_id, key, _show(old), _show(new), change, bad))
    return changes


def compare_verdicts(old: dict[str, str], new: dict[str, str]) -> list[Change]:
    """Differences between two verdict maps (already restricted to the claims being compared)."""
    changes: list[Change] = []
    for claim_id in sorted(set(old) | set(new)):
        before, after = old.get(claim_id), new.get(claim_id)
        if before == after:
            continue
        if before is None:
            changes.append(Change("verdict", claim_id, "", "-", str(after), "added", False))
        elif after is None:
            changes.append(Change("verdict", claim_id, "", before, "-", "removed", True))
        else:
            changes.append(Change("verdict", claim_id, "", before, after, "changed", True))
    return changes


def _still_holds(change: Change, users: list[str], old: dict[str, str], new: dict[str, str]) -> Change:
    """A favourable bound move stays an improvement only if every claim using the bound kept its verdict."""
    broken = [f"{u} ({old.get(u, 'no baseline verdict')} -> {new[u]})" for u in users if old.get(u) != new[u]]
    if broken:
        return Change(change.kind, change.id, change.point, change.baseline, change.current,
                      f"{change.change}, but its claims no longer hold: {'; '.join(broken)}", True)
    held = ", ".join(f"{u} {new[u]}" for u in users)
    return Change(change.kind, change.id, change.point, change.baseline, change.current,
                  f"{change.change}; re-verified: {held}", False)


# --- one run ----------------------------------------------------------------------------------------

Runner = Callable[[Sequence[Claim]], list[Verdict]]


@dataclass
class Result:
    """What a regress run measured and how it differs from the baseline."""

    bounds: dict[str, dict[str, dict[str, str]]]
    verdicts: dict[str, str]
    changes: list[Change] = field(default_factory=list)
    skipped_slow: list[str] = field(default_factory=list)
    reverified: list[str] = field(default_factory=list)

    @property
    def regressions(self) -> int:
        return sum(c.regression for c in self.changes)


def _skipped(selection: Selection, ran: Iterable[str], mode: Mode) -> list[str]:
    done = set(ran)
    return [c.id for c in selection.claims if c.cost == "slow" and c.id not in done] if mode == "fast" else []


def measure(selection: Selection, mode: Mode, run: Runner) -> Result:
    """Measure the selection (for ``--update``): its bounds, and the verdicts ``mode`` asks for."""
    claims = verdict_claims(selection, mode)
    verdicts = {v.claim_id: v.status.value for v in run(claims)} if claims else {}
    return Result(measure_bounds(selection.claims), verdicts, skipped_slow=_skipped(selection, verdicts, mode))


def regress(registry: Registry, selection: Selection, baseline: dict[str, Any], mode: Mode, run: Runner,
            seed: int) -> Result:
    """Compare the selection with ``baseline``; claims using a favourably moved bound are always re-verified."""
    if baseline.get("seed", seed) != seed:
        raise ApproxTheoryError(f"the baseline's verdicts were computed with seed {baseline['seed']}, not {seed}",
                                f"pass --seed {baseline['seed']}")
    bounds = measure_bounds(selection.claims)
    bound_changes = compare_bounds(baseline, bounds, selection)
    moved = {c.id for c in bound_changes if c.change in FAVOURABLE}
    users = {b_id: [c.id for c in registry if any(b.id == b_id for b in c.bounds)] for b_id in moved}
    wanted = {c.id for c in verdict_claims(selection, mode)} | {u for ids in users.values() for u in ids}
    to_run = [c for c in registry if c.id in wanted]
    verdicts = {v.claim_id: v.status.value for v in run(to_run)} if to_run else {}
    compared = set(verdicts) | (selection.removed_claims(baseline["verdicts"]) if mode != "bounds" else set())
    old = {k: v for k, v in baseline["verdicts"].items() if k in compared}
    checked = [_still_holds(c, users[c.id], baseline["verdicts"], verdicts) if c.change in FAVOURABLE else c
               for c in bound_changes]
    return Result(bounds, verdicts, checked + compare_verdicts(old, verdicts),
                  skipped_slow=_skipped(selection, verdicts, mode),
                  reverified=sorted({u for ids in users.values() for u in ids}))


def _kept_verdicts(baseline: dict[str, Any], selection: Selection, mode: Mode) -> dict[str, str]:
    """Old verdict entries an update in ``mode`` keeps: all but those it recomputes or finds removed."""
    dropped = {c.id for c in verdict_claims(selection, mode)}
    if mode != "bounds":
        dropped |= selection.removed_claims(baseline["verdicts"])
    return {k: v for k, v in baseline["verdicts"].items() if k not in dropped}


def check_update(baseline: dict[str, Any] | None, selection: Selection, mode: Mode, seed: int) -> None:
    """Refuse, before computing, an update that would mix two seeds' verdicts in one file."""
    if baseline is None or baseline.get("seed", seed) == seed or not verdict_claims(selection, mode):
        return
    if _kept_verdicts(baseline, selection, mode):
        raise ApproxTheoryError(f"the baseline's other verdicts were computed with seed {baseline['seed']}, not {seed}",
                                f"pass --seed {baseline['seed']}, or rewrite every verdict with `regress --update --all`")


def updated(baseline: dict[str, Any] | None, selection: Selection, result: Result, mode: Mode, seed: int) -> dict[str, Any]:
    """The baseline with the selection's entries replaced by ``result``; everyone else's entries kept.

    Verdicts the run did not compute (slow claims in ``fast`` mode, all of them in ``bounds``
    mode) keep their old entries; entries of claims and bounds the selection owns but that are no
    longer registered are dropped.
    """
    old = baseline or {"bounds": {}, "verdicts": {}}
    bounds = {k: v for k, v in old["bounds"].items() if not selection.owns_bound(k)}
    return {"format": BASELINE_FORMAT, "seed": seed if result.verdicts else old.get("seed", seed), "arb_prec_bits": PREC_BITS,
            "bounds": {**bounds, **result.bounds}, "verdicts": {**_kept_verdicts(old, selection, mode), **result.verdicts}}
