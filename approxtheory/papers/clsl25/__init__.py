"""CLSL25: Cheng, Lin, Shen & Li, a UAP framework for transformer-type architectures (card
cheng_lin_shen_li_2025.md). The corollaries are checked by running the UAP checker
(approxtheory.uap) on the zoo entries the card names; numerical witnesses make them `supported`
at most. Two readings of the card's secondary sources are refuted with replayable witnesses.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ...attention.zoo import ZOO
from ...author import claim
from ...core import CheckContext, Claim, Outcome, Provenance, Replay, Source, Status, Witness, WitnessInputs
from ...core.memo import per_run
from ...core.witness import read_integer, read_matrix
from ...uap import check_uap

SOURCE = Source("CLSL25", "arXiv:2506.23551v2 (NeurIPS 2025), read through secondary sources; card reconstruction",
                "card cheng_lin_shen_li_2025.md")
N, D = 6, 2  # small enough for exhaustive group search; n - 1 >= 4 exposes depth effects
CONNECTED_PATTERNS = ("window", "window_wrap", "global_window", "bigbird")  # the zoo's connected sparse patterns
#: The zoo entries each checker claim reads (the hop-diameter and Longformer claims read CONNECTED_PATTERNS).
CLAIM_ENTRIES = {"one_layer_s_n": ("softmax", "kernel_exponential", "kernel_gaussian", "performer"),
                 "trivial_group_one_layer": ("linformer",), "bias_groups": ("bias_cyclic", "bias_dihedral"),
                 "connected_patterns": CONNECTED_PATTERNS, "obstructions": ("zero", "self_only", "causal", "blocks"),
                 "undecided_cases": ("mean", "linear_relu", "linear_elu")}


@per_run(portable=True)
def zoo_report(name: str, n: int = N, d: int = D, seed: int = 0, group: str = "auto") -> dict[str, Any]:
    """check_uap on a zoo entry, once per run (core.memo): claims and the report's table share the checker's runs."""
    return check_uap(ZOO[name](), n=n, d=d, group=group, seed=seed).to_json()


def _row(name: str, seed: int, group: str = "auto") -> dict[str, Any]:
    got = zoo_report(name, seed=seed, group=group)
    want = ZOO[name].expected(N)
    return {"verdict": got["verdict"], "group": got["group"]["name"], "order": got["group"]["order"],
            "layers": got["min_attention_layers"], "expected_verdict": want.verdict, "expected_group": want.group,
            "expected_order": want.group_order, "expected_layers": want.min_attention_layers,
            "seconds": got["settings"].get("seconds")}


def _same_group(row: dict[str, Any]) -> bool:
    """Names agree, or the card's Aut(N) is whatever the checker named a group of the same order."""
    if row["expected_group"] == "Aut(N)":
        return row["expected_order"] is None or row["order"] == row["expected_order"]
    return row["group"] == row["expected_group"]


def _agrees(row: dict[str, Any], check_layers: bool) -> bool:
    return (row["verdict"] == row["expected_verdict"] and _same_group(row)
            and (row["expected_order"] is None or row["order"] == row["expected_order"])
            and (not check_layers or row["expected_layers"] is None or row["layers"] == row["expected_layers"]))


#: The claims reading the connected patterns' reports (cor.sparse, the hop-diameter and Longformer readings).
CONNECTED = "CLSL25.zoo.connected_patterns"


def _zoo_claim(card_id: str, name: str, statement: str, provenance: Provenance,
               check_layers: bool = True, group: str = "auto", shares: str = "") -> Claim:
    entries = CLAIM_ENTRIES[name]

    def verify(ctx: CheckContext) -> Outcome:
        rows = {e: _row(e, ctx.seed, group) for e in entries}
        agree = {e: _agrees(r, check_layers) for e, r in rows.items()}
        # The checker's uap is numerical evidence; not_uap rests on exact Jacobian zeros at sampled points.
        status = Status.SUPPORTED if all(agree.values()) else Status.INCONCLUSIVE
        return Outcome(status, "uap checker",
                       f"approxtheory.uap on the zoo entries {', '.join(entries)} at n={N}, d={D}, group {group}: verdict, "
                       f"group{' and smallest depth' if check_layers else ''} against the card's prediction",
                       {"n": N, "d": D, "seed": ctx.seed, "draws_per_scale": 4, "scales": [0.1, 1, 3]},
                       {"entries": rows, "agrees": agree})

    return claim(card_id, name, statement, verify, source=SOURCE, provenance=provenance, shares=shares)


# --- refutations ----------------------------------------------------------------------------------

HOP_ID = "CLSL25.cor.sparse.statement.depth_equals_hop_diameter"


def _hop_verify(ctx: CheckContext) -> Outcome:
    # cor.sparse [secondary] read as: attention-only depth D = hop diameter already distinguishes tokens.
    rows = {}
    for name in CONNECTED_PATTERNS:
        report = zoo_report(name, seed=ctx.seed)
        hop = report["conditions"]["connectivity"]["evidence"].get("hop_diameter")
        rows[name] = {"hop_diameter": hop, "min_attention_layers": report["min_attention_layers"]}
    for name, row in rows.items():
        if row["hop_diameter"] is not None and row["min_attention_layers"] is not None and row["min_attention_layers"] > row["hop_diameter"]:
            pair = _failing_pair_at(name, row["hop_diameter"], ctx.seed)
            if pair is not None:
                witness = Witness(HOP_ID, {"mechanism": ZOO[name].target, **pair}, {"max_sep": pair["max_sep"]},
                                  seed=ctx.seed, note="near-certificate: exact zero separation at every draw of an analytic family")
                return Outcome(Status.REFUTED, "uap checker",
                               f"smallest separating depth against the hop diameter on connected sparse patterns (n={N}, d={D})",
                               {"n": N, "d": D, "seed": ctx.seed}, {"patterns": rows, "refuting_pattern": name}, witness)
    return Outcome(Status.SUPPORTED, "uap checker", "smallest separating depth equals the hop diameter",
                   {"n": N, "d": D, "seed": ctx.seed}, {"patterns": rows})


def _failing_pair_at(name: str, depth: int, seed: int) -> dict[str, Any] | None:
    from ...attention import token_graph
    from ...conditions._draws import validated
    from ...conditions.distinguishability import check_distinguishability
    from ...conditions.equivariance import find_symmetry_group

    va = validated(ZOO[name](), N, D, seed)
    tg = token_graph(va, seed=seed)
    search = find_symmetry_group(va, n=N, d=D, seed=seed, graph=tg, requested=None)
    result = check_distinguishability(va, n=N, d=D, group=search.group, graph=tg, max_depth=depth, seed=seed)
    pair = result.evidence.get("failing_pair")
    if not pair or pair.get("max_sep", 1.0) > 0.0:
        return None
    return {key: pair[key] for key in ("X", "Y", "slots", "depth", "max_sep", "generator_meaning", "detail")} | {"draws": 4}


REPLAY_MAX_TOKENS, REPLAY_MAX_WIDTH, REPLAY_MAX_DRAWS = 12, 4, 16


def _rows_permutation(X: np.ndarray, Y: np.ndarray) -> np.ndarray | None:
    """The sigma with Y = sigma.X ((sigma.X)[sigma(i)] = X[i]) when X's rows are distinct and Y's are X's, else None."""
    rows = {tuple(row): i for i, row in enumerate(X)}
    if len(rows) != len(X) or sorted(map(tuple, Y)) != sorted(rows):
        return None
    sigma = np.empty(len(X), dtype=int)
    for k, row in enumerate(Y):
        sigma[rows[tuple(row)]] = k
    return sigma


def _hop_replay(w: Witness) -> Replay:
    # The claim is about the zoo's connected patterns at depth = their hop diameter: the witness names the pattern
    # (never code to import), a token pair and slots; the depth must be the pattern's own hop diameter.
    from ...attention import token_graph
    from ...conditions._draws import validated
    from ...conditions.distinguishability import replay_pair
    from ...conditions.equivariance import find_symmetry_group
    from ...conditions.precision import measure_precision

    inputs = WitnessInputs.of(w)
    mechanism = inputs.text("mechanism")
    X = read_matrix(inputs.get("X"), "witness input 'X'", limit=REPLAY_MAX_TOKENS)
    Y = read_matrix(inputs.get("Y"), "witness input 'Y'", limit=REPLAY_MAX_TOKENS)
    n, d = len(X), len(X[0])
    slots = inputs.items("slots", lambda v, where: read_integer(v, where, REPLAY_MAX_TOKENS), limit=2)
    depth, draws = inputs.integer("depth", limit=REPLAY_MAX_TOKENS), inputs.integer("draws", limit=REPLAY_MAX_DRAWS)
    names = {ZOO[name].target: name for name in CONNECTED_PATTERNS}
    inputs.require(mechanism in names, f"mechanism {mechanism!r} is not one of the claim's connected zoo patterns "
                                       f"{sorted(names)}")
    inputs.require(d <= REPLAY_MAX_WIDTH and (len(Y), len(Y[0])) == (n, d),
                   f"X is {n} x {d} and Y is {len(Y)} x {len(Y[0])}: one shape, token width at most {REPLAY_MAX_WIDTH}")
    inputs.require(len(slots) == 2 and all(0 <= v < n for v in slots), f"slots {slots} are not two token indices below {n}")
    inputs.require(draws >= 1, f"draws = {draws}: at least one parameter draw")
    seed = w.seed or 0
    attention = validated(ZOO[names[mechanism]](), n, d, seed)
    hop = token_graph(attention, seed=seed).hop_diameter
    inputs.require(depth == hop, f"depth {depth} is not the pattern's hop diameter {hop} at n = {n}: the claim is about "
                                 "depth equal to the hop diameter")
    # A pair that is one input up to a symmetry of the mechanism (Y = sigma.X, slots (i, sigma(i)), sigma in Sym;
    # sigma = identity: Y is X) is never separated at any depth: that refutes nothing (card CLSL25 §5 case 6).
    Xa, Ya = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    inputs.require(not (np.array_equal(Xa, Ya) and slots[0] == slots[1]),
                   "Y is X and the slots are one token: an input is never separated from itself, so it is no counterexample")
    sigma = _rows_permutation(Xa, Ya)
    if sigma is not None and sigma[slots[0]] == slots[1]:
        same = "Y is X" if np.array_equal(sigma, np.arange(n)) else f"Y = sigma.X with sigma = {sigma.tolist()}"
        symmetric = find_symmetry_group(attention, n=n, d=d, seed=seed).group.contains(sigma)
        inputs.require(not symmetric, f"{same} and the slots correspond, sigma is a symmetry of the mechanism: such a "
                                      "pair is never separated at any depth, so it is no counterexample")
    sep = replay_pair(attention, X=X, Y=Y, slots=slots, depth=depth, seed=seed, draws=draws)
    # Never separated means below the separation tolerance of the pattern's own measured noise floor.
    tolerance = measure_precision(attention, seed).tolerances["separation"]
    reproduced = sep is not None and sep <= tolerance
    return Replay(reproduced, {"max_sep": sep, "depth": depth, "hop_diameter": hop, "tolerance": tolerance},
                  f"slots {slots} are {'never' if reproduced else ''} separated at depth {depth}")


LONGFORMER_ID = "CLSL25.table.longformer.statement.depth_ceil_n_over_2w"


def _window_distance(n: int, w: int) -> int:
    """Hop diameter of the sliding window N(i) = {j : |j - i| <= w}: from token 0 to n-1 in steps of w."""
    return math.ceil((n - 1) / w)


def _longformer_verify(ctx: CheckContext) -> Outcome:
    # The table row [secondary, unverified] says ceil(n/(2w)) attention layers. After m layers output i depends
    # on x_j only if dist(j -> i) <= m (card def.sparse_pattern), and dist(0 -> n-1) = ceil((n-1)/w): with fewer
    # layers, changing x_0 never moves output n-1, so no depth below the diameter distinguishes tokens.
    rows = {f"n={n},w={w}": {"table": math.ceil(n / (2 * w)), "diameter": _window_distance(n, w)}
            for n in range(3, 17) for w in range(1, 4) if 2 * w < n}
    bad = {k: v for k, v in rows.items() if v["table"] < v["diameter"]}
    report = zoo_report("window", seed=ctx.seed)
    graph = report["conditions"]["connectivity"]["evidence"].get("hop_diameter")
    evidence = {"counterexamples": len(bad), "of": len(rows), "checker_hop_diameter_n6_w1": graph,
                "checker_min_layers_n6_w1": report["min_attention_layers"], "first": dict(list(bad.items())[:5])}
    if not bad:
        return Outcome(Status.SUPPORTED, "exact", "table depth against the hop diameter", {"cases": len(rows)}, evidence)
    witness = Witness(LONGFORMER_ID, {"n": 6, "w": 1}, {"table_layers": 3, "hop_diameter": _window_distance(6, 1)},
                      seed=ctx.seed, note="reachability: output n-1 cannot depend on x_0 with fewer layers than dist(0 -> n-1)")
    return Outcome(Status.REFUTED, "exact",
                   "the table's ceil(n/(2w)) layers against the exact hop diameter ceil((n-1)/w) of the sliding window "
                   "(integer arithmetic, for 3 <= n <= 16, 1 <= w <= 3), and the checker's Jacobian graph at n=6, w=1",
                   {"cases": len(rows)}, evidence, witness)


def _longformer_replay(w: Witness) -> Replay:
    from ...attention import token_graph
    from ...attention.zoo import window
    from ...conditions._draws import validated

    # The table row: a sliding window of width w on n tokens with 2w < n (a wider window covers every token).
    inputs = WitnessInputs.of(w)
    n, width = inputs.integer("n", limit=32), inputs.integer("w", limit=32)
    inputs.require(width >= 1 and 2 * width < n, f"n = {n}, w = {width}: the table row is about 1 <= w and 2w < n")
    table, diameter = math.ceil(n / (2 * width)), _window_distance(n, width)
    measured = token_graph(validated(window(w=width), n, D, 0)).hop_diameter
    return Replay(table < diameter and measured == diameter, {"table_layers": table, "hop_diameter": diameter,
                                                              "measured_hop_diameter": measured},
                  "the table's depth is below the hop diameter" if table < diameter else "no contradiction")


def claims() -> list[Claim]:
    S, R = Provenance.SECONDARY, Provenance.RECONSTRUCTED
    return [
        _zoo_claim("CLSL25.cor.kernel", "one_layer_s_n", "softmax, exponential, Gaussian and Performer kernel attention: S_n-UAP with one attention layer",
                   S),
        _zoo_claim("CLSL25.cor.linformer", "trivial_group_one_layer", "Linformer: UAP for the trivial group with one attention layer",
                   S),
        _zoo_claim("CLSL25.cor.symmetric", "bias_groups", "softmax with a (j-i) mod n bias is C_n-UAP; with a cyclic-distance bias D_n-UAP",
                   S, check_layers=False),
        _zoo_claim("CLSL25.cor.sparse", "connected_patterns", "sparse softmax with a connected pattern is Aut(N)-UAP",
                   S, check_layers=False, shares=CONNECTED),
        _zoo_claim("CLSL25.neg", "obstructions", "no mixing, self-only or disconnected patterns are not UAP (card §5 cases 1-3)",
                   R),
        _zoo_claim("CLSL25.neg", "undecided_cases", "content-blind mean attention and non-analytic linear attention stay undecided (card §5 cases 4-5)",
                   R),
        claim("CLSL25.cor.sparse", "depth_equals_hop_diameter",
              "attention-only depth equal to the hop diameter distinguishes tokens on connected patterns", _hop_verify,
              source=SOURCE, provenance=R, replay=_hop_replay, shares=CONNECTED),
        claim("CLSL25.table.longformer", "depth_ceil_n_over_2w",
              "a sliding window of width w needs ceil(n/(2w)) attention layers (corollary table row)", _longformer_verify,
              source=SOURCE, provenance=S, replay=_longformer_replay, shares=CONNECTED),
    ]


def tables() -> list[tuple[str, str]]:
    """The zoo at n=6, d=2: the checker's verdict, group and depth next to the card's prediction."""
    lines = ["| mechanism | verdict | group (order) | layers | card predicts |", "|---|---|---|---|---|"]
    for name in ZOO:
        r = _row(name, 0)
        mark = "" if _agrees(r, True) else " (differs)"
        lines.append(f"| `{name}` | {r['verdict']} | {r['group']} ({r['order']}) | {r['layers'] if r['layers'] is not None else '-'} | "
                     f"{r['expected_verdict']}, {r['expected_group']}, {r['expected_layers'] if r['expected_layers'] is not None else '-'}{mark} |")
    return [("UAP summary of the attention zoo (CLSL25, n=6, d=2, seed 0)", "\n".join(lines))]


def report_work() -> list[Callable[[], object]]:
    """The zoo reports only the table reads (no claim does), for a parallel report to compute beside the claims."""
    read = {entry for entries in CLAIM_ENTRIES.values() for entry in entries}
    return [functools.partial(zoo_report, name) for name in ZOO if name not in read]


def figures(out_dir: Path) -> list[Path]:
    return []



