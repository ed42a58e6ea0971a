"""Issue 12's user-written recipes (tests/attention/user_recipes.py) through the conditions they once broke."""

from __future__ import annotations

import pytest

pytest.importorskip("flax.linen")
pytest.importorskip("equinox")
pytest.importorskip("haiku")

from pathlib import Path  # noqa: E402

from approxtheory.attention import load_attention  # noqa: E402
from approxtheory.conditions.analyticity import check_analyticity  # noqa: E402

RECIPES = Path(__file__).with_name("user_recipes.py")  # loaded as a user's `uap path.py:NAME` target is


def test_sinkhorn_with_logsumexp_normalisation_is_analytic_in_float32() -> None:
    # Log-space Sinkhorn normalises with jax.nn.logsumexp, whose max-shift is added back (m + log sum e^(x-m)),
    # and masks with the constant comparison sorted_mask > 0: both leave the map analytic (CLSL25.def.analytic_family).
    # It was rejected at the `reduce_max` and then at `abs` (|sum exp|, positive by structure).
    r = check_analyticity(load_attention(f"{RECIPES}:sinkhorn"), n=8, d=4)
    assert r.status.value == "holds", r.explanation
    assert len(r.evidence["softmax_shifts"]) >= 10  # 5 Sinkhorn rounds x rows and columns, and the softmax
    assert r.evidence["shift_cancellation_error"] <= r.evidence["shift_tolerance"]


def test_cosformer_relu_stays_non_analytic() -> None:
    # cosFormer's ReLU feature map is not analytic at 0: accepting logsumexp must not accept a max that stays in the value.
    r = check_analyticity(load_attention(f"{RECIPES}:cosformer"), n=4, d=4)
    assert r.status.value == "fails", r.explanation
