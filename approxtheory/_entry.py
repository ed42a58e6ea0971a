"""The command's entry point: a Ctrl-C during start-up ends it at once, with one line and exit 130.

Importing the command (JAX, SymPy, the paper modules) takes seconds, before the command installs its own Ctrl-C
handling (approxtheory.interrupt); Python's default would print a traceback from whatever import it cut, or lose
the interrupt inside a garbage-collection callback and run the command to the end. Nothing has run yet then, so
nothing is lost by leaving at once. This module imports nothing of the package's before the handler is in place.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

EXIT_CODE = 130  # approxtheory.interrupt.EXIT_CODE, not imported: that would import before the handler is set


def _leave(signum: int, frame: FrameType | None) -> None:
    try:
        sys.stderr.write("interrupted (while starting: nothing had run yet)\n")
        sys.stderr.flush()
    finally:
        os._exit(EXIT_CODE)


def run() -> None:
    """``approxtheory`` on the command line (and ``python -m approxtheory``)."""
    signal.signal(signal.SIGINT, _leave)
    from .cli import main

    raise SystemExit(main())
