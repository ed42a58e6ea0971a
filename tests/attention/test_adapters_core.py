"""The adapter layer without any library: the core imports no flax, equinox or haiku; options parse and fail cleanly."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from approxtheory.attention.adapters import adapt, causal, parse_call_kwarg
from approxtheory.core import ApproxTheoryError


def test_the_core_imports_no_library() -> None:
    code = ("import sys, approxtheory.attention, approxtheory.uap, approxtheory.cli\n"
            "print(sorted(m for m in ('flax', 'equinox', 'haiku') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_options_on_a_protocol_object_are_refused() -> None:
    from approxtheory.attention.zoo import ZOO

    with pytest.raises(ApproxTheoryError, match="do not apply"):
        adapt(ZOO["softmax"], call_kwargs={"mask": causal})


@pytest.mark.parametrize(("text", "expected"), [
    ("deterministic=true", ("deterministic", True)),
    ("inference=False", ("inference", False)),
    ("window=3", ("window", 3)),
    ("mask=causal", ("mask", causal)),
])
def test_parse_call_kwarg(text: str, expected: tuple) -> None:
    assert parse_call_kwarg(text) == expected


def test_a_list_call_kwarg_is_an_array() -> None:
    # a mask typed on the command line: JAX's where/select refuse nested Python lists
    name, value = parse_call_kwarg("mask=[[True, False], [True, True]]")
    assert name == "mask" and isinstance(value, np.ndarray) and value.dtype == bool and value.tolist() == [[True, False], [True, True]]
    assert parse_call_kwarg("shape=(1, 2)") == ("shape", (1, 2))  # a tuple stays a tuple


@pytest.mark.parametrize("text", ["deterministic", "1x=2", "mask=np.tril(x)", "mask=[[True], [True, False]]"])
def test_parse_call_kwarg_rejects(text: str) -> None:
    with pytest.raises(ApproxTheoryError):
        parse_call_kwarg(text)
