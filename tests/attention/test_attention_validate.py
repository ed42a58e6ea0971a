"""validate: each way a user's attention can be wrong gets one clear message; batching compiles once per shape."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from approxtheory.attention import Mechanism, batched_apply, evaluate_draws, sample_params, validate
from approxtheory.attention.zoo import softmax
from approxtheory.core import ApproxTheoryError
from approxtheory.numerics import TraceCounter


def _init(key, n, d):
    return {"w": jax.random.normal(key, (d, d), dtype=jnp.float64)}


def _mech(apply, init=_init, **kw) -> Mechanism:
    return Mechanism("test", init, apply, **kw)


def _fails(attention, message: str, n: int = 4, d: int = 3) -> ApproxTheoryError:
    with pytest.raises(ApproxTheoryError, match=message) as info:
        validate(attention, n, d)
    assert info.value.hint, "every error says what to do"
    return info.value


@pytest.mark.parametrize(
    "n, d", [(1, 2), (129, 2), (4, 0), (4, 65), (3.5, 2), (True, 2), ("4", 2)]
)
def test_n_or_d_out_of_range(n, d) -> None:
    err = _fails(softmax, "out of range", n, d)
    assert "[2, 128]" in err.hint or "[1, 64]" in err.hint


def test_wrong_shape() -> None:
    _fails(_mech(lambda p, X: X.T), r"shape \(3, 4\) \(ndim 2\); expected \(4, 3\)")
    _fails(_mech(lambda p, X: X[None]), r"ndim 3")


def test_wrong_dtype_and_type() -> None:
    _fails(_mech(lambda p, X: (X > 0).astype(jnp.int32)), "dtype int32")
    _fails(_mech(lambda p, X: (X, X)), "returned tuple, not an array")


def test_all_nan_and_all_inf() -> None:
    _fails(_mech(lambda p, X: X * jnp.nan), "non-finite values .* for all 8 parameter draws")
    _fails(_mech(lambda p, X: X / 0.0), "non-finite values .* for all 8 parameter draws")


def test_some_nonfinite_draws_are_counted_not_failed() -> None:
    va = validate(_mech(lambda p, X: jnp.where(p["w"][0, 0] > 0, jnp.nan, 1.0) * X), 4, 3)
    assert 0 < va.nonfinite_draws < va.draws
    assert np.isfinite(va.output).all() and va.params["w"][0, 0] <= 0
    assert any("non-finite" in w for w in va.warnings)


def test_finite_mask_of_a_batch() -> None:
    mech = _mech(lambda p, X: X / p["w"][0, 0] * jnp.where(p["w"][0, 0] > 0, 1.0, jnp.inf))
    params = sample_params(mech, 3, 2, jax.random.key(0), 16)
    outputs, finite = evaluate_draws(batched_apply(mech), params, np.ones((16, 3, 2)))
    assert outputs.shape == (16, 3, 2)
    assert finite.tolist() == (np.asarray(params["w"][:, 0, 0]) > 0).tolist()


USER_CODE = """
import numpy as np
import jax.numpy as jnp


def init(key, n, d):
    return {"w": jnp.ones((d, d))}


def raises(params, X):
    scale = params["w"].sum()
    raise ValueError(f"bad scale {scale.shape}")


def init_raises(key, n, d):
    return {"w": jnp.ones((d, d)) @ jnp.ones((d + 1, d))}


def uses_float(params, X):
    return X * float(params["w"].sum())


def uses_numpy(params, X):
    return np.tanh(X) @ params["w"]


def uses_if(params, X):
    if params["w"].sum() > 0:
        return X
    return -X
"""


@pytest.fixture
def user(tmp_path: Path):
    path = tmp_path / "user_code_attn.py"
    path.write_text(textwrap.dedent(USER_CODE))
    spec = importlib.util.spec_from_file_location("user_code_attn", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return path, module


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_apply_exception_shows_users_frame(user) -> None:
    path, module = user
    err = _fails(_mech(module.raises, init=module.init), "apply raised ValueError: bad scale")
    assert f"{path}:{_line(path, 'raise ValueError')} in raises" in str(err)
    assert "validate.py" not in str(err) and "jax" not in str(err).split("at ")[-1]


def test_init_exception_shows_users_frame(user) -> None:
    path, module = user
    err = _fails(_mech(module.raises, init=module.init_raises), "init raised TypeError")
    assert f"{path}:{_line(path, 'd + 1')} in init_raises" in str(err)


@pytest.mark.parametrize(
    "name, construct, fix",
    [
        ("uses_float", r"float\(\)", "jnp"),
        ("uses_numpy", "NumPy on a traced JAX value", "jax.numpy"),
        ("uses_if", "a Python if", "jnp.where"),
    ],
)
def test_untraceable_code_is_a_clear_error(user, name: str, construct: str, fix: str) -> None:
    path, module = user
    err = _fails(_mech(getattr(module, name), init=module.init), f"apply cannot be traced by JAX: it uses {construct}")
    assert fix in err.hint
    assert f"{path}:" in str(err) and f"in {name}" in str(err)


def test_params_must_be_arrays() -> None:
    _fails(_mech(lambda p, X: X, init=lambda k, n, d: {"w": "abc"}), r"non-array leaf at \['w'\]: str")
    _fails(_mech(lambda p, X: X, init=lambda k, n, d: {"w": 1.5}), "non-array leaf")
    _fails(_mech(lambda p, X: X, init=lambda k, n, d: {"i": jnp.arange(3)}), "not a real floating type")


def test_params_structure_must_not_depend_on_key() -> None:
    init = lambda k, n, d: {"w": jnp.zeros((1 + int(jax.random.bernoulli(k)),))}  # noqa: E731
    _fails(_mech(lambda p, X: X, init=init), "different structure or shape")


def test_zero_params_declared_and_inferred() -> None:
    assert validate(softmax, 3, 2).zero_params["wv"].tolist() == [[0.0, 0.0], [0.0, 0.0]]
    no_zero = validate(_mech(lambda p, X: X + 1.0), 3, 2)
    assert no_zero.zero_params is None and any("theta_0" in w for w in no_zero.warnings)
    _fails(_mech(lambda p, X: X @ p["w"], zero_params=lambda p: {"w": p["w"] * 2}), "not identically zero")


def test_metadata_is_checked() -> None:
    _fails(_mech(lambda p, X: X, family="magic"), "family 'magic'")
    _fails(_mech(lambda p, X: X, pattern=lambda n: np.zeros((n, n), dtype=bool)), "empty rows")
    _fails(_mech(lambda p, X: X, pattern=lambda n: np.ones((n, n))), "expected bool")
    _fails(_mech(lambda p, X: X, kernel=lambda q, k: q @ k), "not an approxtheory.attention.Kernel")


def test_d_equal_one_and_float32_warn() -> None:
    assert any("d = 1" in w for w in validate(softmax, 3, 1).warnings)
    assert not validate(softmax, 3, 2).warnings
    va = validate(_mech(lambda p, X: (X @ p["w"]).astype(jnp.float32)), 3, 2)
    assert any("float32" in w for w in va.warnings)


def test_float64_inside_without_touching_user_flag() -> None:
    va = validate(softmax, 3, 2)
    assert va.output.dtype == np.float64
    assert jnp.zeros(1).dtype == jnp.float32  # the user's global default is untouched


def test_one_compile_per_configuration() -> None:
    counter = TraceCounter()
    fn = batched_apply(softmax, counter)
    for batch in (4, 4, 5, 4):
        params = sample_params(softmax, 3, 2, jax.random.key(batch), batch)
        Y = fn(params, jnp.ones((batch, 3, 2)))
        assert Y.shape == (batch, 3, 2) and Y.dtype == jnp.float64
    assert counter.count == 2
    fn(sample_params(softmax, 5, 2, jax.random.key(0), 4), jnp.ones((4, 5, 2)))
    assert counter.count == 3
