"""Attention modules from equinox, checked directly by `approxtheory uap` (no init/apply wrapper needed).

    approxtheory uap examples/equinox_attention.py:mha --n 4 --d 4
    approxtheory uap examples/equinox_attention.py:rope --n 4 --d 4

Both are factories make(d, key): an equinox module is constructed for fixed widths, so the checker
builds it for the d being checked, with a fresh key for every parameter draw.
"""

import equinox as eqx
import jax


def mha(d, key):
    return eqx.nn.MultiheadAttention(num_heads=2, query_size=d, key=key)


class RotaryAttention(eqx.Module):
    """Multi-head attention with rotary position embeddings on queries and keys (RoFormer)."""

    attention: eqx.nn.MultiheadAttention
    rotary: eqx.nn.RotaryPositionalEmbedding

    def __init__(self, d, key, num_heads=2):
        self.attention = eqx.nn.MultiheadAttention(num_heads=num_heads, query_size=d, key=key)
        self.rotary = eqx.nn.RotaryPositionalEmbedding(embedding_size=d // num_heads)

    def __call__(self, x):
        def process_heads(q, k, v):
            rotate = jax.vmap(self.rotary, in_axes=1, out_axes=1)  # over heads: (seq, heads, size)
            return rotate(q), rotate(k), v

        return self.attention(x, x, x, process_heads=process_heads)


def rope(d, key):
    return RotaryAttention(d, key)
