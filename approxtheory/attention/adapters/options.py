"""How a library module is called and how its parameters are drawn: the options every adapter shares.

``call_kwargs`` are extra keyword arguments of the module's call (a mask, ``deterministic``, position
ids). A value that depends on the number of tokens is given as a ``PerLength`` (``causal`` is the
lower-triangular mask) and built at each n. ``draw`` is the parameter law: the module's own
initialisers (``init``), or every floating leaf i.i.d. normal around the module's scale (``normal``,
which also varies leaves that initialise to zero, such as most biases); ``draw_scale`` multiplies every
drawn leaf (widens the law). ``dtype`` forces the precision the module computes in; by default it is
the module's own (float32 for flax, equinox and haiku unless the module declares float64).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ...core import ApproxTheoryError

DrawLaw = Literal["auto", "init", "normal"]
DRAW_LAWS: tuple[str, ...] = ("auto", "init", "normal")
DTYPES: tuple[str, ...] = ("float32", "float64")
# Keyword arguments that switch a module to inference mode; set to True unless the user gives them.
INFERENCE_FLAGS: tuple[str, ...] = ("inference", "deterministic")


@dataclass(frozen=True)
class PerLength:
    """A call argument built from the number of tokens n at each call (e.g. a mask of shape (n, n))."""

    name: str
    build: Callable[[int], Any]

    def __repr__(self) -> str:
        return self.name


causal = PerLength("causal", lambda n: np.tril(np.ones((n, n), dtype=bool)))
NAMED_VALUES: dict[str, PerLength] = {"causal": causal}


@dataclass(frozen=True)
class AdapterOptions:
    """Extra call arguments, the parameter draw law and the precision for one adapted module."""

    call_kwargs: Mapping[str, Any] = field(default_factory=dict)
    draw: DrawLaw = "auto"
    draw_scale: float = 1.0
    dtype: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.call_kwargs, Mapping) or not all(isinstance(k, str) for k in self.call_kwargs):
            raise ApproxTheoryError("call_kwargs must be a dict with string keys", 'e.g. {"deterministic": True}')
        if self.draw not in DRAW_LAWS:
            raise ApproxTheoryError(f"draw law {self.draw!r} is unknown", f"choose one of {', '.join(DRAW_LAWS)}")
        if isinstance(self.draw_scale, bool) or not isinstance(self.draw_scale, (int, float)) \
                or not 0 < self.draw_scale < float("inf"):
            raise ApproxTheoryError(f"draw_scale = {self.draw_scale!r} is not a positive finite number", "e.g. 2.0")
        if self.dtype is not None:
            object.__setattr__(self, "dtype", _dtype_name(self.dtype))

    @property
    def is_default(self) -> bool:
        return not self.call_kwargs and self.draw == "auto" and self.draw_scale == 1.0 and self.dtype is None

    def kwargs_at(self, n: int, call: Callable[..., Any], fixed: Callable[[str], bool] = lambda keyword: False
                  ) -> dict[str, Any]:
        """The call's keyword arguments at n tokens: the user's, plus inference mode where ``call`` takes it and
        the module does not fix it itself (``fixed``: a flax.linen ``deterministic=True`` in the constructor)."""
        kwargs = {k: v.build(n) if isinstance(v, PerLength) else v for k, v in self.call_kwargs.items()}
        accepted = _keyword_names(call)
        for flag in INFERENCE_FLAGS:
            if fixed(flag):
                break
            if flag in accepted and flag not in kwargs:
                kwargs[flag] = True
                break  # equinox takes both and deprecates `deterministic`: one is enough
        return kwargs

    def describe(self, kwargs: Mapping[str, Any]) -> str:
        """The call keywords passed (``kwargs_at``), named values by name and arrays by shape."""
        def short(name: str, value: Any) -> str:
            given = self.call_kwargs.get(name)
            if isinstance(given, PerLength):
                return given.name
            return f"array{tuple(np.shape(value))}" if np.ndim(value) else repr(value)

        given = ", ".join(f"{k}={short(k, v)}" for k, v in kwargs.items())
        return f"call keywords {given}" if given else "no call keywords"


def _dtype_name(dtype: Any) -> str:
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in DTYPES:
        raise ApproxTheoryError(f"dtype {dtype!r} is not supported", f"choose one of {', '.join(DTYPES)}")
    return name


def _keyword_names(call: Callable[..., Any]) -> set[str]:
    try:
        parameters = inspect.signature(call).parameters.values()
    except (TypeError, ValueError):
        return set()
    return {p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}


def parse_call_kwarg(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` from the command line: VALUE is a Python literal (a list read as an array), true/false/none,
    or a named value (causal)."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name.isidentifier():
        raise ApproxTheoryError(f"call keyword {text!r} is not NAME=VALUE", "e.g. --call-kwarg deterministic=true")
    lowered = {"true": True, "false": False, "none": None}
    if raw.lower() in lowered:
        return name, lowered[raw.lower()]
    if raw in NAMED_VALUES:
        return name, NAMED_VALUES[raw]
    try:
        value = ast.literal_eval(raw)
        # a list is an array on the command line (a mask): JAX refuses nested Python lists where arrays go
        return name, np.asarray(value) if isinstance(value, list) else value
    except (ValueError, SyntaxError):
        raise ApproxTheoryError(
            f"cannot read the value of call keyword {name}: {raw!r}",
            f"give a Python literal (1, 0.5, 'text', (1, 2)), true/false/none, or one of: {', '.join(NAMED_VALUES)}; "
            "anything else: write a factory or wrapper module in your file and target it",
        ) from None
