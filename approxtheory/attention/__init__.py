"""The attention layer: the user-facing protocol, loading and validating a user's attention, the zoo, token graphs.

The zoo (``approxtheory.attention.zoo``) is not imported here, so loading a user's attention
does not build it; import it explicitly.
"""

from .adapters import adapt
from .graph import (
    AutomorphismGroup,
    TokenGraph,
    automorphism_group,
    dependency_mask,
    graph_from_mask,
    hop_diameter,
    token_graph,
)
from .loader import check_attention, load_attention
from .protocol import FAMILIES, Attention, Family, Kernel, Mechanism, Metadata, Params, metadata
from .validate import (
    D_RANGE,
    N_RANGE,
    ValidatedAttention,
    batched_apply,
    check_size,
    evaluate_draws,
    finite_mask,
    sample_params,
    validate,
)

__all__ = [
    "Attention",
    "AutomorphismGroup",
    "D_RANGE",
    "FAMILIES",
    "Family",
    "Kernel",
    "Mechanism",
    "Metadata",
    "N_RANGE",
    "Params",
    "TokenGraph",
    "adapt",
    "ValidatedAttention",
    "automorphism_group",
    "batched_apply",
    "check_attention",
    "check_size",
    "dependency_mask",
    "evaluate_draws",
    "finite_mask",
    "graph_from_mask",
    "hop_diameter",
    "load_attention",
    "metadata",
    "sample_params",
    "token_graph",
    "validate",
]
