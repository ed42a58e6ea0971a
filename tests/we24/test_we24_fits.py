"""The two computations of the 1-D kernel problems: LP (HiGHS) and gradient optimisation (JAX)."""

from __future__ import annotations

import numpy as np
import pytest

from approxtheory.core import ApproxTheoryError
from approxtheory.memory import gradient, kernels
from approxtheory.memory.bases import nested_grid
from approxtheory.memory.curves import error_curve, fixed_rate_agreement, tail_slope
from approxtheory.memory.lp import Block, l1_fit, minimax_l1_fit
from approxtheory.memory.problems import Fit, KernelProblem
from approxtheory.memory.shift import shift_uniform_fit


def test_lp_known_optima() -> None:
    # a kernel in the span is fitted exactly; a delta by one exponential head cannot beat alpha = 0 (error 1)
    p = KernelProblem(kernels.exponential(0.7), "lin", 120)
    assert p.fit(np.array([0.7, 2.0])).error < 1e-10
    d = KernelProblem(kernels.delta(3), "lin", 120)
    for rate in (0.05, 0.3, 1.0, 3.0):
        fit = d.fit(np.array([rate]))
        assert fit.error == pytest.approx(1.0, abs=1e-9)


def test_dual_and_primal_formulations_agree() -> None:
    rng = np.random.default_rng(1)
    B = rng.normal(size=(40, 5))
    kappa = rng.normal(size=40)
    tail = rng.uniform(0, 0.1, size=5)
    dual = l1_fit(kappa, B, tail)
    primal = minimax_l1_fit([Block(kappa, B, tail)])
    assert dual.formulation == "dual" and primal.formulation == "primal"
    assert dual.objective == pytest.approx(primal.objective, rel=1e-7)
    assert dual.objective == pytest.approx(dual.solver_value, rel=1e-7)
    # optimality: no random perturbation of the coefficients does better
    block = Block(kappa, B, tail)
    assert all(block.error(dual.coefficients + 1e-3 * rng.normal(size=5)) >= dual.objective - 1e-9 for _ in range(50))


def test_lp_rejects_bad_shapes() -> None:
    with pytest.raises(ApproxTheoryError, match="shape"):
        l1_fit(np.zeros(3), np.zeros((4, 2)), np.zeros(2))
    with pytest.raises(ApproxTheoryError, match="non-finite"):
        l1_fit(np.zeros(2), np.array([[np.inf], [1.0]]), np.zeros(1))


def test_problem_validation() -> None:
    with pytest.raises(ApproxTheoryError, match="beyond the window"):
        KernelProblem(kernels.delta(50), "lin", 20)
    with pytest.raises(ApproxTheoryError, match="finite"):
        KernelProblem(kernels.power(2), "log", 20, loss="l2")
    p = KernelProblem(kernels.power(2), "log", 20)
    assert p.first == 1  # log heads never see the current token
    with pytest.raises(ApproxTheoryError, match="one coefficient per rate"):
        p.error(np.zeros(2), np.array([2.0]))


def test_gradient_agrees_with_lp_at_fixed_rates() -> None:
    # where both apply (fixed rates: a convex problem) the two computations agree
    for problem, rates in ((KernelProblem(kernels.damped(0.05), "lin", 200), np.array([0.05, 0.2, 1.0, 3.0])),
                           (KernelProblem(kernels.shifted_power(3.0), "log", 200), np.array([2.0, 3.0, 5.0, 9.0]))):
        result = fixed_rate_agreement(problem, rates, pad_to=4)
        assert result["relative_gap"] <= 1e-4, result


def test_gradient_improves_and_compiles_once() -> None:
    problem = KernelProblem(kernels.damped(0.1), "lin", 150)
    box = gradient.RateBox(0.01, 5.0)
    before = gradient.TRACES.count
    fits = []
    for H in (2, 3):
        start = problem.fit(nested_grid(H, box.lo, box.hi))
        moved = gradient.gradient_fit(problem, start, box, gradient.OptimiserSettings(steps=200, newton_steps=5), pad_to=3)
        assert moved.error <= start.error
        assert problem.fit(moved.rates).error <= moved.error * (1 + 1e-6)  # the LP at the same rates is optimal in alpha
        fits.append(moved)
    assert fits[0].error > 2 * fits[1].error
    assert gradient.TRACES.count - before <= 1  # one padded shape, one compilation


def test_gradient_recovers_an_exact_head() -> None:
    problem = KernelProblem(kernels.exponential(0.7), "lin", 100)
    start = problem.fit(np.array([0.4]))
    moved = gradient.gradient_fit(problem, start, gradient.RateBox(0.1, 3.0), gradient.OptimiserSettings(steps=300, newton_steps=5))
    assert start.error > 0.1 and moved.error < 1e-6
    assert moved.rates[0] == pytest.approx(0.7, rel=1e-4)


def test_gradient_bad_input() -> None:
    problem = KernelProblem(kernels.damped(0.1), "lin", 50)
    start = problem.fit(np.array([0.5]))
    with pytest.raises(ApproxTheoryError, match="box"):
        gradient.gradient_fit(problem, start, gradient.RateBox(1.0, 2.0))
    with pytest.raises(ApproxTheoryError, match="steps"):
        gradient.gradient_fit(problem, start, gradient.RateBox(0.1, 2.0), gradient.OptimiserSettings(steps=0))
    with pytest.raises(ApproxTheoryError, match="pad_to"):
        gradient.gradient_fit(problem, start, gradient.RateBox(0.1, 2.0), pad_to=0)
    other = KernelProblem(kernels.damped(0.2), "lin", 50).fit(np.array([0.5]))
    with pytest.raises(ApproxTheoryError, match="different kernel problem"):
        gradient.gradient_fit(problem, other, gradient.RateBox(0.1, 2.0))


def test_error_curve_columns() -> None:
    problem = KernelProblem(kernels.damped(0.1), "lin", 150)
    points = error_curve(problem, [1, 2, 3], gradient.RateBox(0.01, 5.0), gradient.OptimiserSettings(steps=200, newton_steps=5))
    grid = [p.grid.error for p in points]
    best = [p.best.error for p in points]
    assert all(b <= g for b, g in zip(best, grid))
    assert all(x >= y for x, y in zip(best, best[1:]))  # more heads never hurt
    assert all(x >= y - 1e-12 for x, y in zip(grid, grid[1:]))  # nested grids: the LP column is monotone too
    assert set(points[0].to_dict()) >= {"H", "lp_grid_error", "gradient_error", "lp_at_gradient_rates_error"}


def test_tail_slope() -> None:
    heads = [1, 2, 4, 8]
    assert tail_slope(heads, [1.0 / h**3 for h in heads]) == pytest.approx(-3.0)
    assert tail_slope(heads, [1.0, 1e-12, 1e-13, 1e-14]) is None


def test_lin_shift_problem_is_the_delta_T_problem() -> None:
    # card §4.3 [fixture]: the worst shift is B = T and equals delta_T with rescaled alpha
    rates = nested_grid(6, 0.05, 5.0)
    shift = shift_uniform_fit("lin", 3, rates, 80)
    assert all(x <= y + 1e-12 for x, y in zip(shift.block_errors, shift.block_errors[1:]))
    assert shift.error == pytest.approx(KernelProblem(kernels.delta(3), "lin", 80).fit(rates).error, rel=1e-6, abs=1e-9)
    log = shift_uniform_fit("log", 2, nested_grid(8, 1.5, 40.0), 300)
    assert log.error < 1e-3 and len(log.block_errors) == 2
    with pytest.raises(ApproxTheoryError):
        shift_uniform_fit("log", 3, rates + 1.0, 4)


def test_fit_serialises() -> None:
    fit = KernelProblem(kernels.exponential(1.0), "lin", 30).fit(np.array([1.0]))
    d = fit.to_dict()
    assert d["heads"] == 1 and isinstance(d["rates"][0], float) and d["error"] < 1e-9
    assert isinstance(fit, Fit) and fit.kernel_values().shape == (31,)
