"""Hypotheses of CLSL25 as predicates on a concrete attention, each returning a ConditionResult.

- ``connectivity``: strong connectivity and hop diameter of the token dependency graph;
- ``equivariance``: the mechanism's own symmetry group and its relation to a requested group;
- ``analyticity``: a jaxpr audit of (theta, X) -> g_theta(X);
- ``distinguishability``: the two-sample battery with adversarial pairs over depths;
- ``kernel_limit``: the kernel-limit criterion of CLSL25.cor.kernel (sufficient, not necessary);
- ``ffn``: nonlinear affine invariance of the token-wise family;
- ``precision`` (not a hypothesis): the working precision and measured noise floor every tolerance comes from.

``approxtheory.uap.check_uap`` combines them with the card's verdict logic.
"""

from .analyticity import check_analyticity
from .connectivity import check_connectivity, farthest_sources
from .distinguishability import check_distinguishability, replay_pair
from .equivariance import (
    SymmetrySearch,
    equivariance_condition,
    find_symmetry_group,
    group_condition,
    resolve_group,
)
from .ffn import check_ffn
from .kernel_limit import check_kernel_limit
from .precision import Precision, measure_precision
from .permutations import GROUP_CHOICES, act, missing_element, named_group

__all__ = [
    "GROUP_CHOICES",
    "Precision",
    "SymmetrySearch",
    "act",
    "check_analyticity",
    "check_connectivity",
    "check_distinguishability",
    "check_ffn",
    "check_kernel_limit",
    "equivariance_condition",
    "farthest_sources",
    "find_symmetry_group",
    "group_condition",
    "missing_element",
    "measure_precision",
    "named_group",
    "replay_pair",
    "resolve_group",
]
