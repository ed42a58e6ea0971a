"""``check_uap``: is a transformer built on this attention a universal approximator? (card CLSL25 §6)

The conditions (approxtheory.conditions) are evaluated on the attention, then the card's verdict logic is
applied in order: degenerate mixing or a disconnected graph -> not_uap; a requested group not containing the
mechanism's own symmetry group -> not_uap; the FFN family fails Definition 2 -> undecided; analyticity fails
-> undecided (Theorem 2 does not apply; the two-sample evidence is attached anyway); the depth sweep ->
uap with the smallest depth, or undecided naming the failing pair. The corollaries (cor.kernel: one layer
and S_n; cor.sparse: hop-diameter layers) are cross-checked and every disagreement is reported with both
numbers. Three kinds of result are kept apart: proofs (structural not_uap), near-certificates (a pair never
separated under analyticity) and evidence (uap rests on numerical witnesses and on secondary sources).

Order of computation: the working precision and noise floor first (conditions/precision.py: every
tolerance below is derived from it), then the structural facts (dependency graph, symmetry group), then
the arithmetic conditions. Each condition runs boxed: an exception inside its numerics becomes that
condition's ``unknown`` with a one-line message, and a condition past its time budget reports what it
reached, so a proven obstruction (a disconnected graph, a symmetry outside the group) is never lost to
a failure elsewhere. ``settings`` states the precision, the tolerances, seconds per condition, and the
compile seconds and XLA compilations of the check, and the programs loaded from the persistent cache instead
(approxtheory.compile_cache).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .attention import ValidatedAttention, token_graph
from .conditions import permutations as perm
from .attention.adapters import adapt
from .attention.graph import GRAPH_DRAWS
from .conditions._draws import PARAM_NOISE, draw_params, general_position_inputs, input_rng, validated
from .conditions.analyticity import check_analyticity
from .conditions.connectivity import check_connectivity
from .conditions.distinguishability import SCALES, check_distinguishability, replay_pair
from .conditions.equivariance import (
    equivariance_condition,
    find_symmetry_group,
    group_condition,
    resolve_group,
)
from .conditions.ffn import DEFAULT_ACTIVATION, check_ffn
from .conditions.kernel_limit import check_kernel_limit
from .conditions.precision import DECIDABLE_FLOOR, Precision, measure_precision, nominal_precision
from .core import ApproxTheoryError, ConditionResult, ConditionStatus
from .numerics import COMPILE_CLOCK, x64

VERDICTS = ("uap", "not_uap", "undecided")
MAX_DEPTH_LIMIT = 8
# Sparse patterns are swept to at least hop diameter D + 1 (card §6 numerics) and on to SPARSE_DEPTH_FACTOR x D
# (at most SPARSE_DEPTH_LIMIT, never below D + 1): random draws carry a change only about 7 hops at full speed
# (w per layer) before it falls below float64 resolution (about (2w + 1)^-hops of the state), then it travels
# slower, so a window of hop diameter 16 is separated by random draws near depth 2D, not at D.
SPARSE_DEPTH_FACTOR = 3
SPARSE_DEPTH_LIMIT = 64
TIME_BUDGET = 600.0  # seconds per condition (check_uap's time_budget)
# Card ids with the provenance tags of card CLSL25 (§1: every verdict names what it relied on).
CLAIMS = {
    "CLSL25.thm1": "secondary",
    "CLSL25.thm2": "secondary",
    "CLSL25.def.affine_invariance": "secondary",
    "CLSL25.def.token_distinguishability": "secondary",
    "CLSL25.def.analytic_family": "secondary",
    "CLSL25.def.two_sample": "reconstructed",
    "CLSL25.def.sparse_pattern": "reconstructed",
    "CLSL25.def.kernel_limit": "secondary",
    "CLSL25.cor.kernel": "secondary",
    "CLSL25.cor.sparse": "secondary",
    "CLSL25.cor.fixed_depth": "secondary",
    "CLSL25 §5 case 1-3": "reconstructed",
    "CLSL25 §5 case 4": "reconstructed",
    "CLSL25 §5 case 5": "reconstructed",
    "CLSL25 §5 case 6": "reconstructed",
}


@dataclass(frozen=True)
class UapReport:
    """The verdict, the group it is about, the smallest depth, every condition, the witness and the claims used."""

    verdict: str
    category: str  # G_UAP, NOT_UAP, INCONCLUSIVE or THM2_NOT_APPLICABLE (card §5)
    reason: str
    group: dict[str, Any]
    requested_group: str
    min_attention_layers: int | None
    conditions: dict[str, ConditionResult]
    witness: dict[str, Any] | None
    claims: tuple[str, ...]
    cross_checks: tuple[dict[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md contract as a JSON-ready dict (``json.dumps`` it): verdict, group, min_attention_layers,
        conditions, witness, claims; plus category, reason, cross_checks, warnings and settings."""
        return {
            "verdict": self.verdict,
            "group": dict(self.group),
            "min_attention_layers": self.min_attention_layers,
            "conditions": {name: result.to_dict() for name, result in self.conditions.items()},
            "witness": self.witness,
            "claims": [{"id": c, "provenance": CLAIMS[c]} for c in self.claims],
            "category": self.category,
            "reason": self.reason,
            "requested_group": self.requested_group,
            "cross_checks": list(self.cross_checks),
            "warnings": list(self.warnings),
            "settings": dict(self.settings),
        }

    def human_lines(self) -> list[str]:
        """One line for the verdict, one per condition, then cross-checks and warnings."""
        depth = f", {self.min_attention_layers} attention layer(s)" if self.min_attention_layers is not None else ""
        lines = [f"verdict: {self.verdict} for {self.group['name']} (order {'' if self.group.get('exact', True) else 'at least '}{self.group['order']}){depth}: {self.reason}"]
        if "precision" in self.settings:
            lines.append(f"precision: {self.settings['precision']['summary']}")
        lines += [f"{name}: {result.status.value}: {result.explanation}" for name, result in self.conditions.items()]
        lines += [f"cross-check {c['corollary']}: {c['message']}" for c in self.cross_checks]
        lines += [f"warning: {w}" for w in self.warnings]
        return lines


def _check_settings(group: str, max_depth: Any, draws: Any, base_samples: Any, seed: Any, tolerance: Any,
                    param_noise: Any, time_budget: Any, scales: Any) -> None:
    if group not in perm.GROUP_CHOICES:
        raise ApproxTheoryError(f"unknown group {group!r}", f"choose one of {', '.join(perm.GROUP_CHOICES)}")
    for label, value, lo, hi in (("max_depth", max_depth, 1, MAX_DEPTH_LIMIT), ("draws", draws, 1, 64),
                                 ("base_samples", base_samples, 1, 16), ("seed", seed, 0, 2**63 - 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
            raise ApproxTheoryError(f"{label} = {value!r} is out of range", f"choose an integer in [{lo}, {hi}]")
    listed = list(scales) if isinstance(scales, (list, tuple, np.ndarray)) else None
    if not listed or len(listed) > 16 or not all(
            isinstance(v, (int, float, np.floating)) and not isinstance(v, bool) and math.isfinite(v) and v > 0
            for v in listed):
        raise ApproxTheoryError(f"scales = {scales!r} is not a list of 1 to 16 positive finite numbers",
                                f"e.g. scales={list(SCALES)}")
    for label, value, allow_zero in (("tolerance", tolerance, False), ("param_noise", param_noise, True),
                                     ("time_budget", time_budget, False)):
        if value is None and label == "tolerance":
            continue
        if (isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not math.isfinite(value)
                or value < 0 or (value == 0 and not allow_zero)):
            raise ApproxTheoryError(f"{label} = {value!r} is out of range",
                                    f"choose a finite number {'>= 0' if allow_zero else '> 0'}")


def _activation_name(activation: str | Callable[..., Any] | None) -> str:
    if activation is None or isinstance(activation, str):
        return activation or DEFAULT_ACTIVATION
    return getattr(activation, "__name__", type(activation).__name__)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def _boxed(name: str, fn: Callable[[], Any], budget: float, timings: dict[str, float]) -> tuple[Any, str | None]:
    """Run ``fn`` in a worker thread for at most ``budget`` seconds: (its value, None) or (None, a one-line
    reason). An ApproxTheoryError (the user's input is wrong) is re-raised: it is one clear message already."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001  (every failure of one condition is reported, not raised)
            box["error"] = exc

    started = time.perf_counter()
    worker = threading.Thread(target=run, name=f"uap-{name}", daemon=True)
    worker.start()
    worker.join(budget)
    timings[name] = round(time.perf_counter() - started, 3)
    if worker.is_alive():
        return None, f"did not finish within its time budget of {budget:g} s"
    if isinstance(box.get("error"), ApproxTheoryError):
        raise box["error"]
    if "error" in box:
        return None, f"its numerics raised {_one_line(box['error'])}"
    return box["value"], None


def _unknown(name: str, reason: str) -> ConditionResult:
    return ConditionResult(name, ConditionStatus.UNKNOWN, f"could not be decided: {reason}", {"error": reason})


def _separation_witness(va: ValidatedAttention, X: np.ndarray, Y: np.ndarray, slots: tuple[int, int],
                        max_depth: int, seed: int, draws: int, scales: Sequence[float], noise: float,
                        budget: float, timings: dict[str, float]) -> dict[str, Any]:
    """The unseparated pair of an obstruction, with the max sep the battery's draws reach at max_depth."""
    sep, failed = _boxed("witness", lambda: replay_pair(va, X=X.tolist(), Y=Y.tolist(), slots=slots, depth=max_depth,
                                                        seed=seed, draws=draws, scales=scales, noise=noise),
                         budget, timings)
    out = {"X": X.tolist(), "Y": Y.tolist(), "slots": list(slots), "depth": max_depth, "max_sep": sep,
           "keys": {"seed": seed, "draws": draws, "scales": list(scales), "noise": noise}}
    return out if failed is None else {**out, "replay_failed": failed}


def _cross_checks(conditions: dict[str, ConditionResult], group_name: str, found: int | None,
                  sparse: bool, hop: int | None) -> list[dict[str, Any]]:
    """cor.kernel (m = 1, S_n) and cor.sparse (m = hop diameter) against what the sweep found."""
    checks = []
    if conditions["kernel_limit"].status is ConditionStatus.HOLDS:
        agree = found == 1 and group_name == "S_n"
        checks.append({"corollary": "CLSL25.cor.kernel", "predicted_layers": 1, "found_layers": found,
                       "predicted_group": "S_n", "found_group": group_name, "agrees": agree,
                       "message": ("agrees: one layer, S_n" if agree else
                                   f"DISAGREES: predicts 1 layer and S_n, found {found} layer(s) and {group_name}")})
    if hop is not None and (sparse or found is not None and found < hop):
        # No depth below the hop diameter can pass: some output must see a token D hops away (card §6 step 6).
        agree = found == hop
        checks.append({"corollary": "CLSL25.cor.sparse", "predicted_layers": hop, "found_layers": found,
                       "agrees": agree,
                       "message": (f"agrees: {hop} layer(s) = hop diameter" if agree else
                                   f"DISAGREES: predicts {hop} layer(s) (hop diameter), found {found}"
                                   + (f"; no depth below {hop} can separate (proof) and the draws separated "
                                      f"every pair by {found}, so the minimal depth lies in [{hop}, {found}]"
                                      if found is not None and found > hop else ""))})
    return checks


@x64
def check_uap(attention: Any, *, n: int, d: int, group: str = "auto", max_depth: int = 3, seed: int = 0,
              draws: int = 4, scales: Sequence[float] = SCALES, base_samples: int = 2,
              activation: str | Callable[..., Any] | None = None, tolerance: float | None = None,
              param_noise: float = PARAM_NOISE, time_budget: float = TIME_BUDGET,
              **adapter_options: Any) -> UapReport:
    """Check ``attention`` (init/apply protocol) against CLSL25 at n tokens of width d for ``group``.

    ``group`` is 'auto' (the mechanism's own symmetry group), 'S_n', 'C_n', 'D_n' or 'trivial';
    ``max_depth`` bounds the depth sweep; ``draws`` parameter draws per scale in ``scales`` and
    ``base_samples`` base inputs feed the pair battery; ``activation`` names the FFN activation
    (default ReLU). ``tolerance`` overrides the separation tolerance, which is otherwise derived from the
    mechanism's measured noise floor at its working precision, like every other tolerance. The draw law is
    init's draws, with Gaussian noise of relative size ``param_noise`` on every leaf init leaves constant
    (zero biases, unit gains), times each of ``scales``: raise either to widen it. Each condition gets
    ``time_budget`` seconds. Every random choice flows from ``seed``. ``adapter_options`` (``call_kwargs``,
    ``draw``, ``draw_scale``, ``dtype``) are passed to :func:`approxtheory.attention.adapters.adapt` for a
    flax, equinox or haiku module, a factory or an ``attn(q, k, v)`` function.
    """
    start = time.perf_counter()
    compile_start, hits_start = COMPILE_CLOCK.reading(), COMPILE_CLOCK.cache_hits
    _check_settings(group, max_depth, draws, base_samples, seed, tolerance, param_noise, time_budget, scales)
    if adapter_options:
        attention = adapt(attention, **adapter_options)
    va = validated(attention, n, d, seed)
    timings: dict[str, float] = {}
    warnings = list(va.warnings)
    box = lambda name, fn: _boxed(name, fn, time_budget, timings)

    # 0. Working precision and noise floor: every tolerance below comes from it.
    precision, failed = box("precision", lambda: measure_precision(va, seed, param_noise))
    if failed is not None:
        precision = nominal_precision(va)
        warnings.append(f"the noise floor could not be measured ({failed}); tolerances use eps({precision.working})")
    assert isinstance(precision, Precision)
    if tolerance is None:
        tolerance = precision.tolerances["separation"]
    # 1. Structure: the dependency graph and the symmetry group, before anything else can fail.
    graph_params = draw_params(va, seed, "graph", GRAPH_DRAWS, noise=param_noise).layer(0)
    tg, graph_failed = box("graph", lambda: token_graph(va, seed=seed, tol=precision.tolerances["dependency"],
                                                        params=graph_params))
    requested = None if group == "auto" else perm.named_group(group, n)
    search, search_failed = box("symmetry", lambda: find_symmetry_group(
        va, n=n, d=d, seed=seed, graph=tg, requested=requested, tolerance=precision.tolerances["equivariance"]))

    conditions: dict[str, ConditionResult] = {}
    conditions["connectivity"] = (check_connectivity(tg, va.pattern) if tg is not None
                                  else _unknown("connectivity", f"the dependency graph {graph_failed}"))
    if search is not None:
        conditions["equivariance"] = equivariance_condition(search, group)
        conditions["group"] = group_condition(search, group)
        group_ok = conditions["group"].status is ConditionStatus.HOLDS
        # Sym inside the requested G: the verdict is about Sym (re-targeted if G is larger, card §6 step 2).
        target = search.group if group_ok else resolve_group(group, search)
    else:
        conditions["equivariance"] = _unknown("equivariance", f"the symmetry search {search_failed}")
        conditions["group"] = _unknown("group", f"the symmetry search {search_failed}")
        group_ok = False
        target = requested if requested is not None else perm.named_group("trivial", n)
    # 2. The arithmetic conditions, each boxed.
    for name, fn in (("ffn", lambda: check_ffn(activation, d=d, seed=seed)),
                     ("analyticity", lambda: check_analyticity(va, n=n, d=d, seed=seed, noise=param_noise,
                                                               shift_tolerance=precision.tolerances["shift"])),
                     ("kernel_limit", lambda: check_kernel_limit(va, n=n, d=d, seed=seed))):
        result, failed = box(name, fn)
        conditions[name] = result if failed is None else _unknown(name, failed)
    hop = tg.hop_diameter if tg is not None else None
    sparse = va.pattern is not None or va.meta.family == "masked" or (hop or 1) > 1
    depth = max_depth
    if sparse and hop is not None and hop + 1 > max_depth:
        # No depth below the hop diameter D can pass; the card asks for a sweep to at least D + 1, and the
        # draws may need more (SPARSE_DEPTH_FACTOR); the sweep stops at the first depth separating every pair.
        depth = max(hop + 1, min(SPARSE_DEPTH_FACTOR * hop, SPARSE_DEPTH_LIMIT), max_depth)
        warnings.append(f"max_depth raised from {max_depth} to {depth}: the hop diameter is {hop}, the card sweeps "
                        f"sparse patterns to at least D + 1 (card §6 numerics), and random draws may need up to "
                        f"{SPARSE_DEPTH_FACTOR} D to resolve a change D hops away in float64")
    # The battery stops itself shortly before the budget, so it can report the depths it reached.
    deadline = time.monotonic() + 0.9 * time_budget
    result, failed = box("distinguishability", lambda: check_distinguishability(
        va, n=n, d=d, group=target, graph=tg, max_depth=depth, seed=seed, draws=draws, scales=scales,
        base_samples=base_samples, tolerance=tolerance, noise=param_noise, deadline=deadline))
    conditions["distinguishability"] = result if failed is None else _unknown("distinguishability", failed)

    settings: dict[str, Any] = {
        "mechanism": va.name, "n": n, "d": d, "seed": seed, "max_depth": max_depth, "swept_depth": depth,
        "draws": draws, "scales": list(scales), "param_noise": param_noise, "base_samples": base_samples,
        "tolerance": tolerance, "precision": {**precision.to_dict(), "summary": precision.describe()},
        "time_budget": time_budget, "activation": _activation_name(activation)}
    group_json = (perm.describe(target, n, search.pattern_group) if search is not None
                  else perm.describe(target, n))
    common = {"group": group_json, "requested_group": group, "conditions": conditions,
              "warnings": tuple(warnings), "settings": settings}
    claims_base = ("CLSL25.thm1", "CLSL25.def.token_distinguishability")
    status = {name: r.status for name, r in conditions.items()}
    bases = general_position_inputs(input_rng(seed, "witness"), 1, n, d)[0]
    witness_pair = lambda X, Y, slots: _separation_witness(va, X, Y, slots, depth, seed, draws, scales, param_noise,
                                                           time_budget, timings)

    def finish(report: UapReport) -> UapReport:
        compile_seconds, compilations = COMPILE_CLOCK.reading()
        settings.update(seconds=round(time.perf_counter() - start, 3), condition_seconds=dict(timings),
                        compile_seconds=round(compile_seconds - compile_start[0], 3),
                        compilations=compilations - compile_start[1],
                        compile_cache_hits=COMPILE_CLOCK.cache_hits - hits_start)
        return report

    # 0. Tolerances as wide as the signal decide nothing: noise would hide edges, fake symmetries and separations.
    if not precision.decidable:
        return finish(UapReport(
            "undecided", "INCONCLUSIVE",
            f"the noise floor {precision.floor:.2g} of {va.name} at its working precision {precision.working} is above "
            f"{DECIDABLE_FLOOR:g} (in units of 1 + |g|): its tolerances (separation {precision.tolerances['separation']:.2g}, "
            f"symmetry {precision.tolerances['equivariance']:.2g}) cannot tell a real difference from rounding, so no "
            f"condition is decided; check a float32 or float64 build of the same module (e.g. flax dtype=jnp.float32)",
            min_attention_layers=None, witness=None, claims=claims_base, **common))

    # An obstruction's witness pair must be unseparated: if the draws separate it, the structure it rests on
    # (an edge the Jacobian draws missed, a symmetry accepted within tolerance) is not there, and nothing is proven.
    def contradicted(name: str, witness: dict[str, Any], claimed: str) -> bool:
        sep = witness["pair"].get("max_sep")
        if sep is None or not sep > tolerance:
            return False
        depth_seen = witness["pair"]["depth"]
        conditions[name] = _unknown(name, f"{claimed}, but its own witness pair is separated: max sep {sep:.3g} > "
                                          f"{tolerance:.3g} within depth {depth_seen}, so the obstruction is not proven "
                                          f"(numerics at the drawn parameters, e.g. a saturated softmax, hid the difference)")
        status[name] = ConditionStatus.UNKNOWN
        return True

    # 1. Degenerate mixing / disconnected graph: a proven obstruction (card §5 cases 1-3).
    if status["connectivity"] is ConditionStatus.FAILS:
        ev = conditions["connectivity"].evidence
        j, i = ev["unreachable"]["from"], ev["unreachable"]["to"]
        Y = bases.copy()
        Y[j] = input_rng(seed, "witness").standard_normal(d) + 3.0
        witness = {
            "kind": "no_mixing" if ev["no_mixing"] else "disconnected",
            "target": "F(X)[i] = sum_j x_j (equivariant under every G, not approximable)",
            "unreachable": {"from": j, "to": i},
            "pair": witness_pair(bases, Y, (i, i)),
            "note": "proof relative to the inferred graph: output i has an exactly zero Jacobian block in x_j at every draw",
        }
        if not contradicted("connectivity", witness, f"the dependency graph says token {j} never reaches output {i}"):
            return finish(UapReport("not_uap", "NOT_UAP", conditions["connectivity"].explanation,
                                    min_attention_layers=None, witness=witness,
                                    claims=(*claims_base, "CLSL25.def.sparse_pattern", "CLSL25 §5 case 1-3"), **common))
    # 2. The requested group must contain the mechanism's own symmetry group (card §5 case 6).
    if status["group"] is ConditionStatus.UNKNOWN:
        return finish(UapReport("undecided", "INCONCLUSIVE", f"symmetry group: {conditions['group'].explanation}",
                                min_attention_layers=None, witness=None, claims=claims_base, **common))
    if not group_ok:
        sigma = np.asarray(conditions["group"].evidence["sigma"])
        i = int(np.flatnonzero(sigma != np.arange(n))[0]) if np.any(sigma != np.arange(n)) else 0
        witness = {
            "kind": "symmetry_outside_group",
            "sigma": sigma.tolist(),
            "pair": witness_pair(bases, perm.act(sigma, bases), (i, int(sigma[i]))),
            "largest_group_found": search.describe(),
            "note": "Phi(sigma.X) = sigma.Phi(X) for every depth, so slots (i, sigma(i)) are never separated, "
                    "yet sigma.X is not in G.X",
        }
        if contradicted("group", witness, f"sigma = {sigma.tolist()} was accepted as a symmetry outside {group}"):
            return finish(UapReport("undecided", "INCONCLUSIVE", f"symmetry group: {conditions['group'].explanation}",
                                    min_attention_layers=None, witness=witness, claims=claims_base, **common))
        return finish(UapReport("not_uap", "NOT_UAP", conditions["group"].explanation, min_attention_layers=None,
                                witness=witness, claims=(*claims_base, "CLSL25 §5 case 6"), **common))
    # 3. The token-wise family must be nonlinear affine invariant (Definition 2).
    if status["ffn"] is not ConditionStatus.HOLDS:
        return finish(UapReport("undecided", "INCONCLUSIVE", f"FFN family: {conditions['ffn'].explanation}",
                                min_attention_layers=None, witness=None,
                                claims=(*claims_base, "CLSL25.def.affine_invariance"), **common))
    dist = conditions["distinguishability"]
    failing = dist.evidence.get("failing_pair") or dist.evidence.get("undetermined_pair")
    pair_witness = None if failing is None else {"kind": "unseparated_pair", **failing}
    # 4. Analyticity: without it Theorem 2 does not apply and the battery is evidence only.
    if status["analyticity"] is not ConditionStatus.HOLDS:
        return finish(UapReport("undecided", "THM2_NOT_APPLICABLE",
                                f"analyticity {status['analyticity'].value}: {conditions['analyticity'].explanation}; "
                                "Theorem 2 does not apply (two-sample evidence attached)",
                                min_attention_layers=None, witness=pair_witness,
                                claims=(*claims_base, "CLSL25.def.analytic_family", "CLSL25.thm2", "CLSL25 §5 case 5"),
                                **common))
    claims = (*claims_base, "CLSL25.def.affine_invariance", "CLSL25.def.analytic_family", "CLSL25.thm2",
              "CLSL25.def.two_sample")
    found = dist.evidence.get("min_depth")
    checks = _cross_checks(conditions, group_json["name"], found, sparse, hop)
    claims += tuple(c["corollary"] for c in checks)
    # 5. The depth sweep.
    if dist.status is ConditionStatus.HOLDS:
        return finish(UapReport("uap", "G_UAP",
                                f"Theorem 1's conditions hold; every adversarial pair is separated at depth {found} "
                                "(numerical witnesses, Theorem 2)", min_attention_layers=found, witness=None,
                                claims=(*claims, "CLSL25.cor.fixed_depth"), cross_checks=tuple(checks), **common))
    blind = "CLSL25 §5 case 4" if failing and failing["generator"] in ("b", "b2") else None
    return finish(UapReport("undecided", "INCONCLUSIVE",
                            f"token distinguishability {dist.status.value}: {dist.explanation}",
                            min_attention_layers=None, witness=pair_witness,
                            claims=claims + ((blind,) if blind else ()), cross_checks=tuple(checks), **common))
