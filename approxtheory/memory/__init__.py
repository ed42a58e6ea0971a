"""Memory structure of sequence targets and the 1-D kernel problems behind attention rates (WE24).

- targets: the four memory tasks as declarative objects, with support, position and normalisation predicates;
- kernels, decay: memory kernels and their decay type and rate;
- structure, readout: nesting depth and layer count; path-norm bounds of ReLU readouts;
- problems, lp, gradient, curves, shift: l1 approximation of a kernel by H heads, by LP and by gradient;
- degenerate, affine: exact constructions and exact LP certificates; least_squares: the experiments' l2 problems.
"""

from .affine import AffineMinimax, affine_minimax, prop42_target
from .bases import ENCODINGS, head_weights, nested_grid, normaliser, paper_grid, paper_grid_chebyshev
from .curves import CurvePoint, error_curve, fixed_rate_agreement, tail_slope
from .decay import DecayFit, decay_exp_condition, decay_poly_condition, fit_decay
from .degenerate import ExactFamily, family_below, lin_delta_family, log_delta_family
from .gradient import OptimiserSettings, RateBox, gradient_fit
from .kernels import Kernel, damped, delta, exponential, from_values, power, shifted_power, sum_of
from .least_squares import l2_curve, refine_l2
from .lp import Block, LPSolution, l1_fit, minimax_l1_fit
from .problems import Fit, KernelProblem
from .readout import ReluReadout, linear, relu_sum
from .shift import ShiftFit, shift_uniform_fit
from .structure import Nesting, fits_template, layers_needed, nesting_depth
from .targets import (AdaptiveTarget, EssentiallySparseTarget, FixedSparseTarget, MemoryRule, adaptive_positions_condition,
                      input_normalisation, memory_support_condition, normalise_inputs, support_by_perturbation)

__all__ = [
    "ENCODINGS", "AdaptiveTarget", "AffineMinimax", "Block", "CurvePoint", "DecayFit", "EssentiallySparseTarget",
    "ExactFamily", "Fit", "FixedSparseTarget", "Kernel", "KernelProblem", "LPSolution", "MemoryRule", "Nesting",
    "OptimiserSettings", "RateBox", "ReluReadout", "ShiftFit", "adaptive_positions_condition", "affine_minimax", "damped",
    "decay_exp_condition", "decay_poly_condition", "delta", "error_curve", "exponential", "family_below", "fit_decay",
    "fits_template", "fixed_rate_agreement", "from_values", "gradient_fit", "head_weights", "input_normalisation",
    "l1_fit", "l2_curve", "layers_needed", "lin_delta_family", "linear", "log_delta_family", "memory_support_condition",
    "minimax_l1_fit", "nested_grid", "nesting_depth", "normalise_inputs", "normaliser", "paper_grid",
    "paper_grid_chebyshev", "power", "prop42_target", "refine_l2", "relu_sum", "shift_uniform_fit", "shifted_power",
    "sum_of", "support_by_perturbation", "tail_slope",
]
