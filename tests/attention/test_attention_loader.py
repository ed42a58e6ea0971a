"""load_attention: a user's file by path and by module, zoo factories with arguments, one clear error per failure."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from approxtheory.attention import Mechanism, load_attention, validate
from approxtheory.core import ApproxTheoryError

USER_FILE = """
import jax.numpy as jnp
import jax


class MyAttention:
    name = "mine"

    def init(self, key, n, d):
        return {"w": jax.random.normal(key, (d, d))}

    def apply(self, params, X):
        scores = X @ params["w"] @ X.T
        return jax.nn.softmax(scores, axis=-1) @ X


attention = MyAttention()
not_attention = 3


def init(key, n, d):
    return {"v": jnp.ones((d, d))}


def apply(params, X):
    return jnp.mean(X, axis=0) @ params["v"] * jnp.ones_like(X)
"""


def _write(tmp_path: Path, body: str, name: str = "user_attn.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_loads_user_file_by_path(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)
    attention = load_attention(f"{path}:attention")
    assert validate(attention, 4, 3).name == "mine"


def test_loads_user_module_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, USER_FILE, "user_attn_module.py")
    monkeypatch.syspath_prepend(str(tmp_path))
    attention = load_attention("user_attn_module:attention")
    assert validate(attention, 3, 2).output.shape == (3, 2)


def test_module_itself_is_an_attention(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)
    module = load_attention(f"{path}:")
    assert validate(module, 3, 2).zero_params is not None  # all-zero v gives apply == 0


def test_zoo_factory_with_arguments() -> None:
    mech = load_attention("approxtheory.attention.zoo:window(w=2, wrap=True)")
    assert isinstance(mech, Mechanism) and mech.pattern(6)[0].tolist() == [True, True, True, False, True, True]


@pytest.mark.parametrize(
    "target, message",
    [
        ("approxtheory.attention.zoo", "no ':'"),
        (":softmax", "names no module"),
        ("no_such_module_xyz:attn", "module no_such_module_xyz not found"),
        ("missing/file.py:attn", "does not exist"),
        ("approxtheory.attention.zoo:nothing_here", "has no attribute 'nothing_here'"),
        ("approxtheory.attention.zoo:window", "looks like a factory"),
        ("approxtheory.attention.zoo:window(1)", "cannot read the name"),
        ("approxtheory.attention.zoo:window(w=0)", "calling window(w=0) failed"),
        ("approxtheory.attention.zoo:ZOO", "has no callable init or apply"),
    ],
)
def test_unresolvable_targets(target: str, message: str) -> None:
    with pytest.raises(ApproxTheoryError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        load_attention(target)
    assert info.value.hint


def test_missing_attribute_lists_candidates(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)
    with pytest.raises(ApproxTheoryError, match="no attribute 'atention'") as info:
        load_attention(f"{path}:atention")
    assert "attention" in info.value.hint


def test_object_without_init_apply(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)
    with pytest.raises(ApproxTheoryError, match="has no callable init or apply"):
        load_attention(f"{path}:not_attention")


def test_class_instead_of_instance(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)
    with pytest.raises(ApproxTheoryError, match="is a class") as info:
        load_attention(f"{path}:MyAttention")
    assert "instance" in info.value.hint


def test_syntax_error_shows_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "x = 1\ndef apply(params, X)\n    return X\n")
    with pytest.raises(ApproxTheoryError, match=rf"syntax error in {path}:2"):
        load_attention(f"{path}:apply")


def test_import_error_inside_file_shows_users_frame(tmp_path: Path) -> None:
    path = _write(tmp_path, "import math\nvalue = math.sqrt(-1)\n")
    with pytest.raises(ApproxTheoryError, match=rf"ValueError: math domain error\n  at {path}:2 in <module>"):
        load_attention(f"{path}:value")


def test_missing_dependency_inside_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "import not_installed_dep_xyz\n", "needs_dep_attn.py")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ApproxTheoryError, match="importing needs_dep_attn failed: ModuleNotFoundError"):
        load_attention("needs_dep_attn:attn")


@pytest.mark.parametrize("library, body", [
    ("flax", "import flax.linen as nn\nimport jax\n"
             "attn = nn.MultiHeadDotProductAttention(num_heads=3, qkv_features=4)\n"
             "params = attn.init(jax.random.key(0), jax.numpy.ones((2, 4)))\n"),
    ("equinox", "import equinox as eqx\nimport jax\n"
                "attn = eqx.nn.MultiheadAttention(num_heads=2, query_size=4, key=jax.random.key(0))\n"
                "out = attn(jax.numpy.ones((2, 5)), jax.numpy.ones((2, 5)), jax.numpy.ones((2, 5)))\n"),
])
def test_error_inside_a_framework_is_blamed_on_the_users_line(tmp_path: Path, library: str, body: str) -> None:
    """The raising frame lies in flax/equinox; the message names the user's line that called it, not the library's."""
    pytest.importorskip(library)
    path = _write(tmp_path, body)
    with pytest.raises(ApproxTheoryError, match=rf"\n  at {path}:4 in <module>"):
        load_attention(f"{path}:attn")
