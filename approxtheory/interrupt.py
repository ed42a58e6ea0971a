"""Ctrl-C for every command: one line on stderr and exit 130 within about two seconds, finished work kept.

Python runs a SIGINT handler only between bytecodes of the main thread, so a long XLA call delays it
and a library that catches KeyboardInterrupt (Hypothesis can) loses it. Here the handler records the
request before raising, so that :func:`check` raises again at the next claim or cell boundary, and a
watchdog thread, woken at once through ``signal.set_wakeup_fd`` (written at C level), ends the process
after :data:`GRACE_SECONDS` if the main thread has not finished by then.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from types import FrameType

EXIT_CODE = 130
#: Time the main thread gets to stop cleanly (and keep its partial results) before the watchdog exits.
GRACE_SECONDS = 1.5

_requested = threading.Event()
_said = threading.Lock()


def requested() -> bool:
    """Whether Ctrl-C was pressed during the current command."""
    return _requested.is_set()


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed, even if something swallowed the first one."""
    if _requested.is_set():
        raise KeyboardInterrupt


def say(line: str) -> None:
    """Print the one interrupt line on stderr (only the first caller prints)."""
    if _said.acquire(blocking=False):
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(line.rstrip("\n") + "\n")
            sys.stderr.flush()


def _watch(receiver: socket.socket, finished: threading.Event) -> None:
    while True:
        try:
            data = receiver.recv(64)
        except OSError:
            return
        if not data:
            receiver.close()
            return
        if signal.SIGINT in data and not finished.wait(GRACE_SECONDS):
            say("interrupted (forced after a grace period; finished sweep cells are kept)")
            os._exit(EXIT_CODE)


def _in_gc_callback(frame: FrameType | None) -> bool:
    """Whether the signal arrived inside a garbage-collection callback (JAX registers one): an exception raised
    there is printed as "Exception ignored in ..." and dropped, so the request is only recorded, and the next
    :func:`check` (or the watchdog) ends the command."""
    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks} - {None}
    while frame is not None and codes:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


@contextlib.contextmanager
def handling() -> Iterator[None]:
    """Install the SIGINT handler and the watchdog for one command (a no-op outside the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _requested.clear()
    finished = threading.Event()  # one per command: a later command cannot un-finish this one
    if _said.locked():
        _said.release()
    receiver, sender = socket.socketpair()
    sender.setblocking(False)

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        _requested.set()
        if not _in_gc_callback(frame):
            raise KeyboardInterrupt

    old_fd = signal.set_wakeup_fd(sender.fileno(), warn_on_full_buffer=False)
    old_handler = signal.signal(signal.SIGINT, on_sigint)
    threading.Thread(target=_watch, args=(receiver, finished), name="approxtheory-interrupt-watchdog", daemon=True).start()
    try:
        yield
    finally:
        finished.set()
        signal.signal(signal.SIGINT, old_handler if old_handler is not None else signal.default_int_handler)
        signal.set_wakeup_fd(old_fd)
        sender.close()  # the watchdog reads end-of-file and closes its end


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Let a short critical section (writing one record) finish; a Ctrl-C during it is raised right after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old_handler = signal.signal(signal.SIGINT, lambda signum, frame: _requested.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old_handler)
    check()
