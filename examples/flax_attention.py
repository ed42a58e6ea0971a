"""Attention modules from flax, checked directly by `approxtheory uap` (no init/apply wrapper needed).

    approxtheory uap examples/flax_attention.py:mha --n 4 --d 4
    approxtheory uap examples/flax_attention.py:causal --n 4 --d 4
    approxtheory uap examples/flax_attention.py:nnx_mha --n 4 --d 4
"""

import flax.linen as nn
from flax import nnx

# flax.linen infers its widths from the input, so one module serves every d (2 heads: d must be even).
mha = nn.MultiHeadDotProductAttention(num_heads=2)


class CausalSelfAttention(nn.Module):
    """Self-attention where token i attends to tokens 0..i (a decoder layer)."""

    num_heads: int = 2

    @nn.compact
    def __call__(self, x):
        return nn.SelfAttention(num_heads=self.num_heads)(x, mask=nn.make_causal_mask(x[..., 0]))


causal = CausalSelfAttention()


def nnx_mha(d, rngs):
    """A factory: a constructed nnx module is fixed to its in_features, so build it for the d being checked."""
    return nnx.MultiHeadAttention(num_heads=2, in_features=d, decode=False, rngs=rngs)
