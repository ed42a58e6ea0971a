"""Resolve ``package.module:NAME`` or ``path/to/file.py:NAME`` to an attention, with one clear error per failure.

``NAME`` may be dotted (an attribute path) and may end in a call with literal keyword arguments,
``window(w=2, wrap=True)``, so parametrised zoo entries load from the command line. An empty
``NAME`` (``file.py:``) means the module itself, for modules that define ``init`` and ``apply``.
A flax, equinox or haiku module, a factory ``make(d, ...)`` or an ``attn(q, k, v)`` function is
adapted to the protocol (``approxtheory.attention.adapters``), with the adapter options given.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from ..core import ApproxTheoryError
from .frames import describe_exception
from .adapters import adapt
from .adapters.dispatch import is_module
from .protocol import Attention

_FORMS = "use package.module:NAME or path/to/file.py:NAME"


def load_attention(target: str, **options: Any) -> Attention:
    """The object named by ``target``, adapted with ``options`` (see ``adapt``) and checked to have ``init`` and ``apply``."""
    if not isinstance(target, str) or ":" not in target:
        raise ApproxTheoryError(f"attention target {target!r} has no ':' separating the module from the name", _FORMS)
    where, _, spec = target.rpartition(":")
    if not where:
        raise ApproxTheoryError(f"attention target {target!r} names no module or file before the ':'", _FORMS)
    module = _load_file(where) if _looks_like_path(where) else _load_module(where)
    obj = _resolve(module, spec.strip(), target) if spec.strip() else module
    return check_attention(adapt(obj, name=spec.strip() or where, **options), target)


def check_attention(obj: Any, label: str) -> Attention:
    """``obj`` adapted if it comes from a library (see ``adapt``), if it has callable ``init`` and ``apply``
    usable without an instance; else one clear error."""
    obj = adapt(obj, name=label)
    missing = [m for m in ("init", "apply") if not callable(getattr(obj, m, None))]
    if missing:
        hint = ("an attention needs init(key, n, d) -> params and apply(params, X) -> Y, or is a flax, equinox or "
                "haiku module, a factory make(d, ...) or a function attn(q, k, v)")
        if callable(obj) and not isinstance(obj, type):
            hint = f"{label} looks like a factory: call it in the target, e.g. NAME(w=1); {hint}"
        raise ApproxTheoryError(f"{label} ({type(obj).__name__}) has no callable {' or '.join(missing)}", hint)
    if isinstance(obj, type):
        unbound = [m for m in ("init", "apply") if not isinstance(inspect.getattr_static(obj, m), (staticmethod, classmethod))]
        if unbound:
            raise ApproxTheoryError(
                f"{label} is a class whose {' and '.join(unbound)} need an instance",
                "name an instance instead: add `attention = YourClass()` to the file and target that name",
            )
    return obj


def _looks_like_path(where: str) -> bool:
    return where.endswith(".py") or "/" in where or "\\" in where


def _load_file(where: str) -> ModuleType:
    path = Path(where).expanduser()
    if not path.is_file():
        raise ApproxTheoryError(f"attention file {where} does not exist", f"check the path (relative to {Path.cwd()})")
    resolved = path.resolve()
    name = f"approxtheory_user_{hashlib.sha1(str(resolved).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise ApproxTheoryError(f"{where} cannot be imported as Python", "give a .py file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise _syntax_error(exc) from None
    except Exception as exc:
        sys.modules.pop(name, None)
        raise ApproxTheoryError(f"importing {where} failed: {describe_exception(exc)}", "fix the error in that file") from None
    return module


def _load_module(where: str) -> ModuleType:
    try:
        return importlib.import_module(where)
    except SyntaxError as exc:
        raise _syntax_error(exc) from None
    except ModuleNotFoundError as exc:
        if exc.name and (where == exc.name or where.startswith(exc.name + ".")):
            raise ApproxTheoryError(
                f"module {where} not found",
                f"install it or add its folder to PYTHONPATH; for a file {_FORMS.split(' or ')[1]}",
            ) from None
        raise ApproxTheoryError(f"importing {where} failed: {describe_exception(exc)}", "install the missing module") from None
    except Exception as exc:
        raise ApproxTheoryError(f"importing {where} failed: {describe_exception(exc)}", "fix the error in that module") from None


def _syntax_error(exc: SyntaxError) -> ApproxTheoryError:
    text = (exc.text or "").rstrip()
    return ApproxTheoryError(
        f"syntax error in {exc.filename}:{exc.lineno}: {exc.msg}" + (f"\n  {text}" if text else ""),
        "fix the syntax at that line",
    )


def _resolve(module: ModuleType, spec: str, target: str) -> Any:
    name, call = _parse_spec(spec, target)
    obj: Any = module
    for part in name.split("."):
        if not hasattr(obj, part):
            raise ApproxTheoryError(f"{module.__name__} has no attribute {name!r}", _candidates(module))
        obj = getattr(obj, part)
    if call is None:
        return obj
    if not callable(obj):
        raise ApproxTheoryError(f"{name} in {target} is not callable, so it cannot take arguments", "drop the (...)")
    try:
        return obj(**call)
    except Exception as exc:
        raise ApproxTheoryError(f"calling {spec} failed: {describe_exception(exc)}", "check the keyword arguments") from None


def _parse_spec(spec: str, target: str) -> tuple[str, dict[str, Any] | None]:
    """Split ``NAME`` or ``NAME(k=literal, ...)`` into the dotted name and the keyword arguments."""
    try:
        node = ast.parse(spec, mode="eval").body
    except SyntaxError:
        node = None
    if isinstance(node, ast.Call) and not node.args and all(k.arg for k in node.keywords):
        try:
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
        except ValueError:
            node = None
        else:
            return ast.unparse(node.func), kwargs
    if node is not None and isinstance(node, (ast.Name, ast.Attribute)):
        return spec, None
    raise ApproxTheoryError(
        f"cannot read the name {spec!r} in {target}",
        "give a dotted name, optionally called with literal keyword arguments: NAME or NAME(w=2, wrap=True)",
    )


def _candidates(module: ModuleType) -> str:
    found = sorted(
        k
        for k, v in vars(module).items()
        if not k.startswith("_") and (callable(getattr(v, "init", None)) and callable(getattr(v, "apply", None))
                                      or is_module(v))
    )
    return f"attentions defined there: {', '.join(found)}" if found else "define an object with init and apply there"
