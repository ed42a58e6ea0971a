"""Work several claims repeat, done once per run: a memo that lives exactly as long as one run.

JL24's three E1 claims read one set of trained models and its two E4 claims another; CLSL25's
claims and its report table run the UAP checker on the same zoo mechanisms. A function decorated
with :func:`per_run` computes each distinct call once while a :class:`RunMemo` is active (the
arguments are bound to its signature with defaults applied, so ``f(x)`` and ``f(x, seed=0)`` are
one entry; ``f(1)`` and ``f(True)`` are two) and is not memoised at all otherwise. Nothing outlives
the run that opened the memo, so no result leaks from one run, or one test, into the next.

:meth:`Claim.check` opens a memo when none is active (a verifier that asks twice computes once);
the runner opens one around a whole run, and a worker process one for the run it serves. Values of
functions declared ``portable`` are plain data, handed back from a worker to the run that
started it (:meth:`RunMemo.take_portable`, :meth:`RunMemo.merge`), so that work done in a worker
(a zoo report) is not redone by the parent (the report's tables).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar, Union, overload

F = TypeVar("F", bound=Callable[..., Any])


class RunMemo:
    """Values of :func:`per_run` functions by (function, bound arguments), for one run."""

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}
        self._portable: dict[Hashable, Any] = {}  # portable entries not yet taken

    def __len__(self) -> int:
        return len(self._values)

    def lookup(self, key: Hashable, compute: Callable[[], Any], portable: bool) -> Any:
        try:
            return self._values[key]
        except KeyError:
            pass
        value = self._values[key] = compute()
        if portable:
            self._portable[key] = value
        return value

    def take_portable(self) -> dict[Hashable, Any]:
        """The portable entries computed since the last call (to send to the run that started this worker)."""
        taken, self._portable = self._portable, {}
        return taken

    def merge(self, entries: Mapping[Hashable, Any]) -> None:
        """Adopt entries another process computed for this run (an entry already here is kept)."""
        for key, value in entries.items():
            self._values.setdefault(key, value)


_ACTIVE: ContextVar[RunMemo | None] = ContextVar("approxtheory_run_memo", default=None)


def active() -> RunMemo | None:
    """The memo of the run in progress, if any."""
    return _ACTIVE.get()


@contextmanager
def run_memo(memo: RunMemo | None = None) -> Iterator[RunMemo]:
    """Make ``memo`` the active one; without an argument, keep the active memo or open a fresh one."""
    current = _ACTIVE.get()
    if memo is None and current is not None:
        yield current
        return
    token = _ACTIVE.set(RunMemo() if memo is None else memo)
    try:
        yield _ACTIVE.get()  # type: ignore[misc]
    finally:
        _ACTIVE.reset(token)


@overload
def per_run(fn: F) -> F: ...
@overload
def per_run(*, portable: bool = False) -> Callable[[F], F]: ...


def per_run(fn: F | None = None, *, portable: bool = False) -> Any:
    """Memoise ``fn`` in the active run's memo; ``portable``: its values are plain data that may cross processes.

    The arguments must be hashable once bound; the value is shared by every caller of the run, so
    callers must not mutate it.
    """
    if fn is None:
        return functools.partial(per_run, portable=portable)
    signature = inspect.signature(fn)
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        memo = _ACTIVE.get()
        if memo is None:
            return fn(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        # the type is part of the key: 1, 1.0 and True are equal as keys but not as arguments
        key = (name, tuple((k, type(v), v) for k, v in bound.arguments.items()))
        return memo.lookup(key, lambda: fn(*args, **kwargs), portable)

    return wrapper


@dataclass(frozen=True)
class SharedWork:
    """Per-run work beside the claims (a report's figure data, say) that repeats per-run computations of the
    claims declaring ``shares``: a parallel run does it after those claims, in their worker, where it finds them."""

    compute: Callable[[], object]
    shares: str


#: Work a run does beside its claims: a computation of per-run values, or one that shares a claim group's.
Work = Union[Callable[[], object], SharedWork]
