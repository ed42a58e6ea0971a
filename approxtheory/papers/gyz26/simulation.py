"""GYZ26 §3: transformers simulate maxout networks (prop.exact_simulation, cor.softmax_error,
prop.complexity, cor.uap, thm.cpwl), checked on the §4 construction.

Exact checks compare the piecewise-affine maps of N and T_inf along segments in rational arithmetic
(approxtheory.regions): on a 1-D input box that is the whole box. Networks use dyadic weights and a
power-of-two gate so that the stored transformer is exactly the construction (no rounding in s*b - M).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from ...constructions.gate import gate_ibp
from ...constructions.maxout_transformer import VARIANTS, beta_for_accuracy, simulate, sizes, softmax_error_bound
from ...core import CheckContext, Outcome, Replay, Scope, Status, Witness, WitnessInputs
from ...core.witness import read_real
from ...networks import MaxoutLayer, MaxoutNetwork, relu_network
from ...networks.arb_forward import maxout_arb, transformer_softmax_arb
from ...networks.transformer import apply
from ...regions import maxout_value, segment_regions, transformer_segment_regions, transformer_value
from ...rigorous import nonnegative_on_orthant
from ...rigorous.steps import Steps
from ...strategies import maxout_networks
from ...author import argument_claim, ratio_search_claim
from ...search import Confirmation, RatioSearch
from .common import claim, first_difference, identity, power_of_two_gate, random_box_point, replay_network, replay_point_in_unit_box

GRID = 64  # weights are multiples of 1/64: exact in float64 and in the construction


# --- exact simulation (construction scope) ---------------------------------------------------------

def _random_config(rng: np.random.Generator) -> dict[str, Any]:
    d = int(rng.integers(1, 4))
    depth = int(rng.integers(1, 4))
    return {"input_dim": d, "widths": [int(w) for w in rng.integers(1, 5, size=depth)], "rank": int(rng.integers(2, 5))}


def _with_ties(net: MaxoutNetwork, rng: np.random.Generator) -> MaxoutNetwork:
    """Duplicate a piece in every unit of the first layer: exact ties in the hardmax (card: must still be exact)."""
    first = net.layers[0]
    w, b = first.weight.copy(), first.bias.copy()
    w[:, -1], b[:, -1] = w[:, 0], b[:, 0]
    return net._replace(layers=(first._replace(weight=w, bias=b), *net.layers[1:]))


def exact_mismatch(net: MaxoutNetwork, M: float, variant: str, x0: list[Fraction], x1: list[Fraction]) -> Fraction | None:
    """The t on [x0, x1] where T_inf and N differ exactly, or None when their PL maps are identical."""
    T = simulate(net, M, variant)
    return first_difference(segment_regions(net, x0, x1), transformer_segment_regions(T, x0, x1))


def _verify_exact(ctx: CheckContext) -> Outcome:
    rng = np.random.default_rng(ctx.seed)
    budget = ctx.budget_or(24)
    whole_box, segments, worst = 0, 0, 0.0
    for i in range(budget):
        cfg = _random_config(rng)
        net = MaxoutNetwork.random(rng, cfg["input_dim"], cfg["widths"], cfg["rank"], grid=GRID)
        if i % 3 == 0:
            net = _with_ties(net, rng)
        variant = "full" if i % 2 == 0 else "lean"
        M = power_of_two_gate(net, -1.0, 1.0)
        d = net.input_dim
        x0, x1 = ([Fraction(-1)], [Fraction(1)]) if d == 1 else (random_box_point(rng, d), random_box_point(rng, d))
        t = exact_mismatch(net, M, variant, x0, x1)
        if t is not None:
            x = [a + t * (b - a) for a, b in zip(x0, x1)]
            witness = Witness(EXACT_ID, {"network": net.to_json(), "M": M, "variant": variant, "x": [str(v) for v in x]},
                              _exact_values(net, M, variant, x), seed=ctx.seed, note=f"network {i}")
            return Outcome(Status.REFUTED, "exact", "T_inf(x) == N(x) in rational arithmetic", {"networks": budget},
                           {"network_index": i}, witness)
        segments += 1
        whole_box += d == 1
        xs = rng.uniform(-1, 1, size=(128, d))
        worst = max(worst, float(np.max(np.abs(apply(simulate(net, M, variant), xs) - net(xs)))))
        ctx.report((i + 1) / budget)
    return Outcome(
        Status.SUPPORTED, "exact+float",
        "random dyadic maxout nets (d 1-3, depth 1-3, widths 1-4, rank 2-4, a third with tied pieces, both reset variants), "
        "gate M = IBP bound over [-1,1]^d rounded up to a power of two: the PL maps of T_inf and N compared exactly "
        "along a segment (the whole box when d = 1), and at 128 random points in float64",
        {"networks": budget, "seed": ctx.seed},
        {"exact_segments_identical": segments, "whole_box_identical_d1": whole_box, "max_float_abs_error": worst},
    )


def _exact_values(net: MaxoutNetwork, M: float, variant: str, x: list[Fraction]) -> dict[str, Any]:
    """N(x) and T_inf(x) of the construction built in exact rationals (a float64 build may round s b - M)."""
    T = simulate(net, M, variant, exact=True)
    return {"N": [str(v) for v in maxout_value(net, x)], "T_inf": [str(v) for v in transformer_value(T, x)]}


def _replay_exact(w: Witness) -> Replay:
    # The claim: with M >= M* (here: at least the rigorous IBP bound over K = [-1, 1]^d), T_inf = N on K.
    inputs = WitnessInputs.of(w)
    net = replay_network(inputs)
    M = inputs.real("M")
    variant = inputs.text("variant")
    x = replay_point_in_unit_box(inputs, "x", net)
    inputs.require(variant in VARIANTS, f"variant {variant!r} is not one of the construction's {VARIANTS}")
    gate = gate_ibp(net, -1.0, 1.0).M
    inputs.require(M >= gate, f"M = {M} is below the IBP gate {gate} over K = [-1, 1]^d: the hypothesis M >= M* is not established")
    values = _exact_values(net, M, variant, x)
    differ = values["N"] != values["T_inf"]
    return Replay(differ, values, "T_inf(x) != N(x) exactly" if differ else "T_inf(x) == N(x) exactly at this x")


EXACT_ID = "GYZ26.prop.exact_simulation.construction.hardmax_exact"


# --- softmax error (statement scope, searched) ----------------------------------------------------

SOFT_SHAPE = {"input_dim": 2, "widths": (3, 2), "rank": 3}


@st.composite
def _soft_inputs(draw: st.DrawFn) -> dict[str, Any]:
    net = draw(maxout_networks(input_dim=SOFT_SHAPE["input_dim"], widths=SOFT_SHAPE["widths"], rank=SOFT_SHAPE["rank"], grid=GRID))
    x = draw(st.lists(st.floats(-1, 1), min_size=net.input_dim, max_size=net.input_dim))
    return {"network": net.to_json(), "x": x, "beta": 10.0 ** draw(st.floats(-1, 4))}


def _soft_model(e: dict[str, Any]) -> tuple[MaxoutNetwork, Any]:
    net = MaxoutNetwork.from_json(e["network"], "search network")
    # M_safe-style gate valid for every beta at once (card cor.softmax_error hypotheses).
    return net, simulate(net, power_of_two_gate(net, -1.0, 1.0, for_softmax=True))


def _soft_ratio(e: dict[str, Any]) -> float:
    net, T = _soft_model(e)
    bound = softmax_error_bound(net, e["beta"])
    if bound == 0.0:
        return 0.0
    x = np.array([e["x"]])
    return float(np.max(np.abs(apply(T, x, e["beta"]) - net(x)))) / bound


def _soft_confirm(e: dict[str, Any]) -> Confirmation:
    net, T = _soft_model(e)
    diff = [a - b for a, b in zip(transformer_softmax_arb(T, e["x"], e["beta"]), maxout_arb(net, e["x"]))]
    bound = softmax_error_bound(net, e["beta"])  # rounded up: exceeding it exceeds the exact bound
    worst = max(diff, key=lambda v: abs(float(v.mid())))
    return Confirmation(violates=bool(abs(worst).lower() > bound),
                        observed={"T_beta_minus_N": worst.str(20), "bound_upper": repr(bound)})


def _soft_decode(d: dict[str, Any]) -> dict[str, Any]:
    """A witness's network, x in K = [-1, 1]^d and beta > 0 (the corollary's domain)."""
    inputs = WitnessInputs(d, SOFT_ID)
    net = replay_network(inputs)
    x = replay_point_in_unit_box(inputs, "x", net, read_real)
    beta = inputs.real("beta")
    inputs.require(beta > 0, f"beta = {beta}: the corollary is about beta > 0")
    return {"network": net.to_json(), "x": x, "beta": beta}


SOFT_SEARCH: RatioSearch[dict[str, Any]] = RatioSearch(
    strategy=_soft_inputs(),
    ratio=_soft_ratio,
    confirm=_soft_confirm,
    encode=lambda e: {"network": e["network"], "x": [float(v).hex() for v in e["x"]], "beta": float(e["beta"]).hex()},
    decode=_soft_decode,
    label="|T_beta - N| / bound",
    flatten=lambda e: np.array([math.log(e["beta"]), *e["x"]]),
    unflatten=lambda e, v: {**e, "beta": float(np.exp(np.clip(v[0], -5, 12))), "x": [float(np.clip(c, -1, 1)) for c in v[1:]]},
    polish_evaluations=150,
)
SOFT_ID = "GYZ26.cor.softmax_error.statement.error_bound"


SOFT_CHECKED = (f"searched dyadic maxout nets of shape d={SOFT_SHAPE['input_dim']}, widths {SOFT_SHAPE['widths']}, rank "
                f"{SOFT_SHAPE['rank']}, x in [-1,1]^2, beta in [0.1, 1e4] for ||T_beta(x) - N(x)||_inf / (||A||_inf c(k) S / "
                "beta) > 1; gate from softmax IBP; violations confirmed by an Arb forward pass")


# --- complexity -----------------------------------------------------------------------------------

def _argue_complexity_algebra(steps: Steps, cells: int | None) -> str:
    # Per block, with n = m_{l-1} >= 1, m = m_l >= 1, k >= 2 (card prop.complexity):
    # full: 2km(n+3) + 8H + 4m <= 4km(n+1) + 8H + 4m; lean: 2km(n+3) + 8n + 4m <= 9km(n+1).
    k, m, n = sp.symbols("k m n", integer=True)
    lower = {k: 2, m: 1, n: 1}
    differences = {
        "full FFN rows: 2km(n+3) <= 4km(n+1)": 4 * k * m * (n + 1) - 2 * k * m * (n + 3),
        "lean block: 2km(n+3) + 8n + 4m <= 9km(n+1)": 9 * k * m * (n + 1) - (2 * k * m * (n + 3) + 8 * n + 4 * m),
        "attention: 4m <= k m (n+1)": k * m * (n + 1) - 4 * m,
        "reset: 8n <= 4km(n+1)": 4 * k * m * (n + 1) - 8 * n,
    }
    for name, difference in differences.items():
        steps.symbolic(name, f"{difference} >= 0: shifted to the orthant, its coefficients are non-negative",
                       nonnegative_on_orthant(difference, lower))
    return ("per-block inequalities by shift-and-expand over k >= 2, m_l >= 1, m_{l-1} >= 1 (polynomials with "
            "non-negative coefficients); summing over blocks with m_l <= H gives nnz_full <= 4 P_0 + 8LH + 4 "
            "sum m_l <= 4 P_0 + 12 LH and nnz_lean <= 9 P_0")


# Card §5 size fixtures: d = 2, k = 2, widths (3, 2).
CARD_SIZES = {"full": {"H": 3, "D": 9, "ffn_widths": [24, 20], "nnz_total": 176, "P0": 34},
              "lean": {"H": 3, "D": 9, "ffn_widths": [20, 20], "nnz_total": 168, "P0": 34}}
COUNTS_ID = "GYZ26.prop.complexity.construction.nnz_counts"


def _size_report(net: MaxoutNetwork, variant: str) -> dict[str, Any]:
    got = sizes(net, variant).to_dict()
    return {key: list(v) if isinstance(v, tuple) else v for key, v in got.items()}


def _count_violation(net: MaxoutNetwork) -> dict[str, Any] | None:
    """The card's count or bound that the built weights break, if any."""
    for variant in ("full", "lean"):
        got = _size_report(net, variant)
        if got["nnz_total"] > got["bound"] or got["nnz_actual"] > got["nnz_total"]:
            return {"variant": variant, **got}
    return None


def _verify_complexity_counts(ctx: CheckContext) -> Outcome:
    fixture_net = MaxoutNetwork.random(0, 2, [3, 2], 2)
    fixtures = {}
    for variant, expected in CARD_SIZES.items():
        got = _size_report(fixture_net, variant)
        fixtures[variant] = {"holds": all(got[key] == value for key, value in expected.items()),
                             "card": expected, "built": {key: got[key] for key in expected}}
    rng = np.random.default_rng(ctx.seed)
    budget = ctx.budget_or(40)
    nets = [fixture_net] + [MaxoutNetwork.random(rng, c["input_dim"], c["widths"], c["rank"])
                            for c in (_random_config(rng) for _ in range(budget))]
    evidence: dict[str, Any] = {"card_fixtures": fixtures}
    bad_fixture = next((v for v, f in fixtures.items() if not f["holds"]), None)
    broken = None if bad_fixture else next(((n, v) for n in nets if (v := _count_violation(n)) is not None), None)
    if bad_fixture or broken:
        net, observed = (fixture_net, fixtures[bad_fixture]) if bad_fixture else broken
        witness = Witness(COUNTS_ID, {"network": net.to_json()}, observed, seed=ctx.seed)
        return Outcome(Status.REFUTED, "exact count", "non-zero counts of the built weights", {"networks": budget}, evidence, witness)
    ratios = [_size_report(n, v)["nnz_total"] / _size_report(n, v)["P0"] for n in nets[1:] for v in ("full", "lean")]
    evidence["max_nnz_over_P0"] = max(ratios)
    return Outcome(Status.SUPPORTED, "exact count",
                   "non-zeros of the built §4 weights (integer counts) equal the card's per-block formulas (checked inside "
                   "sizes()), reproduce the card's fixtures and lie under 4 P_0 + 8LH + 4 sum m_l (full) and 9 P_0 (lean), "
                   "on the fixture net and random nets",
                   {"random_networks": budget, "seed": ctx.seed}, evidence)


def _replay_counts(w: Witness) -> Replay:
    net = replay_network(WitnessInputs.of(w))
    observed = {v: _size_report(net, v) for v in ("full", "lean")}
    broken = _count_violation(net) is not None or (
        net.input_dim == 2 and net.widths == (3, 2) and net.rank == 2
        and any(any(observed[v][key] != value for key, value in CARD_SIZES[v].items()) for v in CARD_SIZES))
    return Replay(broken, observed, "counts disagree with the card" if broken else "counts agree with the card")


# --- ReLU corollary and CPWL representation (construction scope) -----------------------------------

def _segment_check(net: MaxoutNetwork, rng: np.random.Generator) -> bool:
    M = power_of_two_gate(net, -1.0, 1.0)
    d = net.input_dim
    x0, x1 = ([Fraction(-1)], [Fraction(1)]) if d == 1 else (random_box_point(rng, d), random_box_point(rng, d))
    return exact_mismatch(net, M, "full", x0, x1) is None


def _snap(a: np.ndarray) -> np.ndarray:
    return np.round(a * GRID) / GRID


def _verify_relu(ctx: CheckContext) -> Outcome:
    rng = np.random.default_rng(ctx.seed)
    budget = ctx.budget_or(12)
    exact, worst_ratio = 0, 0.0
    for _ in range(budget):
        d, widths = int(rng.integers(1, 4)), [int(w) for w in rng.integers(1, 5, size=int(rng.integers(1, 4)))]
        dims = [d, *widths]
        net = relu_network([_snap(rng.normal(size=(b, a))) for a, b in zip(dims, dims[1:])],
                           [_snap(rng.normal(size=b)) for b in widths], _snap(rng.normal(size=(1, widths[-1]))), np.zeros(1))
        if not _segment_check(net, rng):
            return Outcome(Status.INCONCLUSIVE, "exact", "ReLU net as rank 2", {"networks": budget},
                           {"reason": "an exact segment mismatch; see the hardmax_exact claim for a replayable witness"})
        exact += 1
        eps = 1e-2
        beta = beta_for_accuracy(net, eps)
        T = simulate(net, power_of_two_gate(net, -1.0, 1.0, for_softmax=True))
        xs = rng.uniform(-1, 1, size=(64, d))
        err = float(np.max(np.abs(apply(T, xs, beta) - net(xs)))) if beta > 0 else 0.0
        worst_ratio = max(worst_ratio, err / eps)
    return Outcome(
        Status.SUPPORTED, "exact+float",
        "random dyadic ReLU nets read as rank-2 maxout nets: T_inf with 2 tokens, heads = widths, blocks = depth equals "
        "the net exactly along a segment; T_beta at beta = 2||A|| S/(e eps) stays within eps = 1e-2 at 64 random points",
        {"networks": budget, "seed": ctx.seed}, {"exact_segments_identical": exact, "max_error_over_eps": worst_ratio})


def wang_sun_network(rng: np.random.Generator, d: int, terms: int) -> MaxoutNetwork:
    """f = sum_j s_j max_{i in S_j} l_i(x) with |S_j| = d+1: one maxout layer of rank d+1, readout s (card thm.cpwl)."""
    layer = MaxoutLayer(_snap(rng.normal(size=(terms, d + 1, d))), _snap(rng.normal(size=(terms, d + 1))))
    return MaxoutNetwork((layer,), rng.choice([-1.0, 1.0], size=(1, terms)), np.zeros(1))


def _verify_cpwl(ctx: CheckContext) -> Outcome:
    rng = np.random.default_rng(ctx.seed)
    budget = ctx.budget_or(12)
    for _ in range(budget):
        d, terms = int(rng.integers(1, 4)), int(rng.integers(1, 6))
        net = wang_sun_network(rng, d, terms)
        T = simulate(net, power_of_two_gate(net, -1.0, 1.0))
        assert T.tokens == d + 1 and len(T.blocks) == 1 and T.blocks[0].query.shape[0] == terms
        if not _segment_check(net, rng):
            return Outcome(Status.INCONCLUSIVE, "exact", "Wang-Sun form", {"networks": budget},
                           {"reason": "an exact segment mismatch; see the hardmax_exact claim for a replayable witness"})
    return Outcome(Status.SUPPORTED, "exact",
                   "random Wang-Sun CPWL functions (d 1-3, 1-5 terms, |S_j| = d+1, signs +-1) as one rank-(d+1) maxout "
                   "layer: T_inf with d+1 tokens, p heads and 1 block equals f exactly along a segment",
                   {"functions": budget, "seed": ctx.seed}, {"exact_segments_identical": budget})


def claims() -> list[Any]:
    return [
        claim("GYZ26.prop.exact_simulation", Scope.CONSTRUCTION, "hardmax_exact",
              "the §4 weights with a gate M >= M* give T_inf(x) = N(x) on K", _verify_exact, replay=_replay_exact,
              default_budget=24, budget_unit="networks"),
        ratio_search_claim("GYZ26.cor.softmax_error", "error_bound",
                           "sup_K ||T_beta - N||_inf <= ||A||_inf min(ln k,(k-1)/e) S / beta", SOFT_SEARCH,
                           checked=SOFT_CHECKED, default_budget=150, **identity("GYZ26.cor.softmax_error")),
        argument_claim("GYZ26.prop.complexity", "nnz_bounds",
                       "nnz_full(T) <= 4 P_0 + 8LH + 4 sum m_l <= 4 P_0 + 12LH and nnz_lean(T) <= 9 P_0",
                       _argue_complexity_algebra, budget={"method": "nonnegative_on_orthant"},
                       **identity("GYZ26.prop.complexity")),
        claim("GYZ26.prop.complexity", Scope.CONSTRUCTION, "nnz_counts",
              "the built weights have exactly the card's non-zero counts (176 full, 168 lean for d=2, k=2, widths (3,2))",
              _verify_complexity_counts, replay=_replay_counts, default_budget=40, budget_unit="networks"),
        claim("GYZ26.cor.uap", Scope.CONSTRUCTION, "relu_two_tokens",
              "a ReLU net is T_inf with 2 tokens exactly, and T_beta within eps at beta = 2||A|| S/(e eps)", _verify_relu,
              default_budget=12, budget_unit="networks"),
        claim("GYZ26.thm.cpwl", Scope.CONSTRUCTION, "wang_sun_one_block",
              "a Wang-Sun CPWL function is T_inf with d+1 tokens, p heads and one block, exactly on K", _verify_cpwl,
              default_budget=12, budget_unit="functions"),
    ]

