"""`approxtheory uap` from the command line: the JSON contract, a user's own file, bad input."""

from __future__ import annotations

import contextlib
import json
import re
import textwrap

import pytest

from approxtheory.cli import main
from approxtheory.core import Registry

CONTRACT = {"verdict", "group", "min_attention_layers", "conditions", "witness", "claims"}


def uap(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(["uap", *argv], Registry())
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip().startswith("{") else None, captured.err


@pytest.mark.parametrize("target, verdict, group, layers", [
    ("approxtheory.attention.zoo:softmax", "uap", "S_n", 1),
    ("approxtheory.attention.zoo:zero", "not_uap", "S_n", None),
    ("approxtheory.attention.zoo:mean", "undecided", "S_n", None),
])
def test_contract(capsys, target: str, verdict: str, group: str, layers: int | None) -> None:
    code, data, _ = uap(capsys, target, "--n", "4", "--d", "2", "--json")
    assert code == 0 and CONTRACT <= set(data)
    assert data["verdict"] == verdict
    assert (data["group"]["name"], data["group"]["order"]) == (group, 24)
    assert data["min_attention_layers"] == layers
    assert all({"status"} <= set(c) for c in data["conditions"].values())
    assert all(c["provenance"] in {"primary", "secondary", "reconstructed", "classical"} for c in data["claims"])
    if verdict == "not_uap":
        assert data["witness"] is not None


def test_requested_group_smaller_than_the_mechanisms(capsys) -> None:
    code, data, _ = uap(capsys, "approxtheory.attention.zoo:softmax", "--n", "4", "--group", "trivial", "--json")
    assert data["verdict"] == "not_uap" and data["group"]["name"] == "trivial" and data["witness"] is not None


def test_users_file_and_expect_flag(capsys, tmp_path) -> None:
    path = tmp_path / "mine.py"
    path.write_text(textwrap.dedent('''
        import jax, jax.numpy as jnp
        def init(key, n, d):
            kw, kv = jax.random.split(key)
            return {"w": jax.random.normal(kw, (d, d)), "v": jax.random.normal(kv, (d, d))}
        def apply(params, X):
            return jax.nn.softmax(X @ params["w"] @ X.T, axis=1) @ X @ params["v"]
    '''))
    code, data, _ = uap(capsys, f"{path}:", "--n", "4", "--d", "2", "--json", "--expect", "uap")
    assert code == 0 and data["verdict"] == "uap"
    code, _, err = uap(capsys, f"{path}:", "--n", "4", "--d", "2", "--expect", "not_uap")
    assert code == 1 and "expected verdict not_uap, got uap" in err


@pytest.mark.parametrize("body, message", [
    ("def init(key, n, d):\n    return {}\ndef apply(params, X):\n    return X[:, :1]\n", "shape"),
    ("import jax.numpy as jnp\ndef init(key, n, d):\n    return {}\ndef apply(params, X):\n    return X * jnp.nan\n", "finite"),
    ("def init(key, n, d):\n    return {}\ndef apply(params, X):\n    raise ValueError('boom in user code')\n", "boom in user code"),
    ("def init(key, n, d):\n    return {}\ndef apply(params, X):\n    return X * float(X[0, 0])\n", "trace"),
])
def test_bad_attention_is_one_clear_message(capsys, tmp_path, body: str, message: str) -> None:
    path = tmp_path / "bad.py"
    path.write_text(body)
    code, data, err = uap(capsys, f"{path}:", "--n", "4", "--d", "2", "--json")
    assert code == 2 and data is None
    assert message in err.lower() or message in err
    assert "Traceback" not in err


def test_without_a_zero_parameter_analyticity_is_unknown(capsys, tmp_path) -> None:
    # Card CLSL25.def.analytic_family (A3): some theta_0 must give g = 0, or shallower compositions cannot be padded.
    path = tmp_path / "novalue.py"
    path.write_text("import jax\ndef init(key, n, d):\n    return {'w': jax.random.normal(key, (d, d))}\n"
                    "def apply(params, X):\n    return jax.nn.softmax(X @ params['w'] @ X.T, axis=1) @ X\n")
    code, data, _ = uap(capsys, f"{path}:", "--n", "4", "--d", "2", "--json")
    assert data["verdict"] == "undecided" and data["conditions"]["analyticity"]["status"] == "unknown"


def test_unresolvable_target(capsys) -> None:
    code, _, err = uap(capsys, "no_such_module_xyz:thing")
    assert code == 2 and "no_such_module_xyz" in err


def test_n_out_of_range(capsys) -> None:
    code, _, err = uap(capsys, "approxtheory.attention.zoo:softmax", "--n", "1000")
    assert code == 2 and "n" in err


def test_check_uap_settings_reach_the_check_and_its_json(capsys) -> None:
    code, data, _ = uap(capsys, "approxtheory.attention.zoo:softmax", "--n", "4", "--d", "2", "--json",
                        "--draws", "2", "--scales", "0.5,2", "--tolerance", "1e-6", "--param-noise", "0",
                        "--time-budget", "300", "--activation", "gelu", "--base-samples", "1")
    assert code == 0 and data["verdict"] == "uap"
    assert data["settings"]["tolerance"] == 1e-6
    assert {k: data["settings"].get(k) for k in ("draws", "scales", "param_noise", "activation")} == \
        {"draws": 2, "scales": [0.5, 2.0], "param_noise": 0.0, "activation": "gelu"}


def test_help_states_check_uaps_own_defaults(capsys) -> None:
    """The CLI passes only the settings given; the defaults its help quotes are check_uap's."""
    import inspect

    from approxtheory.uap import check_uap

    with pytest.raises(SystemExit):
        main(["uap", "--help"], Registry())
    text = " ".join(capsys.readouterr().out.split())
    defaults = {k: p.default for k, p in inspect.signature(check_uap).parameters.items()}
    for flag, value in (("draws", defaults["draws"]), ("base-samples", defaults["base_samples"]),
                        ("param-noise", f"{defaults['param_noise']:g}"), ("time-budget", f"{defaults['time_budget']:g}"),
                        ("scales", ",".join(f"{v:g}" for v in defaults["scales"]))):
        assert re.search(rf"--{flag} \S+\s.*?\(default {re.escape(str(value))}\)", text), flag


@pytest.mark.parametrize("flag, value, message", [
    ("--scales", "1,-2", "--scales takes comma-separated positive numbers"),
    ("--tolerance", "nan", "positive finite"),
    ("--activation", "swish", "swish"),
])
def test_bad_uap_settings_are_one_clear_message(capsys, flag: str, value: str, message: str) -> None:
    with pytest.raises(SystemExit) if flag != "--activation" else contextlib.nullcontext():
        code, _, err = uap(capsys, "approxtheory.attention.zoo:softmax", "--n", "4", flag, value)
        assert code == 2 and message in err
    if flag != "--activation":
        assert message in capsys.readouterr().err
