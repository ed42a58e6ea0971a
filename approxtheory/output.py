"""Output: strict JSON, atomic writes with a named fallback, and output targets checked before computing.

Strict JSON has no NaN or Infinity (Python's ``json`` writes them, strict parsers reject them): a
non-finite float is written as the string ``"nan"``, ``"inf"`` or ``"-inf"`` (README, "Errors and
limits"). Every ``--json`` output, report file and sweep record goes through :func:`dumps`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from .core import ApproxTheoryError
from .core.errors import refuse_special_file


def strict(value: Any) -> Any:
    """``value`` with every non-finite float (Python or NumPy) replaced by "nan", "inf" or "-inf"."""
    if isinstance(value, float):
        return value if math.isfinite(value) else ("nan" if math.isnan(value) else "inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {key: strict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(item) for item in value]
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # NumPy and JAX arrays and scalars
        return strict(value.tolist())
    return value


def dumps(data: Any, **kwargs: Any) -> str:
    """Strict JSON text (see the module docstring); anything else unknown is written as its ``str``."""
    return json.dumps(strict(data), allow_nan=False, default=str, **kwargs)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file in the same folder and a rename: never half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:  # mkstemp makes 0o600: keep the replaced file's mode, or a new file's usual 0o666 & ~umask
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def fallback_path(name: str) -> Path:
    """Where output goes when its target cannot be written: the temporary folder, a name unique to this run."""
    return Path(tempfile.gettempdir()) / f"approxtheory-{os.getpid()}-{name}"


def write_text_safely(path: Path, text: str) -> tuple[Path, str | None]:
    """Write atomically (creating the folder); on failure (full disk, no permission) write a fallback file.

    Returns the path actually written and, if it is the fallback, one sentence saying why and where.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
        return path, None
    except OSError as err:
        fallback = fallback_path(path.name)
        try:
            atomic_write_text(fallback, text)
        except OSError as err2:
            raise ApproxTheoryError(f"cannot write {path} ({err.strerror}) nor its fallback {fallback} ({err2.strerror})",
                                    "free some disk space or choose another output folder") from None
        return fallback, f"cannot write {path} ({err.strerror}); its content was saved to {fallback} instead"


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_output_dir(text: str, flag: str) -> Path:
    """A folder the command will write into, checked before any computation: not empty, not a file, writable."""
    if not text.strip():
        raise ApproxTheoryError(f"{flag} is empty", f"give a folder, e.g. {flag} out")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise ApproxTheoryError(f"{flag} {text} is a file, but a folder is needed", f"choose another {flag}")
    for part in (path, *path.parents):  # a symlink loop or a dangling link: mkdir would fail after computing
        if not part.exists() and os.path.lexists(part):
            raise ApproxTheoryError(f"{flag} {text}: {part} is a symbolic link that leads nowhere (a loop or a missing target)",
                                    f"remove the link or choose another {flag}")
    base = _nearest_existing(path)
    if not base.is_dir():
        raise ApproxTheoryError(f"{flag} {text}: {base} is a file, so the folder cannot be created", f"choose another {flag}")
    if not os.access(base, os.W_OK | os.X_OK):
        raise ApproxTheoryError(f"{flag} {text}: {base} is not writable", f"choose another {flag}")
    return path


def check_output_file(text: str, flag: str) -> Path:
    """A file the command will write, checked before any computation: not empty, not a folder, writable."""
    if not text.strip():
        raise ApproxTheoryError(f"{flag} is empty", f"give a file name, e.g. {flag} out.jsonl")
    path = Path(text)
    if path.is_dir():
        raise ApproxTheoryError(f"{flag} {text} is a folder, but a file is needed", f"e.g. {flag} {path / 'sweep.jsonl'}")
    refuse_special_file(path, flag)
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise ApproxTheoryError(f"{flag} {text} is not readable and writable", f"choose another {flag}")
        return path
    check_output_dir(str(path.parent), f"{flag}'s folder")
    return path
