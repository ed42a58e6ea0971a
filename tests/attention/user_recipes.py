"""Public attention recipes written the way a user writes them: flax.linen modules on unbatched (n, d) input.

A test fixture (issue #12): ``approxtheory uap tests/attention/user_recipes.py:NAME`` checks each one as a user
would bring it, in float32 by default and in float64 with ``--dtype float64``. Nothing here knows about the
toolkit: projections are ``nn.Dense`` with their zero-initialised biases, masks are built inside the call,
positions come from ``jnp.arange``. The library modules at the end are used as they come. test_real_modules.py states what the theory (card CLSL25) gives for each.
"""

import math

import equinox as eqx
import flax.linen as nn
import haiku as hk
import jax
import jax.numpy as jnp
from flax import nnx


def _qkv(x, d):
    return nn.Dense(d, name="query")(x), nn.Dense(d, name="key")(x), nn.Dense(d, name="value")(x)


def _softmax_attend(scores, v, d):
    return nn.Dense(d, name="out")(jax.nn.softmax(scores, axis=-1) @ v)


def t5_bucket(relative, num_buckets=32, max_distance=128):
    """T5's bidirectional relative-position bucket (Raffel et al. 2020, mesh-tensorflow)."""
    num_buckets //= 2
    bucket = (relative > 0).astype(jnp.int32) * num_buckets
    distance = jnp.abs(relative)
    max_exact = num_buckets // 2
    large = max_exact + (jnp.log(jnp.maximum(distance, 1) / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).astype(jnp.int32)
    return bucket + jnp.where(distance < max_exact, distance, jnp.minimum(large, num_buckets - 1))


class T5RelativeBias(nn.Module):
    """Dot-product scores plus a learned scalar per relative-position bucket (no 1/sqrt(d), as in T5)."""

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = _qkv(x, d)
        relative = jnp.arange(n)[None, :] - jnp.arange(n)[:, None]  # memory position - query position
        bias = nn.Embed(32, 1, name="relative_bias")(t5_bucket(relative))[..., 0]
        return _softmax_attend(q @ k.T + bias, v, d)


def alibi_slopes(heads):
    return jnp.array([2.0 ** (-8.0 * (h + 1) / heads) for h in range(heads)])


class BidirectionalALiBi(nn.Module):
    """Softmax attention with the symmetric ALiBi penalty -m |i - j| (two heads, Press et al. 2022)."""

    heads: int = 2

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = (t.reshape(n, self.heads, d // self.heads) for t in _qkv(x, d))
        distance = jnp.abs(jnp.arange(n)[None, :] - jnp.arange(n)[:, None])
        scores = jnp.einsum("qhc,khc->hqk", q, k) / math.sqrt(d // self.heads)
        scores = scores - alibi_slopes(self.heads)[:, None, None] * distance
        out = jnp.einsum("hqk,khc->qhc", jax.nn.softmax(scores, axis=-1), v).reshape(n, d)
        return nn.Dense(d, name="out")(out)


class CausalALiBi(nn.Module):
    """Bloom's attention: ALiBi slopes times the key position, under a causal mask."""

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = _qkv(x, d)
        position = jnp.arange(n)
        scores = q @ k.T / math.sqrt(d) + 0.5 * position[None, :]
        causal = position[None, :] <= position[:, None]
        return _softmax_attend(jnp.where(causal, scores, jnp.finfo(scores.dtype).min), v, d)


class SigmoidAttention(nn.Module):
    """sigmoid(q.k / sqrt(d) - log n) v, no normalisation over keys (Ramapuram et al. 2024)."""

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = _qkv(x, d)
        weights = jax.nn.sigmoid(q @ k.T / math.sqrt(d) - math.log(n))
        return nn.Dense(d, name="out")(weights @ v)


class CosFormer(nn.Module):
    """Linear attention with ReLU features and the cos re-weighting cos(pi/2 (i - j) / M) (Qin et al. 2022)."""

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = _qkv(x, d)
        q, k = jax.nn.relu(q), jax.nn.relu(k)
        angle = math.pi / 2 * jnp.arange(n) / n
        qc, qs = q * jnp.cos(angle)[:, None], q * jnp.sin(angle)[:, None]
        kc, ks = k * jnp.cos(angle)[:, None], k * jnp.sin(angle)[:, None]
        numerator = qc @ (kc.T @ v) + qs @ (ks.T @ v)
        denominator = qc @ kc.sum(0) + qs @ ks.sum(0)
        return nn.Dense(d, name="out")(numerator / (denominator[:, None] + 1e-6))


class ReluAttention(nn.Module):
    """relu(q.k / sqrt(d)) v / n (ReLU in place of softmax)."""

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = _qkv(x, d)
        return nn.Dense(d, name="out")(jax.nn.relu(q @ k.T / math.sqrt(d)) @ v / n)


class LinearElu(nn.Module):
    """Linear attention with the elu + 1 feature map (Katharopoulos et al. 2020; LRA 'linear_transformer')."""

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = _qkv(x, d)
        q, k = jax.nn.elu(q) + 1, jax.nn.elu(k) + 1
        return nn.Dense(d, name="out")((q @ (k.T @ v)) / (q @ k.sum(0))[:, None])


def orthogonal_features(key, m, d, dtype):
    """m random features in blocks of d orthogonal rows (QR of Gaussian blocks), Gaussian row norms (FAVOR+)."""
    blocks = [jnp.linalg.qr(jax.random.normal(k, (d, d), dtype))[0].T for k in jax.random.split(key, -(-m // d))]
    norms = jnp.linalg.norm(jax.random.normal(jax.random.fold_in(key, 1), (m, d), dtype), axis=1)
    return norms[:, None] * jnp.concatenate(blocks)[:m]


class Performer(nn.Module):
    """FAVOR+ softmax-kernel attention with positive orthogonal random features, fixed by a constant key inside
    the call (as in google-research/performer, used by the LRA 'performer')."""

    features: int = 16

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = _qkv(x, d)
        omega = orthogonal_features(jax.random.PRNGKey(0), self.features, d, x.dtype)
        q, k = q / d ** 0.25, k / d ** 0.25

        def phi(t):
            return jnp.exp(t @ omega.T - jnp.sum(t * t, -1, keepdims=True) / 2) / math.sqrt(self.features)

        qf, kf = phi(q), phi(k)
        return nn.Dense(d, name="out")((qf @ (kf.T @ v)) / (qf @ kf.sum(0))[:, None])


class Linformer(nn.Module):
    """Keys and values projected along the sequence to k rows by learned E, F of shape (k, n) (Wang et al. 2020)."""

    k: int = 2

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, key, v = _qkv(x, d)
        E = self.param("E", nn.initializers.lecun_normal(), (self.k, n), x.dtype)
        F = self.param("F", nn.initializers.lecun_normal(), (self.k, n), x.dtype)
        return _softmax_attend(q @ (E @ key).T / math.sqrt(d), F @ v, d)


class BlockLocal(nn.Module):
    """LRA's local attention: tokens attend within consecutive blocks of ``block`` tokens only."""

    block: int = 2

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = _qkv(x, d)
        blocks = jnp.arange(n) // self.block
        same = blocks[:, None] == blocks[None, :]
        return _softmax_attend(jnp.where(same, q @ k.T / math.sqrt(d), -1e9), v, d)


class SlidingWindow(nn.Module):
    """Each token attends to the tokens at most ``w`` positions away (no wrap-around)."""

    w: int = 1

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = _qkv(x, d)
        position = jnp.arange(n)
        near = jnp.abs(position[:, None] - position[None, :]) <= self.w
        return _softmax_attend(jnp.where(near, q @ k.T / math.sqrt(d), -jnp.inf), v, d)


class Longformer(nn.Module):
    """A sliding window of ``w`` plus global token 0, which attends to and is attended by every token."""

    w: int = 1

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        q, k, v = _qkv(x, d)
        position = jnp.arange(n)
        near = jnp.abs(position[:, None] - position[None, :]) <= self.w
        allowed = near | (position[:, None] == 0) | (position[None, :] == 0)
        return _softmax_attend(jnp.where(allowed, q @ k.T / math.sqrt(d), -1e9), v, d)


class DenseSynthesizer(nn.Module):
    """Random synthesizer: the attention weights softmax(R) are a learned (n, n) matrix, independent of x."""

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        R = self.param("R", nn.initializers.normal(1.0), (n, n), x.dtype)
        return _softmax_attend(R, nn.Dense(d, name="value")(x), d)


class SinkhornSorting(nn.Module):
    """Sparse Sinkhorn attention (Tay et al. 2020): blocks attend to themselves and to a soft-sorted block.

    The sort matrix is Sinkhorn-normalised from block-summary compatibilities; the keys a block sees are its
    own and the sorted ones, masked by ``sorted_mask > 0`` (a constant comparison, as in the LRA code)."""

    block: int = 2
    iterations: int = 5

    @nn.compact
    def __call__(self, x):
        n, d = x.shape
        blocks = n // self.block
        q, k, v = (t.reshape(blocks, self.block, d) for t in _qkv(x, d))
        summary = x.reshape(blocks, self.block, d).sum(1)
        log_r = nn.Dense(d, use_bias=False, name="sort")(summary) @ summary.T / d
        for _ in range(self.iterations):  # Sinkhorn in log space: rows, then columns
            log_r = log_r - jax.nn.logsumexp(log_r, axis=1, keepdims=True)
            log_r = log_r - jax.nn.logsumexp(log_r, axis=0, keepdims=True)
        sort = jnp.exp(log_r)
        keys = jnp.concatenate([k, jnp.einsum("ij,jbd->ibd", sort, k)], axis=1)
        values = jnp.concatenate([v, jnp.einsum("ij,jbd->ibd", sort, v)], axis=1)
        sorted_mask = jnp.ones((blocks, self.block, 2 * self.block))
        scores = jnp.einsum("ibd,ijd->ibj", q, keys) / math.sqrt(d)
        scores = jnp.where(sorted_mask > 0, scores, -1e9)
        out = jnp.einsum("ibj,ijd->ibd", jax.nn.softmax(scores, axis=-1), values).reshape(n, d)
        return nn.Dense(d, name="out")(out)


t5 = T5RelativeBias()
alibi = BidirectionalALiBi()
bloom_alibi = CausalALiBi()
sigmoid = SigmoidAttention()
cosformer = CosFormer()
relu = ReluAttention()
linear_elu = LinearElu()
performer = Performer()
linformer = Linformer()
local = BlockLocal()
window = SlidingWindow()
longformer = Longformer()
synthesizer = DenseSynthesizer()
sinkhorn = SinkhornSorting()


# Library modules as they come (widths inferred by flax.linen and haiku; nnx and equinox through factories).
linen_mha = nn.MultiHeadDotProductAttention(num_heads=2)
linen_self = nn.SelfAttention(num_heads=2)


class CausalSelfAttention(nn.Module):
    @nn.compact
    def __call__(self, x):
        return nn.SelfAttention(num_heads=2)(x, mask=nn.make_causal_mask(x[..., 0]))


linen_causal = CausalSelfAttention()


def nnx_mha(d, rngs):
    return nnx.MultiHeadAttention(num_heads=2, in_features=d, decode=False, rngs=rngs)


def equinox_mha(d, key):
    return eqx.nn.MultiheadAttention(num_heads=2, query_size=d, key=key)


class RotaryAttention(eqx.Module):
    attention: eqx.nn.MultiheadAttention
    rotary: eqx.nn.RotaryPositionalEmbedding

    def __call__(self, x):
        def process_heads(q, k, v):
            rotate = jax.vmap(self.rotary, in_axes=1, out_axes=1)
            return rotate(q), rotate(k), v

        return self.attention(x, x, x, process_heads=process_heads)


def equinox_rope(d, key):
    return RotaryAttention(eqx.nn.MultiheadAttention(num_heads=2, query_size=d, key=key),
                           eqx.nn.RotaryPositionalEmbedding(embedding_size=d // 2))


@hk.transform
def haiku_mha(x):
    return hk.MultiHeadAttention(num_heads=2, key_size=x.shape[-1] // 2, w_init_scale=1.0)(x, x, x)


def scaled_dot_product(q, k, v):
    return jax.nn.softmax(q @ k.T / jnp.sqrt(q.shape[-1]), axis=-1) @ v
