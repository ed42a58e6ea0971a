"""The WE24 benchmark module in quick mode: numbers present and consistent, disagreement fails loudly."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_we24, harness  # noqa: E402


@pytest.mark.parametrize("name", ["we24_lp_dual_vs_primal", "we24_gradient_vs_lbfgs"])
def test_quick_benchmark(name: str) -> None:
    result = harness.run_benchmark(name, harness.Config(quick=True)).to_dict()
    assert set(result) == set(harness.RESULT_KEYS)
    assert result["unit"] == "s" and math.isfinite(result["ratio"]) and result["ratio"] > 0
    cases = result["details"]["cases"]
    assert cases and all(c["relative_gap"] >= 0 for c in cases)
    if name == "we24_lp_dual_vs_primal":
        assert all(abs(c["dual_error_recomputed"] - c["primal_error_recomputed"])
                   <= bench_we24.LP_RTOL * c["primal_error_recomputed"] + bench_we24.LP_ATOL for c in cases)
    else:
        assert all(c["jax_error_after_lp"] <= c["start_error"] + 1e-12 for c in cases)


def test_lp_benchmark_fails_on_a_wrong_reference(monkeypatch) -> None:
    original = bench_we24.primal_l1
    monkeypatch.setattr(bench_we24, "primal_l1", lambda k, b, t: (original(k, b, t)[0] * 1.01 + 1e-3, 0.0))
    with pytest.raises(bench_we24.AgreementError):
        harness.run_benchmark("we24_lp_dual_vs_primal", harness.Config(quick=True))
