"""check_uap on attention modules from flax.linen, flax.nnx, equinox and haiku, used directly, in float32 and float64.

Every expected verdict, group order and depth is derived from the theory (card CLSL25) in the comment
of its case; n = 4 tokens, so S_n has order 4! = 24. The float32 cases need the precision-aware
conditions (working precision, dtype-aware draws and tolerances; issue #12 items 1-2).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import pytest

from approxtheory.attention import load_attention
from approxtheory.attention.adapters import adapt, causal
from approxtheory.uap import check_uap

nn = pytest.importorskip("flax.linen")
nnx = pytest.importorskip("flax.nnx")
eqx = pytest.importorskip("equinox")
hk = pytest.importorskip("haiku")

N, D = 4, 4
S_N = 24  # |S_4|
DTYPES = ("float32", "float64")
SETTINGS = {"max_depth": 2, "draws": 2, "base_samples": 1}  # depth 1 is expected wherever uap is


@dataclass(frozen=True)
class Case:
    """A module as a user brings it, with the verdict, order and depth the theory gives."""

    build: Callable[[Any], Any]  # dtype -> the object handed to adapt
    verdict: str
    order: int
    depth: int | None
    options: dict[str, Any] = field(default_factory=dict)


def _linen_mha(dtype: Any) -> Any:
    return nn.MultiHeadDotProductAttention(num_heads=2, param_dtype=dtype, dtype=dtype)


def _nnx_mha(dtype: Any) -> Any:
    def make(d: int, rngs: Any) -> Any:
        return nnx.MultiHeadAttention(num_heads=2, in_features=d, decode=False, param_dtype=dtype, dtype=dtype,
                                      rngs=rngs)
    return make


def _eqx_mha(dtype: Any) -> Any:
    def make(d: int, key: jax.Array) -> Any:
        return eqx.nn.MultiheadAttention(num_heads=2, query_size=d, dtype=dtype, key=key)
    return make


class _Rotary(eqx.Module):
    attention: Any
    rotary: Any

    def __call__(self, x: jax.Array) -> jax.Array:
        def process_heads(q: jax.Array, k: jax.Array, v: jax.Array) -> tuple[jax.Array, ...]:
            rotate = jax.vmap(self.rotary, in_axes=1, out_axes=1)
            return rotate(q), rotate(k), v
        return self.attention(x, x, x, process_heads=process_heads)


def _eqx_rope(dtype: Any) -> Any:
    def make(d: int, key: jax.Array) -> Any:
        return _Rotary(eqx.nn.MultiheadAttention(num_heads=2, query_size=d, dtype=dtype, key=key),
                       eqx.nn.RotaryPositionalEmbedding(embedding_size=d // 2, dtype=dtype))
    return make


def _haiku_mha(dtype: Any) -> Any:
    def forward(x: jax.Array) -> jax.Array:
        return hk.MultiHeadAttention(num_heads=2, key_size=x.shape[-1] // 2, w_init_scale=1.0)(x, x, x)
    return hk.transform(forward)


def _softmax_function(dtype: Any) -> Any:
    def attn(q: jax.Array, k: jax.Array, v: jax.Array) -> jax.Array:
        return jax.nn.softmax(q @ k.T / jnp.sqrt(q.shape[-1]), axis=-1) @ v
    return attn


class _Residual(nn.Module):
    dtype: Any

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        return x + nn.MultiHeadDotProductAttention(num_heads=2, param_dtype=self.dtype, dtype=self.dtype)(x)


CASES = {
    # Softmax self-attention without mask or positions: scores q_i.k_j and the row softmax are permuted
    # together, g(PX) = P g(X) for every P, so Sym = S_n (order n! = 24); every softmax weight is positive, so
    # the dependency graph is complete (hop diameter 1); exp and rational maps are analytic; softmax attention
    # separates every adversarial pair in one layer (CLSL25.cor.kernel: m = 1 for S_n). Verdict uap, depth 1.
    "linen_mha": Case(_linen_mha, "uap", S_N, 1),
    # The same mechanism in flax.nnx (a factory: a constructed nnx module is fixed to in_features).
    "nnx_mha": Case(_nnx_mha, "uap", S_N, 1),
    # The same mechanism in equinox, called as mha(x, x, x).
    "equinox_mha": Case(_eqx_mha, "uap", S_N, 1),
    # The same mechanism in haiku (hk.transform), with the dtype option giving haiku's input dtype.
    "haiku_mha": Case(_haiku_mha, "uap", S_N, 1),
    # A plain attn(q, k, v): softmax(q k^T / sqrt(d)) v with the toolkit's projections: the same mechanism.
    "function": Case(_softmax_function, "uap", S_N, 1),
    # A causal mask: output 0 sees token 0 only, so token 1 never reaches output 0: the dependency graph is not
    # strongly connected, a proven obstruction (CLSL25 §5 case 3): not_uap. A permutation commuting with the
    # layer must preserve the order of tokens (i attends to j iff j <= i), so only the identity does: order 1.
    "linen_causal": Case(_linen_mha, "not_uap", 1, None, {"call_kwargs": {"mask": causal}}),
    # Rotary embeddings: the score of (i, j) depends on i - j through a rotation R((j - i) theta); a permutation
    # keeps every difference only if it is the identity (no wrap-around; a reflection flips the signs, and R(t)
    # != R(-t)), so Sym is trivial (order 1). The graph stays complete, sin/cos of fixed positions are
    # constants (analytic), and positions tell the tokens apart in one layer: uap for the trivial group, depth 1.
    "equinox_rope": Case(_eqx_rope, "uap", 1, 1),
    # A module returning X + g(X): the residual is detected and stripped, then it is the linen MHA above.
    "linen_residual": Case(lambda dtype: _Residual(dtype), "uap", S_N, 1),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_real_module_gets_the_theorys_verdict(name: str, dtype: str) -> None:
    case = CASES[name]
    dtype_obj = jnp.dtype(dtype)
    # dtype as the option, as `--dtype` on the command line: haiku and plain functions compute in the input's
    # dtype, and a factory's modules are built in it.
    attention = adapt(case.build(dtype_obj), name=name, dtype=dtype, **case.options)
    report = check_uap(attention, n=N, d=D, seed=0, **SETTINGS).to_json()
    summary = (report["verdict"], report["group"]["order"], report["min_attention_layers"])
    assert summary == (case.verdict, case.order, case.depth), report["reason"]
    assert any(f"in {dtype}" in w for w in report["warnings"]), report["warnings"]  # computed in its own dtype
    if name == "linen_residual":
        assert any("returns X + g(X)" in w for w in report["warnings"])
        assert not any("declare zero_params" in w for w in report["warnings"])


class _Scaled(nn.Module):
    """Softmax attention (float64) whose output is multiplied by a constant: the same dependency graph."""

    scale: float

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        return self.scale * nn.MultiHeadDotProductAttention(num_heads=2, param_dtype=jnp.float64, dtype=jnp.float64)(x)


@pytest.mark.parametrize("scale", [1e-12, 1e12])
def test_scaled_module_keeps_its_graph(scale: float) -> None:
    # Scaling the output by c != 0 changes no Jacobian block from nonzero to zero: the graph stays complete.
    report = check_uap(adapt(_Scaled(scale)), n=N, d=D, seed=0, **SETTINGS).to_json()
    assert report["conditions"]["connectivity"]["status"] == "holds", report["conditions"]["connectivity"]


@pytest.mark.parametrize(("target", "order"), [
    ("examples/flax_attention.py:mha", S_N),  # MHA: S_n (as linen_mha above)
    ("examples/equinox_attention.py:rope", 1),  # RoPE: trivial (as equinox_rope above)
])
def test_examples_as_the_readme_runs_them(target: str, order: int) -> None:
    report = check_uap(load_attention(target), n=N, d=D, seed=0, **SETTINGS).to_json()
    assert (report["verdict"], report["group"]["order"], report["min_attention_layers"]) == ("uap", order, 1)


def test_bfloat16_parameters_computed_in_float32_are_checked_at_float32() -> None:
    # param_dtype=bfloat16, dtype=float32: flax widens the parameters (exact) and computes in float32, so the
    # working precision is float32 and the module is the linen_mha case above: uap, S_n, depth 1. Before, the
    # input was rounded to bfloat16 and the bfloat16 floor gave tolerances above 1: a false not_uap.
    module = nn.MultiHeadDotProductAttention(num_heads=2, param_dtype=jnp.bfloat16, dtype=jnp.float32)
    report = check_uap(adapt(module), n=N, d=D, seed=0, **SETTINGS).to_json()
    assert (report["verdict"], report["group"]["order"], report["min_attention_layers"]) == ("uap", S_N, 1), report["reason"]
    assert report["settings"]["precision"]["working"] == "float32"


def test_bfloat16_arithmetic_is_too_coarse_to_decide_anything() -> None:
    # dtype=bfloat16: the arithmetic rounds at eps 2^-8, the measured floor is ~1e-2 of 1 + |g|, so the margins
    # give tolerances above 1: no edge, symmetry or separation can be told from noise. Undecided, saying so.
    module = nn.MultiHeadDotProductAttention(num_heads=2, dtype=jnp.bfloat16)
    report = check_uap(adapt(module), n=N, d=D, seed=0, **SETTINGS).to_json()
    assert report["verdict"] == "undecided" and not report["settings"]["precision"]["decidable"]
    assert "bfloat16" in report["reason"] and "float32" in report["reason"], report["reason"]


def test_an_obstruction_whose_own_witness_is_separated_is_not_claimed() -> None:
    # Softmax attention with parameters drawn 30x wider: at d = 2 the scores saturate, some softmax weights
    # underflow and the Jacobian draws miss an edge, but every softmax weight is positive, so the graph is
    # complete (S_n-invariant with an edge off the diagonal). The disconnected-graph witness pair is then
    # separated by the draws themselves, so no obstruction may be claimed (it was a false not_uap).
    module = nn.MultiHeadDotProductAttention(num_heads=1)
    report = check_uap(adapt(module, draw_scale=30.0), n=8, d=2, seed=0, max_depth=1, draws=2, base_samples=1).to_json()
    assert report["verdict"] != "not_uap", report["reason"]
    connectivity = report["conditions"]["connectivity"]
    assert connectivity["status"] in ("holds", "unknown"), connectivity
    if connectivity["status"] == "unknown":
        assert "own witness pair is separated" in connectivity["explanation"]


class _CyclicBias(nn.Module):
    """Single-head softmax attention plus a learned bias b[(j - i) mod n]: the rotations commute with it, so
    Sym = C_n (order n), the graph is complete and the family is analytic (card CLSL25)."""

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        n, d = x.shape
        pos = jnp.arange(n)
        table = self.param("rel", nn.initializers.normal(1.0), (2 * n,), jnp.float32)  # one entry per offset, n used
        bias = table[(pos[None, :] - pos[:, None]) % n]
        q, k, v = (nn.Dense(d, param_dtype=jnp.float32, name=name)(x) for name in "qkv")
        w = jax.nn.softmax(q @ k.T / math.sqrt(d) + bias, axis=-1)
        return nn.Dense(d, param_dtype=jnp.float32, name="o")(w @ v)


def test_a_widened_draw_law_does_not_break_the_softmax_shift_test() -> None:
    # At draw scale 10 the scores reach hundreds: without its max-shift the float32 softmax overflows or turns
    # subnormal, which had read as "the maximum does not cancel" (analyticity fails). The shift is now tested
    # where exp(shift) is a normal number, whatever the law's scale: analyticity holds, uap for C_5 at depth 1.
    report = check_uap(adapt(_CyclicBias(), draw_scale=10.0), n=5, d=3, seed=0, **SETTINGS).to_json()
    assert report["conditions"]["analyticity"]["status"] == "holds", report["conditions"]["analyticity"]["explanation"]
    assert (report["verdict"], report["group"]["order"]) == ("uap", 5), report["reason"]


def test_layer_norm_inside_the_attention_is_analytic() -> None:
    # normalize_qk=True puts flax's LayerNorm on queries and keys. It computes var = max(0, E[x^2] - E[x]^2): a
    # variance, so the max is the identity, and LayerNorm (eps > 0) is analytic; the max used to be rejected
    # outright (undecided). Now max(0, a) asks for a > 0 (numerically, like a log's operand): uap, S_n, depth 1.
    module = nn.MultiHeadDotProductAttention(num_heads=2, normalize_qk=True)
    report = check_uap(adapt(module), n=N, d=D, seed=0, **SETTINGS).to_json()
    assert report["conditions"]["analyticity"]["status"] == "holds", report["conditions"]["analyticity"]["explanation"]
    assert (report["verdict"], report["group"]["order"], report["min_attention_layers"]) == ("uap", S_N, 1)
