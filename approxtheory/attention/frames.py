"""Point a user at their own code: the deepest traceback frame that is neither ours nor a library's."""

from __future__ import annotations

import importlib.util
import linecache
import sysconfig
import traceback
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # approxtheory/
_ZOO_PREFIX = "zoo"  # the zoo plays the user's role, so its frames are shown like a user's
# Frameworks a user's attention is built on: an error raised inside them is reported at the user's line
# that called into them. Found by spec, so an absent optional framework is simply not listed.
_FRAMEWORKS = ("jax", "jaxlib", "numpy", "flax", "equinox", "haiku", "optax", "chex", "jaxtyping")


def _package_root(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin).resolve().parent if spec is not None and spec.origin else None


_LIBRARIES = tuple(
    root
    for root in (*(_package_root(name) for name in _FRAMEWORKS), Path(sysconfig.get_paths()["stdlib"]).resolve())
    if root is not None
)


def _is_library(filename: str) -> bool:
    if filename.startswith("<"):
        return True
    path = Path(filename).resolve()
    if path.is_relative_to(_PACKAGE):
        return not (path.parent.name == "attention" and path.name.startswith(_ZOO_PREFIX))
    return any(path.is_relative_to(lib) for lib in _LIBRARIES)


def user_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The deepest frame of ``exc``'s traceback in user code, or None when every frame is ours or a library's."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_library(f.filename)]
    return frames[-1] if frames else None


def describe_frame(frame: traceback.FrameSummary | None) -> str:
    """``file:line in function: source`` for a message, or a note that no user frame was found."""
    if frame is None:
        return "(no frame in your code: the error was raised inside a library)"
    line = (frame.line or linecache.getline(frame.filename, frame.lineno or 0)).strip()
    return f"{frame.filename}:{frame.lineno} in {frame.name}" + (f": {line}" if line else "")


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` on one line (the first line of the message), plus where it happened in user code."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}\n  at {describe_frame(user_frame(exc))}"
