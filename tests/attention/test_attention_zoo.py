"""Every zoo entry is an ordinary attention that runs cleanly, loads by its target, and carries the card's prediction."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from approxtheory.attention import Attention, Mechanism, load_attention, validate
from approxtheory.attention import expected as ex
from approxtheory.attention import kernels, patterns
from approxtheory.attention.zoo import ZOO, linformer_attention, window

NAMES = sorted(ZOO)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n, d", [(3, 2), (3, 4), (6, 2), (6, 4)])
def test_entry_runs_finite(name: str, n: int, d: int) -> None:
    mech = ZOO[name]()
    assert isinstance(mech, Attention) and isinstance(mech, Mechanism)
    va = validate(mech, n, d, seed=1)
    assert va.output.shape == (n, d) and va.output.dtype == np.float64
    assert np.isfinite(va.output).all()
    assert va.nonfinite_draws == 0, va.warnings
    assert va.zero_params is not None
    assert all(np.asarray(leaf).dtype == np.float64 for leaf in jax.tree_util.tree_leaves(va.params))


@pytest.mark.parametrize("name", NAMES)
def test_entry_loads_by_target(name: str) -> None:
    entry = ZOO[name]
    loaded = load_attention(entry.target)
    assert loaded.name == entry().name


@pytest.mark.parametrize("name", NAMES)
def test_entry_has_a_prediction(name: str) -> None:
    for n in (3, 6):
        e = ZOO[name].expected(n)
        assert e.verdict in ("uap", "not_uap", "undecided")
        assert e.cards and all(c.startswith("CLSL25") for c in e.cards)


def test_card_predictions_for_named_cases() -> None:
    n = 6
    assert ZOO["softmax"].expected(n).min_attention_layers == 1
    assert ZOO["linformer"].expected(n).group == "trivial"
    assert (ZOO["bias_cyclic"].expected(n).group_order, ZOO["bias_dihedral"].expected(n).group_order) == (6, 12)
    assert ZOO["mean"].expected(n).verdict == "undecided"
    assert {ZOO[k].expected(n).verdict for k in ("zero", "self_only", "blocks", "causal")} == {"not_uap"}
    assert {ZOO[k].expected(n).verdict for k in ("linear_elu", "linear_relu")} == {"undecided"}
    # the Longformer row of the table disagrees with the hop diameter; the prediction says so
    assert "disagrees" in ZOO["window"].expected(n).reason and ZOO["window"].expected(n).min_attention_layers == 5


@pytest.mark.parametrize("n", range(2, ex.BRUTE_FORCE_MAX_N + 1))
@pytest.mark.parametrize("w", [1, 2, 3])
def test_closed_forms_match_brute_force(n: int, w: int) -> None:
    cases = [
        (ex.window(w, wrap=True), patterns.window(n, w, wrap=True)),
        (ex.window(w, wrap=False), patterns.window(n, w, wrap=False)),
        (ex.blocks(w), patterns.blocks(n, w)),
        (ex.global_window(1, w), patterns.global_window(n, 1, w)),
    ]
    for predict, mask in cases:
        facts, e = ex.pattern_facts(mask), predict(n)
        assert e.group_order == facts.aut_order, (n, w, mask.astype(int))
        assert (e.verdict == "uap") is facts.strongly_connected
        assert e.min_attention_layers == facts.hop_diameter


def test_pattern_facts_detects_disconnection_and_symmetry() -> None:
    facts = ex.pattern_facts(patterns.causal(4))
    assert (facts.strongly_connected, facts.hop_diameter, facts.aut_order) == (False, None, 1)
    facts = ex.pattern_facts(patterns.window(5, 1, wrap=True))
    assert (facts.strongly_connected, facts.hop_diameter, facts.aut_order) == (True, 2, 10)
    assert ex.pattern_facts(np.ones((4, 4), dtype=bool)).aut_order == math.factorial(4)


def test_factories_reject_bad_parameters() -> None:
    with pytest.raises(ValueError, match="w must be >= 1"):
        window(w=0)
    with pytest.raises(ValueError, match="rank"):
        linformer_attention(rank=5).init(None, 3, 2)


@pytest.mark.parametrize(
    "kernel", [kernels.EXPONENTIAL, kernels.gaussian(0.5), kernels.performer(8, 3), kernels.polynomial(4, 0.5)]
)
def test_kernel_formula_matches_jax(kernel) -> None:
    rng = np.random.default_rng(0)
    expr, q, k = kernel.expression(3)
    for _ in range(3):
        qv, kv = rng.standard_normal(3), rng.standard_normal(3)
        exact = float(expr.subs({**dict(zip(q, qv)), **dict(zip(k, kv))}).evalf(30))
        with jax.enable_x64(True):
            value = float(kernel.fn(jnp.asarray(qv), jnp.asarray(kv)))
        assert value > 0 and value == pytest.approx(exact, rel=1e-12)
