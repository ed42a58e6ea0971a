"""Attention modules from flax.linen, flax.nnx, equinox and haiku, and plain ``attn(q, k, v)`` functions, as
attentions of the toolkit's protocol (``init(key, n, d)``, ``apply(params, X)``), with no wrapping by the user.

``adapt(obj, call_kwargs=..., draw=..., draw_scale=..., dtype=...)`` returns an object ``check_uap`` and
``validate`` accept; an object that already has ``init`` and ``apply`` is returned unchanged. Each library
is imported only when an object of that library is given, so the core needs only JAX.
"""

from __future__ import annotations

from typing import Any

from ...core import ApproxTheoryError
from .base import Adapted
from .dispatch import backend_for
from .options import DRAW_LAWS, DTYPES, AdapterOptions, PerLength, causal, parse_call_kwarg

__all__ = ["DRAW_LAWS", "DTYPES", "AdapterOptions", "Adapted", "PerLength", "adapt", "causal", "parse_call_kwarg"]


def adapt(obj: Any, *, name: str | None = None, **options: Any) -> Any:
    """``obj`` as an attention of the protocol; ``options`` are the fields of AdapterOptions.

    ``name`` labels the result (default: the object's type or function name).
    """
    if isinstance(obj, Adapted):
        if options:
            raise ApproxTheoryError(f"{obj.name} is already adapted", "give the options to adapt() once")
        return obj
    unknown = sorted(set(options) - set(AdapterOptions.__dataclass_fields__))
    if unknown:
        raise ApproxTheoryError(f"unknown adapter option(s) {', '.join(unknown)}",
                                f"choose among {', '.join(AdapterOptions.__dataclass_fields__)}")
    settings = AdapterOptions(**options)
    label = name or getattr(obj, "__name__", None) or type(obj).__name__
    backend = backend_for(obj, label)
    if backend is None:
        if not settings.is_default:
            raise ApproxTheoryError(
                f"{label} is not a flax, equinox or haiku module, a factory make(d, ...) or an attn(q, k, v) "
                "function, so call keywords, draw laws and dtypes do not apply to it",
                "drop those options: an object with init(key, n, d) and apply(params, X) is called as it is",
            )
        return obj
    return Adapted(backend, settings)
