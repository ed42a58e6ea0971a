"""GYZ26 §3 region claims: the zigzag lower bound (prop.regions_lower), the abstract's exponential
growth with depth (abs.4), and the card's width-1 cap that flags the recalled MPCB14 form.

Counts are exact (rational arithmetic along the segment, approxtheory.regions), so a count for a
given network is a proof for that network; statements over all k, L are supported by instances.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from ...constructions.maxout_transformer import simulate, sizes
from ...core import ApproxTheoryError, CheckContext, Claim, Outcome, Provenance, Replay, Scope, Status, Witness, WitnessInputs
from ...networks import MaxoutNetwork
from ...networks.zigzag import ZIGZAG_GATE, zigzag_network, zigzag_value
from ...regions import segment_regions, slice_regions, transformer_segment_regions
from ...rigorous.steps import Steps
from ...author import Argued, argument_claim, ratio_search_claim
from ...search import Confirmation, RatioSearch
from .common import claim, identity, replay_network

# Card §5: zigzag regions k^L.
CARD_ZIGZAG = {(2, 3): 8, (3, 2): 9, (3, 3): 27, (4, 2): 16, (2, 5): 32}
INSTANCES = sorted(set(CARD_ZIGZAG) | {(k, L) for k in (2, 3, 4) for L in range(1, 5)})


def zigzag_facts(k: int, L: int) -> dict[str, Any]:
    """Exact region count, breakpoints, values and slopes of the zigzag net on [0, 1]."""
    r = segment_regions(zigzag_network(k, L), [0], [1])
    n = k**L
    return {
        "regions": r.regions,
        "breakpoints_are_i_over_kL": r.breakpoints == tuple(Fraction(i, n) for i in range(1, n)),
        "values_i_mod_2": all(r.value(Fraction(i, n))[0] == i % 2 for i in range(n + 1)),
        "slopes_alternate": [s[0] for s in r.slopes()] == [n if i % 2 == 0 else -n for i in range(n)],
        "matches_g_kL": all(r.value(Fraction(j, 3 * n))[0] == zigzag_value(k, L, Fraction(j, 3 * n)) for j in range(3 * n + 1)),
    }


def _argue_zigzag(steps: Steps, cells: int | None) -> Argued:
    table = {}
    for k, L in INSTANCES:
        facts = zigzag_facts(k, L)
        facts["holds"] = facts["regions"] == k**L and all(v for key, v in facts.items() if key != "regions")
        table[f"k={k},L={L}"] = facts
    checked = (f"exact rational region counts of the zigzag maxout net on [0,1] for (k, L) in {INSTANCES}: k^L regions, "
                   "breakpoints i/k^L, values i mod 2, slopes +-k^L, equal to g_{k^L} (certified for these instances)")
    card = all(table[f"k={k},L={L}"]["regions"] == v for (k, L), v in CARD_ZIGZAG.items())
    return _exact_table(steps, table, checked, {"card_fixtures_reproduced": card})


def _exact_table(steps: Steps, table: dict[str, dict[str, Any]], checked: str, extra: dict[str, Any]) -> Argued:
    """Exact counts: all as claimed is a proof for these instances; one that differs is an exact refutation."""
    for key, row in table.items():  # the claims name their instances, so an exact count per instance is the proof
        steps.exact(key, f"{row['regions']} regions and the row's other facts, exact rational arithmetic", row["holds"])
    bad = next((key for key, row in table.items() if not row["holds"]), None)
    if bad is not None:
        k, L = (int(part.split("=")[1]) for part in bad.split(","))
        steps.witness = Witness("", {"k": k, "L": L}, {key: v for key, v in table[bad].items() if key != "holds"})
    return Argued(checked, {"instances": table, **extra})


MAX_REPLAY_REGIONS = 4096  # k^L of a replayed zigzag instance


def _zigzag_instance(w: Witness) -> tuple[int, int]:
    """(k, L) of a witness: the claims are about k >= 2, L >= 1; k^L is bounded so that a replay stays quick."""
    inputs = WitnessInputs.of(w)
    k, L = inputs.integer("k", limit=MAX_REPLAY_REGIONS), inputs.integer("L", limit=64)
    inputs.require(k >= 2 and L >= 1, f"k = {k}, L = {L}: the zigzag claims are about k >= 2 and L >= 1")
    if k**L > MAX_REPLAY_REGIONS:
        raise ApproxTheoryError(f"k^L = {k}^{L} exceeds the replay limit of {MAX_REPLAY_REGIONS} regions")
    return k, L


def _replay_zigzag(w: Witness) -> Replay:
    k, L = _zigzag_instance(w)
    facts = zigzag_facts(k, L)
    wrong = facts["regions"] != k**L or not all(v for key, v in facts.items() if key != "regions")
    return Replay(wrong, facts, f"the zigzag net has {facts['regions']} regions, k^L = {k**L}")


def _transformer_row(k: int, L: int) -> dict[str, Any]:
    net = zigzag_network(k, L)
    T = simulate(net, ZIGZAG_GATE(k))
    r = transformer_segment_regions(T, [0], [1])
    return {"regions": r.regions, "activation_regions": r.activation_regions, "tokens": T.tokens,
            "heads_per_block": 2, "blocks": L, "nnz": sizes(net, "full").nnz_total,
            "holds": r.regions == k**L and T.tokens == k}


def _replay_transformer(w: Witness) -> Replay:
    row = _transformer_row(*_zigzag_instance(w))
    return Replay(not row.pop("holds"), row, f"the simulating transformer has {row['regions']} regions")


def _argue_transformer_regions(steps: Steps, cells: int | None) -> Argued:
    table = {f"k={k},L={L}": _transformer_row(k, L) for k, L in INSTANCES}
    # nnz per extra block is a constant (the block for the later layers never changes): checked, not assumed.
    per_block = {k: {table[f"k={k},L={L}"]["nnz"] - table[f"k={k},L={L - 1}"]["nnz"] for L in range(3, 5)} for k in (2, 3, 4)}
    for k, increments in per_block.items():
        for L in range(3, 5):
            table[f"k={k},L={L}"]["holds"] &= len(increments) == 1
    return _exact_table(steps, table,
                        "exact region counts of the stored hardmax transformer (k tokens, 2 heads per block, L blocks, gate "
                        "(k^2+1)/2) built from the zigzag net: k^L regions on [0,1]; nnz grows by a constant per block",
                        {"nnz_per_extra_block": {k: sorted(v) for k, v in per_block.items()}})


ZIGZAG_ID = "GYZ26.prop.regions_lower.statement.zigzag_regions"
TRANSFORMER_ID = "GYZ26.prop.regions_lower.construction.transformer_regions"


# --- the width-1 cap (card thm.maxout_regions_mpcb14 sanity flag) ----------------------------------

def width1_cap(k: int, L: int) -> int:
    return 1 + (k - 1) * (2**L - 1)


@st.composite
def _width1_inputs(draw: st.DrawFn) -> dict[str, Any]:
    k, L = draw(st.integers(2, 4)), draw(st.integers(1, 4))
    ints = st.integers(-64, 64)
    layers = [{"weight": [[[draw(ints) / 16] for _ in range(k)]], "bias": [[draw(ints) / 16 for _ in range(k)]]} for _ in range(L)]
    return {"network": {"kind": "maxout", "layers": layers, "readout": {"weight": [[1.0]], "bias": [0.0]}},
            "radius": draw(st.integers(1, 64))}


def _width1_count(e: dict[str, Any]) -> tuple[int, int]:
    net = MaxoutNetwork.from_json(e["network"], "width-1 network")
    r = segment_regions(net, [-e["radius"]], [e["radius"]])
    return r.regions, width1_cap(net.rank, net.depth)


def _width1_confirm(e: dict[str, Any]) -> Confirmation:
    count, cap = _width1_count(e)  # exact rational count: no rounding to distrust
    return Confirmation(count > cap, {"regions": str(count), "cap": str(cap)})


def _width1_decode(d: dict[str, Any]) -> dict[str, Any]:
    """A witness's network and radius, within the claim's scope: a width-1 net on R (input dimension 1, every
    width 1), on [-R, R] with R > 0."""
    inputs = WitnessInputs(d, WIDTH1_ID)
    net = replay_network(inputs)
    radius = inputs.rational("radius")
    inputs.require(net.input_dim == 1 and set(net.widths) == {1},
                   f"the network has input dimension {net.input_dim} and widths {list(net.widths)}; the cap is about "
                   "width-1 networks on R")
    inputs.require(radius > 0, f"radius = {radius}: the segment [-R, R] needs R > 0")
    return {"network": net.to_json(), "radius": radius}


WIDTH1_SEARCH: RatioSearch[dict[str, Any]] = RatioSearch(
    strategy=_width1_inputs(),
    ratio=lambda e: (lambda c: c[0] / c[1])(_width1_count(e)),
    confirm=_width1_confirm,
    encode=lambda e: e,
    decode=_width1_decode,
    label="regions / (1 + (k-1)(2^L - 1))",
)
WIDTH1_ID = "GYZ26.thm.maxout_regions_mpcb14.statement.width1_cap"


WIDTH1_EVIDENCE = {"recalled_form_at_n0_1": {f"k={k},L={L}": {"k^L": k**L, "cap": width1_cap(k, L)}
                                              for k, L in ((3, 2), (3, 3), (4, 2))}}


def _verify_abs4(ctx: CheckContext) -> Outcome:
    rows = {}
    for L in range(1, 7):
        T = simulate(zigzag_network(2, L), ZIGZAG_GATE(2))
        rows[L] = {"regions": transformer_segment_regions(T, [0], [1]).regions, "nnz": sizes(zigzag_network(2, L)).nnz_total}
    doubling = all(rows[L]["regions"] == 2 * rows[L - 1]["regions"] for L in range(2, 7))
    steps = {rows[L]["nnz"] - rows[L - 1]["nnz"] for L in range(2, 7)}
    ok = doubling and len(steps) == 1
    return Outcome(Status.SUPPORTED if ok else Status.INCONCLUSIVE, "exact",
                   "hardmax transformers (2 tokens, 2 heads per block) built from the zigzag nets: exact region counts on "
                   "[0,1] for L = 1..6 double with every block while the non-zero count grows by a constant; exponential "
                   "growth for all L rests on prop.regions_lower (instances here)",
                   {"depths": 6}, {"regions_L1": rows[1]["regions"], "regions_L6": rows[6]["regions"],
                                   "nnz_added_per_block": ", ".join(map(str, sorted(steps))),  # one value when linear
                                   "by_depth": rows, "nnz_per_block": sorted(steps)})


def _instances_claim(name: str, statement: str, argue: Callable[[Steps, int], Argued], replay: Callable[[Witness], Replay],
                     scope: str = "statement") -> Claim:
    """A prop.regions_lower claim decided by exact counts on the card's instances (one exact step each)."""
    return argument_claim("GYZ26.prop.regions_lower", name, statement, argue, replay=replay, scope=scope, method="exact",
                          budget={"instances": len(INSTANCES)},
                          **identity("GYZ26.prop.regions_lower"))


def claims() -> list[Any]:
    return [
        _instances_claim("zigzag_regions", "the zigzag maxout net has exactly k^L linear regions on [0,1], breakpoints "
                         "i/k^L (card instances)", _argue_zigzag, _replay_zigzag),
        _instances_claim("transformer_regions", "the hardmax transformer simulating the zigzag net has k^L regions with nnz "
                         "linear in L (card instances)", _argue_transformer_regions, _replay_transformer, scope="construction"),
        ratio_search_claim("GYZ26.thm.maxout_regions_mpcb14", "width1_cap",
                           "a width-1 rank-k maxout net on R has at most 1 + (k-1)(2^L - 1) linear regions", WIDTH1_SEARCH,
                           checked="searched width-1 rank-k maxout nets (k 2-4, L 1-4, weights in [-4,4] on a 1/16 grid) "
                                   "on [-R, R], R <= 64, for exact region counts above 1 + (k-1)(2^L - 1)",
                           evidence=WIDTH1_EVIDENCE, default_budget=150, **identity("GYZ26.thm.maxout_regions_mpcb14")),
        claim("GYZ26.abs.4", Scope.STATEMENT, "regions_exponential_in_depth",
              "expressivity measured by linear regions grows exponentially with depth", _verify_abs4,
              provenance=Provenance.PRIMARY),
    ]


def slice_figure(out_dir: Path, seed: int = 0) -> Path:
    """Exact linear regions of a random width-8, depth-2, rank-3 maxout net on [-2,2]^2, one colour per region."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    net = MaxoutNetwork.random(seed, 2, [8, 8], 3)
    regions = slice_regions(net, [0, 0], [1, 0], [0, 1], (-2, 2), (-2, 2))
    ids = regions.region_ids()
    colours = plt.cm.tab20(np.arange(max(ids) + 1) % 20)
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.add_collection(PolyCollection(regions.polygons_float(), facecolors=colours[ids], edgecolors="white", linewidths=0.3))
    ax.set_xlim(-2, 2)
    ax.set_ylim(-2, 2)
    ax.set_aspect("equal")
    n_regions = len(set(ids))
    ax.set_title(f"GYZ26.def.linear_regions: {n_regions} linear regions, {len(ids)} activation regions\n"
                 "(random rank-3 maxout net, widths 8-8, exact rational polygons)", fontsize=9)
    fig.tight_layout()
    path = out_dir / "GYZ26.regions_slice.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path

