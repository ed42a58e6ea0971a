"""The one exception type users see: a message naming the problem and what to do."""

from __future__ import annotations

from pathlib import Path


class ApproxTheoryError(Exception):
    """A user-facing error: ``problem`` says what is wrong, ``hint`` what to do about it.

    The CLI prints ``str(err)`` and exits 2; it never shows a traceback for these.
    """

    def __init__(self, problem: str, hint: str | None = None) -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(problem if hint is None else f"{problem}\n  hint: {hint}")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, carrying what finished before it (``partial``) so that the caller can keep it.

    A KeyboardInterrupt, so code that lets Ctrl-C through lets this through too; the CLI turns it
    into one line on stderr and exit 130.
    """

    def __init__(self, partial: object = None, kept: str = "") -> None:
        self.partial = partial
        self.kept = kept
        super().__init__(kept)


def refuse_special_file(path: Path, what: str) -> None:
    """Refuse a device or pipe where a file is read or written: /dev/zero never ends, /dev/full never takes.

    Folders and missing paths are left to the caller, which names them with its own hint.
    """
    if path.exists() and not path.is_file() and not path.is_dir():
        raise ApproxTheoryError(f"{what} {path} is not a regular file (a device or pipe)", "give the path of an ordinary file")
