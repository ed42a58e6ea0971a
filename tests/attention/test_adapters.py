"""The adapter layer: library modules, factories and attn(q, k, v) functions become init/apply attentions.

Each test runs ``validate`` (one init and one traced apply), not the whole UAP battery; the battery
on real modules is in test_real_modules.py.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from approxtheory.attention import load_attention, validate
from approxtheory.attention.adapters import AdapterOptions, adapt, causal
from approxtheory.cli import main
from approxtheory.core import ApproxTheoryError

nn = pytest.importorskip("flax.linen")
nnx = pytest.importorskip("flax.nnx")
eqx = pytest.importorskip("equinox")
hk = pytest.importorskip("haiku")

N, D = 4, 4


def _jacobian_blocks(va) -> np.ndarray:
    """|d apply(params, X)[i] / d X[j]| summed over coordinates: which tokens each output sees."""
    with jax.enable_x64(True):
        J = jax.jacobian(lambda X: va.attention.apply(va.params, X).astype(jnp.float64))(jnp.asarray(va.X))
    return np.abs(np.asarray(J)).sum(axis=(1, 3))


def test_linen_module_keeps_float32_and_runs_deterministic() -> None:
    va = validate(nn.MultiHeadDotProductAttention(num_heads=2), N, D)
    assert va.output.shape == (N, D) and va.output.dtype == np.float32  # not cast to float64
    assert va.zero_params is not None  # all-zero parameters give apply == 0 (A3)
    note = next(w for w in va.warnings if "adapted" in w)
    assert "deterministic=True" in note and "unbatched" in note and "own initialisers" in note


def test_linen_float64_module_computes_in_float64() -> None:
    va = validate(nn.SelfAttention(num_heads=1, param_dtype=jnp.float64, dtype=jnp.float64), N, D)
    assert va.output.dtype == np.float64


class _BatchOnly(nn.Module):
    """A module written for batched input only, as much user code is."""

    @nn.compact
    def __call__(self, x):
        batch, length, width = x.shape
        return nn.SelfAttention(num_heads=1)(x).reshape(batch, length, width)


def test_batch_axis_is_added_and_stripped() -> None:
    va = validate(_BatchOnly(), N, D)
    assert va.output.shape == (N, D)
    assert any("batch axis (1, n, d)" in w for w in va.warnings)


class _WithResidual(nn.Module):
    @nn.compact
    def __call__(self, x):
        return x + nn.SelfAttention(num_heads=1)(x)


def test_own_residual_is_detected_and_stripped() -> None:
    va = validate(_WithResidual(), N, D)
    assert any("returns X + g(X)" in w for w in va.warnings)
    assert not any("declare zero_params" in w for w in va.warnings)
    assert va.zero_params is not None
    with jax.enable_x64(True):
        X = jnp.asarray(va.X)
        whole = np.asarray(va.attention.inner.apply(va.params, X))  # the module as written: X + g(X)
    np.testing.assert_array_equal(va.output, whole - va.X.astype(np.float32))


class _NeedsMask(nn.Module):
    """A call with a required mask argument, given by call_kwargs."""

    @nn.compact
    def __call__(self, x, mask):
        return nn.MultiHeadDotProductAttention(num_heads=1)(x, mask=mask)


@pytest.mark.parametrize("module", [nn.MultiHeadDotProductAttention(num_heads=1), _NeedsMask()])
def test_causal_mask_call_kwarg_cuts_future_tokens(module) -> None:
    va = validate(adapt(module, call_kwargs={"mask": causal}), N, D)
    seen = _jacobian_blocks(va) > 0
    assert np.array_equal(seen, np.tril(np.ones((N, N), dtype=bool)))


def test_nnx_instance_is_checked_against_d_and_drawn_by_the_normal_law() -> None:
    module = nnx.MultiHeadAttention(num_heads=1, in_features=D, decode=False, rngs=nnx.Rngs(0))
    with pytest.raises(ApproxTheoryError, match="constructed for token width 4, but the check runs at d = 3"):
        validate(module, N, 3)
    with pytest.raises(ApproxTheoryError, match="initialisers cannot be re-run"):
        adapt(module, draw="init")
    adapted = adapt(module)
    draws = [adapted.init(jax.random.key(k), N, D) for k in (1, 2)]
    biases = [np.asarray(p["query"]["bias"]) for p in draws]
    assert np.all(biases[0] != 0) and not np.array_equal(*biases)  # zero-initialised leaves vary too
    assert validate(adapted, N, D).output.dtype == np.float32


def test_nnx_factory_uses_the_modules_initialisers_for_any_d() -> None:
    def make(d, rngs):
        return nnx.MultiHeadAttention(num_heads=1, in_features=d, decode=False, rngs=rngs)

    adapted = adapt(make)
    params = adapted.init(jax.random.key(3), N, 3)
    assert np.asarray(params["query"]["kernel"]).shape == (3, 1, 3)
    assert np.all(np.asarray(params["query"]["bias"]) == 0)  # the module's own bias_init
    assert validate(adapted, N, 3).output.shape == (N, 3)


def test_equinox_factory_is_float32_although_the_checker_runs_in_float64() -> None:
    def make(d, key):
        return eqx.nn.MultiheadAttention(num_heads=1, query_size=d, key=key)

    va = validate(make, N, D)
    leaves = jax.tree_util.tree_leaves(va.params)
    assert leaves and all(leaf.dtype == np.float32 for leaf in leaves)  # equinox's default outside x64
    assert va.output.dtype == np.float32
    assert validate(adapt(make, dtype="float64"), N, D).output.dtype == np.float64


@pytest.mark.filterwarnings("error:.*requested dtype float64")  # no truncation warning reaches the user either
def test_a_factory_that_asks_for_float64_itself_gets_it() -> None:
    # README: a module computes in float64 when it declares it; built in float32 mode, this one was truncated
    def make(d, key):
        return eqx.nn.MultiheadAttention(num_heads=1, query_size=d, dtype=jnp.float64, key=key)

    va = validate(make, N, D)
    assert all(leaf.dtype == np.float64 for leaf in jax.tree_util.tree_leaves(va.params))
    assert va.output.dtype == np.float64


def test_equinox_instance_called_with_query_key_value() -> None:
    module = eqx.nn.MultiheadAttention(num_heads=2, query_size=D, key=jax.random.key(0))
    va = validate(module, N, D)
    assert va.output.shape == (N, D)
    assert any("inference=True" in w and "normal" in w for w in va.warnings)


def test_haiku_transform_with_dtype_option() -> None:
    def forward(x):
        return hk.MultiHeadAttention(num_heads=1, key_size=x.shape[-1], w_init_scale=1.0)(x, x, x)

    transformed = hk.transform(forward)
    assert validate(transformed, N, D).output.dtype == np.float32
    assert validate(adapt(transformed, dtype="float64"), N, D).output.dtype == np.float64
    assert validate(hk.without_apply_rng(transformed), N, D).output.shape == (N, D)


def test_haiku_transform_with_state_holds_its_state_fixed() -> None:
    # hk.transform_with_state: init returns (params, state), apply (params, state, rng, x) -> (out, state); it was
    # called as a plain Transformed ("init raised TypeError ... 2 were given")
    def forward(x):
        calls = hk.get_state("calls", [], init=jnp.zeros)
        hk.set_state("calls", calls + 1)
        return hk.MultiHeadAttention(num_heads=1, key_size=x.shape[-1], w_init_scale=1.0)(x, x, x)

    stateful = hk.transform_with_state(forward)
    va = validate(stateful, N, D)
    assert va.output.shape == (N, D) and va.output.dtype == np.float32
    params, state = stateful.init(jax.random.key(0), jnp.zeros((N, D)))
    plain = hk.transform(lambda x: hk.MultiHeadAttention(num_heads=1, key_size=x.shape[-1], w_init_scale=1.0)(x, x, x))
    X = jnp.asarray(va.X, jnp.float32)
    assert np.allclose(va.attention.apply(params, X), plain.apply(params, None, X))  # the same attention
    assert validate(hk.without_apply_rng(stateful), N, D).output.shape == (N, D)


def test_plain_attention_function_gets_the_projections() -> None:
    def attn(q, k, v):  # one head: jax.nn.dot_product_attention takes (n, heads, head_dim)
        return jax.nn.dot_product_attention(q[:, None], k[:, None], v[:, None])[:, 0]

    va = validate(attn, N, D)
    assert sorted(va.params) == ["W_K", "W_O", "W_Q", "W_V"]
    assert va.output.dtype == np.float32 and va.zero_params is not None
    assert (_jacobian_blocks(va) > 0).all()  # every token sees every token: the layout is not misread


def test_batched_only_function_gets_a_batch_axis() -> None:
    def attn(q, k, v):
        batch, length, width = q.shape
        scores = jnp.einsum("bqd,bkd->bqk", q, k) / jnp.sqrt(width)
        return jax.nn.softmax(scores, axis=-1) @ v

    va = validate(attn, N, D)
    assert any("batch axis (1, n, d)" in w for w in va.warnings)


def test_draw_scale_widens_the_init_law() -> None:
    module = nn.SelfAttention(num_heads=1)
    one = adapt(module).init(jax.random.key(0), N, D)
    three = adapt(module, draw_scale=3.0).init(jax.random.key(0), N, D)
    jax.tree_util.tree_map(lambda a, b: np.testing.assert_allclose(3 * np.asarray(a), b, rtol=1e-6), one, three)


def test_module_with_wrong_output_width_is_one_clear_error() -> None:
    with pytest.raises(ApproxTheoryError, match=r"returned shape \(4, 8\)"):
        validate(nn.SelfAttention(num_heads=1, out_features=8), N, D)


def test_bad_options_are_clear_errors() -> None:
    for bad in ({"draw": "uniform"}, {"draw_scale": 0.0}, {"dtype": "float16"}, {"colour": 1}):
        with pytest.raises(ApproxTheoryError):
            adapt(nn.SelfAttention(num_heads=1), **bad)
    assert AdapterOptions(dtype=jnp.float64).dtype == "float64"


def test_cli_loads_a_factory_from_the_examples_and_rejects_a_bad_call_kwarg(capsys: pytest.CaptureFixture) -> None:
    attention = load_attention("examples/equinox_attention.py:mha", dtype="float64")
    assert validate(attention, N, D).output.dtype == np.float64
    assert main(["uap", "examples/flax_attention.py:mha", "--call-kwarg", "mask"]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err
    assert main(["uap", "examples/my_attention.py:cosine", "--draw", "normal"]) == 2


def test_linen_deterministic_set_in_the_constructor_is_not_passed_again() -> None:
    # flax.linen refuses deterministic both in the constructor and at call time; the module fixes its own mode
    va = validate(nn.MultiHeadDotProductAttention(num_heads=2, dropout_rate=0.1, deterministic=True), N, D)
    note = next(w for w in va.warnings if "adapted" in w)
    assert va.output.shape == (N, D) and "deterministic" not in note
