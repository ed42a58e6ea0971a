"""JAX's persistent compilation cache for the ``approxtheory`` command (issue 14): a run loads the XLA
programs an earlier run compiled instead of compiling them again. Compilation is about half the main
job's CPU seconds, so a second run of a command is much faster than the first.

The folder is ``$APPROXTHEORY_XLA_CACHE`` when set (``off`` turns the cache off), else
``$XDG_CACHE_HOME/approxtheory/xla`` (``~/.cache/approxtheory/xla``). A cache the user configured for
JAX itself (``jax_compilation_cache_dir``) is kept. JAX keys each program on its HLO, the compile
options, the JAX and XLA versions and the device, and evicts the least recently used entries beyond
:data:`MAX_BYTES`; an entry it cannot read is compiled again with a warning. So a verdict never depends
on the cache: the same program runs, loaded or compiled.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import jax

ENV = "APPROXTHEORY_XLA_CACHE"
#: Largest size of the folder; JAX evicts the least recently used programs beyond it.
MAX_BYTES = 1 << 30


def location(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The cache folder the environment asks for, or None when it says ``off``."""
    chosen = environ.get(ENV, "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen).expanduser()
    base = environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base).expanduser() / "approxtheory" / "xla"


def enable() -> Path | None:
    """Turn the cache on for this process and for the worker processes it spawns (they inherit the
    environment and read it when they import JAX); returns the folder, or None when the cache is off or
    its folder cannot be made (a cache is an optimisation: the run goes on compiling everything).
    Call it before the first compilation: JAX decides once per process whether it uses a cache."""
    configured = jax.config.jax_compilation_cache_dir
    if configured:
        return Path(configured)
    folder = location()
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.TemporaryFile(dir=folder):  # writable for this user (os.access says yes to root)
            pass
    except OSError:
        return None
    settings = {"jax_compilation_cache_dir": str(folder),
                # every program: most of ours compile in well under JAX's default threshold of 1 s
                "jax_persistent_cache_min_compile_time_secs": 0.0,
                "jax_compilation_cache_max_size": MAX_BYTES}
    for name, value in settings.items():
        jax.config.update(name, value)
        os.environ[name.upper()] = str(value)
    return folder
