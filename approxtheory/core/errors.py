"""The one exception type users see: a message naming the problem and what to do."""

from __future__ import annotations


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
